/**
 * Who may administer what, in one place. Read as sentences:
 * - An administrator administers the units in the subtrees of the units where they hold the admin role.
 * - An account is administered by whoever administers its unit.
 * - What acts on the whole account — its password, its identity data and their verification, its API keys, its
 *   suspension and deletion, splitting it — is for whoever administers its unit and every unit where it holds a role
 *   or is lent one by a delegation not yet over: else the administrator of a division could take over an account
 *   seated there with roles above (an agency's, a province administrator's).
 * - A suspended or deleted account administers nothing.
 * Refusals for objects outside the subtree say "not found", so ids in other subtrees reveal nothing.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { union } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import { accounts, delegations, roleGrants, units } from '../db/schema/index.js';
import { AppError, errors } from '../shared/errors.js';
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

/**
 * `forUpdate`: the row is locked for the caller's transaction before it is judged, so that a save checking what its
 * page showed (update-official `seen`, set-roles `shown`) waits for a save of the same account under way and then
 * compares with what that one wrote — two saves of one stale page at the same instant cannot both pass.
 */
type Lock = { forUpdate?: boolean };

/** Loads a live account the actor administers, or refuses as "not found". */
export async function requireAdministeredAccount(db: Queryable, actor: StaffActor, accountId: string, opts: Lock = {}) {
  if (!isId(accountId)) throw errors.notFound('Tài khoản');
  const query = db
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, accountId), isNull(accounts.deletedAt)));
  const [acc] = opts.forUpdate ? await query.for('update') : await query;
  if (!acc || !(await canAdministerUnit(db, actor, acc.unitId))) throw errors.notFound('Tài khoản');
  return acc;
}

/**
 * The units whose roles an account can act with: where it holds a role, and where the delegators of its delegations
 * not yet over hold theirs (not ended early, their natural end not yet recorded by the expiry job — no clock needed,
 * and a delegation just past its end still counts for a few minutes, the safe side).
 */
async function unitsActedFrom(db: Queryable, accountId: string): Promise<string[]> {
  const rows = await union(
    db.select({ unitId: roleGrants.unitId }).from(roleGrants).where(eq(roleGrants.accountId, accountId)),
    db
      .select({ unitId: roleGrants.unitId })
      .from(delegations)
      .innerJoin(roleGrants, eq(roleGrants.accountId, delegations.delegatorId))
      .where(and(eq(delegations.delegateId, accountId), isNull(delegations.endedAt), isNull(delegations.expiryRecordedAt))),
  );
  return rows.map((r) => r.unitId);
}

/** True when the actor administers the account's unit and every unit it acts from (unitsActedFrom). */
async function administersWholeAccount(db: Queryable, actor: StaffActor, account: { id: string; unitId: string }): Promise<boolean> {
  const roots = await adminRootUnitIds(db, actor);
  if (roots.length === 0) return false;
  for (const unitId of [account.unitId, ...(await unitsActedFrom(db, account.id))]) {
    const chain = await ancestorIds(db, unitId);
    if (!chain.some((id) => roots.includes(id))) return false;
  }
  return true;
}

/**
 * Loads a live account the actor administers whole (see the top of this file). One seen in the actor's lists but
 * holding roles beyond their subtree is refused as such, so the administrator knows whom to ask.
 */
export async function requireWhollyAdministeredAccount(db: Queryable, actor: StaffActor, accountId: string, opts: Lock = {}) {
  const acc = await requireAdministeredAccount(db, actor, accountId, opts);
  if (!(await administersWholeAccount(db, actor, acc))) {
    throw new AppError(
      'account_beyond_scope',
      'Tài khoản này giữ vai trò (hoặc đang được ủy quyền) ở đơn vị ngoài phạm vi bạn quản trị. Việc này do quản trị viên cấp trên thực hiện.',
      403,
    );
  }
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
