/**
 * Hồ sơ cần xử lý: the dossiers waiting at the steps an official is responsible for — their role
 * at a unit covers the unit's subtree — filtered, sorted by due date, paged by keyset, with counts
 * per tab.
 *
 * One statement, one round trip: the official's positions (role grants spread over the unit
 * subtrees), the page and the counts. Each position × status is a range of the partial index
 * dossiers_inbox_open_idx (current_unit_id, current_role, status, due_at, id, …filter columns), so the
 * page takes at most `limit + 1` entries from each range (already in due-date order) and merges them;
 * filters are answered from the index alone, and only the rows shown are read from the table.
 * Unfiltered counts come from inbox_counts, kept by triggers. So an unfiltered page costs in the page
 * size and the number of positions, not in how many dossiers exist or wait; a filtered one also reads
 * the index entries of the dossiers waiting at the positions. docs/decisions/0008-inbox-query.md
 * measures it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryStatement, type Queryable } from '../db/client.js';
import type { Applicant, DossierStatus } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { INSTANT_YEARS_TEXT, idField, numberField, param, periodInOrder } from '../shared/validate.js';
import { positionsCte, type LentView } from './access.js';
import {
  DUE_STATES,
  filterConditions,
  filterParams,
  filterShape,
  p,
  pageLimit,
  pageOf,
  readCursor,
  ASSIGNEE_NAME,
  DOSSIER_COLUMNS,
  instant,
  instantOrNull,
  rowsAsArrays,
  type FilterShape,
  type ListFilter,
} from './list-query.js';
import { INBOX_TABS, INBOX_TAB_KEYS, OPEN_STATUSES_SQL, type InboxTab } from './transitions.js';

/** The tabs and the open statuses come from the workflow's STATUSES (transitions.ts). */
export { INBOX_TABS, type InboxTab } from './transitions.js';

/**
 * The statuses of open dossiers, as a SQL literal written into the statement's text: the partial
 * index's predicate is the same text (OPEN_STATUSES_SQL), so PostgreSQL can prove a query implies it
 * whatever the parameters.
 */
const OPEN_STATUSES = sql.raw(OPEN_STATUSES_SQL);

/** The lists' filters (list-query.ts) and the tab; the cursor is on due_at. */
export type InboxFilter = ListFilter & { tab?: InboxTab | undefined };

/** The inbox's query as the API takes it (the page's own form maps its Vietnamese names onto the same). */
export const InboxQuery = periodInOrder(
  z.object({
    tab: z.enum(INBOX_TAB_KEYS, { error: `tab phải là một trong: ${INBOX_TAB_KEYS.join(', ')}.` }).optional(),
    q: z.string().max(100, { error: 'Từ khóa tìm kiếm tối đa 100 ký tự.' }).optional(),
    sectorId: idField('sectorId phải là mã định danh (UUID) của lĩnh vực.').optional(),
    procedureId: idField('procedureId phải là mã định danh (UUID) của thủ tục.').optional(),
    dueState: z
      .enum(DUE_STATES, { error: 'dueState phải là con-han, sap-den-han, qua-han hoặc tam-dung.' })
      .optional()
      .describe(
        'Hạn xử lý: con-han (còn hạn), sap-den-han (đến hạn trong một ngày làm việc tới), qua-han (quá hạn) — ba giá trị này không gồm hồ sơ đang tạm dừng tính hạn; tam-dung: hồ sơ tạm dừng tính hạn (chờ công dân bổ sung, trạng thái supplement), hạn xử lý của hồ sơ được tính lại khi tiếp tục giải quyết',
      ),
    from: param
      .instant(`from phải là thời điểm ISO 8601 trong các năm ${INSTANT_YEARS_TEXT}, ví dụ 2026-11-01T00:00:00+07:00.`)
      .describe(`Tiếp nhận từ thời điểm này (ISO 8601 kèm múi giờ, năm ${INSTANT_YEARS_TEXT} theo UTC)`),
    to: param
      .instant(`to phải là thời điểm ISO 8601 trong các năm ${INSTANT_YEARS_TEXT}, ví dụ 2026-12-01T00:00:00+07:00.`)
      .describe(`Tiếp nhận trước thời điểm này (ISO 8601 kèm múi giờ, năm ${INSTANT_YEARS_TEXT} theo UTC)`),
    after: z.string().max(80).optional(),
    limit: numberField(
      z
        .number({ error: 'limit phải là số.' })
        .int({ error: 'limit phải là số nguyên.' })
        .min(1, { error: 'limit từ 1 đến 200.' })
        .max(200, { error: 'limit từ 1 đến 200.' })
        .optional(),
    ),
  }),
  'from',
  'to',
  'to phải là cùng thời điểm hoặc sau from.',
);

