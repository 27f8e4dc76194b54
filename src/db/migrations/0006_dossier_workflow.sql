ALTER TABLE "dossiers" ADD COLUMN "current_unit_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "current_role" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "sector_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "procedure_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "step_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "step_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "clock_stopped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "finished_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "returned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "return_channel" integer;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_current_unit_id_units_id_fk" FOREIGN KEY ("current_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dossiers_inbox_idx" ON "dossiers" USING btree ("current_unit_id","current_role","due_at","id");