/**
 * The lists beside Hồ sơ cần xử lý, so that an official keeps sight of a dossier once it has left their hands:
 * - Hồ sơ đã tiếp nhận: the dossiers they received;
 * - Theo dõi: the dossiers that passed through their hands (received, or acted on by them or on their behalf) and
 *   the dossiers of their own desks — the units of their grants, not spread over subtrees — received there or
 *   with a step there;
 * - Tất cả hồ sơ: for a leader (the approval position), every dossier received by or processed in the subtree of
 *   the units they lead.
 * Every list shows only what dossiers/access.ts lets the official open (VISIBLE_THROUGH_POSITIONS, the SQL of
 * mayViewDossier), newest received first, with the inbox's filters and keyset pages.
 *
 * One statement per shape, like the inbox: each source of dossiers (the receiver, the official's row of
 * dossier_handlers, each desk or led unit as receiving agency, each process version with a step there) is a range
 * of an index in (received_at, id) order from which at most `limit + 1` rows are taken; the ranges are merged and
 * only the rows shown are read whole. The dossiers' indexes carry the filters' columns, so a filter is checked on
 * the index; only "passed through my hands" checks its rows on the table. An unfiltered page so costs in the page
 * size and the number of sources, never in a desk's history; a filter that few dossiers pass reads the ranges
 * further. No totals are shown: the lists page by keyset. docs/decisions/0008 ("The lists beside the inbox")
 * measures it; bench/inbox.ts runs these lists too.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryStatement, type Queryable } from '../db/client.js';
import type { Applicant, DossierStatus } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { escapeLike, foldVietnamese } from '../shared/text.js';
import { isId } from '../shared/validate.js';
import { desksCte, positionsCte, versionsWithStepIn, VISIBLE_THROUGH_POSITIONS } from './access.js';
import { OPEN_STATUSES_SQL } from './transitions.js';

export const TRACKING_LISTS = {
  'da-tiep-nhan': 'Hồ sơ đã tiếp nhận',
  'theo-doi': 'Theo dõi',
  'tat-ca': 'Tất cả hồ sơ',
} as const;
export type TrackingList = keyof typeof TRACKING_LISTS;

type DueState = 'con-han' | 'sap-den-han' | 'qua-han';

export type TrackingFilter = {
  sectorId?: string | undefined;
  procedureId?: string | undefined;
  /** A due state is one of an open dossier: with it, finished dossiers are left out. */
  dueState?: DueState | undefined;
  /** Reception date range, as instants. */
  from?: Date | undefined;
  to?: Date | undefined;
  q?: string | undefined;
  /** Keyset cursor: "<receivedAt ISO>|<id>" of the last row seen. */
  after?: string | undefined;
  limit?: number | undefined;
};

export type TrackingRow = {
  id: string;
  code: string;
  status: DossierStatus;
  applicant: Applicant;
  receivedAt: Date;
  dueAt: Date;
  finishedAt: Date | null;
  currentStep: number;
  /** The current step's name in the dossier's process version. */
  stepName: string | null;
  procedureName: string;
  /** Who holds it now: the current position's unit and role (null once nobody does). */
  holderUnit: string | null;
  holderRole: string | null;
  /** The official the current step is assigned to (Chuyển bước tiếp theo to a person), null for the unit's pool. */
  assigneeName: string | null;
};

export type TrackingResult = { rows: TrackingRow[]; next: string | null };

const p = (name: string) => sql.placeholder(name);
const OPEN = sql.raw(OPEN_STATUSES_SQL);

type Shape = {
  list: TrackingList;
  sector: boolean;
  procedure: boolean;
  due: DueState | null;
  from: boolean;
  to: boolean;
  q: boolean;
  after: boolean;
};

