/**
 * Quản trị → Thông báo → Gửi lại: a province or unit administrator sends a failed message again, on its channel, to
 * the recipient's current contact — never on a channel they switched off since, nor to a suspended or deleted
 * account or a contact no longer theirs (409). The failed row keeps its history; the new one names it (fallback_of)
 * and has its own job, in one transaction with the audit row. A message outside the administrator's units is "not
 * found" (404); one not failed, or already replaced (by a resend or by the automatic fallback), is refused 409 — the
 * row is locked first, so two clicks send once.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { canAdministerUnit } from '../accounts/policies.js';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/client.js';
import { accounts, dossiers, notifications } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { idField } from '../shared/validate.js';
import { resolveRecipient } from './recipients.js';

const ResendInput = z.object({ id: idField('Thông báo không hợp lệ.') });

export async function resendNotification(db: Db, actor: StaffActor, raw: unknown, now: Date): Promise<string> {
  const parsed = ResendInput.safeParse(raw);
  // A malformed id is as unknown as another unit's.
  if (!parsed.success) throw errors.notFound('Thông báo');
  const { id } = parsed.data;
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(notifications).where(eq(notifications.id, id)).for('update');
    const unitId = row ? await unitOf(tx, row) : null;
    if (!row || !unitId || !(await canAdministerUnit(tx, actor, unitId))) throw errors.notFound('Thông báo');
    if (row.channel === 'inapp' || (row.state !== 'failed' && row.state !== 'expired'))
      throw errors.conflict('Thông báo này không ở trạng thái gửi không thành công. Vui lòng tải lại trang.');
    const [replaced] = await tx.select({ id: notifications.id }).from(notifications).where(eq(notifications.fallbackOf, row.id)).limit(1);
    if (replaced) throw errors.conflict('Thông báo này đã được gửi lại hoặc đã chuyển sang kênh khác.');
    const who = await resolveRecipient(
      tx,
      row.recipientKind === 'official' && row.accountId
        ? { kind: 'official', accountId: row.accountId }
        : { kind: 'applicant', dossierId: row.dossierId ?? '', citizenId: row.citizenId },
    );
    const current = row.channel === 'email' ? who?.email : who?.phone;
    // The person's choices now, as for any new message (recipients.ts): a channel they switched off, an account
    // suspended or deleted, or a contact they removed is not written to again by hand.
    if (!who || !current || who.off.has(row.channel))
      throw errors.conflict('Người nhận đã tắt kênh này hoặc không còn địa chỉ nhận trên kênh này; không gửi lại.');
    const [created] = await tx
      .insert(notifications)
      .values({
        event: row.event,
        channel: row.channel,
        recipientKind: row.recipientKind,
        citizenId: row.citizenId,
        accountId: row.accountId,
        address: current,
        dossierId: row.dossierId,
        data: row.data,
        fallbackOf: row.id,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: notifications.id });
    const newId = created!.id;
    await enqueue(tx, 'notify.send', { notificationId: newId }, { key: newId });
    await recordAudit(tx, {
      action: 'notification.resend',
      actor,
      targetType: 'notification',
      targetId: row.id,
      unitId,
      data: { channel: row.channel, event: row.event, dossierId: row.dossierId, resentAs: newId },
    });
    return newId;
  });
}

/** The unit that answers for a message: its dossier's agency, else the official's unit. */
async function unitOf(tx: Parameters<Parameters<Db['transaction']>[0]>[0], row: typeof notifications.$inferSelect): Promise<string | null> {
  if (row.dossierId) {
    const [d] = await tx.select({ unitId: dossiers.agencyUnitId }).from(dossiers).where(eq(dossiers.id, row.dossierId));
    return d?.unitId ?? null;
  }
  if (row.accountId) {
    const [a] = await tx.select({ unitId: accounts.unitId }).from(accounts).where(eq(accounts.id, row.accountId));
    return a?.unitId ?? null;
  }
  return null;
}
