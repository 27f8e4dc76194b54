/**
 * WHO MAY SEE AND ACT ON DOSSIERS — the one place it is decided. Read as sentences:
 * - An official holds a position (role, unit) for every grant of a workflow role (not administration, not
 *   statistics), and the position covers the unit's whole subtree. A suspended or deleted account holds none.
 * - An official acts at a step when they hold the step's role at the step's unit.
 * - An official sees a dossier when they hold any position at its receiving agency or at a unit of one of
 *   its steps.
 * - An official reads an agency's register (Mẫu 07) when they hold a position at the agency, above it or
 *   within it (its desks).
 * - While a delegation is in force (Ủy quyền giải quyết DVC: begun, not yet over, not ended, both accounts live),
 *   its delegate also holds the delegator's positions — only those the delegator holds themself, never lent
 *   ones, so nobody can delegate further — but only for dossiers in the delegation's scope (all, some sectors,
 *   some procedures), and acts there on the delegator's behalf. An own position always comes first.
 * Every check, the inbox's SQL included, reads the positions from `positionsCte`; the lent ones are the
 * delegator's `positionsCte` behind `lentCte`, the delegations in force.
 */
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { ProcessStep, Role } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';

/** The roles of the workflow's steps: only these are positions (administration and statistics are not). */
const WORKFLOW_ROLES = ['reception', 'processing', 'approval', 'result'] as const satisfies readonly ProcessStep['role'][];
const WORKFLOW_ROLES_SQL = sql.raw(WORKFLOW_ROLES.map((r) => `'${r}'`).join(', '));

/**
 * The positions of an account as a recursive CTE named `positions(role, unit_id)`: each non-admin role
 * grant spread over the unit's subtree. `accountId` is a value or a placeholder (the inbox's prepared statement).
 */
export function positionsCte(accountId: SQL | Placeholder): SQL {
  return sql`positions(role, unit_id) as (
    select g.role, g.unit_id from role_grants g join accounts a on a.id = g.account_id
    where g.account_id = ${accountId} and g.role in ('reception', 'processing', 'approval', 'result') and not a.suspended and a.deleted_at is null
    union
    select p.role, u.id from units u join positions p on u.parent_id = p.unit_id
  )`;
}

async function holds(db: Queryable, actor: StaffActor, where: SQL): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)} select 1 as one from positions where ${where} limit 1`,
  );
  return rows.length > 0;
}

const uuidList = (ids: string[]) =>
  sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );

/** The actor holds `role` at `unitId` (a grant at the unit or above it). */
export function mayActAt(db: Queryable, actor: StaffActor, role: Role, unitId: string): Promise<boolean> {
  return holds(db, actor, sql`role = ${role} and unit_id = ${unitId}::uuid`);
}

/** The actor may act at this step of a dossier of this receiving agency (a step without a unit is the agency's). */
export function mayActAtStep(db: Queryable, actor: StaffActor, step: ProcessStep, agencyUnitId: string): Promise<boolean> {
  return mayActAt(db, actor, step.role, step.unitId ?? agencyUnitId);
}

/** The actor may see a dossier of this agency whose process has these steps. */
export function mayViewDossier(db: Queryable, actor: StaffActor, agencyUnitId: string, steps: ProcessStep[]): Promise<boolean> {
  const unitIds = [...new Set([agencyUnitId, ...steps.map((s) => s.unitId ?? agencyUnitId)])];
  return holds(db, actor, sql`unit_id in (${uuidList(unitIds)})`);
}

/** Units of the agency's subtree, as a subquery. */
const subtreeOf = (unitId: string) => sql`(with recursive sub(id) as (
    select ${unitId}::uuid union select u.id from units u join sub on u.parent_id = sub.id
  ) select id from sub)`;

/** The actor may read the register (Mẫu 07) of a receiving agency: a position at it, above it or within it. */
export function mayReadRegister(db: Queryable, actor: StaffActor, agencyUnitId: string): Promise<boolean> {
  return holds(db, actor, sql`unit_id in ${subtreeOf(agencyUnitId)}`);
}

/**
 * The active receiving agencies whose register the actor may read: exactly those `mayReadRegister` allows —
 * an agency has a position within its subtree when it is the unit of a position or above one.
 */
export function registerAgencies(db: Queryable, actor: StaffActor): Promise<Array<{ id: string; name: string }>> {
  return queryRows(
    db,
    sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)},
      up(id) as (select distinct unit_id from positions union select u.parent_id from units u join up on u.id = up.id where u.parent_id is not null)
      select u.id, u.name from units u where u.id in (select id from up) and u.agency_code is not null and u.active order by u.name`,
  );
}