function conditions(shape: Shape, visible: boolean): SQL {
  const conds: SQL[] = visible ? [VISIBLE_THROUGH_POSITIONS] : [sql`true`];
  if (shape.sector) conds.push(sql`d.sector_id = ${p('sectorId')}::uuid`);
  if (shape.procedure) conds.push(sql`d.procedure_id = ${p('procedureId')}::uuid`);
  if (shape.due) conds.push(sql`d.status in ${OPEN}`);
  if (shape.due === 'qua-han') conds.push(sql`d.due_at < ${p('now')}::timestamptz`);
  if (shape.due === 'sap-den-han') conds.push(sql`d.due_at >= ${p('now')}::timestamptz and d.due_at < ${p('soon')}::timestamptz`);
  if (shape.due === 'con-han') conds.push(sql`d.due_at >= ${p('soon')}::timestamptz`);
  if (shape.from) conds.push(sql`d.received_at >= ${p('from')}::timestamptz`);
  if (shape.to) conds.push(sql`d.received_at < ${p('to')}::timestamptz`);
  if (shape.q) conds.push(sql`(d.code like ${p('codeLike')} or d.applicant_folded like ${p('foldedLike')})`);
  if (shape.after) conds.push(sql`(d.received_at, d.id) < (${p('afterAt')}::timestamptz, ${p('afterId')}::uuid)`);
  return sql.join(conds, sql` and `);
}

/**
 * One source of dossiers: the newest `limit` of those `where` picks that pass the rule and the filters. `key`: the
 * column `where` fixes, ordered on first (a constant within the source, so the order is the same) so that the plan
 * is the (key, received_at, id) index's range read backwards, not the whole table's received_at index filtered.
 */
const range = (shape: Shape, where: SQL, key?: string, visible = true) => sql`(select d.id, d.received_at from dossiers d
    where ${where} and ${conditions(shape, visible)}
    order by ${key ? sql.raw(`d.${key} desc, `) : sql``}d.received_at desc, d.id desc
    limit ${p('limit')})`;

/**
 * The dossiers of some units (a CTE `name(unit_id)`): received there, or with a step of their process there. The
 * units are the official's desks or the units they lead, all among their positions' units, so these dossiers pass
 * VISIBLE_THROUGH_POSITIONS by construction: it is not checked again row by row (tests/tracking.test.ts opens every
 * dossier listed).
 */
const ofUnits = (shape: Shape, name: string) => {
  const units = sql.raw(name);
  return sql`select x.id, x.received_at from ${units} u cross join lateral ${range(shape, sql`d.agency_unit_id = u.unit_id`, 'agency_unit_id', false)} as x
    union all
    select x.id, x.received_at from ${versionsWithStepIn(sql`(select unit_id from ${units})`)} as v(id)
      cross join lateral ${range(shape, sql`d.procedure_version_id = v.id`, 'procedure_version_id', false)} as x`;
};

function candidates(shape: Shape): SQL {
  const me = p('accountId');
  const received = sql`select * from ${range(shape, sql`d.received_by = ${me}::uuid`, 'received_by')} as r`;
  if (shape.list === 'da-tiep-nhan') return received;
  if (shape.list === 'tat-ca') return ofUnits(shape, 'led');
  // Passed through my hands: dossier_handlers keeps one row per account and dossier, in (received_at, dossier)
  // order, so the newest are read backwards from the account's range and the LIMIT stops the walk — a busy desk's
  // half a million history rows are never gathered.
  const keyset = shape.after ? sql` and (h.received_at, h.dossier_id) < (${p('afterAt')}::timestamptz, ${p('afterId')}::uuid)` : sql``;
  const handled = sql`select h.dossier_id as id, h.received_at from dossier_handlers h
    cross join lateral (select 1 from dossiers d where d.id = h.dossier_id and ${conditions({ ...shape, after: false }, true)} offset 0) as ok
    where h.account_id = ${me}::uuid${keyset}
    order by h.received_at desc, h.dossier_id desc
    limit ${p('limit')}`;
  return sql`${received}
    union all (${handled})
    union all ${ofUnits(shape, 'desks')}`;
}

