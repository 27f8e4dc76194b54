/**
 * Đánh dấu đã đọc: one of the owner's notices (the form names it) or all of them. Another person's notice answers
 * like a missing one and nothing changes. No audit row, as for opening a notice (open-notice.ts): a read receipt on
 * one's own notice changes nothing anyone else sees.
 */
import { and, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { notifications } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import { isId, parseInput } from '../shared/validate.js';
import { type NoticeOwner, ownNotices } from './notice-owner.js';

const MarkInput = z.object({
  /** Absent or empty: all of them. */
  id: z.string().max(64, { error: 'Thông báo không hợp lệ.' }).optional(),
});

export async function markNoticesRead(db: Db, owner: NoticeOwner, input: unknown, now: Date): Promise<void> {
  const { id } = parseInput(MarkInput, input);
  if (id) {
    // An id that is not one is as missing as another person's (never a 400 that tells them apart).
    if (!isId(id)) throw errors.notFound('Thông báo');
    const [row] = await db
      .update(notifications)
      .set({ readAt: sql`coalesce(${notifications.readAt}, ${now.toISOString()}::timestamptz)`, updatedAt: sql`now()` })
      .where(and(sql`${notifications.id} = ${id}::uuid`, ownNotices(owner)))
      .returning({ id: notifications.id });
    if (!row) throw errors.notFound('Thông báo');
    return;
  }
  await db
    .update(notifications)
    .set({ readAt: now, updatedAt: sql`now()` })
    .where(and(ownNotices(owner), isNull(notifications.readAt)));
}
