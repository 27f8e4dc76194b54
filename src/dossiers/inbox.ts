/**
 * Hồ sơ cần xử lý: the dossiers waiting at the steps an official is responsible for — their role
 * at a unit covers the unit's subtree — filtered, sorted by due date, paged by keyset, with counts
 * per tab.
 *
 * One statement, one round trip: the official's positions (role grants spread over the unit
 * subtrees), the page and the counts. Each position × status is a range of the partial index
 * dossiers_inbox_open_idx (current_unit_id, current_role, status, due_at, id, …filter columns), so the
 * page takes at most `limit + 1` entries from each range (already in due-date order) and merges them,
 * and the counts and every filter are answered from the index alone; only the rows shown are read
 * from the table. The cost depends on the page size and the number of positions, not on how many
 * dossiers exist or wait. docs/decisions/0007-inbox-query.md measures it.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { Applicant, DossierStatus } from '../db/schema/index.js';
import type { Actor } from '../shared/context.js';
import { escapeLike, foldVietnamese } from '../shared/text.js';

export const INBOX_TABS = {
  'cho-tiep-nhan': { label: 'Chờ tiếp nhận (trực tuyến)', statuses: ['submitted'] as DossierStatus[] },
  'cho-xu-ly': { label: 'Chờ xử lý', statuses: ['received', 'processing'] as DossierStatus[] },
  'bo-sung': { label: 'Chờ bổ sung', statuses: ['supplement'] as DossierStatus[] },
  'cho-tra': { label: 'Chờ trả kết quả', statuses: ['done'] as DossierStatus[] },
} as const;
export type InboxTab = keyof typeof INBOX_TABS;

/**
 * The statuses of open dossiers, as a SQL literal: the partial index's predicate, written out so that
 * PostgreSQL can prove a query implies it whatever the parameters. Keep in step with the index in
 * src/db/schema/dossiers.ts and with INBOX_TABS.
 */
const OPEN_STATUSES = sql.raw(`('submitted','received','processing','supplement','done')`);

export type DueState = 'con-han' | 'sap-den-han' | 'qua-han';

export type InboxFilter = {
  tab?: InboxTab | undefined;
  sectorId?: string | undefined;
  procedureId?: string | undefined;
  dueState?: DueState | undefined;
  /** Reception date range, as instants. */
  from?: Date | undefined;
  to?: Date | undefined;
  q?: string | undefined;
  /** Keyset cursor: "<dueAt ISO>|<id>" of the last row seen. */
  after?: string | undefined;
  limit?: number | undefined;
};

export type InboxRow = {
  id: string;
  code: string;
  status: DossierStatus;
  applicant: Applicant;
  receivedAt: Date;
  dueAt: Date;
  stepDueAt: Date | null;
  currentStep: number;
  channel: number;
  procedureName: string;
};

export type InboxResult = { rows: InboxRow[]; counts: Record<InboxTab, number>; next: string | null };

/**
 * The (role, unit) positions an account covers: each non-admin role grant spread over the unit's
 * subtree; none for a suspended or deleted account. A recursive CTE named `positions`.
 */
function positionsCte(accountId: string): SQL {
  return sql`positions(role, unit_id) as (
    select g.role, g.unit_id from role_grants g join accounts a on a.id = g.account_id
    where g.account_id = ${accountId} and g.role <> 'admin' and not a.suspended and a.deleted_at is null
    union
    select p.role, u.id from units u join positions p on u.parent_id = p.unit_id
  )`;
}

/** The filters of the inbox, on dossiers `d`; every column they read is in the inbox index. */
function filterConditions(f: InboxFilter, now: Date, soonUntil: Date): SQL {
  const at = (d: Date) => sql`${d.toISOString()}::timestamptz`;
  const conds: SQL[] = [];
  if (f.sectorId) conds.push(sql`d.sector_id = ${f.sectorId}`);
  if (f.procedureId) conds.push(sql`d.procedure_id = ${f.procedureId}`);
  if (f.dueState === 'qua-han') conds.push(sql`d.due_at < ${at(now)}`);
  if (f.dueState === 'sap-den-han') conds.push(sql`d.due_at >= ${at(now)} and d.due_at < ${at(soonUntil)}`);
  if (f.dueState === 'con-han') conds.push(sql`d.due_at >= ${at(soonUntil)}`);
  if (f.from) conds.push(sql`d.received_at >= ${at(f.from)}`);
  if (f.to) conds.push(sql`d.received_at < ${at(f.to)}`);
  const term = f.q?.trim();
  if (term) {
    const code = `%${escapeLike(term)}%`;
    const folded = `%${escapeLike(foldVietnamese(term))}%`;
    conds.push(sql`(d.code ilike ${code} or d.applicant_folded like ${folded})`);
  }
  return sql.join(conds.map((c) => sql` and ${c}`));
}

