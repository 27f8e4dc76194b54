ALTER TABLE "dossier_events" DROP CONSTRAINT "dossier_events_actor_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "actor_kind" text;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "on_behalf_of" uuid;--> statement-breakpoint
ALTER TABLE "dossier_events" ADD COLUMN "actor_kind" text DEFAULT 'official' NOT NULL;--> statement-breakpoint
ALTER TABLE "dossier_events" ADD COLUMN "on_behalf_of" uuid;--> statement-breakpoint
-- Events written without an acting account were the system's (seeding, jobs).
UPDATE "dossier_events" SET "actor_kind" = 'system' WHERE "actor_id" IS NULL;