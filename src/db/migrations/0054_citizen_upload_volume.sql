-- Each citizen's uploads as they are stored, kept or not (src/personal-files/upload-budget.ts): the sum over the
-- rolling 24 hours bounds what one citizen can put into file storage in a day, deletions and replacements included
-- (docs/decisions/0020). Rows past the window are removed by the job uploads.staged_purge.
CREATE TABLE "citizen_upload_volume" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"citizen_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"bytes" integer NOT NULL,
	CONSTRAINT "citizen_upload_volume_bytes_check" CHECK ("citizen_upload_volume"."bytes" > 0)
);
--> statement-breakpoint
ALTER TABLE "citizen_upload_volume" ADD CONSTRAINT "citizen_upload_volume_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "citizen_upload_volume_citizen_idx" ON "citizen_upload_volume" USING btree ("citizen_id","at");--> statement-breakpoint
CREATE INDEX "citizen_upload_volume_at_idx" ON "citizen_upload_volume" USING btree ("at");