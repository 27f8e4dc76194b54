-- Delivery reports already applied, shared by every instance on the database (src/notify/gateway-reports.ts): a replay
-- inside the signature window is refused wherever it arrives (docs/decisions/0028-pool-limits-and-shared-state.md).
CREATE TABLE "applied_delivery_reports" (
	"replay_key" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "applied_delivery_reports_expires_idx" ON "applied_delivery_reports" USING btree ("expires_at");