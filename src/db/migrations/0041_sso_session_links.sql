CREATE TABLE "sso_session_links" (
	"session_uid" text PRIMARY KEY NOT NULL,
	"browser_session_hash" text NOT NULL,
	"subject" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "sso_session_links_browser_idx" ON "sso_session_links" USING btree ("browser_session_hash");--> statement-breakpoint
CREATE INDEX "sso_session_links_subject_idx" ON "sso_session_links" USING btree ("subject");