/** "<dueAt ISO>|<id>" → a condition after that row; an unreadable cursor starts from the top. */
function afterCursor(after: string | undefined): SQL {
  if (!after) return sql``;
  const [dueIso, id] = after.split('|');
  const due = new Date(dueIso ?? '');
  if (Number.isNaN(due.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) return sql``;
  return sql` and (d.due_at, d.id) > (${due.toISOString()}::timestamptz, ${id}::uuid)`;
}

const NO_COUNTS = (): Record<InboxTab, number> => ({ 'cho-tiep-nhan': 0, 'cho-xu-ly': 0, 'bo-sung': 0, 'cho-tra': 0 });

type Raw = {
  rows: Array<Omit<InboxRow, 'receivedAt' | 'dueAt' | 'stepDueAt'> & { receivedAt: string; dueAt: string; stepDueAt: string | null }>;
  counts: Partial<Record<DossierStatus, number>>;
};

/** `soonUntil`: the instant before which a dossier is "sắp đến hạn" (one working day from now). */
export async function listInbox(db: Queryable, actor: Actor, f: InboxFilter, now: Date, soonUntil: Date): Promise<InboxResult> {
  const tab: InboxTab = f.tab ?? 'cho-xu-ly';
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  const filters = filterConditions(f, now, soonUntil);
  const statuses = sql.join(
    INBOX_TABS[tab].statuses.map((s) => sql`${s}`),
    sql`, `,
  );
  const [raw] = await queryRows<Raw>(
    db,
    sql`with recursive ${positionsCte(actor.accountId)},
    page as (
      select x.id, x.due_at from positions p
      cross join unnest(array[${statuses}]::text[]) as s(status)
      cross join lateral (
        select d.id, d.due_at from dossiers d
        where d.current_unit_id = p.unit_id and d."current_role" = p.role and d.status = s.status
          and d.status in ${OPEN_STATUSES}${filters}${afterCursor(f.after)}
        order by d.due_at, d.id
        limit ${limit + 1}
      ) as x
      order by x.due_at, x.id
      limit ${limit + 1}
    ),
    counts as (
      select c.status, sum(c.n)::int as n from positions p
      cross join lateral (
        select d.status, count(*) as n from dossiers d
        where d.current_unit_id = p.unit_id and d."current_role" = p.role and d.status in ${OPEN_STATUSES}${filters}
        group by d.status
      ) as c
      group by c.status
    )
    select
      (select coalesce(json_agg(json_build_object(
          'id', d.id, 'code', d.code, 'status', d.status, 'applicant', d.applicant,
          'receivedAt', d.received_at, 'dueAt', d.due_at, 'stepDueAt', d.step_due_at,
          'currentStep', d.current_step, 'channel', d.channel, 'procedureName', pv.name
        ) order by page.due_at, page.id), '[]'::json)
        from page
        join dossiers d on d.id = page.id
        join procedure_versions pv on pv.id = d.procedure_version_id) as rows,
      (select coalesce(json_object_agg(status, n), '{}'::json) from counts) as counts`,
  );
  const all = (raw?.rows ?? []).map((r) => ({
    ...r,
    receivedAt: new Date(r.receivedAt),
    dueAt: new Date(r.dueAt),
    stepDueAt: r.stepDueAt ? new Date(r.stepDueAt) : null,
  }));
  const more = all.length > limit;
  const rows = more ? all.slice(0, limit) : all;
  const counts = NO_COUNTS();
  for (const [status, n] of Object.entries(raw?.counts ?? {})) {
    for (const [k, v] of Object.entries(INBOX_TABS)) if ((v.statuses as string[]).includes(status)) counts[k as InboxTab] += n ?? 0;
  }
  const last = rows[rows.length - 1];
  return { rows, counts, next: more && last ? `${last.dueAt.toISOString()}|${last.id}` : null };
}
