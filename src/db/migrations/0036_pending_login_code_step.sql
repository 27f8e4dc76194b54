-- Issue 12, item 14: the break-glass TOTP step keeps its pending login in the same table as the VNeID account choice
-- (one mechanism, method 'password'): the account waiting for its code, the typed name, whether the name was paused.
ALTER TABLE "pending_identity_logins" ALTER COLUMN "person_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ALTER COLUMN "loa" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ADD COLUMN "account_id" uuid;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ADD COLUMN "username_lower" text;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ADD COLUMN "paused" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ADD CONSTRAINT "pending_identity_logins_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pending_identity_logins" ADD CONSTRAINT "pending_logins_kind" CHECK (("pending_identity_logins"."method" in ('vneid', 'sso') and "pending_identity_logins"."person_id" is not null and "pending_identity_logins"."loa" is not null) or ("pending_identity_logins"."method" = 'password' and "pending_identity_logins"."username_lower" is not null));