CREATE INDEX "dossier_events_actor_idx" ON "dossier_events" USING btree ("actor_id","dossier_id") WHERE "dossier_events"."actor_id" is not null;--> statement-breakpoint
CREATE INDEX "dossier_events_on_behalf_idx" ON "dossier_events" USING btree ("on_behalf_of","dossier_id") WHERE "dossier_events"."on_behalf_of" is not null;--> statement-breakpoint
CREATE INDEX "dossiers_received_by_idx" ON "dossiers" USING btree ("received_by","received_at","id");--> statement-breakpoint
CREATE INDEX "dossiers_agency_received_idx" ON "dossiers" USING btree ("agency_unit_id","received_at","id");--> statement-breakpoint
CREATE INDEX "dossiers_version_received_idx" ON "dossiers" USING btree ("procedure_version_id","received_at","id");