CREATE TABLE "sso_clients" (
	"client_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"redirect_uris" jsonb NOT NULL,
	"post_logout_redirect_uris" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"backchannel_logout_uri" text,
	"scopes" jsonb NOT NULL,
	"confidential" boolean NOT NULL,
	"secret_hash" text,
	"access_token_ttl" integer NOT NULL,
	"refresh_token_ttl" integer NOT NULL,
	"id_token_ttl" integer NOT NULL,
	"unit_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
CREATE TABLE "sso_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"alg" text NOT NULL,
	"state" text NOT NULL,
	"public_jwk" jsonb NOT NULL,
	"private_jwk_encrypted" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activate_after" timestamp with time zone NOT NULL,
	"activated_at" timestamp with time zone,
	"retired_at" timestamp with time zone,
	"delete_after" timestamp with time zone,
	CONSTRAINT "sso_keys_state_check" CHECK ("sso_keys"."state" in ('next', 'current', 'retired'))
);
--> statement-breakpoint
CREATE TABLE "sso_models" (
	"model" text NOT NULL,
	"id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"grant_id" text,
	"uid" text,
	"user_code" text,
	"expires_at" timestamp with time zone,
	"consumed_at" timestamp with time zone,
	CONSTRAINT "sso_models_model_id_pk" PRIMARY KEY("model","id")
);
--> statement-breakpoint
ALTER TABLE "sso_clients" ADD CONSTRAINT "sso_clients_created_by_accounts_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sso_models_uid_idx" ON "sso_models" USING btree ("model","uid") WHERE "sso_models"."uid" is not null;--> statement-breakpoint
CREATE INDEX "sso_models_user_code_idx" ON "sso_models" USING btree ("model","user_code") WHERE "sso_models"."user_code" is not null;--> statement-breakpoint
CREATE INDEX "sso_models_grant_idx" ON "sso_models" USING btree ("grant_id") WHERE "sso_models"."grant_id" is not null;--> statement-breakpoint
CREATE INDEX "sso_models_expires_idx" ON "sso_models" USING btree ("expires_at") WHERE "sso_models"."expires_at" is not null;