/**
 * The unread count in the menus (Thông báo (n) on the portal and in the officials' user menu), as a column of the
 * session lookup that every request runs anyway (auth/sessions.ts): no second round trip, always this person's, and
 * current — the session cache (auth/session-cache.ts) is emptied in every process when an in-app notice is added,
 * read or removed (migration 0052). It walks only the unread in-app notices' partial index
 * (notifications_unread_citizen_idx / _account_idx), and stops at UNREAD_CAP, shown as "99+".
 */
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';

export const UNREAD_CAP = 100;

/** The owner's unread in-app notices, at most UNREAD_CAP, as a scalar subquery over the row that has `ownerId`. */
export function unreadNoticesOf(kind: 'citizen' | 'official', ownerId: AnyPgColumn): SQL<number> {
  const column = sql.raw(kind === 'citizen' ? 'citizen_id' : 'account_id');
  return sql<number>`(select count(*) from (select 1 from notifications n where n.${column} = ${ownerId}
    and n.channel = 'inapp' and n.read_at is null limit ${sql.raw(String(UNREAD_CAP))}) unread)`.mapWith(Number);
}

/** How the menu shows a count: nothing when none, "99+" at the cap. */
export function unreadLabel(n: number): string | null {
  return n <= 0 ? null : n >= UNREAD_CAP ? `${UNREAD_CAP - 1}+` : String(n);
}
