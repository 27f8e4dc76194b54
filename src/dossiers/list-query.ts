/**
 * What the officials' lists of dossiers share — Hồ sơ cần xử lý (inbox.ts) and the lists beside it (tracking.ts):
 * the filters, as SQL on dossiers `d` and as the statement's parameters; the page size; the keyset cursor
 * "<instant ISO>|<id>"; the rows as JSON arrays (rowsAsArrays). Each list adds its own order, sources and columns.
 */
import { sql, type SQL } from 'drizzle-orm';
import { escapeLike, foldVietnamese } from '../shared/text.js';
import { isId } from '../shared/validate.js';
import { CLOCK_STOPPED_STATUS } from './transitions.js';
import type { DossierStatus } from '../db/schema/index.js';

/**
 * The due states a list filters by (Hạn xử lý on the pages, dueState in the API): còn hạn, sắp đến hạn (due within one
 * working day), quá hạn — of dossiers whose clock runs — and tạm dừng: the dossiers whose clock is stopped.
 */
export const DUE_STATES = ['con-han', 'sap-den-han', 'qua-han', 'tam-dung'] as const;
export type DueState = (typeof DUE_STATES)[number];

/**
 * The status whose clock is stopped, as SQL text: a literal, not a placeholder, so that the statement's text stays a
 * function of the filters' shape and the lists' indexes, which carry the status, answer it (docs/decisions/0008).
 */
const CLOCK_STOPPED = sql.raw(`'${CLOCK_STOPPED_STATUS}'`);

/**
 * "The clock of dossier `d` is stopped": the one condition of Tạm dừng tính hạn, read by the lists' due filter below
 * and by the statistics' drill-down (statistics/cells.ts), so a dossier the list shows as paused is never counted
 * late or within its deadline there.
 */
export const clockStopped = (): SQL => sql`d.status = ${CLOCK_STOPPED}`;

/** The filters every list takes (the inbox adds its tab). */
export type ListFilter = {
  sectorId?: string | undefined;
  procedureId?: string | undefined;
  dueState?: DueState | undefined;
  /** Reception date range, as instants. */
  from?: Date | undefined;
  to?: Date | undefined;
  q?: string | undefined;
  /** Keyset cursor: "<instant ISO>|<id>" of the last row seen (the instant is the list's order: due or received). */
  after?: string | undefined;
  limit?: number | undefined;
};

/** Which filters are set: with the list's own, what changes a statement's text (the values are placeholders). */
export type FilterShape = {
  sector: boolean;
  procedure: boolean;
  due: DueState | null;
  from: boolean;
  to: boolean;
  q: boolean;
  after: boolean;
};

export const p = (name: string) => sql.placeholder(name);

/** The filters' shape; `term` is the trimmed search, `cursor` the cursor read (readCursor). */
export const filterShape = (f: ListFilter, term: string | undefined, cursor: Cursor | null): FilterShape => ({
  sector: !!f.sectorId,
  procedure: !!f.procedureId,
  due: f.dueState ?? null,
  from: !!f.from,
  to: !!f.to,
  q: !!term,
  after: !!cursor,
});

/**
 * The filters' conditions on dossiers `d` (not the cursor: its order is the list's). A due state is one of an open
 * dossier; the caller says how it keeps finished ones out (the inbox reads open dossiers only). A dossier whose clock
 * is stopped has no running deadline — its due date moves on by the pause when it resumes — so it is in none of the
 * three states of a due date, only in tam-dung, as its badge says (onestop/page-parts.tsx DueBadge). Codes are upper
 * case (agency codes are stored so), so a plain LIKE on the upper-cased term finds them: ILIKE cost three times as
 * much per row.
 */
export function filterConditions(shape: FilterShape): SQL[] {
  const conds: SQL[] = [];
  if (shape.sector) conds.push(sql`d.sector_id = ${p('sectorId')}::uuid`);
  if (shape.procedure) conds.push(sql`d.procedure_id = ${p('procedureId')}::uuid`);
  if (shape.due === 'tam-dung') conds.push(clockStopped());
  else if (shape.due) conds.push(sql`d.status <> ${CLOCK_STOPPED}`);
  if (shape.due === 'qua-han') conds.push(sql`d.due_at < ${p('now')}::timestamptz`);
  if (shape.due === 'sap-den-han') conds.push(sql`d.due_at >= ${p('now')}::timestamptz and d.due_at < ${p('soon')}::timestamptz`);
  if (shape.due === 'con-han') conds.push(sql`d.due_at >= ${p('soon')}::timestamptz`);
  if (shape.from) conds.push(sql`d.received_at >= ${p('from')}::timestamptz`);
  if (shape.to) conds.push(sql`d.received_at < ${p('to')}::timestamptz`);
  if (shape.q) conds.push(sql`(d.code like ${p('codeLike')} or d.applicant_folded like ${p('foldedLike')})`);
  return conds;
}

