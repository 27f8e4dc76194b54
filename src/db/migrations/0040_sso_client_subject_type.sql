ALTER TABLE "sso_clients" ADD COLUMN "secret_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sso_clients" ADD COLUMN "subject_type" text DEFAULT 'public' NOT NULL;--> statement-breakpoint
ALTER TABLE "sso_clients" ADD CONSTRAINT "sso_clients_subject_type_check" CHECK ("sso_clients"."subject_type" in ('public', 'pairwise'));--> statement-breakpoint
UPDATE "sso_clients" SET "secret_issued_at" = "created_at" WHERE "secret_hash" IS NOT NULL;
