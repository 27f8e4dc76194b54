/**
 * Opening one of one's notices marks it read (read_at, once). A GET does it, on purpose: reading is the act, the
 * write is the reader's own receipt on their own notice (idempotent, nothing another person sees, nothing to undo),
 * so it needs no form — and no audit row: a read receipt is not a change of anyone's data. Another person's notice
 * is neither shown nor marked: it answers like a missing one.
 */
import { and, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';
import { type NoticeReader, ownerOfReader, ownNotices } from './notice-owner.js';
import { type Notice, noticeOf } from './notice-queries.js';

/** The notice, and whether this opening marked it read (the menu's count, read before, is one lower). */
export async function openNotice(db: Db, reader: NoticeReader, id: string, now: Date): Promise<{ notice: Notice; justRead: boolean }> {
  if (!isId(id)) throw errors.notFound('Thông báo');
  const marked = await db
    .update(notifications)
    .set({ readAt: now, updatedAt: sql`now()` })
    .where(and(sql`${notifications.id} = ${id}::uuid`, ownNotices(ownerOfReader(reader)), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  const notice = await noticeOf(db, reader, id);
  if (!notice) throw errors.notFound('Thông báo');
  return { notice, justRead: marked.length > 0 };
}