type InboxRow = {
  id: string;
  code: string;
  status: DossierStatus;
  applicantName: string;
  receivedAt: Date;
  dueAt: Date;
  stepDueAt: Date | null;
  currentStep: number;
  channel: 1 | 2 | 3;
  procedureName: string;
  /** Who the current step is assigned to (null: the unit's pool), and their name (marked "Giao cho tôi" for them). */
  assignedTo: string | null;
  assigneeName: string | null;
};

/** A dossier under "Giao cho tôi". */
export type AssignedRow = { id: string; code: string; procedureName: string; applicantName: string; dueAt: Date; status: DossierStatus };

/** A row with the applicant's whole record (the API's summary); the page shows only the name. */
export type InboxRecordRow = InboxRow & { applicant: Applicant };

export type InboxResult<R extends InboxRow = InboxRow> = {
  rows: R[];
  counts: Record<InboxTab, number>;
  next: string | null;
  assigned: AssignedRow[];
};

/**
 * The official's positions (dossiers/access.ts), the account id a placeholder of the prepared statement. A
 * delegation's tab reads the delegator's positions the same way, narrowed by the delegation's scope.
 */
const POSITIONS = positionsCte(p('accountId'));

/** What changes the statement's text: the tab and which filters are set (their values are placeholders). */
type Shape = FilterShape & {
  tab: InboxTab;
  /** A delegation's tab: its scope narrows the delegator's positions (null: the official's own inbox). */
  lent: 'all' | 'sectors' | 'procedures' | null;
  /**
   * Whether each row carries the applicant's whole record. The page shows only the name, and turning the jsonb
   * record into JSON text was about half of the statement's time (1M-dossier bench, 51 rows).
   */
  records: boolean;
};

/** The filters of the inbox, on dossiers `d`, each after " and "; every column they read is in the inbox index. */
function inboxConditions(shape: Shape): SQL {
  const conds: SQL[] = [...lentScope(shape), ...filterConditions(shape)];
  return sql.join(conds.map((c) => sql` and ${c}`));
}

/** A delegation's scope, on dossiers `d` (none for the official's own inbox or a delegation of everything). */
function lentScope(shape: Shape): SQL[] {
  if (shape.lent === 'sectors') return [sql`d.sector_id = any(${p('lentSectors')}::uuid[])`];
  if (shape.lent === 'procedures') return [sql`d.procedure_id = any(${p('lentProcedures')}::uuid[])`];
  return [];
}

/** The columns of the page's rows (list-query.ts rowsAsArrays), on dossiers `d` and procedure_versions `pv`. */
const PAGE_COLUMNS = {
  ...DOSSIER_COLUMNS,
  stepDueAt: instantOrNull(sql`d.step_due_at`),
  currentStep: sql<number>`d.current_step`,
  channel: sql<1 | 2 | 3>`d.channel`,
  procedureName: sql<string>`pv.name`,
  assignedTo: sql<string | null>`d.assigned_to`,
  assigneeName: sql<string | null>`${ASSIGNEE_NAME}`,
};
const PAGE_ROWS = rowsAsArrays(PAGE_COLUMNS);
/** The API's rows: the same with the applicant's whole record. */
const RECORD_ROWS = rowsAsArrays({ ...PAGE_COLUMNS, applicant: sql<Applicant>`d.applicant` });
/** "Giao cho tôi", on the subquery `a` below. */
const ASSIGNED_ROWS = rowsAsArrays({
  id: sql<string>`a.id`,
  code: sql<string>`a.code`,
  procedureName: sql<string>`a.procedure_name`,
  applicantName: sql<string>`a.applicant_name`,
  dueAt: instant(sql`a.due_at`),
  status: sql<DossierStatus>`a.status`,
});

/** At most this many dossiers under "Giao cho tôi". */
const ASSIGNED_LIMIT = 50;

