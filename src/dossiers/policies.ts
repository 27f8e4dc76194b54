/**
 * Who may act on a dossier, in one place: an official acts at a step when they hold the step's role
 * at the step's unit or at a unit above it (a role covers the subtree).
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, roleGrants, type ProcessStep } from '../db/schema/index.js';
import type { Actor } from '../shared/context.js';
import { ancestorIds } from '../org/tree.js';

export async function canActAtStep(db: Queryable, actor: Actor, step: ProcessStep, agencyUnitId: string): Promise<boolean> {
  const unitId = step.unitId ?? agencyUnitId;
  const chain = await ancestorIds(db, unitId);
  const grants = await db
    .select({ id: roleGrants.id })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .where(
      and(
        eq(roleGrants.accountId, actor.accountId),
        eq(roleGrants.role, step.role),
        inArray(roleGrants.unitId, chain),
        eq(accounts.suspended, false),
      ),
    )
    .limit(1);
  return grants.length > 0;
}
