import { and, eq, isNull, lte } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '../audit/record.js';
import type { Db } from '../db/client.js';
import { accounts, delegations } from '../db/schema/index.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import { requireEndableDelegation } from './policies.js';

const EndInput = z.object({
  note: z.string().trim().max(500, { error: 'Ghi chú tối đa 500 ký tự.' }).optional(),
});

/**
 * Kết thúc ủy quyền: the delegator (or an administrator of their unit) ends a delegation before its term. From the
 * next request on, access.ts no longer lends its positions. Ending one already over is refused, saying so.
 */
export async function endDelegation(db: Db, actor: StaffActor, id: number, raw: unknown, now: Date) {
  const input = parseInput(EndInput, raw);
  return db.transaction(async (tx) => {
    const d = await requireEndableDelegation(tx, actor, id);
    const [locked] = await tx.select().from(delegations).where(eq(delegations.id, d.id)).for('update');
    if (!locked || locked.endedAt) throw new AppError('delegation_over', `Ủy quyền số ${d.id} đã được kết thúc trước đó.`, 409);
    if (locked.endsAt <= now) throw new AppError('delegation_over', `Ủy quyền số ${d.id} đã hết hạn.`, 409);
    const [after] = await tx
      .update(delegations)
      .set({ endedAt: now, endedBy: actor.accountId })
      .where(eq(delegations.id, d.id))
      .returning();
    const [delegator] = await tx.select({ unitId: accounts.unitId }).from(accounts).where(eq(accounts.id, d.delegatorId));
    await recordAudit(tx, {
      action: 'delegation.end',
      actor,
      targetType: 'delegation',
      targetId: String(d.id),
      unitId: delegator?.unitId ?? null,
      data: { before: locked.endsAt.toISOString(), note: input.note ?? null, byDelegator: d.delegatorId === actor.accountId },
    });
    return after!;
  });
}

/**
 * The delegations whose term ran out are over by themselves (access.ts compares ends_at with the clock); this job
 * only writes each one's audit row, once (expiry_recorded_at), in the same transaction that marks it.
 */
export async function recordDelegationExpiries(db: Db, actor: SystemActor, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: delegations.id, endsAt: delegations.endsAt, unitId: accounts.unitId })
      .from(delegations)
      .innerJoin(accounts, eq(accounts.id, delegations.delegatorId))
      .where(and(isNull(delegations.endedAt), isNull(delegations.expiryRecordedAt), lte(delegations.endsAt, now)))
      .orderBy(delegations.id)
      .limit(500)
      .for('update', { of: delegations, skipLocked: true });
    for (const d of due) {
      await tx.update(delegations).set({ expiryRecordedAt: now }).where(eq(delegations.id, d.id));
      await recordAudit(tx, {
        action: 'delegation.expire',
        actor,
        targetType: 'delegation',
        targetId: String(d.id),
        unitId: d.unitId,
        data: { endsAt: d.endsAt.toISOString() },
      });
    }
    return due.length;
  });
}
