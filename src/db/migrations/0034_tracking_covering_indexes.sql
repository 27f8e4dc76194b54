DROP INDEX "dossiers_received_by_idx";--> statement-breakpoint
DROP INDEX "dossiers_agency_received_idx";--> statement-breakpoint
DROP INDEX "dossiers_version_received_idx";--> statement-breakpoint
CREATE INDEX "dossiers_received_by_idx" ON "dossiers" USING btree ("received_by","received_at","id","status","due_at","sector_id","procedure_id","code","applicant_folded","agency_unit_id","procedure_version_id");--> statement-breakpoint
CREATE INDEX "dossiers_agency_received_idx" ON "dossiers" USING btree ("agency_unit_id","received_at","id","status","due_at","sector_id","procedure_id","code","applicant_folded");--> statement-breakpoint
CREATE INDEX "dossiers_version_received_idx" ON "dossiers" USING btree ("procedure_version_id","received_at","id","status","due_at","sector_id","procedure_id","code","applicant_folded");