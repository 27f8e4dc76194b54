CREATE TABLE "account_identities" (
	"account_id" uuid PRIMARY KEY NOT NULL,
	"full_name" text,
	"date_of_birth" date,
	"gender" text,
	"cccd" text,
	"issue_date" date,
	"issue_place" text,
	"address" text,
	"verified_at" timestamp with time zone,
	"verified_by" uuid,
	"verified_by_admin" boolean DEFAULT false NOT NULL,
	"declined_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pending_identity_logins" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"method" text NOT NULL,
	"loa" integer NOT NULL,
	"return_to" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
-- Hand-written (issue 8, docs/decisions/0010): typed identity data become a claim per account; persons are only
-- those an external identity login proves. Links made from typed data were never proof, so none survives:
-- every person accepts their accounts again at their next VNeID login. A verification is kept only where the
-- old person had a single account (a shared one may have been another's typing), and never counts as an
-- administrator's. Sessions may have been obtained through the old switch: everyone logs in again.
INSERT INTO "account_identities" ("account_id", "full_name", "date_of_birth", "gender", "cccd", "issue_date", "issue_place", "address", "verified_at", "verified_by_admin", "updated_at")
SELECT a."id", p."full_name", p."date_of_birth", p."gender", p."cccd", p."issue_date", p."issue_place", p."address",
  CASE WHEN (SELECT count(*) FROM "accounts" b WHERE b."person_id" = p."id") = 1 THEN p."verified_at" END, false, now()
FROM "accounts" a JOIN "persons" p ON p."id" = a."person_id";--> statement-breakpoint
DELETE FROM "sessions";--> statement-breakpoint
DELETE FROM "oidc_transactions";--> statement-breakpoint
UPDATE "accounts" SET "person_id" = NULL;--> statement-breakpoint
DELETE FROM "identity_links";--> statement-breakpoint
DELETE FROM "persons";--> statement-breakpoint
DROP INDEX "persons_cccd_key";--> statement-breakpoint
ALTER TABLE "persons" ALTER COLUMN "cccd" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "person_linked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "person_linked_how" text;--> statement-breakpoint
ALTER TABLE "accounts" ADD COLUMN "identity_used_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "method" text DEFAULT 'password' NOT NULL;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "person_id" uuid;--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "loa" integer;--> statement-breakpoint
ALTER TABLE "oidc_transactions" ADD COLUMN "browser_hash" text;--> statement-breakpoint
ALTER TABLE "account_identities" ADD CONSTRAINT "account_identities_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ADD CONSTRAINT "pending_identity_logins_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_identities_cccd_idx" ON "account_identities" USING btree ("cccd");--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "persons_cccd_key" ON "persons" USING btree ("cccd");--> statement-breakpoint
ALTER TABLE "persons" DROP COLUMN "issue_date";--> statement-breakpoint
ALTER TABLE "persons" DROP COLUMN "issue_place";--> statement-breakpoint
ALTER TABLE "persons" DROP COLUMN "address";--> statement-breakpoint
ALTER TABLE "persons" DROP COLUMN "verified_at";