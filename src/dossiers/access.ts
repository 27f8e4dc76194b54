/**
 * WHO MAY SEE AND ACT ON DOSSIERS — the one place it is decided. Read as sentences:
 * - An official holds a position (role, unit) for every grant of a workflow role (not administration, not
 *   statistics), and the position covers the unit's whole subtree. A suspended or deleted account holds none.
 * - An official acts at a step when they hold the step's role at the step's unit.
 * - An official sees a dossier when they hold any position at its receiving agency or at a unit of one of
 *   its steps.
 * - An official reads an agency's register (Mẫu 07) when they hold a position at the agency, above it or
 *   within it (its desks: the units below it that are not agencies themselves, nor below such an agency — a ward
 *   under a city has its own register). The register lists, of the agency's dossiers, those the official sees.
 * - While a delegation is in force (Ủy quyền giải quyết DVC: begun, not yet over, not ended, both accounts live),
 *   its delegate also holds the delegator's positions — only those the delegator holds themself, never lent
 *   ones, so nobody can delegate further — but only for dossiers in the delegation's scope (all, some sectors,
 *   some procedures), and acts there on the delegator's behalf. An own position always comes first.
 * - A dossier assigned to an official at its current step (Chuyển bước tiếp theo / Phân công lại) is acted on there
 *   only by the assignee, a delegate standing in for the assignee, and — except at an approval step — the leaders of
 *   the step's unit (who hold the approval position there); the others holding the step's position still see it. At an
 *   approval step every holder is such a leader, so there the assignment binds: the signature is the assignee's, and
 *   another leader who must sign reassigns first (Phân công lại) (docs/decisions/0018).
 * Every check, the inbox's SQL included, reads the positions from `positionsCte`; the lent ones are the
 * delegator's `positionsCte` behind `lentCte`, the delegations in force.
 */
import { sql, type Placeholder, type SQL } from 'drizzle-orm';
import { queryRows, queryStatement, type Queryable } from '../db/client.js';
import { WORKFLOW_ROLES, type DelegationScope, type ProcessStep, type Role } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';

/** Only the roles of the workflow's steps are positions (administration and statistics are not). */
const WORKFLOW_ROLES_SQL = sql.raw(WORKFLOW_ROLES.map((r) => `'${r}'`).join(', '));
/** A grant `g` of account `a` that makes a position: a workflow role of a live account. */
const LIVE_WORKFLOW_GRANT = sql`g.role in (${WORKFLOW_ROLES_SQL}) and not a.suspended and a.deleted_at is null`;

/**
 * The positions of an account as a recursive CTE named `positions(role, unit_id)`: each grant of a workflow
 * role spread over the unit's subtree. `accountId` is a value or a placeholder (the inbox's prepared statement).
 */
export function positionsCte(accountId: SQL | Placeholder): SQL {
  return sql`positions(role, unit_id) as (
    select g.role, g.unit_id from role_grants g join accounts a on a.id = g.account_id
    where g.account_id = ${accountId} and ${LIVE_WORKFLOW_GRANT}
    union
    select p.role, u.id from units u join positions p on u.parent_id = p.unit_id
  )`;
}

