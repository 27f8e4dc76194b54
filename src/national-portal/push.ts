/**
 * The push: one dossier's unpushed status records sent to the national portal, in seq order, one at a time, each
 * under the idempotency key `<id>:<seq>`, the id being the one the national side knows the dossier by
 * (nationalDossierKey: MaHoSoQG for a dossier pulled from there, else our MaHoSo) — a retry after a crash between
 * the national side's answer and our marking sends the same key again, and the national side answers with the
 * record it already has. A failure stops the dossier's push there (later rows wait: order is kept), is written on
 * the row, and is retried: by the job's own retries, then by the sweep (sweep.ts) with back-off for as long as it
 * takes.
 *
 * Only one pusher per dossier at a time (a lease, national_push_leases): a second job of the same dossier finds the
 * lease held and leaves the work to the holder, which looks again for rows after releasing it.
 */
import crypto from 'node:crypto';
import { and, asc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { sqlStateOf } from '../db/database-errors.js';
import { nationalPushLeases, nationalStatusOutbox } from '../db/schema/index.js';
import { enqueue } from '../jobs/queue.js';
import { type NationalPortalClient, nationalDossierKey } from './client.js';

/** How long a pusher holds a dossier without renewing (a worker that died mid-push lets go after this). */
const LEASE_MS = 2 * 60_000;

/**
 * The push job of a dossier, in the transaction of its change (the trigger has just written the row). While one
 * waits for the same dossier, this adds nothing: that one will send this change too.
 */
export async function enqueueNationalPush(tx: Queryable, dossierId: string): Promise<void> {
  await enqueue(tx, 'national.push', { dossierId }, { singletonKey: dossierId });
}

async function claimLease(db: Db, dossierId: string, holder: string, now: Date): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + LEASE_MS);
  const got = await db
    .insert(nationalPushLeases)
    .values({ dossierId, holder, expiresAt })
    .onConflictDoUpdate({
      target: nationalPushLeases.dossierId,
      set: { holder, expiresAt },
      setWhere: lt(nationalPushLeases.expiresAt, now),
    })
    .returning({ holder: nationalPushLeases.holder });
  return got[0]?.holder === holder;
}

/** Extends the lease before each record; false when it was lost (lapsed and taken by another pusher). */
async function renewLease(db: Db, dossierId: string, holder: string, now: Date): Promise<boolean> {
  const kept = await db
    .update(nationalPushLeases)
    .set({ expiresAt: new Date(now.getTime() + LEASE_MS) })
    .where(and(eq(nationalPushLeases.dossierId, dossierId), eq(nationalPushLeases.holder, holder)))
    .returning({ holder: nationalPushLeases.holder });
  return kept.length > 0;
}

async function releaseLease(db: Db, dossierId: string, holder: string): Promise<void> {
  await db.delete(nationalPushLeases).where(and(eq(nationalPushLeases.dossierId, dossierId), eq(nationalPushLeases.holder, holder)));
}

const firstUnpushed = (db: Db, dossierId: string) =>
  db
    .select()
    .from(nationalStatusOutbox)
    .where(and(eq(nationalStatusOutbox.dossierId, dossierId), isNull(nationalStatusOutbox.pushedAt)))
    .orderBy(asc(nationalStatusOutbox.seq))
    .limit(1);

/**
 * Sends the dossier's unpushed rows in order. Returns how many were sent; throws the first failure (after writing it
 * on its row), so the job is retried.
 */
export async function pushDossier(db: Db, client: NationalPortalClient, dossierId: string, now: () => Date): Promise<{ sent: number }> {
  const holder = crypto.randomUUID();
  let sent = 0;
  for (;;) {
    if (!(await claimLease(db, dossierId, holder, now()))) return { sent };
    try {
      for (;;) {
        const [row] = await firstUnpushed(db, dossierId);
        if (!row) break;
        if (!(await renewLease(db, dossierId, holder, now()))) return { sent };
        const key = `${nationalDossierKey(row.payload)}:${row.seq}`;
        const at = eq(nationalStatusOutbox.dossierId, row.dossierId);
        const thisRow = and(at, eq(nationalStatusOutbox.seq, row.seq));
        const failed = (lastError: string) =>
          db
            .update(nationalStatusOutbox)
            .set({ attempts: sql`${nationalStatusOutbox.attempts} + 1`, lastAttemptAt: now(), lastError: lastError.slice(0, 500) })
            .where(thisRow);
        let answer: { id: string };
        try {
          answer = await client.sendStatus(row.payload, key);
        } catch (err) {
          await failed(err instanceof Error ? err.message : String(err));
          throw err;
        }
        try {
          await db
            .update(nationalStatusOutbox)
            .set({
              pushedAt: now(),
              nationalId: answer.id,
              attempts: sql`${nationalStatusOutbox.attempts} + 1`,
              lastAttemptAt: now(),
              lastError: null,
            })
            .where(and(thisRow, isNull(nationalStatusOutbox.pushedAt)));
        } catch (err) {
          // Sent, but not marked (the answer's id refused by the database, or the database gone): a failure like a
          // refused send — written on the row (so the sweep backs off) and retried; the retry sends the same key and the
          // national side answers with the record it already has. Said without the error's message, which may quote the
          // value refused; when even this write fails (the database gone), the original failure goes on as it is.
          const state = sqlStateOf(err);
          await failed(
            `Cổng DVC quốc gia đã nhận bản ghi nhưng không ghi được trạng thái đã gửi${state ? ` (cơ sở dữ liệu: mã ${state})` : ''}.`,
          ).catch(() => undefined);
          throw err;
        }
        sent++;
      }
    } finally {
      await releaseLease(db, dossierId, holder);
    }
    // A row committed while the lease was held (its own job found the lease taken and left) is this pusher's to send.
    const [more] = await firstUnpushed(db, dossierId);
    if (!more) return { sent };
  }
}
