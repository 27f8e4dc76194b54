-- A Nộp hồ sơ draft names the procedure version whose documents its files are indexed by: a form opened before an
-- administrator saved a new version (documents reordered, added, removed) had its files filed under the new
-- version's documents by position. Drafts saved before now were matched to the current version, so they are taken
-- to be of it (the behaviour they would have had).
ALTER TABLE "dossier_drafts" ADD COLUMN "procedure_version_id" uuid;--> statement-breakpoint
ALTER TABLE "dossier_drafts" ADD CONSTRAINT "dossier_drafts_procedure_version_id_procedure_versions_id_fk" FOREIGN KEY ("procedure_version_id") REFERENCES "public"."procedure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
UPDATE "dossier_drafts" AS d SET "procedure_version_id" = v."id"
  FROM "procedure_versions" AS v
  WHERE v."procedure_id" = d."procedure_id" AND v."current";
