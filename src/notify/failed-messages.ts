/**
 * Quản trị → Thông báo: the messages that failed (or expired) in the administrator's units — their dossiers'
 * agencies, or the units of the officials they were for — newest first, filtered, by keyset pages. Not an
 * administrator: "not found" (404), as for any screen outside one's administration.
 */
import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import { administeredUnitIds } from '../accounts/policies.js';
import type { Queryable } from '../db/client.js';
import { afterKeysetCursor, cursorInstant, keysetCursor, parseKeysetCursor } from '../db/keyset-cursor.js';
import { accounts, dossiers, notifications } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import type { ExternalChannel } from './channels.js';
import type { NotifyEvent } from './events.js';

export type FailedFilter = {
  channel?: ExternalChannel | undefined;
  event?: NotifyEvent | undefined;
  state?: 'failed' | 'expired' | undefined;
  /** The last row of the previous page: "created_at to the microsecond (UTC)_id". */
  after?: string | undefined;
};

const FAILED_PAGE_SIZE = 50;

export async function listFailedNotifications(q: Queryable, actor: StaffActor, filter: FailedFilter) {
  const units = await administeredUnitIds(q, actor);
  if (units.length === 0) throw errors.notFound('Trang');
  const conds: SQL[] = [
    filter.state ? eq(notifications.state, filter.state) : inArray(notifications.state, ['failed', 'expired']),
    or(inArray(dossiers.agencyUnitId, units), and(sql`${notifications.dossierId} is null`, inArray(accounts.unitId, units))) as SQL,
  ];
  if (filter.channel) conds.push(eq(notifications.channel, filter.channel));
  if (filter.event) conds.push(eq(notifications.event, filter.event));
  // To the microsecond (db/keyset-cursor.ts): an impossible time is the first page, not a 500.
  const cursor = parseKeysetCursor(filter.after);
  if (cursor) conds.push(afterKeysetCursor(notifications.createdAt, notifications.id, cursor.at, cursor.id));
  const rows = await q
    .select({
      id: notifications.id,
      event: notifications.event,
      channel: notifications.channel,
      address: notifications.address,
      state: notifications.state,
      reason: notifications.reason,
      attempts: notifications.attempts,
      createdAt: notifications.createdAt,
      failedAt: notifications.failedAt,
      dossierId: notifications.dossierId,
      dossierCode: dossiers.code,
      cursor: cursorInstant(notifications.createdAt),
      replaced: sql<boolean>`exists (select 1 from notifications r where r.fallback_of = ${notifications.id})`,
    })
    .from(notifications)
    .leftJoin(dossiers, eq(dossiers.id, notifications.dossierId))
    .leftJoin(accounts, eq(accounts.id, notifications.accountId))
    .where(and(...conds))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(FAILED_PAGE_SIZE + 1);
  const page = rows.slice(0, FAILED_PAGE_SIZE);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > FAILED_PAGE_SIZE && last ? keysetCursor(last.cursor, last.id) : null,
  };
}

/** A phone or e-mail shown half hidden: 09••••5678, n•••@x.vn. */
export function maskAddress(address: string | null): string {
  if (!address) return '';
  const at = address.indexOf('@');
  if (at > 0) return `${address[0]}•••${address.slice(at)}`;
  return address.length > 6 ? `${address.slice(0, 2)}••••${address.slice(-4)}` : '••••';
}