function trackingStatement(shape: Shape): SQL {
  const me = p('accountId');
  return sql`with recursive ${positionsCte(sql`${me}::uuid`)},
    ${desksCte(sql`${me}::uuid`)},
    led(unit_id) as (select distinct unit_id from positions where role = 'approval'),
    candidates as (${candidates(shape)}),
    page as (
      select id, received_at from candidates group by id, received_at
      order by received_at desc, id desc
      limit ${p('limit')}
    )
    select coalesce(json_agg(json_build_object(
        'id', d.id, 'code', d.code, 'status', d.status, 'applicant', d.applicant,
        'receivedAt', d.received_at, 'dueAt', d.due_at, 'finishedAt', d.finished_at,
        'currentStep', d.current_step, 'stepName', pv.steps -> d.current_step ->> 'name', 'procedureName', pv.name,
        'holderUnit', case when d.status in ${OPEN} then cu.name end,
        'holderRole', case when d.status in ${OPEN} then d."current_role" end,
        'assigneeName', case when d.status in ${OPEN} then
          (select trim(a.middle_name || ' ' || a.given_name) from accounts a where a.id = d.assigned_to) end
      ) order by page.received_at desc, page.id desc), '[]'::json) as rows
    from page
    -- OFFSET 0 keeps these lookups per row shown: pulled up, they became a join of the whole table.
    cross join lateral (select * from dossiers d where d.id = page.id offset 0) d
    cross join lateral (select pv.name, pv.steps from procedure_versions pv where pv.id = d.procedure_version_id offset 0) pv
    left join units cu on cu.id = d.current_unit_id`;
}

function readCursor(after: string | undefined): { at: Date; id: string } | null {
  if (!after) return null;
  const [iso, id] = after.split('|');
  const at = new Date(iso ?? '');
  if (Number.isNaN(at.getTime()) || !id || !isId(id)) return null;
  return { at, id };
}

type Raw = {
  rows: Array<Omit<TrackingRow, 'receivedAt' | 'dueAt' | 'finishedAt'> & { receivedAt: string; dueAt: string; finishedAt: string | null }>;
};

/** One page of a list; `soonUntil` ends "sắp đến hạn" as in the inbox. */
export async function listTracking(
  db: Queryable,
  actor: StaffActor,
  list: TrackingList,
  f: TrackingFilter,
  now: Date,
  soonUntil: Date,
): Promise<TrackingResult> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const term = f.q?.trim();
  const cursor = readCursor(f.after);
  const shape: Shape = {
    list,
    sector: !!f.sectorId,
    procedure: !!f.procedureId,
    due: f.dueState ?? null,
    from: !!f.from,
    to: !!f.to,
    q: !!term,
    after: !!cursor,
  };
  const [raw] = await queryStatement<Raw>(db, `tracking:${JSON.stringify(shape)}`, () => trackingStatement(shape), {
    accountId: actor.accountId,
    limit: limit + 1,
    sectorId: f.sectorId,
    procedureId: f.procedureId,
    now: now.toISOString(),
    soon: soonUntil.toISOString(),
    from: f.from?.toISOString(),
    to: f.to?.toISOString(),
    codeLike: term ? `%${escapeLike(term.toUpperCase())}%` : undefined,
    foldedLike: term ? `%${escapeLike(foldVietnamese(term))}%` : undefined,
    afterAt: cursor?.at.toISOString(),
    afterId: cursor?.id,
  });
  const all = (raw?.rows ?? []).map((r) => ({
    ...r,
    receivedAt: new Date(r.receivedAt),
    dueAt: new Date(r.dueAt),
    finishedAt: r.finishedAt ? new Date(r.finishedAt) : null,
  }));
  const more = all.length > limit;
  const rows = more ? all.slice(0, limit) : all;
  const last = rows[rows.length - 1];
  return { rows, next: more && last ? `${last.receivedAt.toISOString()}|${last.id}` : null };
}
