/**
 * The platform's server-to-server confirmation of a payment (POST /api/payments/notify). Trusted only when its
 * signature is ours (constant-time check), the order exists, the amount is the order's, and the platform's
 * transaction id is not another order's. Idempotent: the same confirmation again changes nothing and is answered
 * OK (the platform retries until it hears OK). A success the platform signs for an order it earlier reported failed
 * (its settlement came late) pays the dossier: the citizen's money was taken, and refusing it would leave the dossier
 * unpaid with nobody told. Anything else changes nothing, is refused with a precise error, and leaves an audit row
 * of the refusal (written in its own committed transaction).
 */
import { and, eq, ne } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { dossiers, payments } from '../db/schema/index.js';
import type { RefundReason } from '../db/schema/payments.js';
import { recordAudit } from '../audit/record.js';
import { AppError } from '../shared/errors.js';
import type { RequestMeta, SystemActor } from '../shared/context.js';
import { isId } from '../shared/validate.js';
import type { PaymentConfirmation, PaymentPlatform } from './platform.js';
import { owesNoFee } from './queries.js';

export type ConfirmOutcome = { paymentId: string; status: 'paid' | 'failed'; duplicate: boolean };

/** The platform, as audit rows name it. */
const platformActor = (meta: RequestMeta): SystemActor => ({ kind: 'system', label: 'payment-platform', meta });

const REFUSALS = {
  malformed: () => new AppError('payment_confirmation_malformed', 'Thông điệp xác nhận thanh toán không đúng định dạng.', 400),
  signature: () => new AppError('payment_signature_invalid', 'Chữ ký của thông điệp xác nhận thanh toán không hợp lệ.', 401),
  merchant: () => new AppError('payment_merchant_mismatch', 'Thông điệp xác nhận thanh toán không dành cho đơn vị này.', 401),
  unknownOrder: () => new AppError('payment_order_unknown', 'Không có giao dịch thanh toán với mã đơn hàng này.', 404),
  amount: () => new AppError('payment_amount_mismatch', 'Số tiền xác nhận không khớp với số tiền của giao dịch.', 409),
  transactionReused: () =>
    new AppError('payment_transaction_reused', 'Mã giao dịch của nền tảng thanh toán đã được dùng cho một giao dịch khác.', 409),
  alreadyPaid: () => new AppError('payment_already_paid', 'Giao dịch này đã được thanh toán với một xác nhận khác.', 409),
  notPending: () => new AppError('payment_not_pending', 'Giao dịch này đã kết thúc (thất bại); không nhận xác nhận khác.', 409),
  dossierPaid: () =>
    new AppError(
      'payment_dossier_already_paid',
      'Lệ phí của hồ sơ đã được thanh toán bằng một giao dịch khác; khoản này cần hoàn trả.',
      409,
    ),
  dossierOwesNothing: () =>
    new AppError(
      'payment_dossier_owes_nothing',
      'Hồ sơ đã được rút, bị từ chối hoặc dừng xử lý nên không còn phải nộp lệ phí; khoản này cần hoàn trả.',
      409,
    ),
} as const;
type Refusal = keyof typeof REFUSALS;

/** How a confirmation of an order kept for a refund is answered again: as it was the first time. */
const REFUSAL_OF_REASON: Record<RefundReason, Refusal> = { owes_nothing: 'dossierOwesNothing', dossier_paid: 'dossierPaid' };

type Decision = { ok: ConfirmOutcome } | { refused: Refusal };

