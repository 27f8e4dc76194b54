-- API keys expire. Keys issued before expiry existed get 90 days from this migration (the default validity).
ALTER TABLE "api_clients" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
UPDATE "api_clients" SET "expires_at" = now() + interval '90 days';--> statement-breakpoint
ALTER TABLE "api_clients" ALTER COLUMN "expires_at" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "api_clients" ADD COLUMN "revoked_by" uuid;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_revoked_by_accounts_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;
