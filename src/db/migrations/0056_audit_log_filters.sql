-- motcua:no-transaction
-- Nhật ký hệ thống's filters (src/audit/list.ts): Người thực hiện reads an account's rows of every kind from
-- (actor_id, id) newest first; a period becomes an id range through one step of (at) at each end. The table is
-- append-only (0014's triggers); indexes change no row. Built CONCURRENTLY, so audited writes go on meanwhile; safe to
-- run again (docs/decisions/0011).
DROP INDEX CONCURRENTLY IF EXISTS "audit_log_actor_idx";
--> statement-breakpoint
CREATE INDEX CONCURRENTLY "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","id");
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "audit_log_at_idx";
--> statement-breakpoint
CREATE INDEX CONCURRENTLY "audit_log_at_idx" ON "audit_log" USING btree ("at");
