import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { requireNoLaterCutoff } from '../cutover/postponement.js';
import { endDelegationsAcrossAgencies } from '../delegation/end-across-agencies.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { ancestorIds } from './tree.js';
import { assertLevelWithin, subtreeLevels, unitLevel } from './unit-depth.js';
import { loadActiveUnit } from './unit-queries.js';

/**
 * Move a unit (with its subtree, accounts and history) under another parent. `finalTreeChecked`: as createUnit's, for
 * the unit import (a row may move a unit under one that a later row lifts: only the tree it leaves must fit).
 */
export async function moveUnit(
  db: Db,
  actor: StaffActor | SystemActor,
  unitId: string,
  newParentId: string,
  now: Date,
  opts: { finalTreeChecked?: boolean } = {},
) {
  return db.transaction(async (tx) => {
    // First, before any row (delegation/agency-lock.ts): this may put a delegation's two accounts in two agencies.
    await lockDelegationAgencies(tx);
    await requireAdministerUnit(tx, actor, unitId);
    await requireAdministerUnit(tx, actor, newParentId);
    const unit = await loadActiveUnit(tx, unitId);
    const parent = await loadActiveUnit(tx, newParentId);
    if (!unit || !parent) throw errors.unitInactive();
    if (!unit.parentId) throw new AppError('unit_is_root', 'Không thể di chuyển đơn vị gốc.', 409);
    if ((await ancestorIds(tx, newParentId)).includes(unitId)) {
      throw new AppError('unit_cycle', 'Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.', 409);
    }
    // The whole subtree goes along: its deepest unit lands that many levels below the new parent. Checked under the
    // lock above, which every change of the tree's shape holds, so two moves at once cannot together go too deep.
    if (!opts.finalTreeChecked) assertLevelWithin((await unitLevel(tx, newParentId)) + (await subtreeLevels(tx, unitId)));
    // A unit without its own VNeID-only date (and whatever follows it) takes the new parent's; one with its own date may
    // then be given any date up to the new parent's (set-cutoff.ts): either way the parents' dates are compared.
    await requireNoLaterCutoff(tx, actor, unit.parentId, newParentId, 'đơn vị');
    await tx.update(units).set({ parentId: newParentId, updatedAt: now }).where(eq(units.id, unitId));
    // Its officials may now be of another agency than those they delegated to or stood in for.
    await endDelegationsAcrossAgencies(tx, actor, now);
    await recordAudit(tx, {
      action: 'unit.move',
      actor,
      targetType: 'unit',
      targetId: unitId,
      unitId,
      data: { old: { parentId: unit.parentId }, new: { parentId: newParentId } },
    });
  });
}
