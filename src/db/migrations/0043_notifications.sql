CREATE TABLE "notification_preferences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"citizen_id" uuid,
	"account_id" uuid,
	"channel" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_preferences_one_owner" CHECK (("notification_preferences"."citizen_id" is null) <> ("notification_preferences"."account_id" is null)),
	CONSTRAINT "notification_preferences_channel_known" CHECK ("notification_preferences"."channel" in ('zns', 'sms', 'email', 'inapp'))
);
--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"event" text NOT NULL,
	"channel" text NOT NULL,
	"recipient_kind" text NOT NULL,
	"citizen_id" uuid,
	"account_id" uuid,
	"address" text,
	"dossier_id" uuid,
	"idem_key" text,
	"state" text DEFAULT 'queued' NOT NULL,
	"gateway_id" text,
	"reason" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"subject" text,
	"body" text,
	"fallback_of" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sending_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"read_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notifications_channel_known" CHECK ("notifications"."channel" in ('zns', 'sms', 'email', 'inapp')),
	CONSTRAINT "notifications_state_known" CHECK ("notifications"."state" in ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled')),
	CONSTRAINT "notifications_recipient_kind_known" CHECK ("notifications"."recipient_kind" in ('applicant', 'official'))
);
--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_preferences" ADD CONSTRAINT "notification_preferences_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_citizen_id_citizens_id_fk" FOREIGN KEY ("citizen_id") REFERENCES "public"."citizens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_dossier_id_dossiers_id_fk" FOREIGN KEY ("dossier_id") REFERENCES "public"."dossiers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_fallback_of_notifications_id_fk" FOREIGN KEY ("fallback_of") REFERENCES "public"."notifications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_preferences_citizen_key" ON "notification_preferences" USING btree ("citizen_id","channel") WHERE "notification_preferences"."citizen_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_preferences_account_key" ON "notification_preferences" USING btree ("account_id","channel") WHERE "notification_preferences"."account_id" is not null;--> statement-breakpoint
CREATE INDEX "notifications_dossier_idx" ON "notifications" USING btree ("dossier_id","created_at") WHERE "notifications"."dossier_id" is not null;--> statement-breakpoint
CREATE INDEX "notifications_citizen_idx" ON "notifications" USING btree ("citizen_id","created_at") WHERE "notifications"."citizen_id" is not null;--> statement-breakpoint
CREATE INDEX "notifications_account_idx" ON "notifications" USING btree ("account_id","created_at") WHERE "notifications"."account_id" is not null;--> statement-breakpoint
CREATE INDEX "notifications_failed_idx" ON "notifications" USING btree ("created_at","id") WHERE "notifications"."state" in ('failed', 'expired');--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_idem_key" ON "notifications" USING btree ("event","channel","recipient_kind",coalesce("account_id", "dossier_id"),"idem_key") WHERE "notifications"."idem_key" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "notifications_gateway_key" ON "notifications" USING btree ("channel","gateway_id") WHERE "notifications"."gateway_id" is not null;