/**
 * "Giao cho tôi": the open dossiers assigned to the account at a step whose position it holds (in a delegation's
 * tab, assigned to the delegator, within the delegation's scope) — exactly the assigned dossiers access.ts lets it
 * act on, so every one listed can be handled — by due date, whatever the page's filters. In the inbox's statement
 * rather than a statement of its own: a round trip to the server costs this page more CPU than the query
 * (docs/decisions/0008).
 */
function assignedToMe(shape: Shape): SQL {
  const scope = sql.join(lentScope(shape).map((c) => sql` and ${c}`));
  return sql`(select coalesce(json_agg(${ASSIGNED_ROWS.select} order by a.due_at, a.id), '[]'::json)
        from (
          select d.id, d.code, pv.name as procedure_name, d.applicant->>'fullName' as applicant_name, d.due_at, d.status
          from dossiers d join procedure_versions pv on pv.id = d.procedure_version_id
          where d.assigned_to = ${p('accountId')}::uuid and d.status in ${OPEN_STATUSES}${scope}
            and exists (select 1 from positions p where p.unit_id = d.current_unit_id and p.role = d."current_role")
          order by d.due_at, d.id
          limit ${sql.raw(String(ASSIGNED_LIMIT))}
        ) as a) as assigned`;
}

const isFiltered = (s: Shape) =>
  s.sector || s.procedure || s.due !== null || s.from || s.to || s.q || s.lent === 'sectors' || s.lent === 'procedures';

/**
 * The page and the counts, without a text search. The page takes at most `limit` entries from each
 * position × status range of the index, already in due-date order (a due-state filter narrows the
 * range itself), and merges them: cost page size × positions. Unfiltered, the counts are the totals
 * kept per position in inbox_counts; filtered, each position's matching entries are counted on the index.
 */
function rangedPageAndCounts(shape: Shape, after: (alias: string) => SQL): SQL {
  const filters = inboxConditions(shape);
  // The tab's statuses are constants: written into the text, like the index predicate.
  const statuses = sql.raw(INBOX_TABS[shape.tab].statuses.map((st) => `('${st}')`).join(', '));
  const counts = isFiltered(shape)
    ? sql`select c.status, sum(c.n)::int as n from positions p
      cross join lateral (
        select d.status, count(*) as n from dossiers d
        where d.current_unit_id = p.unit_id and d."current_role" = p.role and d.status in ${OPEN_STATUSES}${filters}
        group by d.status
      ) as c
      group by c.status`
    : sql`select c.status, sum(c.n)::int as n from positions p
      join inbox_counts c on c.unit_id = p.unit_id and c.role = p.role
      group by c.status`;
  return sql`page as (
      select x.id, x.due_at from positions p
      cross join (values ${statuses}) as s(status)
      cross join lateral (
        select d.id, d.due_at from dossiers d
        where d.current_unit_id = p.unit_id and d."current_role" = p.role and d.status = s.status
          and d.status in ${OPEN_STATUSES}${filters}${after('d')}
        order by d.due_at, d.id
        limit ${p('limit')}
      ) as x
      order by x.due_at, x.id
      limit ${p('limit')}
    ),
    counts as (${counts})`;
}

/**
 * The page and the counts of a text search: few dossiers match, but finding them reads every entry
 * at the positions, so that is done once — one pass over the index entries of the dossiers waiting at
 * the positions keeps the matches, and the counts and the page come from that small set.
 */
function searchedPageAndCounts(shape: Shape, after: (alias: string) => SQL): SQL {
  // OFFSET 0 keeps the lateral a per-position range of the index: flattened into a join, it became
  // one scan of every open dossier.
  const statuses = sql.raw(INBOX_TABS[shape.tab].statuses.map((st) => `'${st}'`).join(', '));
  return sql`matches as materialized (
      select m.id, m.due_at, m.status from positions p
      cross join lateral (
        select d.id, d.due_at, d.status from dossiers d
        where d.current_unit_id = p.unit_id and d."current_role" = p.role and d.status in ${OPEN_STATUSES}${inboxConditions(shape)}
        offset 0
      ) as m
    ),
    page as (
      select m.id, m.due_at from matches m
      where m.status in (${statuses})${after('m')}
      order by m.due_at, m.id
      limit ${p('limit')}
    ),
    counts as (select status, count(*)::int as n from matches group by status)`;
}

