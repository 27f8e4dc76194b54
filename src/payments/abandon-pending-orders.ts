/**
 * A dossier that stops owing its fee (refused, withdrawn, stopped: queries.ts owesNoFee) closes its pending order in
 * the same transaction as the action (act-on-dossier.ts), audited as payment.abandoned: the citizen's data no longer
 * says "Đang chờ thanh toán" for a fee nobody owes. The platform may still take the money on a page left open: that
 * success is kept for a refund (confirm-payment.ts), as for any abandoned order. The dossier's row is locked by the
 * caller first, as every payment use case takes it (no deadlock with a confirmation).
 */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { payments } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { Actor } from '../shared/context.js';

export async function abandonPendingOrders(tx: Queryable, dossierId: string, actor: Actor, unitId: string, now: Date): Promise<void> {
  const closed = await tx
    .update(payments)
    .set({ status: 'abandoned', closedAt: now })
    .where(and(eq(payments.dossierId, dossierId), eq(payments.status, 'pending')))
    .returning({ id: payments.id, amount: payments.amount });
  for (const p of closed)
    await recordAudit(tx, {
      action: 'payment.abandoned',
      actor,
      targetType: 'payment',
      targetId: p.id,
      unitId,
      data: { amount: p.amount, dossierId, dossierOwesNothing: true },
    });
}
