CREATE TABLE "delegations" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "delegations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"delegator_id" uuid NOT NULL,
	"delegate_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"sector_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"procedure_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_by" uuid,
	"expiry_recorded_at" timestamp with time zone,
	CONSTRAINT "delegations_period" CHECK ("delegations"."ends_at" > "delegations"."starts_at"),
	CONSTRAINT "delegations_not_self" CHECK ("delegations"."delegator_id" <> "delegations"."delegate_id"),
	CONSTRAINT "delegations_scope" CHECK ("delegations"."scope" in ('all', 'sectors', 'procedures'))
);
--> statement-breakpoint
ALTER TABLE "dossier_events" ADD COLUMN "delegation_id" integer;--> statement-breakpoint
ALTER TABLE "dossier_events" ADD COLUMN "on_behalf_label" text;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegator_id_accounts_id_fk" FOREIGN KEY ("delegator_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_delegate_id_accounts_id_fk" FOREIGN KEY ("delegate_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "delegations" ADD CONSTRAINT "delegations_ended_by_accounts_id_fk" FOREIGN KEY ("ended_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "delegations_delegate_idx" ON "delegations" USING btree ("delegate_id","ends_at") WHERE "delegations"."ended_at" is null;--> statement-breakpoint
CREATE INDEX "delegations_delegator_idx" ON "delegations" USING btree ("delegator_id","created_at");--> statement-breakpoint
CREATE INDEX "delegations_expiry_idx" ON "delegations" USING btree ("ends_at") WHERE "delegations"."ended_at" is null and "delegations"."expiry_recorded_at" is null;