/**
 * Ghi nhận đã hoàn trả: an official of the collecting agency (refunds.ts says who) records that the money of an order
 * kept for a refund was paid back, with how (the transfer's reference, the counter's receipt). The order becomes
 * refunded; the citizen's page of it says so. One refund per order: a second submit (a double tap, another tab, a
 * colleague) is refused, naming who recorded it. An order out of the actor's scope answers exactly like a missing one.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { accounts, dossiers, payments, procedureVersions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDateTime, formatDayOf } from '../shared/dates.js';
import { dossierFacts } from '../notify/dossier-events.js';
import { notify } from '../notify/enqueue.js';
import { formatVnd } from './amount-words.js';
import { cleanText } from '../shared/text.js';
import { isId, parseInput } from '../shared/validate.js';
import { mayHandleRefund } from './refunds.js';

export const REFUND_NOTE_MAX = 500;

const Input = z.object({
  ghiChu: z
    .string({ error: 'Vui lòng ghi cách đã hoàn trả (số chứng từ chuyển khoản, phiếu chi…).' })
    .transform(cleanText)
    .pipe(
      z
        .string()
        .min(1, { error: 'Vui lòng ghi cách đã hoàn trả (số chứng từ chuyển khoản, phiếu chi…).' })
        .max(REFUND_NOTE_MAX, { error: `Ghi chú tối đa ${REFUND_NOTE_MAX} ký tự.` }),
    ),
});

export async function recordRefund(db: Db, actor: StaffActor, paymentId: string, raw: unknown, now: Date): Promise<void> {
  if (!isId(paymentId)) throw errors.notFound('Khoản cần hoàn trả');
  const { ghiChu: note } = parseInput(Input, raw);
  await db.transaction(async (tx) => {
    // The dossier's row first, as confirm-payment.ts and start-payment.ts lock it (the same order: no deadlock).
    const [owner] = await tx.select({ dossierId: payments.dossierId }).from(payments).where(eq(payments.id, paymentId));
    if (!owner || !(await mayHandleRefund(tx, actor, paymentId))) throw errors.notFound('Khoản cần hoàn trả');
    const [dossier] = await tx
      .select({ unitId: dossiers.agencyUnitId, code: dossiers.code })
      .from(dossiers)
      .where(eq(dossiers.id, owner.dossierId))
      .for('update');
    const [p] = await tx.select().from(payments).where(eq(payments.id, paymentId)).for('update');
    if (!p || !dossier) throw errors.notFound('Khoản cần hoàn trả');
    if (p.status === 'refunded') {
      const [by] = await tx
        .select({ username: accounts.username, middleName: accounts.middleName, givenName: accounts.givenName })
        .from(accounts)
        .where(eq(accounts.id, p.refundedBy!));
      const name = by ? `${by.middleName} ${by.givenName}`.trim() || by.username : 'một cán bộ khác';
      throw new AppError(
        'refund_already_recorded',
        `Khoản này đã được ghi nhận hoàn trả lúc ${formatDateTime(p.refundedAt!)} bởi ${name}.`,
        409,
      );
    }
    if (p.status !== 'refund_due') throw errors.notFound('Khoản cần hoàn trả');
    await tx
      .update(payments)
      .set({ status: 'refunded', refundedAt: now, refundedBy: actor.accountId, refundNote: note })
      .where(eq(payments.id, p.id));
    // The citizen who paid hears of it (in the app, and by SMS or e-mail as they chose), once per order: their money,
    // and the order only they open — who submitted the dossier may be someone else.
    const [version] = await tx
      .select({ name: procedureVersions.name })
      .from(procedureVersions)
      .innerJoin(dossiers, eq(dossiers.procedureVersionId, procedureVersions.id))
      .where(eq(dossiers.id, p.dossierId));
    await notify(tx, {
      event: 'dossier.fee_refunded',
      to: { kind: 'applicant', dossierId: p.dossierId, citizenId: p.citizenId },
      dossierId: p.dossierId,
      key: p.id,
      data: {
        ...(await dossierFacts(tx, { code: dossier.code, agencyUnitId: dossier.unitId }, version?.name ?? '')),
        so_tien: formatVnd(p.amount),
        ngay_hoan_tra: formatDayOf(now),
      },
    });
    await recordAudit(tx, {
      action: 'payment.refunded',
      actor,
      targetType: 'payment',
      targetId: p.id,
      unitId: dossier.unitId,
      data: {
        dossierId: p.dossierId,
        dossierCode: dossier.code,
        amount: p.amount,
        transactionId: p.providerTransactionId,
        reason: p.refundReason,
        note,
      },
    });
  });
}
