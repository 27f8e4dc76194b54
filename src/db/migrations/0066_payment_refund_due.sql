-- A success the platform confirms for a dossier that no longer owes its fee (withdrawn, refused or stopped while the
-- platform's page was open) is kept on its order as refund_due — the money taken, to be refunded — instead of leaving
-- the order pending for the citizen to be told "chưa nhận được xác nhận… thanh toán lại" (payments/confirm-payment.ts).
ALTER TABLE "payments" DROP CONSTRAINT "payments_status_known";--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_status_known" CHECK ("payments"."status" in ('pending', 'paid', 'failed', 'abandoned', 'refund_due'));