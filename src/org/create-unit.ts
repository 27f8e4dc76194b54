import type { Db } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { parseInput } from '../shared/validate.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { UnitInput } from './unit-input.js';
import { assertKindFits } from './unit-kind-rule.js';
import { assertLevelWithin, unitLevel } from './unit-depth.js';
import { assertAgencyCodeUsable, loadActiveUnit } from './unit-queries.js';

/**
 * Create a unit under a parent the actor administers. `finalTreeChecked`: the unit import, which checks the depth of
 * the tree it leaves (not of each step on the way) under the same lock, and skips this step's check.
 */
export async function createUnit(
  db: Db,
  actor: StaffActor | SystemActor,
  parentId: string,
  raw: unknown,
  opts: { finalTreeChecked?: boolean } = {},
) {
  const input = parseInput(UnitInput, raw);
  // A unit made here always has a parent: never the province (only the root is).
  assertKindFits(input.kind, false);
  return db.transaction(async (tx) => {
    // First, before any row: the lock every change of the tree's shape holds, so a move committed meanwhile under
    // this parent is seen by the depth check below (unit-depth.ts).
    await lockDelegationAgencies(tx);
    await requireAdministerUnit(tx, actor, parentId);
    const parent = await loadActiveUnit(tx, parentId);
    if (!parent) throw errors.unitInactive();
    if (!opts.finalTreeChecked) assertLevelWithin((await unitLevel(tx, parentId)) + 1);
    await assertAgencyCodeUsable(tx, input.agencyCode, null);
    const [unit] = await tx
      .insert(units)
      .values({ ...input, parentId, nameFolded: foldVietnamese(input.name) })
      .returning();
    await recordAudit(tx, {
      action: 'unit.create',
      actor,
      targetType: 'unit',
      targetId: unit!.id,
      unitId: unit!.id,
      data: { new: input, parentId },
    });
    return unit!;
  });
}