/** The values of filterConditions' placeholders; `soonUntil` ends "sắp đến hạn" (one working day from now). */
export const filterParams = (f: ListFilter, term: string | undefined, now: Date, soonUntil: Date) => ({
  sectorId: f.sectorId,
  procedureId: f.procedureId,
  now: now.toISOString(),
  soon: soonUntil.toISOString(),
  from: f.from?.toISOString(),
  to: f.to?.toISOString(),
  codeLike: term ? `%${escapeLike(term.toUpperCase())}%` : undefined,
  foldedLike: term ? `%${escapeLike(foldVietnamese(term))}%` : undefined,
});

/** A page: 50 rows unless asked, 1 to 200. */
export const pageLimit = (limit: number | undefined) => Math.min(Math.max(limit ?? 50, 1), 200);

export type Cursor = { at: Date; id: string };

/** "<instant ISO>|<id>" → the row to continue after; an unreadable cursor starts from the top. */
export function readCursor(after: string | undefined): Cursor | null {
  if (!after) return null;
  const [iso, id] = after.split('|');
  const at = new Date(iso ?? '');
  if (Number.isNaN(at.getTime()) || !id || !isId(id)) return null;
  // A year PostgreSQL cannot read back from toISOString() (0, negative, over 9999) is a forged cursor, not a 500.
  const year = at.getUTCFullYear();
  if (year < 1 || year > 9999) return null;
  return { at, id };
}

/** A column of a list's rows that is an instant: sent as epoch milliseconds, read as a Date (or null). */
type InstantColumn<Nullable extends boolean> = { instant: SQL; nullable: Nullable };
export const instant = (expr: SQL): InstantColumn<false> => ({ instant: expr, nullable: false });
export const instantOrNull = (expr: SQL): InstantColumn<true> => ({ instant: expr, nullable: true });

/**
 * A list's row as named columns, in order: SQL typed by what it gives (`sql<string>\`d.code\``), or an instant. The
 * statement sends each row as a JSON array of them and `read` names them again, so names and order are written once.
 */
export type RowColumns = Record<string, SQL<unknown> | InstantColumn<boolean>>;

export type RowOf<C extends RowColumns> = {
  -readonly [K in keyof C]: C[K] extends InstantColumn<infer N>
    ? N extends true
      ? Date | null
      : Date
    : C[K] extends SQL<infer T>
      ? T
      : never;
};

/** The columns every list of dossiers `d` starts its rows with (inbox.ts, tracking.ts add their own after them). */
export const DOSSIER_COLUMNS = {
  id: sql<string>`d.id`,
  code: sql<string>`d.code`,
  status: sql<DossierStatus>`d.status`,
  applicantName: sql<string>`d.applicant->>'fullName'`,
  receivedAt: instant(sql`d.received_at`),
  dueAt: instant(sql`d.due_at`),
};

/** The name of the official dossier `d`'s step is assigned to (null for the unit's pool). */
export const ASSIGNEE_NAME = sql`(select trim(a.middle_name || ' ' || a.given_name) from accounts a where a.id = d.assigned_to)`;

/**
 * The rows of a list as JSON arrays (`select`: a `json_build_array` of the columns, for the statement's json_agg)
 * and back as objects (`read`). Arrays rather than json_build_object, and instants as epoch milliseconds rather than
 * ISO text: on the inbox's page of 51 rows the statement's answer fell from 22.5 to 12.2 KB, PostgreSQL's time from
 * 0.65–0.72 to 0.54–0.60 ms, and reading it in Node from 114–139 to 53 µs (docs/decisions/0031). The milliseconds
 * are computed in numeric (exact by construction, where float8 is exact only by the luck of each value) and rounded
 * down, as a Date made from the ISO text was, before 1970 too.
 */
export function rowsAsArrays<C extends RowColumns>(columns: C): { select: SQL; read: (rows: unknown[][]) => Array<RowOf<C>> } {
  const names = Object.keys(columns);
  const instants = names.map((n) => {
    const col = columns[n];
    return col !== undefined && 'instant' in col;
  });
  const parts = names.map((n) => {
    const col = columns[n];
    if (col === undefined) throw new Error(`rowsAsArrays: no column ${n}`);
    return 'instant' in col ? sql`floor(extract(epoch from ${col.instant}) * 1000)::int8` : col;
  });
  const select = sql`json_build_array(${sql.join(parts, sql`, `)})`;
  const read = (rows: unknown[][]) =>
    rows.map((values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const v = values[i] ?? null;
        row[names[i] as string] = instants[i] && v !== null ? new Date(v as number) : v;
      }
      return row as RowOf<C>;
    });
  return { select, read };
}

/**
 * The page of `limit` rows out of the `limit + 1` read, and the cursor of the next page (null when none follows):
 * `at` is the row's instant in the list's order.
 */
export function pageOf<R extends { id: string }>(all: R[], limit: number, at: (row: R) => Date): { rows: R[]; next: string | null } {
  const more = all.length > limit;
  const rows = more ? all.slice(0, limit) : all;
  const last = rows[rows.length - 1];
  return { rows, next: more && last ? `${at(last).toISOString()}|${last.id}` : null };
}
