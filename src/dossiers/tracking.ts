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
 * measures it; bench/inbox.ts runs these lists too. A text search is first looked up in a word index
 * (search-words.ts, searchedStatement): walking the ranges for a term that few of a large list's dossiers match
 * read the whole list.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryStatement, type Queryable } from '../db/client.js';
import type { DossierStatus } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { desksCte, positionsCte, versionsWithStepIn, VISIBLE_THROUGH_POSITIONS } from './access.js';
import {
  filterConditions,
  filterParams,
  filterShape,
  p,
  pageLimit,
  pageOf,
  readCursor,
  ASSIGNEE_NAME,
  DOSSIER_COLUMNS,
  instantOrNull,
  rowsAsArrays,
  type FilterShape,
  type ListFilter,
} from './list-query.js';
import { estimatedHits, searchWordsQuery } from './search-words.js';
import { OPEN_STATUSES_SQL } from './transitions.js';

export const TRACKING_LISTS = {
  'da-tiep-nhan': 'Hồ sơ đã tiếp nhận',
  'theo-doi': 'Theo dõi',
  'tat-ca': 'Tất cả hồ sơ',
} as const;
export type TrackingList = keyof typeof TRACKING_LISTS;

/** The lists' filters (list-query.ts): a due state leaves finished dossiers out; the cursor is on received_at. */
export type TrackingFilter = ListFilter;

