/**
 * THE KEYSET CURSOR OF A LIST NEWEST FIRST: the last row's created_at as PostgreSQL keeps it — in UTC, to the
 * microsecond, as text — then its id ("2026-01-05T02:00:00.123700Z_<uuid>"). The instant never becomes a JavaScript
 * Date on its way from the statement to the address and back: a Date keeps milliseconds, and the older rows created in
 * the same millisecond as a page's last (the rows of one transaction share its created_at) would be on no page.
 * Used by every list paged this way: Thông báo, Quản trị → Thông báo, the citizen's dossiers (TRANG CÁ NHÂN).
 */
import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

export type KeysetCursor = { at: string; id: string };

/** The instant of a row as its cursor carries it, selected with the row. */
export const cursorInstant = (column: AnyColumn | SQL) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** The cursor of a row: its instant (cursorInstant) and its id. */
export const keysetCursor = (at: string, id: string) => `${at}_${id}`;

const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The cursor of an address, or null when absent; a malformed one is read as the first page. */
export function parseKeysetCursor(raw: string | undefined): KeysetCursor | null {
  const m = raw ? CURSOR.exec(raw) : null;
  return m?.[1] && m[2] && isRealTime(m[1]) ? { at: m[1], id: m[2] } : null;
}

/**
 * The shape alone lets "2026-13-45T25:61:61…" or year 0000 through, which PostgreSQL's ::timestamptz refuses (a
 * 500): a real instant is one JavaScript reads back to the same millisecond, from year 1.
 */
function isRealTime(at: string): boolean {
  const ms = `${at.slice(0, 23)}Z`;
  const d = new Date(ms);
  return !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 1 && d.toISOString() === ms;
}

/**
 * The rows after the cursor in the order `created_at desc, id desc`. `at` and `id` are the cursor's values, or
 * placeholders of a prepared statement; compared in SQL, as text cast there, so no microsecond is lost.
 */
export const afterKeysetCursor = (createdAt: AnyColumn, id: AnyColumn, at: unknown, afterId: unknown): SQL =>
  sql`(${createdAt}, ${id}) < (${at}::timestamptz, ${afterId}::uuid)`;
