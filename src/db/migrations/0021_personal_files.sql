CREATE TABLE "personal_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"citizen_id" uuid NOT NULL,
	"name" text NOT NULL,
	"mime" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"source" text NOT NULL,
	"issued_by_unit_id" uuid,
	"dossier_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone,
	CONSTRAINT "personal_files_source_check" CHECK ("personal_files"."source" in ('upload', 'issued')),
	CONSTRAINT "personal_files_issued_check" CHECK (("personal_files"."source" = 'issued') = ("personal_files"."issued_by_unit_id" is not null)),
	CONSTRAINT "personal_files_size_check" CHECK ("personal_files"."size" > 0)
);
--> statement-breakpoint
ALTER TABLE "personal_files" ADD CONSTRAINT "personal_files_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_files" ADD CONSTRAINT "personal_files_issued_by_unit_id_units_id_fk" FOREIGN KEY ("issued_by_unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "personal_files" ADD CONSTRAINT "personal_files_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "personal_files_citizen_idx" ON "personal_files" USING btree ("citizen_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE "personal_files"."deleted_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "personal_files_issued_key" ON "personal_files" USING btree ("citizen_id","dossier_id","sha256") WHERE "personal_files"."source" = 'issued' and "personal_files"."deleted_at" is null;