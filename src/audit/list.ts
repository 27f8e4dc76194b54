import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, auditLog, dossiers } from '../db/schema/index.js';
import { administeredUnitIds, isProvinceAdministrator, requireAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { atLocal } from '../calendar/working-time.js';

/** What Nhật ký hệ thống is filtered by; every field optional, all of them combined. */
type AuditFilter = {
  /** The id of the last entry seen: the page continues with older entries. */
  before?: number | undefined;
  /** One action code. */
  action?: string | undefined;
  /** Người thực hiện: a username; the entries its account wrote, in person, through an API key or as a login attempt. */
  actorUsername?: string | undefined;
  /** Đối tượng: a dossier code or a username; the entries about that dossier or account. */
  target?: string | undefined;
  /** Từ ngày / đến ngày as ISO days, in Vietnam time, đến ngày included. */
  fromDay?: string | undefined;
  toDay?: string | undefined;
};

const DAY_MS = 86_400_000;

/**
 * How far apart two rows' `at` must be for their ids to be in the same order (periodConditions). `at` is the writer's
 * clock when it built the row, the id is drawn by the INSERT a moment later (src/audit/record.ts); the two disagree
 * only by that moment plus the clock error between instances. TOTP codes (30 s steps) and session time-outs already
 * need clocks within a minute, so an hour is far on the safe side; it costs an hour of the log read and dropped at
 * each end of a period.
 */
const CLOCK_MARGIN_MS = 60 * 60_000;

/**
 * How far beyond the margin a row bounding a period is looked for. Only rows this close to the period may bound it:
 * a row stamped by a clock wrong by days or years (a server booted without its time, a clock set by hand) lies
 * outside the window and cannot move the bounds, however many rows it is away from the period by id.
 */
const BOUND_WINDOW_MS = 24 * 3_600_000;

/** The kinds whose actor_id is an account (null: rows written before kinds were, all of them officials' or logins). */
const ACCOUNT_ACTOR_KINDS = ['official', 'api', 'anonymous'];

/**
 * The ids of the accounts named `username`, in any unit — deleted ones too, since the log outlives them (a deleted
 * account's name may since belong to a new account: both are listed). Any unit: an official of another unit, or the
 * province's administrator, may have acted on this administrator's units, and those entries are theirs to read.
 */
async function accountIdsNamed(db: Queryable, username: string): Promise<string[]> {
  const rows = await db.select({ id: accounts.id }).from(accounts).where(eq(accounts.usernameLower, username.toLowerCase()));
  return rows.map((r) => r.id);
}

/** The id of the dossier with this code, in any unit (codes are upper-case, as the lookup reads them). */
async function dossierIdsCoded(db: Queryable, code: string): Promise<string[]> {
  const rows = await db.select({ id: dossiers.id }).from(dossiers).where(eq(dossiers.code, code.toUpperCase()));
  return rows.map((r) => r.id);
}

/** The id of the row whose `at` comes first (`asc`) or last (`desc`) among those `where` keeps: one step of audit_log_at_idx. */
async function idAtEdge(db: Queryable, where: SQL, order: 'asc' | 'desc'): Promise<number | undefined> {
  const [row] = await db
    .select({ id: auditLog.id })
    .from(auditLog)
    .where(where)
    .orderBy(order === 'asc' ? asc(auditLog.at) : desc(auditLog.at))
    .limit(1);
  return row?.id;
}

/**
 * A period as conditions: its exact instants, and an id range around it, so that it is a range of the primary-key,
 * (unit_id, id) or (actor_id, id) index read newest first rather than the whole period read and sorted.
 *
 * - The instants decide: `at` within [from, to) — nothing outside the period is ever listed. They are written as
 *   expressions (`at + 0 s`) that no index matches: written plainly beside the id range, they misled the planner,
 *   which took the two ranges for independent, expected a handful of rows, and read and sorted the whole period
 *   through the `at` index (a week of a province's log: 12,000 rows and 70 ms in docs/decisions/0035, against 100
 *   rows and 2 ms read newest first).
 * - The id range only narrows what is read. Its lower bound is the row written last (by `at`) in the day before
 *   `from − margin`, its upper bound the row written first in the day after `to + margin` (audit_log_at_idx, one step
 *   each); with no such row, that end has no bound. A row of the period beyond a bound would have to be stamped more
 *   than CLOCK_MARGIN_MS off the bounding row's order, and a bounding row must itself lie within BOUND_WINDOW_MS of
 *   the period, so one row stamped by a clock wrong by days cannot hide the period's rows (an attacker review's
 *   finding: a row dated a year ahead, the only one after `to`, bounded every later row out of the filter).
 */
async function periodConditions(db: Queryable, from: Date | undefined, to: Date | undefined): Promise<SQL[]> {
  const conds: SQL[] = [];
  const shift = (at: Date, ms: number) => new Date(at.getTime() + ms);
  if (from) {
    const edge = shift(from, -CLOCK_MARGIN_MS);
    const below = await idAtEdge(db, and(gte(auditLog.at, shift(edge, -BOUND_WINDOW_MS)), lt(auditLog.at, edge))!, 'desc');
    if (below !== undefined) conds.push(gt(auditLog.id, below));
    conds.push(sql`(${auditLog.at} + interval '0 s') >= ${from.toISOString()}::timestamptz`);
  }
  if (to) {
    const edge = shift(to, CLOCK_MARGIN_MS);
    const above = await idAtEdge(db, and(gte(auditLog.at, edge), lt(auditLog.at, shift(edge, BOUND_WINDOW_MS)))!, 'asc');
    if (above !== undefined) conds.push(lt(auditLog.id, above));
    conds.push(sql`(${auditLog.at} + interval '0 s') < ${to.toISOString()}::timestamptz`);
  }
  return conds;
}

/**
 * What a name or code that matches nothing is filtered by: an id no row carries. The same statements run as for one
 * that exists — answering at once would tell by its speed whether a username or dossier code exists somewhere in the
 * province (an attacker review's finding), which the page's content never tells.
 */
const NO_ID = '00000000-0000-0000-0000-000000000000';

const oneOrMany = (column: typeof auditLog.actorId | typeof auditLog.targetId, ids: string[]) =>
  // One id stays `=`, so the index gives the rows in id order and the page stops after `limit` of them.
  ids.length === 1 ? eq(column, ids[0]!) : inArray(column, ids);

/**
 * Nhật ký hệ thống: the entries about units the actor administers (for the province administrator also those of no
 * unit), newest first, `filter.before` an id for the next
 * page. A username or dossier code is looked up in the whole province, but only entries of the administrator's units
 * are ever read: a name or code that does not exist, and one that exists but has no entry in those units, give the
 * same empty page, so the filter tells nothing the unfiltered log does not already show — it only narrows it.
 */
export async function listAuditEntries(db: Queryable, actor: StaffActor, filter: AuditFilter, limit: number) {
  await requireAdministrator(db, actor);
  const scope = await administeredUnitIds(db, actor);
  if (scope.length === 0) return [];
  // The province administrator administers every unit: their log is the whole log, rows of no unit included (a
  // citizen's login, the system's work, an unknown name's failed login), which no other administrator reads.
  const conds: SQL[] = (await isProvinceAdministrator(db, actor)) ? [] : [inArray(auditLog.unitId, scope)];
  if (filter.before) conds.push(lt(auditLog.id, filter.before));
  if (filter.action) conds.push(eq(auditLog.action, filter.action));

  const actorName = filter.actorUsername?.trim();
  if (actorName) {
    const ids = await accountIdsNamed(db, actorName);
    conds.push(
      oneOrMany(auditLog.actorId, ids.length ? ids : [NO_ID]),
      or(isNull(auditLog.actorKind), inArray(auditLog.actorKind, ACCOUNT_ACTOR_KINDS))!,
    );
  }

  const targetName = filter.target?.trim();
  if (targetName) {
    const dossierIds = await dossierIdsCoded(db, targetName);
    const accountIds = await accountIdsNamed(db, targetName);
    const about = [
      ...(dossierIds.length ? [and(eq(auditLog.targetType, 'dossier'), oneOrMany(auditLog.targetId, dossierIds))!] : []),
      ...(accountIds.length ? [and(eq(auditLog.targetType, 'account'), oneOrMany(auditLog.targetId, accountIds))!] : []),
    ];
    if (about.length === 0) about.push(and(eq(auditLog.targetType, 'dossier'), eq(auditLog.targetId, NO_ID))!);
    conds.push(about.length === 1 ? about[0]! : or(...about)!);
  }

  if (filter.fromDay || filter.toDay) {
    const from = filter.fromDay ? atLocal(filter.fromDay, 0) : undefined;
    const to = filter.toDay ? new Date(atLocal(filter.toDay, 0).getTime() + DAY_MS) : undefined;
    conds.push(...(await periodConditions(db, from, to)));
  }

  return db
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
