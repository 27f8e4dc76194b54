CREATE TABLE "dossier_components" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dossier_id" uuid NOT NULL,
	"document_index" integer NOT NULL,
	"name" text NOT NULL,
	"required" boolean NOT NULL,
	"originals" integer DEFAULT 0 NOT NULL,
	"copies" integer DEFAULT 0 NOT NULL,
	"file_id" uuid,
	"digitised" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "digitised" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dossier_components" ADD CONSTRAINT "dossier_components_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dossier_components" ADD CONSTRAINT "dossier_components_file_id_dossier_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."dossier_files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dossier_components_dossier_document_key" ON "dossier_components" USING btree ("dossier_id","document_index");