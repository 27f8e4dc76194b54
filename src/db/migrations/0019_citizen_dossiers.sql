CREATE TABLE "dossier_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"citizen_id" uuid NOT NULL,
	"procedure_id" uuid NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"files" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dossier_ratings" (
	"dossier_id" uuid PRIMARY KEY NOT NULL,
	"citizen_id" uuid NOT NULL,
	"score" integer NOT NULL,
	"comment" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dossier_files" ADD COLUMN "document_label" text;--> statement-breakpoint
ALTER TABLE "dossier_files" ADD COLUMN "uploaded_by_citizen" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "citizen_id" uuid;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "applicant_id_number" text;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "submission_key" text;--> statement-breakpoint
ALTER TABLE "dossier_drafts" ADD CONSTRAINT "dossier_drafts_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_ratings" ADD CONSTRAINT "dossier_ratings_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dossier_drafts_citizen_procedure_key" ON "dossier_drafts" USING btree ("citizen_id","procedure_id");--> statement-breakpoint
ALTER TABLE "dossier_files" ADD CONSTRAINT "dossier_files_uploaded_by_citizen_citizens_id_fk" FOREIGN KEY ("uploaded_by_citizen") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dossiers_citizen_idx" ON "dossiers" USING btree ("citizen_id","created_at") WHERE "dossiers"."citizen_id" is not null;--> statement-breakpoint
CREATE INDEX "dossiers_applicant_number_idx" ON "dossiers" USING btree ("applicant_id_number","created_at") WHERE "dossiers"."applicant_id_number" is not null;--> statement-breakpoint
ALTER TABLE "dossiers" ADD CONSTRAINT "dossiers_submission_key_unique" UNIQUE("submission_key");--> statement-breakpoint
-- Dossiers received before: the applicant's number as the counter typed it.
UPDATE "dossiers" SET "applicant_id_number" = "applicant"->>'cccd' WHERE "applicant"->>'cccd' IS NOT NULL;
