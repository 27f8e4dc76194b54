/**
 * A dossier's synchronisation with the national portal, as the officials' dossier page shows it: the last status
 * record the national portal received, how many wait, and why the first waiting one has not gone yet.
 */
import { and, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { nationalStatusOutbox } from '../db/schema/index.js';
import { formatDateTime } from '../shared/dates.js';

export type NationalSync = {
  lastPushed: { code: number; at: Date } | null;
  waiting: number;
  firstWaiting: { attempts: number; lastError: string | null } | null;
};

export async function nationalSyncOf(db: Queryable, dossierId: string): Promise<NationalSync> {
  const [last] = await db
    .select({ code: nationalStatusOutbox.code, at: nationalStatusOutbox.pushedAt })
    .from(nationalStatusOutbox)
    .where(and(eq(nationalStatusOutbox.dossierId, dossierId), isNotNull(nationalStatusOutbox.pushedAt)))
    .orderBy(desc(nationalStatusOutbox.seq))
    .limit(1);
  const waiting = await db
    .select({ attempts: nationalStatusOutbox.attempts, lastError: nationalStatusOutbox.lastError, n: sql<number>`count(*) over ()` })
    .from(nationalStatusOutbox)
    .where(and(eq(nationalStatusOutbox.dossierId, dossierId), isNull(nationalStatusOutbox.pushedAt)))
    .orderBy(nationalStatusOutbox.seq)
    .limit(1);
  const first = waiting[0];
  return {
    lastPushed: last?.at ? { code: last.code, at: last.at } : null,
    waiting: first ? Number(first.n) : 0,
    firstWaiting: first ? { attempts: first.attempts, lastError: first.lastError } : null,
  };
}

/** One line for the page's facts: what the national portal holds, and what waits. */
export function NationalSyncFact({ sync }: { sync: NationalSync }) {
  const pushed = sync.lastPushed
    ? `Đã gửi trạng thái mã ${sync.lastPushed.code} lúc ${formatDateTime(sync.lastPushed.at)}`
    : 'Chưa gửi trạng thái nào';
  if (!sync.waiting) return <>{pushed}.</>;
  const tried = sync.firstWaiting?.attempts
    ? ` — đã thử ${sync.firstWaiting.attempts} lần, sẽ thử lại tự động${sync.firstWaiting.lastError ? ` (lỗi gần nhất: ${sync.firstWaiting.lastError.slice(0, 120)})` : ''}`
    : '';
  return (
    <>
      {pushed}; {sync.waiting} trạng thái đang chờ gửi{tried}.
    </>
  );
}
