-- Refunds of fees the platform confirmed but the dossier did not owe (payments/confirm-payment.ts, decision 0014):
-- refund_reason says why (owes_nothing: withdrawn, refused or stopped while the platform's page was open;
-- dossier_paid: another order of the dossier was paid first), and an official of the collecting agency records the
-- refund (status refunded, who, when, the note: payments/record-refund.ts). Orders kept as refund_due before this
-- migration were all owes_nothing. A success refused before it because another order had paid the dossier left its
-- order unchanged, with only the refusal's audit row: such orders are kept as refund_due now (dossier_paid), with the
-- platform's transaction id of the first refusal unless another order holds it.
ALTER TABLE "payments" DROP CONSTRAINT "payments_status_known";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_reason" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_by" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_note" text;--> statement-breakpoint
UPDATE "payments" SET "refund_reason" = 'owes_nothing' WHERE "status" = 'refund_due';--> statement-breakpoint
UPDATE "payments" p SET "status" = 'refund_due', "refund_reason" = 'dossier_paid', "closed_at" = r."at",
  "provider_transaction_id" = CASE WHEN EXISTS (SELECT 1 FROM "payments" q WHERE q."provider_transaction_id" = r."tx") THEN p."provider_transaction_id" ELSE r."tx" END
FROM (
  SELECT DISTINCT ON ("target_id") "target_id", "data"->>'transactionId' AS "tx", "at"
  FROM "audit_log"
  WHERE "target_type" = 'payment' AND "action" = 'payment.confirmation_refused' AND "data"->>'reason' = 'payment_dossier_already_paid'
  ORDER BY "target_id", "at"
) r
WHERE p."id"::text = r."target_id" AND p."status" IN ('pending', 'abandoned', 'failed');--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refunded_by_accounts_id_fk" FOREIGN KEY ("refunded_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_refund_due_idx" ON "payments" USING btree ("created_at") WHERE "payments"."status" = 'refund_due';--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_reason" CHECK (("payments"."status" in ('refund_due', 'refunded')) = ("payments"."refund_reason" is not null) and ("payments"."refund_reason" is null or "payments"."refund_reason" in ('owes_nothing', 'dossier_paid')));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_recorded" CHECK (("payments"."status" = 'refunded') = ("payments"."refunded_at" is not null and "payments"."refunded_by" is not null and "payments"."refund_note" is not null));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status_known" CHECK ("payments"."status" in ('pending', 'paid', 'failed', 'abandoned', 'refund_due', 'refunded'));