import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { endDelegationsAcrossAgencies } from '../delegation/end-across-agencies.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { foldVietnamese } from '../shared/text.js';
import { parseInput } from '../shared/validate.js';
import { UnitInput } from './unit-input.js';
import { assertKindFits } from './unit-kind-rule.js';
import { assertAgencyCodeFree, assertAgencyCodeUsable, loadUnit } from './unit-queries.js';

/** Rename a unit or change its short name, agency code or kind. History keeps the old values. */
export async function updateUnit(db: Db, actor: StaffActor | SystemActor, unitId: string, raw: unknown, now: Date) {
  const input = parseInput(UnitInput, raw);
  return db.transaction(async (tx) => {
    // First, before any row (delegation/agency-lock.ts): this may put a delegation's two accounts in two agencies.
    await lockDelegationAgencies(tx);
    await requireAdministerUnit(tx, actor, unitId);
    const before = await loadUnit(tx, unitId);
    if (!before) throw errors.notFound('Đơn vị');
    if (!before.active) throw errors.unitInactive();
    assertKindFits(input.kind, !before.parentId);
    // A code the unit already holds is not judged again (a rename must not wait for it); a new one must be usable.
    if (input.agencyCode === before.agencyCode) await assertAgencyCodeFree(tx, input.agencyCode, unitId);
    else await assertAgencyCodeUsable(tx, input.agencyCode, unitId);
    const [after] = await tx
      .update(units)
      .set({ ...input, nameFolded: foldVietnamese(input.name), updatedAt: now })
      .where(eq(units.id, unitId))
      .returning();
    // An agency code given or taken away redraws the agencies: a delegation now across two of them ends.
    if ((before.agencyCode ?? null) !== (after?.agencyCode ?? null)) await endDelegationsAcrossAgencies(tx, actor, now);
    await recordAudit(tx, {
      action: 'unit.update',
      actor,
      targetType: 'unit',
      targetId: unitId,
      unitId,
      data: {
        old: { name: before.name, shortName: before.shortName, agencyCode: before.agencyCode, kind: before.kind },
        new: input,
      },
    });
    return after!;
  });
}