export type TrackingRow = {
  id: string;
  code: string;
  status: DossierStatus;
  applicantName: string;
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

const OPEN = sql.raw(OPEN_STATUSES_SQL);
/**
 * How many dossiers the word index may let through for a search to be answered from them alone; above, the list
 * is walked. docs/decisions/0008 ("A search that few dossiers match") measures both ways around it.
 */
const SEARCH_CAP = 10_000;

type Shape = FilterShape & {
  list: TrackingList;
  /** A search the word index can narrow (search-words.ts): tried first from the index (searchedStatement). */
  words: boolean;
};

function conditions(shape: Shape, visible: boolean): SQL {
  const conds: SQL[] = [visible ? VISIBLE_THROUGH_POSITIONS : sql`true`, ...filterConditions(shape)];
  // A due state is one of an open dossier: finished ones are left out.
  if (shape.due) conds.push(sql`d.status in ${OPEN}`);
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

/** The dossiers of some units (a CTE `name(unit_id)`), as a condition on a dossier `d`: the sources of ofUnits. */
const inUnits = (name: string) => {
  const units = sql.raw(`(select unit_id from ${name})`);
  return sql`(d.agency_unit_id in ${units} or d.procedure_version_id in ${versionsWithStepIn(units)})`;
};

/** Whether a dossier `d` is in the list: the sources of candidates(), as one condition. */
function member(shape: Shape): SQL {
  const me = p('accountId');
  if (shape.list === 'da-tiep-nhan') return sql`d.received_by = ${me}::uuid and ${VISIBLE_THROUGH_POSITIONS}`;
  if (shape.list === 'tat-ca') return inUnits('led');
  return sql`((d.received_by = ${me}::uuid
      or exists (select 1 from dossier_handlers h where h.account_id = ${me}::uuid and h.received_at = d.received_at and h.dossier_id = d.id))
    and ${VISIBLE_THROUGH_POSITIONS}) or ${inUnits('desks')}`;
}

/** The columns of a list's rows (list-query.ts rowsAsArrays), on dossiers `d`, its version `pv` and holding unit `cu`. */
const ROWS = rowsAsArrays({
  ...DOSSIER_COLUMNS,
  finishedAt: instantOrNull(sql`d.finished_at`),
  currentStep: sql<number>`d.current_step`,
  stepName: sql<string | null>`pv.steps -> d.current_step ->> 'name'`,
  procedureName: sql<string>`pv.name`,
  holderUnit: sql<string | null>`case when d.status in ${OPEN} then cu.name end`,
  holderRole: sql<string | null>`case when d.status in ${OPEN} then d."current_role" end`,
  assigneeName: sql<string | null>`case when d.status in ${OPEN} then ${ASSIGNEE_NAME} end`,
});

/**
 * The page out of `candidates` (deduplicated, newest first, limit + 1) and its rows, read whole, as JSON `rows`;
 * `more`: other columns of the answer.
 */
const pageAndRows = (more: SQL = sql``) => sql`page as (
      select id, received_at from candidates group by id, received_at
      order by received_at desc, id desc
      limit ${p('limit')}
    )
    select coalesce(json_agg(${ROWS.select} order by page.received_at desc, page.id desc), '[]'::json) as rows${more}
    from page
    -- OFFSET 0 keeps these lookups per row shown: pulled up, they became a join of the whole table.
    cross join lateral (select * from dossiers d where d.id = page.id offset 0) d
    cross join lateral (select pv.name, pv.steps from procedure_versions pv where pv.id = d.procedure_version_id offset 0) pv
    left join units cu on cu.id = d.current_unit_id`;

/** Walking the list's ranges (candidates), for a page without a search or with one the word index cannot narrow. */
function trackingStatement(shape: Shape): SQL {
  const me = p('accountId');
  return sql`with recursive ${positionsCte(sql`${me}::uuid`)},
    ${desksCte(sql`${me}::uuid`)},
    led(unit_id) as (select distinct unit_id from positions where role = 'approval'),
    candidates as (${candidates(shape)}),
    ${pageAndRows()}`;
}

/**
 * A text search from the word index: `hits` are the dossiers it lets through (search-words.ts), at most
 * SEARCH_CAP + 1, read from the table once with the columns the filters and the list's rule need; each is checked
 * by LIKE, the filters and whether it is in the list (member). When no more than SEARCH_CAP came (`few`), they
 * hold every match, whatever the size of the list; otherwise the term is common and listTracking walks the list
 * instead (trackingStatement), where a common term fills the page soon. Two statements, not one with both ways
 * gated on `few`: the walk's estimated cost, even where it never ran, lifted the statement over jit_above_cost,
 * and JIT compilation took 100–300 ms of a search that itself took 1 ms (docs/decisions/0008).
 */
function searchedStatement(shape: Shape): SQL {
  const me = p('accountId');
  return sql`with recursive ${positionsCte(sql`${me}::uuid`)},
    ${desksCte(sql`${me}::uuid`)},
    led(unit_id) as (select distinct unit_id from positions where role = 'approval'),
    hits as materialized (
      select d.id, d.received_at, d.received_by, d.agency_unit_id, d.procedure_version_id, d.status, d.due_at,
        d.sector_id, d.procedure_id, d.code, d.applicant_folded
      from dossiers d
      where dossier_search_words(d.code, d.applicant_folded) @@ ${p('words')}::tsquery
      limit ${p('hitsLimit')}
    ),
    few(yes) as (select count(*) < ${p('hitsLimit')} from hits),
    candidates as (
      select d.id, d.received_at from hits d
      where (select yes from few) and ${conditions(shape, false)} and (${member(shape)})
    ),
    ${pageAndRows(sql`, (select yes from few) as few`)}`;
}

type Raw = {
  /** The page's rows as JSON arrays (ROWS). */
  rows: unknown[][];
  /** The searched statement's: whether the word index let few enough through for its rows to be the answer. */
  few?: boolean;
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
  const limit = pageLimit(f.limit);
  const term = f.q?.trim();
  const words = term ? searchWordsQuery(term) : null;
  const cursor = readCursor(f.after);
  const shape: Shape = { ...filterShape(f, term, cursor), list, words: !!words };
  const params = {
    accountId: actor.accountId,
    limit: limit + 1,
    ...filterParams(f, term, now, soonUntil),
    words: words ?? undefined,
    hitsLimit: words ? SEARCH_CAP + 1 : undefined,
    afterAt: cursor?.at.toISOString(),
    afterId: cursor?.id,
  };
  let raw: Raw | undefined;
  if (words && (await estimatedHits(db, words)) <= SEARCH_CAP) {
    [raw] = await queryStatement<Raw>(db, `tracking-searched:${JSON.stringify(shape)}`, () => searchedStatement(shape), params);
  }
  if (!raw?.few) {
    const walk = { ...shape, words: false };
    [raw] = await queryStatement<Raw>(db, `tracking:${JSON.stringify(walk)}`, () => trackingStatement(walk), params);
  }
  const rows: TrackingRow[] = ROWS.read(raw?.rows ?? []);
  return pageOf(rows, limit, (r) => r.receivedAt);
}
