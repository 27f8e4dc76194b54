import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, roleGrants, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { requireNoLaterCutoff } from '../cutover/postponement.js';
import { endDelegationsAcrossAgencies } from '../delegation/end-across-agencies.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { ancestorIds } from './tree.js';
import { assertLevelWithin, subtreeLevels, unitLevel } from './unit-depth.js';
import { loadActiveUnit } from './unit-queries.js';
import { moveProceduresOfMergedUnit } from './merge-procedures.js';

/**
 * Merge `sourceId` into `targetId` (the 2025 provincial merger is the model case):
 * the source's accounts, sub-units and role grants move to the target, and so do its procedures (a new version of
 * each naming the target where it named the source: merge-procedures.ts); the source stays as an inactive row under
 * the target, so history that names it still resolves and the target's administrators can read it.
 */
export async function mergeUnits(db: Db, actor: StaffActor, sourceId: string, targetId: string, now: Date) {
  return db.transaction(async (tx) => {
    // First, before any row (delegation/agency-lock.ts): this may put a delegation's two accounts in two agencies.
    await lockDelegationAgencies(tx);
    await requireAdministerUnit(tx, actor, sourceId);
    await requireAdministerUnit(tx, actor, targetId);
    if (sourceId === targetId) throw new AppError('unit_merge_self', 'Không thể sáp nhập một đơn vị vào chính nó.', 409);
    const source = await loadActiveUnit(tx, sourceId);
    const target = await loadActiveUnit(tx, targetId);
    if (!source || !target) throw errors.unitInactive();
    if (!source.parentId) throw new AppError('unit_is_root', 'Không thể sáp nhập đơn vị gốc.', 409);
    if ((await ancestorIds(tx, targetId)).includes(sourceId)) {
      throw new AppError('unit_cycle', 'Không thể sáp nhập đơn vị vào đơn vị cấp dưới của chính nó.', 409);
    }
    // The source goes under the target and its sub-units beside it: the deepest lands one level below the target for
    // each level of the source's subtree but the source's own (at least the source itself, one below the target).
    const targetLevel = await unitLevel(tx, targetId);
    assertLevelWithin(targetLevel + Math.max(1, (await subtreeLevels(tx, sourceId)) - 1));
    // The source's officials, and its sub-units without a date of their own, take the target's VNeID-only date.
    await requireNoLaterCutoff(tx, actor, sourceId, targetId, 'đơn vị');
    // The source's accounts locked in id order before they are moved, the order createDelegation locks two accounts in.
    await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.unitId, sourceId)).orderBy(accounts.id).for('update');
    const moved = await tx
      .update(accounts)
      .set({ unitId: targetId, updatedAt: now })
      .where(eq(accounts.unitId, sourceId))
      .returning({ id: accounts.id });
    const children = await tx
      .update(units)
      .set({ parentId: targetId, updatedAt: now })
      .where(eq(units.parentId, sourceId))
      .returning({ id: units.id });
    // Grants that the target already has for the same account and role would collide: drop those duplicates.
    await tx.execute(sql`
      delete from role_grants g using role_grants t
      where g.unit_id = ${sourceId} and t.unit_id = ${targetId} and t.account_id = g.account_id and t.role = g.role`);
    const grants = await tx
      .update(roleGrants)
      .set({ unitId: targetId })
      .where(eq(roleGrants.unitId, sourceId))
      .returning({ id: roleGrants.id });
    await tx
      .update(units)
      .set({ active: false, mergedIntoId: targetId, parentId: targetId, updatedAt: now })
      .where(and(eq(units.id, sourceId)));
    // Left naming the source, the procedures would be offered and then refused at every reception (unit inactive).
    const movedProcedures = await moveProceduresOfMergedUnit(
      tx,
      actor,
      { id: sourceId, name: source.name },
      { id: targetId, name: target.name },
    );
    // The source's officials may now be of another agency than those they delegated to or stood in for.
    await endDelegationsAcrossAgencies(tx, actor, now);
    await recordAudit(tx, {
      action: 'unit.merge',
      actor,
      targetType: 'unit',
      targetId: sourceId,
      unitId: targetId,
      data: {
        source: { id: sourceId, name: source.name },
        target: { id: targetId, name: target.name },
        movedAccounts: moved.length,
        movedUnits: children.length,
        movedGrants: grants.length,
        movedProcedures,
      },
    });
    return { movedAccounts: moved.length, movedUnits: children.length, movedGrants: grants.length, movedProcedures };
  });
}