async function holds(db: Queryable, actor: Pick<StaffActor, 'accountId'>, where: SQL): Promise<boolean> {
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
export function mayActAt(db: Queryable, actor: Pick<StaffActor, 'accountId'>, role: Role, unitId: string): Promise<boolean> {
  return holds(db, actor, sql`role = ${role} and unit_id = ${unitId}::uuid`);
}

/**
 * The actor receives dossiers somewhere (holds the reception position at some unit of their own): the inbox
 * offers "+ Tiếp nhận hồ sơ" only then. Counter reception is never lent (decision 0017); receiveDossier decides.
 */
export function receivesAnywhere(db: Queryable, actor: StaffActor): Promise<boolean> {
  return holds(db, actor, sql`role = 'reception'`);
}

/** The actor leads somewhere (holds the approval position at some unit): "Tất cả hồ sơ" of the units they lead is offered. */
export function leadsAnywhere(db: Queryable, actor: StaffActor): Promise<boolean> {
  return holds(db, actor, sql`role = 'approval'`);
}

/** The actor may act at this step of a dossier of this receiving agency (a step without a unit is the agency's). */
export function mayActAtStep(
  db: Queryable,
  actor: Pick<StaffActor, 'accountId'>,
  step: ProcessStep,
  agencyUnitId: string,
): Promise<boolean> {
  return mayActAt(db, actor, step.role, step.unitId ?? agencyUnitId);
}

/** A dossier as the rules read it: where it was received, and what it is (a delegation's scope reads these). */
export type DossierScope = { agencyUnitId: string; sectorId: string | null; procedureId: string | null; assignedTo?: string | null };

/**
 * A delegation as the access rules use it: its number and whom the delegate stands in for — their username (what
 * history records) and full name (what pages show).
 */
type LentBy = { id: number; delegatorId: string; delegatorLabel: string; delegatorName: string };

/** How an official may act on a dossier: in their own right, or on the delegator's behalf under a delegation. */
export type Capacity = { own: true } | { own: false; delegation: LentBy };

/**
 * The delegations of `delegateId` in force at `now` as `lent(id, delegator_id, delegator_label, delegator_name)` — only
 * those whose scope covers a dossier — and the delegators' own positions as `lent_positions(role, unit_id,
 * delegation_id)`: the same live workflow grants as `positionsCte`, spread the same way.
 */
function lentCte(delegateId: SQL | Placeholder, now: SQL | Placeholder, covering: DossierScope | null): SQL {
  const scope = covering
    ? sql` and (dl.scope = 'all'
        or (dl.scope = 'sectors' and ${covering.sectorId}::uuid = any(dl.sector_ids))
        or (dl.scope = 'procedures' and ${covering.procedureId}::uuid = any(dl.procedure_ids)))`
    : sql``;
  return sql`lent(id, delegator_id, delegator_label, delegator_name) as (
      select dl.id, dl.delegator_id, o.username, coalesce(nullif(trim(o.middle_name || ' ' || o.given_name), ''), o.username)
      from delegations dl
      join accounts me on me.id = dl.delegate_id
      join accounts o on o.id = dl.delegator_id
      where dl.delegate_id = ${delegateId}::uuid and dl.ended_at is null
        and dl.starts_at <= ${now}::timestamptz and dl.ends_at > ${now}::timestamptz
        and not me.suspended and me.deleted_at is null${scope}
    ),
    lent_positions(role, unit_id, delegation_id) as (
      select g.role, g.unit_id, l.id from lent l
      join role_grants g on g.account_id = l.delegator_id join accounts a on a.id = g.account_id
      where ${LIVE_WORKFLOW_GRANT}
      union
      select p.role, u.id, p.delegation_id from units u join lent_positions p on u.parent_id = p.unit_id
    )`;
}

/** The first delegation in force (lowest number) that lends a position matching `where` for this dossier. */
async function lentFor(db: Queryable, actor: StaffActor, dossier: DossierScope, now: Date, where: SQL): Promise<LentBy | null> {
  // API credentials act as their own account only: a delegation is used in person, in a browser session.
  if (actor.kind !== 'official') return null;
  const [row] = await queryRows<{ id: number; delegator_id: string; delegator_label: string; delegator_name: string }>(
    db,
    sql`with recursive ${lentCte(sql`${actor.accountId}`, sql`${now.toISOString()}`, dossier)}
      select l.id, l.delegator_id, l.delegator_label, l.delegator_name from lent_positions p join lent l on l.id = p.delegation_id
      where ${where} order by l.id limit 1`,
  );
  return row ? { id: row.id, delegatorId: row.delegator_id, delegatorLabel: row.delegator_label, delegatorName: row.delegator_name } : null;
}

const stepUnit = (step: ProcessStep, agencyUnitId: string) => step.unitId ?? agencyUnitId;

/**
 * How the actor may act at the current step of a dossier: in their own right when they hold the step's position,
 * else on a delegator's behalf when a delegation in force lends it and covers the dossier; null when neither. A
 * dossier assigned at the step narrows both: own right for the assignee or a leader of the step's unit (not at an
 * approval step: assignmentBindsLeaders), on behalf only of the assignee. `ignoreAssignment` answers as if it were not
 * assigned (to tell why an official is refused).
 */
export async function capacityAtStep(
  db: Queryable,
  actor: StaffActor,
  step: ProcessStep,
  dossier: DossierScope,
  now: Date,
  opts: { ignoreAssignment?: boolean } = {},
): Promise<Capacity | null> {
  const assignee = opts.ignoreAssignment ? null : (dossier.assignedTo ?? null);
  if (
    (await mayActAtStep(db, actor, step, dossier.agencyUnitId)) &&
    (assignee === null ||
      assignee === actor.accountId ||
      (!assignmentBindsLeaders(step) && (await leadsStep(db, actor, step, dossier.agencyUnitId))))
  )
    return { own: true };
  const forAssignee = assignee === null ? sql`` : sql` and l.delegator_id = ${assignee}::uuid`;
  const at = sql`p.role = ${step.role} and p.unit_id = ${stepUnit(step, dossier.agencyUnitId)}::uuid${forAssignee}`;
  const delegation = await lentFor(db, actor, dossier, now, at);
  return delegation ? { own: false, delegation } : null;
}

/**
 * Whether an assignment at this step binds the step unit's leaders too. At an approval step the step's position is the
 * leaders' own (Giám đốc, Phó Giám đốc), so exempting them would void the assignment exactly where the signature is
 * chosen: there a leader who is not the assignee reassigns (Phân công lại), then acts. "Giao cho tôi" (inbox.ts) lists
 * only the assignee's dossiers, which is what this leaves them all.
 */
export const assignmentBindsLeaders = (step: ProcessStep): boolean => step.role === 'approval';

/** A leader at a step: holds the approval position at the step's unit (reassigns; acts on an assigned dossier, bar assignmentBindsLeaders). */
export function leadsStep(db: Queryable, actor: Pick<StaffActor, 'accountId'>, step: ProcessStep, agencyUnitId: string): Promise<boolean> {
  return mayActAt(db, actor, 'approval', stepUnit(step, agencyUnitId));
}

/** An official who may be given a step: they hold its position (a live grant of its role at its unit or above). */
export type StepHolder = { id: string; name: string; position: string | null };

/**
 * Everyone holding a step's position — exactly those `mayActAtStep` lets act — those with the grant at the step's
 * own unit first (for an approval step: the unit's own leaders), then by name.
 */
export function stepHolders(db: Queryable, step: ProcessStep, agencyUnitId: string): Promise<StepHolder[]> {
  return queryRows(
    db,
    sql`with recursive up(id, depth) as (
        select ${stepUnit(step, agencyUnitId)}::uuid, 0
        union select u.parent_id, up.depth + 1 from units u join up on u.id = up.id where u.parent_id is not null
      )
      select a.id, trim(a.middle_name || ' ' || a.given_name) as name, a.position
      from role_grants g join accounts a on a.id = g.account_id join up on up.id = g.unit_id
      where g.role = ${step.role} and ${LIVE_WORKFLOW_GRANT}
      group by a.id, a.middle_name, a.given_name, a.position
      order by min(up.depth), name, a.id`,
  );
}

/** The account has a row in the dossier's history, in their own right or on their behalf: they handled it before. */
export async function handledBefore(db: Queryable, actor: Pick<StaffActor, 'accountId'>, dossierId: string): Promise<boolean> {
  const rows = await queryRows<{ one: number }>(
    db,
    sql`select 1 as one from dossier_events where dossier_id = ${dossierId}::uuid
      and (actor_id = ${actor.accountId}::uuid or on_behalf_of = ${actor.accountId}::uuid) limit 1`,
  );
  return rows.length > 0;
}

/** The actor may see the dossier, whose process has these steps: a position — own or lent for it — at one of its units. */
export async function mayViewDossier(
  db: Queryable,
  actor: StaffActor,
  dossier: DossierScope,
  steps: ProcessStep[],
  now: Date,
): Promise<boolean> {
  const unitIds = [...new Set([dossier.agencyUnitId, ...steps.map((s) => stepUnit(s, dossier.agencyUnitId))])];
  if (await holds(db, actor, sql`unit_id in (${uuidList(unitIds)})`)) return true;
  return (await lentFor(db, actor, dossier, now, sql`p.unit_id in (${uuidList(unitIds)})`)) !== null;
}

/** A delegation in force of the actor's, as its inbox view reads it (the delegator's positions, narrowed by scope). */
export type LentView = LentBy & {
  scope: DelegationScope;
  sectorIds: string[];
  procedureIds: string[];
};

/**
 * The actor's delegations in force at `now`, lowest number first. A prepared
 * statement: every inbox page of a delegated tab reads it, and planning the CTE cost more than running it.
 */
export async function delegationsInForce(db: Queryable, actor: StaffActor, now: Date): Promise<LentView[]> {
  if (actor.kind !== 'official') return [];
  const rows = await queryStatement<{
    id: number;
    delegator_id: string;
    delegator_label: string;
    delegator_name: string;
    scope: DelegationScope;
    sector_ids: string[];
    procedure_ids: string[];
  }>(
    db,
    'delegations-in-force',
    () => sql`with recursive ${lentCte(sql.placeholder('delegateId'), sql.placeholder('now'), null)}
      select l.id, l.delegator_id, l.delegator_label, l.delegator_name, dl.scope, dl.sector_ids, dl.procedure_ids
      from lent l join delegations dl on dl.id = l.id
      order by l.id`,
    { delegateId: actor.accountId, now: now.toISOString() },
  );
  return rows.map((r) => ({
    id: r.id,
    delegatorId: r.delegator_id,
    delegatorLabel: r.delegator_label,
    delegatorName: r.delegator_name,
    scope: r.scope,
    sectorIds: r.sector_ids,
    procedureIds: r.procedure_ids,
  }));
}

/** The agency and its desks (the walk down stops at a unit with its own agency code: a sub-agency), as a subquery. */
const desksOf = (unitId: string) => sql`(with recursive sub(id) as (
    select ${unitId}::uuid union select u.id from units u join sub on u.parent_id = sub.id where u.agency_code is null
  ) select id from sub)`;

/** The actor may read the register (Mẫu 07) of a receiving agency: a position at it, above it or at one of its desks. */
export function mayReadRegister(db: Queryable, actor: StaffActor, agencyUnitId: string): Promise<boolean> {
  return holds(db, actor, sql`unit_id in ${desksOf(agencyUnitId)}`);
}

/**
 * The active receiving agencies whose register the actor may read: exactly those `mayReadRegister` allows —
 * the agency each position's unit belongs to, walking up through desks (units without an agency code) to the first
 * unit with one.
 */
export function registerAgencies(db: Queryable, actor: StaffActor): Promise<Array<{ id: string; name: string }>> {
  return queryRows(
    db,
    sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)},
      up(id) as (select distinct unit_id from positions
        union select u.parent_id from units u join up on u.id = up.id where u.parent_id is not null and u.agency_code is null)
      select u.id, u.name from units u where u.id in (select id from up) and u.agency_code is not null and u.active order by u.name`,
  );
}

/**
 * The ids of the agency's dossiers the actor sees (VISIBLE_THROUGH_POSITIONS, own positions), as a subquery: what
 * the register lists, so that each of its rows opens (mayViewDossier) — a desk's official reads the dossiers that
 * pass through a desk of theirs, one at the agency or above it all of them.
 */
export const registerDossierIds = (
  actor: StaffActor,
  agencyUnitId: string,
) => sql`(with recursive ${positionsCte(sql`${actor.accountId}::uuid`)}
    select d.id from dossiers d where d.agency_unit_id = ${agencyUnitId}::uuid and ${VISIBLE_THROUGH_POSITIONS})`;

/** The ids of process versions with a step at one of `units` (a subquery of unit ids): dossiers processed there. */
export const versionsWithStepIn = (units: SQL) => sql`(select pv.id from procedure_versions pv
    where exists (select 1 from jsonb_array_elements(pv.steps) s where s->>'unitId' is not null and (s->>'unitId')::uuid in ${units}))`;

/**
 * `mayViewDossier`'s rule in SQL, on dossiers `d`, over the CTE `positions` (positionsCte) in scope: a position at
 * the receiving agency or at the unit of one of its steps. The lists of dossiers (dossiers/tracking.ts) show only
 * what this lets through, so every dossier they list opens; they read own positions only (a delegation's
 * dossiers are in its own inbox tab).
 */
export const VISIBLE_THROUGH_POSITIONS = sql`(d.agency_unit_id in (select unit_id from positions)
    or d.procedure_version_id in ${versionsWithStepIn(sql`(select unit_id from positions)`)})`;

/** The units of the account's own workflow grants, not spread over subtrees (its desks), as `desks(unit_id)`. */
export const desksCte = (accountId: SQL | Placeholder) => sql`desks(unit_id) as (
    select distinct g.unit_id from role_grants g join accounts a on a.id = g.account_id
    where g.account_id = ${accountId} and ${LIVE_WORKFLOW_GRANT}
  )`;