export async function confirmPayment(
  db: Db,
  platform: PaymentPlatform,
  body: unknown,
  meta: RequestMeta,
  now: Date,
): Promise<ConfirmOutcome> {
  const actor = platformActor(meta);
  const verified = platform.verifyConfirmation(body);
  // Unsigned, wrongly signed or another merchant's: anyone on the network can send that, so it writes nothing to
  // the append-only audit log (the request log line has it); only what the platform signed is audited.
  if (!verified.valid) throw REFUSALS[verified.reason]();
  const c = verified.confirmation;
  const decision = await db.transaction(async (tx): Promise<Decision> => {
    const refuse = async (reason: Refusal, extra: Record<string, unknown> = {}, unitId: string | null = null): Promise<Decision> => {
      await recordAudit(tx, {
        action: 'payment.confirmation_refused',
        actor,
        targetType: 'payment',
        targetId: isId(c.orderId) ? c.orderId : null,
        unitId,
        data: { reason: REFUSALS[reason]().code, transactionId: c.transactionId, amount: c.amount, status: c.status, ...extra },
      });
      return { refused: reason };
    };
    if (!isId(c.orderId)) return refuse('unknownOrder');
    // The dossier's row first, as startPayment locks it: a confirmation and a start of the same dossier run one
    // after the other (marking paid also updates the dossier's row, by trigger: taken in the other order, the two
    // would deadlock), and so do two confirmations of two orders of one dossier.
    const [owner] = await tx.select({ dossierId: payments.dossierId }).from(payments).where(eq(payments.id, c.orderId));
    if (owner) await tx.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.id, owner.dossierId)).for('update');
    const [row] = await tx
      .select({ payment: payments, unitId: dossiers.agencyUnitId, dossierStatus: dossiers.status })
      .from(payments)
      .innerJoin(dossiers, eq(dossiers.id, payments.dossierId))
      .where(eq(payments.id, c.orderId))
      .for('update', { of: payments });
    if (!row) return refuse('unknownOrder');
    const { payment: p, unitId, dossierStatus } = row;
    const sameAsRecorded = p.providerTransactionId === c.transactionId && p.confirmation?.status === c.status && p.amount === c.amount;
    if (c.amount !== p.amount) return refuse('amount', { expected: p.amount }, unitId);
    const [reused] = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.providerTransactionId, c.transactionId), ne(payments.id, p.id)));
    if (reused) return refuse('transactionReused', { otherPaymentId: reused.id }, unitId);
    if (p.status === 'paid')
      return sameAsRecorded ? { ok: { paymentId: p.id, status: 'paid', duplicate: true } } : refuse('alreadyPaid', {}, unitId);
    // Already kept for a refund (or refunded): the same success again is answered alike, and writes nothing more (one
    // refund). The same: its transaction and amount — an order kept from the audit log (migration 0067) has no
    // confirmation recorded to compare with.
    if (p.status === 'refund_due' || p.status === 'refunded') {
      const sameSuccess = p.providerTransactionId === c.transactionId && c.status === 'success';
      return sameSuccess ? { refused: REFUSAL_OF_REASON[p.refundReason ?? 'owes_nothing'] } : refuse('alreadyPaid', {}, unitId);
    }
    if (p.status === 'failed' && sameAsRecorded) return { ok: { paymentId: p.id, status: 'failed', duplicate: true } };
    if (p.status === 'failed' && c.status !== 'success') return refuse('notPending', {}, unitId);
    // pending; abandoned (replaced by a newer order, but paid before it expired and confirmed late); or failed, then
    // settled after all.
    if (c.status !== 'success') return markFailed(tx, p, c, unitId);
    // Withdrawn, refused or stopped while the platform's page was open (another tab, the agency): the dossier owes
    // nothing, so the money taken is to be refunded — kept on the order (refund_due: the citizen's page says so and
    // offers no second payment), not a fee paid.
    if (owesNoFee(dossierStatus)) {
      await keepForRefund(tx, p.id, c, 'owes_nothing');
      return refuse('dossierOwesNothing', { dossierStatus, needsRefund: true }, unitId);
    }
    return markPaid(tx, p, c, unitId, refuse);
  });
  if ('refused' in decision) throw REFUSALS[decision.refused]();
  return decision.ok;

  async function markPaid(
    tx: Tx,
    p: typeof payments.$inferSelect,
    conf: PaymentConfirmation,
    unitId: string,
    refuse: (r: Refusal, extra?: Record<string, unknown>, unitId?: string | null) => Promise<Decision>,
  ): Promise<Decision> {
    const [paid] = await tx
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.dossierId, p.dossierId), eq(payments.status, 'paid')));
    // The dossier was paid by another order meanwhile (two tabs): this money is to be refunded, kept on the order as
    // for a dossier that owes nothing (Lệ phí cần hoàn trả lists it; a replay writes nothing more).
    if (paid) {
      await keepForRefund(tx, p.id, conf, 'dossier_paid');
      return refuse('dossierPaid', { paidPaymentId: paid.id, needsRefund: true }, unitId);
    }
    // A late confirmation of an abandoned (or failed) order pays the dossier: a newer pending order is abandoned.
    if (p.status !== 'pending')
      await tx
        .update(payments)
        .set({ status: 'abandoned', closedAt: now })
        .where(and(eq(payments.dossierId, p.dossierId), eq(payments.status, 'pending')));
    await tx
      .update(payments)
      .set({ status: 'paid', providerTransactionId: conf.transactionId, paidAt: new Date(conf.paidAt), closedAt: null, confirmation: conf })
      .where(eq(payments.id, p.id));
    await recordAudit(tx, {
      action: 'payment.paid',
      actor: platformActor(meta),
      targetType: 'payment',
      targetId: p.id,
      unitId,
      data: {
        dossierId: p.dossierId,
        amount: p.amount,
        transactionId: conf.transactionId,
        late: p.status !== 'pending',
        ...(p.status === 'failed' ? { afterFailure: p.providerTransactionId } : {}),
      },
    });
    return { ok: { paymentId: p.id, status: 'paid', duplicate: false } };
  }

  /** The money taken for an order the dossier did not owe: kept on it for a refund (record-refund.ts records it). */
  async function keepForRefund(tx: Tx, paymentId: string, conf: PaymentConfirmation, reason: RefundReason): Promise<void> {
    await tx
      .update(payments)
      .set({
        status: 'refund_due',
        refundReason: reason,
        providerTransactionId: conf.transactionId,
        paidAt: new Date(conf.paidAt),
        closedAt: now,
        confirmation: conf,
      })
      .where(eq(payments.id, paymentId));
  }

  async function markFailed(tx: Tx, p: typeof payments.$inferSelect, conf: PaymentConfirmation, unitId: string): Promise<Decision> {
    await tx
      .update(payments)
      .set({ status: 'failed', providerTransactionId: conf.transactionId, closedAt: now, confirmation: conf })
      .where(eq(payments.id, p.id));
    await recordAudit(tx, {
      action: 'payment.failed',
      actor: platformActor(meta),
      targetType: 'payment',
      targetId: p.id,
      unitId,
      data: { dossierId: p.dossierId, amount: p.amount, transactionId: conf.transactionId, message: conf.message ?? null },
    });
    return { ok: { paymentId: p.id, status: 'failed', duplicate: false } };
  }
}
