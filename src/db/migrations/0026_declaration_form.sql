ALTER TABLE "procedure_versions" ADD COLUMN "declaration" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "declaration" jsonb;