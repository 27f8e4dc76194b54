/**
 * WHO MAY DELEGATE, TO WHOM, AND WHO MAY SEE OR END A DELEGATION — the one place it is decided. Read as sentences:
 * - An official may delegate when they hold a workflow position of their own (they are registered in the process);
 *   acting on someone's behalf is never a position they can pass on, and administration or statistics are not
 *   delegated at all (access.ts lends only the delegator's own workflow grants).
 * - The delegate is another live account (not suspended, not deleted) of the same agency: the nearest unit with an
 *   agency code above or at each account's unit is the same (without one, the same top unit).
 * - A delegation is seen by its delegator, its delegate, and the administrators of either account's unit.
 * - It is ended early by its delegator or by an administrator of the delegator's unit.
 * Refusals for delegations one may not see say "not found".
 */
import { eq, sql } from 'drizzle-orm';
import { canAdministerUnit } from '../accounts/policies.js';
import { queryRows, type Queryable } from '../db/client.js';
import { accounts, delegations } from '../db/schema/index.js';
import { positionsCte } from '../dossiers/access.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { INT4_MAX, isId } from '../shared/validate.js';

/** The agency (or, without one, the top unit) an account's unit belongs to. */
async function agencyOfAccount(db: Queryable, accountId: string): Promise<string | null> {
  const [row] = await queryRows<{ id: string }>(
    db,
    sql`with recursive up(id, parent_id, agency_code, depth) as (
        select u.id, u.parent_id, u.agency_code, 0 from units u join accounts a on a.unit_id = u.id where a.id = ${accountId}::uuid
        union all
        select u.id, u.parent_id, u.agency_code, up.depth + 1 from units u join up on u.id = up.parent_id where up.agency_code is null
      )
      select id from up where agency_code is not null or parent_id is null order by depth limit 1`,
  );
  return row?.id ?? null;
}

/** The actor holds a workflow position of their own: only such an official has anything to delegate. */
export async function mayDelegate(db: Queryable, actor: StaffActor): Promise<boolean> {
  if (actor.kind !== 'official') return false;
  const rows = await queryRows<{ one: number }>(
    db,
    sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)} select 1 as one from positions limit 1`,
  );
  return rows.length > 0;
}

/** The account the delegator may delegate to, or a refusal that says why (in the form, under the field). */
export async function requireEligibleDelegate(db: Queryable, actor: StaffActor, delegateId: string) {
  const refuse = (msg: string) => errors.validation({ delegateId: msg });
  if (!isId(delegateId)) throw refuse('Vui lòng chọn tài khoản nhận ủy quyền.');
  if (delegateId === actor.accountId) throw refuse('Không thể ủy quyền cho chính mình.');
  const [acc] = await db.select().from(accounts).where(eq(accounts.id, delegateId));
  if (!acc || acc.deletedAt) throw refuse('Tài khoản nhận ủy quyền không tồn tại.');
  if (acc.suspended) throw refuse('Tài khoản nhận ủy quyền đang bị tạm đình chỉ.');
  const [mine, theirs] = await Promise.all([agencyOfAccount(db, actor.accountId), agencyOfAccount(db, delegateId)]);
  if (!mine || mine !== theirs) throw refuse('Chỉ được ủy quyền cho tài khoản cùng cơ quan.');
  return acc;
}

/** The live accounts of the actor's agency that may receive a delegation (the form's choices). */
export async function eligibleDelegates(db: Queryable, actor: StaffActor) {
  const agency = await agencyOfAccount(db, actor.accountId);
  if (!agency) return [];
  return queryRows<{ id: string; username: string; name: string; position: string | null; unit_name: string }>(
    db,
    sql`with recursive sub(id) as (
        select ${agency}::uuid
        union select u.id from units u join sub on u.parent_id = sub.id
          where u.agency_code is null or u.id = ${agency}::uuid
      )
      select a.id, a.username, a.middle_name || ' ' || a.given_name as name, a.position, u.name as unit_name
      from accounts a join units u on u.id = a.unit_id
      where a.unit_id in (select id from sub) and a.id <> ${actor.accountId}::uuid and not a.suspended and a.deleted_at is null
      order by a.given_name, a.middle_name, a.username
      limit 1000`,
  );
}

type Delegation = typeof delegations.$inferSelect;

async function administersEither(db: Queryable, actor: StaffActor, d: Delegation): Promise<boolean> {
  const units = await db
    .select({ id: accounts.id, unitId: accounts.unitId })
    .from(accounts)
    .where(sql`${accounts.id} in (${d.delegatorId}::uuid, ${d.delegateId}::uuid)`);
  for (const u of units) if (await canAdministerUnit(db, actor, u.unitId)) return true;
  return false;
}

/** A delegation the actor may see (delegator, delegate, or administrator of either), else "not found". */
async function requireVisibleDelegation(db: Queryable, actor: StaffActor, id: number): Promise<Delegation> {
  // delegations.id is an integer: a number past INT4_MAX is no delegation (PostgreSQL would refuse the comparison).
  const [d] = Number.isInteger(id) && id > 0 && id <= INT4_MAX ? await db.select().from(delegations).where(eq(delegations.id, id)) : [];
  if (!d) throw errors.notFound('Ủy quyền');
  if (d.delegatorId === actor.accountId || d.delegateId === actor.accountId) return d;
  if (await administersEither(db, actor, d)) return d;
  throw errors.notFound('Ủy quyền');
}

/** A delegation the actor may end early: theirs as delegator, or one whose delegator's unit they administer. */
export async function requireEndableDelegation(db: Queryable, actor: StaffActor, id: number): Promise<Delegation> {
  const d = await requireVisibleDelegation(db, actor, id);
  if (d.delegatorId === actor.accountId) return d;
  const [delegator] = await db.select({ unitId: accounts.unitId }).from(accounts).where(eq(accounts.id, d.delegatorId));
  if (delegator && (await canAdministerUnit(db, actor, delegator.unitId))) return d;
  throw new AppError('forbidden', 'Chỉ người ủy quyền hoặc quản trị đơn vị của họ được kết thúc ủy quyền này.', 403);
}
