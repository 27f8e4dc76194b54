/**
 * Who may administer what, in one place. Read as sentences:
 * - An administrator administers the units in the subtrees of the units where they hold the admin role.
 * - An account is administered by whoever administers its unit.
 * - A suspended or deleted account administers nothing.
 * Refusals for objects outside the subtree say "not found", so ids in other subtrees reveal nothing.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, roleGrants, units } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { ancestorIds, subtreeIds } from '../org/tree.js';
import { isId } from '../shared/validate.js';

/** The system (the demo seed, a command-line tool) administers the whole tree. */
export async function adminRootUnitIds(db: Queryable, actor: StaffActor | SystemActor): Promise<string[]> {
  if (actor.kind === 'system') {
    const roots = await db.select({ id: units.id }).from(units).where(isNull(units.parentId));
    return roots.map((r) => r.id);
  }
  const rows = await db
    .select({ unitId: roleGrants.unitId })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .where(
      and(
        eq(roleGrants.accountId, actor.accountId),
        eq(roleGrants.role, 'admin'),
        isNull(accounts.deletedAt),
        eq(accounts.suspended, false),
      ),
    );
  return rows.map((r) => r.unitId);
}

export async function isAdministrator(db: Queryable, actor: StaffActor): Promise<boolean> {
  return (await adminRootUnitIds(db, actor)).length > 0;
}

/** True when the actor administers the unit (it lies in one of their subtrees). */
export async function canAdministerUnit(db: Queryable, actor: StaffActor | SystemActor, unitId: string): Promise<boolean> {
  if (!isId(unitId)) return false;
  const roots = await adminRootUnitIds(db, actor);
  if (roots.length === 0) return false;
  const chain = await ancestorIds(db, unitId);
  return chain.some((id) => roots.includes(id));
}

export async function requireAdministerUnit(db: Queryable, actor: StaffActor | SystemActor, unitId: string): Promise<void> {
  if (!(await canAdministerUnit(db, actor, unitId))) throw errors.notFound('Đơn vị');
}

/** Loads a live account the actor administers, or refuses as "not found". */
export async function requireAdministeredAccount(db: Queryable, actor: StaffActor, accountId: string) {
  if (!isId(accountId)) throw errors.notFound('Tài khoản');
  const [acc] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, accountId), isNull(accounts.deletedAt)));
  if (!acc || !(await canAdministerUnit(db, actor, acc.unitId))) throw errors.notFound('Tài khoản');
  return acc;
}

/** All unit ids the actor administers (for lists, the audit view, exports). */
export async function administeredUnitIds(db: Queryable, actor: StaffActor): Promise<string[]> {
  return subtreeIds(db, await adminRootUnitIds(db, actor));
}

export async function requireAdministrator(db: Queryable, actor: StaffActor): Promise<string[]> {
  const roots = await adminRootUnitIds(db, actor);
  if (roots.length === 0) throw errors.forbidden();
  return roots;
}

/** The province administrator holds the admin role at a root of the tree. */
export async function isProvinceAdministrator(db: Queryable, actor: StaffActor): Promise<boolean> {
  const roots = await adminRootUnitIds(db, actor);
  if (roots.length === 0) return false;
  const rows = await db.select({ id: units.id, parentId: units.parentId }).from(units).where(isNull(units.parentId));
  return rows.some((r) => roots.includes(r.id));
}
