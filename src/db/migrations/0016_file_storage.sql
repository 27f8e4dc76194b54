ALTER TABLE "procedure_templates" ALTER COLUMN "bytes" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "dossier_files" ALTER COLUMN "content" DROP NOT NULL;