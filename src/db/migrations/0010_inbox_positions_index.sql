DROP INDEX "dossiers_inbox_idx";--> statement-breakpoint
DROP INDEX "dossiers_inbox_open_idx";--> statement-breakpoint
CREATE INDEX "dossiers_inbox_open_idx" ON "dossiers" USING btree ("current_unit_id","current_role","status","due_at","id","sector_id","procedure_id","received_at","code","applicant_folded") WHERE "dossiers"."status" in ('submitted','received','processing','supplement','done');