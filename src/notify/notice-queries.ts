/**
 * Thông báo: a person's in-app notices, newest first in keyset pages, and one notice — only the reader's own
 * (notice-owner.ts), each with its dossier's code and link when the reader may open that dossier.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { afterKeysetCursor, cursorInstant, type KeysetCursor, keysetCursor } from '../db/keyset-cursor.js';
import { isNotifyEvent, NOTIFY_EVENTS } from './events.js';
import { linkedDossiers, type NoticeReader, ownerOfReader, ownNotices } from './notice-owner.js';

export type Notice = {
  id: string;
  /** The event's name (Hồ sơ đã được tiếp nhận …), the subject when the template gave none. */
  title: string;
  body: string;
  createdAt: Date;
  readAt: Date | null;
  /** The dossier it is about, only when the reader may open it. */
  dossier: { id: string; code: string } | null;
  /** The keyset position of this notice (its created_at to the microsecond, and id). */
  cursor: string;
};

const PAGE_SIZE = 20;

type Row = {
  id: string;
  event: string;
  subject: string | null;
  body: string | null;
  created_at: Date | string;
  read_at: Date | string | null;
  at: string;
  dossier_id: string | null;
  dossier_code: string | null;
};

/**
 * Notices of the reader matching `where`, newest first. Microseconds matter: the notices of one transaction share
 * its created_at exactly, so a millisecond cursor would skip some of them.
 */
async function select(db: Queryable, reader: NoticeReader, where: SQL, limit: number): Promise<Notice[]> {
  const link = linkedDossiers(reader);
  const rows = await queryRows<Row>(
    db,
    sql`${link.with}select notifications.id, notifications.event, notifications.subject, notifications.body,
        notifications.created_at, notifications.read_at,
        ${cursorInstant(notifications.createdAt)} as at,
        linked.id as dossier_id, linked.code as dossier_code
      from notifications ${link.join}
      where ${ownNotices(ownerOfReader(reader))} and ${where}
      order by notifications.created_at desc, notifications.id desc
      limit ${limit}`,
  );
  return rows.map((r) => ({
    id: r.id,
    title: r.subject || (isNotifyEvent(r.event) ? NOTIFY_EVENTS[r.event].label : 'Thông báo'),
    body: r.body ?? '',
    createdAt: new Date(r.created_at),
    readAt: r.read_at === null ? null : new Date(r.read_at),
    dossier: r.dossier_id && r.dossier_code ? { id: r.dossier_id, code: r.dossier_code } : null,
    cursor: keysetCursor(r.at, r.id),
  }));
}

/** A page of the reader's notices after `after` (null: the newest), and whether more follow. */
export async function listNotices(db: Queryable, reader: NoticeReader, after: KeysetCursor | null) {
  const page = after ? afterKeysetCursor(notifications.createdAt, notifications.id, after.at, after.id) : sql`true`;
  const rows = await select(db, reader, page, PAGE_SIZE + 1);
  return { rows: rows.slice(0, PAGE_SIZE), more: rows.length > PAGE_SIZE };
}

/** One notice of the reader's, or null (another's and a missing one alike). `id` is a checked id. */
export async function noticeOf(db: Queryable, reader: NoticeReader, id: string): Promise<Notice | null> {
  const [row] = await select(db, reader, sql`${notifications.id} = ${id}::uuid`, 1);
  return row ?? null;
}
