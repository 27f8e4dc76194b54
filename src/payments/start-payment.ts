/**
 * A citizen starts paying a dossier's fee (lệ phí): the order is written (pending) with its audit row, and the
 * citizen's browser goes to the platform's payment page. One pending order per dossier: a second start while the
 * order is still valid on the platform reuses it (a double click, a return after "Hủy giao dịch"); an expired one
 * is marked abandoned and a new order is made. A paid dossier, a dossier that owes nothing (refused, withdrawn,
 * stopped) and a procedure without fee are refused.
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { payments, procedureVersions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireCitizenDossier } from '../portal/citizen-dossiers.js';
import { AppError } from '../shared/errors.js';
import type { CitizenActor } from '../shared/context.js';
import type { PaymentPlatform } from './platform.js';
import { isDossierPaid, owesNoFee } from './queries.js';

/** How long the platform accepts an order (sent with it as its expiry). */
const PAYMENT_VALIDITY_MS = 15 * 60_000;
/** An order with less time left than this is not reused: the citizen could not finish paying it. */
const REUSE_MARGIN_MS = 2 * 60_000;

export const paymentPaths = {
  result: (paymentId: string) => `/ca-nhan/thanh-toan/${paymentId}/ket-qua`,
  receipt: (paymentId: string) => `/ca-nhan/thanh-toan/${paymentId}/bien-lai`,
  notify: '/api/payments/notify',
};

export type StartedPayment = { paymentId: string; url: string; reused: boolean };

export async function startPayment(
  db: Db,
  platform: PaymentPlatform,
  actor: CitizenActor,
  dossierId: string,
  opts: { publicUrl: string; now?: Date },
): Promise<StartedPayment> {
  const now = opts.now ?? new Date();
  const started = await db.transaction(async (tx) => {
    // The one rule of which dossiers a citizen may see (anything else is "not found"); the row is locked, so two
    // starts of the same dossier run one after the other.
    const dossier = await requireCitizenDossier(tx, actor, dossierId, true);
    const [version] = await tx
      .select({ fee: procedureVersions.fee, name: procedureVersions.name })
      .from(procedureVersions)
      .where(eq(procedureVersions.id, dossier.procedureVersionId));
    if (!version) throw new Error('dossier without its procedure version');
    const d = { ...dossier, fee: version.fee, procedureName: version.name };
    if (d.fee <= 0) throw new AppError('payment_no_fee', 'Thủ tục này không mất phí.', 400);
    // A dossier received at the counter or by post paid its fee there.
    if (d.channel !== 2)
      throw new AppError('payment_not_due', 'Lệ phí của hồ sơ này được nộp tại nơi tiếp nhận, không thanh toán trực tuyến.', 409);
    if (owesNoFee(d.status))
      throw new AppError('payment_not_due', 'Hồ sơ đã bị từ chối, đã rút hoặc đã dừng xử lý: không cần thanh toán lệ phí.', 409);
    if (await isDossierPaid(tx, d.id)) throw new AppError('payment_already_paid', 'Lệ phí của hồ sơ này đã được thanh toán.', 409);

    const audit = (action: string, paymentId: string, data: Record<string, unknown>) =>
      recordAudit(tx, {
        action,
        actor,
        targetType: 'payment',
        targetId: paymentId,
        unitId: d.agencyUnitId,
        data: { dossierId: d.id, ...data },
      });

    const [open] = await tx
      .select()
      .from(payments)
      .where(and(eq(payments.dossierId, d.id), eq(payments.status, 'pending')))
      .for('update');
    if (open) {
      if (open.citizenId !== actor.citizenId)
        throw new AppError('payment_in_progress', 'Hồ sơ đang có một giao dịch thanh toán chưa hoàn tất. Vui lòng thử lại sau.', 409);
      if (open.expiresAt.getTime() - now.getTime() > REUSE_MARGIN_MS && open.amount === d.fee) {
        await audit('payment.resumed', open.id, { amount: open.amount });
        return { payment: open, dossier: d, reused: true };
      }
      // Expired on the platform: the citizen left it unpaid. A late confirmation of it is still honoured
      // (confirm-payment.ts) while the dossier is unpaid.
      await tx.update(payments).set({ status: 'abandoned', closedAt: now }).where(eq(payments.id, open.id));
      await audit('payment.abandoned', open.id, { amount: open.amount });
    }
    const [payment] = await tx
      .insert(payments)
      .values({
        dossierId: d.id,
        citizenId: actor.citizenId,
        amount: d.fee,
        status: 'pending',
        createdAt: now,
        expiresAt: new Date(now.getTime() + PAYMENT_VALIDITY_MS),
      })
      .returning();
    if (!payment) throw new Error('payment not inserted');
    await audit('payment.started', payment.id, { amount: payment.amount });
    return { payment, dossier: d, reused: false };
  });

  const { payment, dossier, reused } = started;
  const base = opts.publicUrl.replace(/\/+$/, '');
  const description = `Lệ phí hồ sơ ${dossier.code ?? ''} - ${dossier.procedureName}`.replace(/\s+/g, ' ').slice(0, 200);
  const url = platform.createPaymentUrl({
    orderId: payment.id,
    amount: payment.amount,
    description,
    returnUrl: `${base}${paymentPaths.result(payment.id)}`,
    notifyUrl: `${base}${paymentPaths.notify}`,
    createdAt: now,
    expiresAt: payment.expiresAt,
  });
  return { paymentId: payment.id, url, reused };
}
