-- One session table for officials and citizens (issue 9: one session module). Citizens' sessions move over.
ALTER TABLE "sessions" ALTER COLUMN "account_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "citizen_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
INSERT INTO "sessions" ("id_hash", "citizen_id", "created_at", "last_seen_at", "expires_at", "method")
  SELECT "id_hash", "citizen_id", "created_at", "last_seen_at", "expires_at", 'vneid' FROM "citizen_sessions";--> statement-breakpoint
DROP TABLE "citizen_sessions" CASCADE;--> statement-breakpoint
CREATE INDEX "sessions_citizen_idx" ON "sessions" USING btree ("citizen_id");--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_one_subject" CHECK (num_nonnulls("sessions"."account_id", "sessions"."citizen_id") = 1);
