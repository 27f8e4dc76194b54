import { asc, desc, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import { GENESIS_HASH, sealHash } from './record.js';

/** Taken only by sealers (never by writers), so two sealers cannot chain onto the same head. */
const SEALER_LOCK = 7411001;

export type SealResult = { sealed: number; head: { seq: number; hash: string } | null };

/**
 * Seal the audit rows written since the last run into the hash chain (docs/decisions/0011): in id
 * order, after the chain's head, each row's `seq`, `prev_hash` and `hash` = H(prev_hash, row_hash),
 * set once. One function for whatever schedules it (the app's timer, `npm run audit:verify`).
 *
 * The chain's order is the order of sealing, not of ids: a row whose transaction has not committed is
 * invisible here and is sealed by a later run, after the rows sealed now. So an open transaction is
 * never skipped over and never holds the chain back, whatever ids the sequence gave out.
 *
 * Each batch is its own short transaction; sealers wait for each other on an advisory lock, writers
 * never take it.
 */
export async function sealAuditChain(db: Db, opts: { batch?: number; maxBatches?: number } = {}): Promise<SealResult> {
  const batch = opts.batch ?? 5000;
  const maxBatches = opts.maxBatches ?? Number.POSITIVE_INFINITY;
  let sealed = 0;
  let head: SealResult['head'] = null;
  for (let b = 0; b < maxBatches; b++) {
    const done = await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${SEALER_LOCK})`);
      const [last] = await tx
        .select({ seq: auditLog.seq, hash: auditLog.hash })
        .from(auditLog)
        .where(isNotNull(auditLog.seq))
        .orderBy(desc(auditLog.seq))
        .limit(1);
      head = last?.seq != null && last.hash != null ? { seq: last.seq, hash: last.hash } : null;
      const rows = await tx
        .select({ id: auditLog.id, rowHash: auditLog.rowHash })
        .from(auditLog)
        .where(isNull(auditLog.seq))
        .orderBy(asc(auditLog.id))
        .limit(batch);
      if (rows.length === 0) return true;
      let seq = head?.seq ?? 0;
      let prevHash = head?.hash ?? GENESIS_HASH;
      const links = rows.map((r) => {
        // A row without its own hash cannot come from recordAudit (the insert trigger refuses it); sealing
        // it over '' keeps the chain going and verification names it.
        const hash = sealHash(prevHash, r.rowHash ?? '');
        const link = { id: r.id, seq: ++seq, prev_hash: prevHash, hash };
        prevHash = hash;
        return link;
      });
      await tx.execute(sql`
        update audit_log a set seq = v.seq, prev_hash = v.prev_hash, hash = v.hash
        from json_to_recordset(${JSON.stringify(links)}::json) as v(id bigint, seq bigint, prev_hash text, hash text)
        where a.id = v.id and a.seq is null`);
      head = { seq, hash: prevHash };
      sealed += rows.length;
      return rows.length < batch;
    });
    if (done) break;
  }
  return { sealed, head };
}
