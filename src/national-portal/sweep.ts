/**
 * The sweep (every few minutes): a push job for each dossier whose first unpushed record waits and whose back-off is
 * over — the record never tried (its job lost, or the synchronisation was off when it was written), or last tried
 * longer ago than 2^attempts minutes (at most an hour). So a national portal down for hours is retried for as long
 * as it is down, gently, and nothing is lost when a job's own retries run out.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.js';
import { enqueueNationalPush } from './push.js';

/** At most this many dossiers per sweep (the oldest first); the next sweep takes the rest. */
const SWEEP_LIMIT = 500;

export async function sweepUnpushed(db: Db, now: Date): Promise<{ enqueued: number }> {
  const due = await queryRows<{ dossier_id: string }>(
    db,
    sql`
      select dossier_id from (
        select distinct on (dossier_id) dossier_id, changed_at, attempts, last_attempt_at
        from national_status_outbox
        where pushed_at is null
        order by dossier_id, seq
      ) first
      where last_attempt_at is null
         or last_attempt_at <= ${now.toISOString()}::timestamptz - least(interval '60 minutes', interval '1 minute' * power(2, least(attempts, 6)))
      order by changed_at
      limit ${SWEEP_LIMIT}`,
  );
  let enqueued = 0;
  for (const { dossier_id } of due) {
    await enqueueNationalPush(db, dossier_id);
    enqueued++;
  }
  return { enqueued };
}