/** The inbox statement for one shape: the page (limit + 1 rows, to know whether more follow) and the counts. */
function inboxStatement(shape: Shape): SQL {
  const after = (alias: string) =>
    shape.after
      ? sql` and (${sql.raw(alias)}.due_at, ${sql.raw(alias)}.id) > (${p('afterDue')}::timestamptz, ${p('afterId')}::uuid)`
      : sql``;
  return sql`with recursive ${POSITIONS},
    ${shape.q ? searchedPageAndCounts(shape, after) : rangedPageAndCounts(shape, after)}
    select
      (select coalesce(json_agg(${(shape.records ? RECORD_ROWS : PAGE_ROWS).select} order by page.due_at, page.id), '[]'::json)
        from page
        join dossiers d on d.id = page.id
        join procedure_versions pv on pv.id = d.procedure_version_id) as rows,
      (select coalesce(json_object_agg(status, n), '{}'::json) from counts) as counts,
      ${assignedToMe(shape)}`;
}

const NO_COUNTS = (): Record<InboxTab, number> => Object.fromEntries(INBOX_TAB_KEYS.map((t) => [t, 0])) as Record<InboxTab, number>;

/** A row as the statement gives it: the applicant's record only when the shape asks for it. */
type FetchedRow = InboxRow & { applicant?: Applicant };

/** The statement's one row: the page's and "Giao cho tôi"'s rows as JSON arrays (rowsAsArrays), the counts by status. */
type Raw = { rows: unknown[][]; counts: Partial<Record<DossierStatus, number>>; assigned: unknown[][] };

/**
 * `soonUntil`: the instant before which a dossier is "sắp đến hạn" (one working day from now). `via`: a delegation
 * in force of the actor's (access.ts delegationsInForce, read in the same request): the delegator's waiting
 * dossiers within its scope instead of the actor's own.
 */
export function listInbox(
  db: Queryable,
  actor: StaffActor,
  f: InboxFilter,
  now: Date,
  soonUntil: Date,
  via: LentView | null = null,
): Promise<InboxResult> {
  return inboxOf(db, actor, f, now, soonUntil, via, false);
}

/** The same list with each applicant's whole record, for the API's summaries (presenters.ts). */
export async function listInboxRecords(
  db: Queryable,
  actor: StaffActor,
  f: InboxFilter,
  now: Date,
  soonUntil: Date,
): Promise<InboxResult<InboxRecordRow>> {
  const res = await inboxOf(db, actor, f, now, soonUntil, null, true);
  const rows = res.rows.map(({ applicant, ...row }) => {
    if (!applicant) throw new Error('the inbox statement asked for records gave a row without one');
    return { ...row, applicant };
  });
  return { ...res, rows };
}

async function inboxOf(
  db: Queryable,
  actor: StaffActor,
  f: InboxFilter,
  now: Date,
  soonUntil: Date,
  via: LentView | null,
  records: boolean,
): Promise<InboxResult<FetchedRow>> {
  const limit = pageLimit(f.limit);
  const term = f.q?.trim();
  const cursor = readCursor(f.after);
  const shape: Shape = { ...filterShape(f, term, cursor), tab: f.tab ?? 'cho-xu-ly', lent: via ? via.scope : null, records };
  const [raw] = await queryStatement<Raw>(db, `inbox:${JSON.stringify(shape)}`, () => inboxStatement(shape), {
    accountId: via ? via.delegatorId : actor.accountId,
    lentSectors: via?.scope === 'sectors' ? via.sectorIds : undefined,
    lentProcedures: via?.scope === 'procedures' ? via.procedureIds : undefined,
    limit: limit + 1,
    ...filterParams(f, term, now, soonUntil),
    afterDue: cursor?.at.toISOString(),
    afterId: cursor?.id,
  });
  const fetched: FetchedRow[] = (records ? RECORD_ROWS : PAGE_ROWS).read(raw?.rows ?? []);
  const { rows, next } = pageOf(fetched, limit, (r) => r.dueAt);
  const counts = NO_COUNTS();
  for (const tab of INBOX_TAB_KEYS) for (const status of INBOX_TABS[tab].statuses) counts[tab] += raw?.counts[status] ?? 0;
  const assigned: AssignedRow[] = ASSIGNED_ROWS.read(raw?.assigned ?? []);
  return { rows, counts, next, assigned };
}
