-- Refunds of fees the platform confirmed but the dossier did not owe (payments/confirm-payment.ts, decision 0014):
-- refund_reason says why (owes_nothing: withdrawn, refused or stopped while the platform's page was open;
-- dossier_paid: another order of the dossier was paid first), and an official of the collecting agency records the
-- refund (status refunded, who, when, the note: payments/record-refund.ts). Orders kept as refund_due by 0066's code
-- were all owes_nothing. Before that code (owes_nothing) and before this migration (dossier_paid) such a success was
-- refused with only an audit row, its order left pending, abandoned or failed: those orders are kept as refund_due now,
-- from the first such refusal of each, marked refund_from_log (the agency may have refunded them by hand: the list asks
-- to check), with the refusal's transaction id. One transaction id is one payment: an order refused with an id another
-- order holds, or an earlier refusal took, is left as it was (its audit rows tell it), never listed twice. A refund_due
-- order first refused as paid by another order keeps that reason.
ALTER TABLE "payments" DROP CONSTRAINT "payments_status_known";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_reason" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refunded_by" uuid;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_note" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "refund_from_log" boolean DEFAULT false NOT NULL;--> statement-breakpoint
UPDATE "payments" p SET "refund_reason" = CASE WHEN EXISTS (
    SELECT 1 FROM "audit_log" a WHERE a."target_type" = 'payment' AND a."target_id" = p."id"::text
      AND a."action" = 'payment.confirmation_refused' AND a."data"->>'reason' = 'payment_dossier_already_paid'
  ) THEN 'dossier_paid' ELSE 'owes_nothing' END
WHERE p."status" = 'refund_due';--> statement-breakpoint
UPDATE "payments" p SET "status" = 'refund_due', "refund_reason" = r."reason", "refund_from_log" = true, "closed_at" = r."at",
  "provider_transaction_id" = r."tx"
FROM (
  SELECT f.*, row_number() OVER (PARTITION BY f."tx" ORDER BY f."at", f."target_id") = 1 AS "first_of_tx"
  FROM (
    SELECT DISTINCT ON (a."target_id") a."target_id", a."data"->>'transactionId' AS "tx", a."at",
      CASE a."data"->>'reason' WHEN 'payment_dossier_already_paid' THEN 'dossier_paid' ELSE 'owes_nothing' END AS "reason"
    FROM "audit_log" a
    JOIN "payments" o ON o."id"::text = a."target_id" AND o."status" IN ('pending', 'abandoned', 'failed')
    WHERE a."target_type" = 'payment' AND a."action" = 'payment.confirmation_refused'
      AND a."data"->>'reason' IN ('payment_dossier_already_paid', 'payment_dossier_owes_nothing')
    ORDER BY a."target_id", a."at"
  ) f
) r
WHERE p."id"::text = r."target_id" AND r."tx" IS NOT NULL AND r."first_of_tx"
  AND NOT EXISTS (SELECT 1 FROM "payments" q WHERE q."provider_transaction_id" = r."tx" AND q."id" <> p."id");--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refunded_by_accounts_id_fk" FOREIGN KEY ("refunded_by") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "payments_refund_due_idx" ON "payments" USING btree ("created_at") WHERE "payments"."status" = 'refund_due';--> statement-breakpoint
CREATE INDEX "payments_refunded_idx" ON "payments" USING btree ("refunded_at") WHERE "payments"."status" = 'refunded';--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_reason" CHECK (("payments"."status" in ('refund_due', 'refunded')) = ("payments"."refund_reason" is not null) and ("payments"."refund_reason" is null or "payments"."refund_reason" in ('owes_nothing', 'dossier_paid')));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_refund_recorded" CHECK (("payments"."status" = 'refunded') = ("payments"."refunded_at" is not null and "payments"."refunded_by" is not null and "payments"."refund_note" is not null));--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status_known" CHECK ("payments"."status" in ('pending', 'paid', 'failed', 'abandoned', 'refund_due', 'refunded'));