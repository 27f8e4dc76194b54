/**
 * Blob garbage collection (docs/decisions/0012-file-storage.md, "Removing blobs"): the job storage.gc removes from
 * the one file storage the blobs no row references any more — deleted personal files, files of abandoned or
 * changed drafts, uploads refused after they were stored, expired staged scans — once they are older than the grace
 * period.
 *
 * - Never a referenced blob: the references are read in one statement (one snapshot) over every table that names
 *   a blob (BLOB_REFERENCES below; tests/storage-gc.test.ts fails when a table with a sha256 column is missing).
 * - Never a blob an upload is about to reference: a blob is stored before the row that references it commits, and
 *   storing content already there refreshes its time (the stores' commit); only blobs untouched for the grace
 *   period are candidates, and the store judges the time again as it removes (removeIfOlder).
 * - On a store without removeIfOlder (S3) nothing is removed: the run counts the unreferenced blobs past the grace
 *   period. S3 has no conditional delete, and a HEAD then a DELETE would lose an upload of the same bytes landing
 *   between them; the deletion waits for a two-phase design (docs/decisions/0020, "S3").
 * - Idempotent and restart-safe: it keeps no state; each run lists the store again, and removing a removed blob
 *   is nothing. Two runs at once remove each blob at most once between them.
 */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import type { BlobStore } from './blob.js';

/** How long a blob no row names is kept: far longer than any upload takes from storage to its row's commit. */
export const BLOB_GRACE_MS = 24 * 3_600_000;

/** Candidates are checked against the database this many at a time. */
const BATCH = 500;

/**
 * Every table (and column) whose rows name a blob by its SHA-256. A soft-deleted personal file does not keep its
 * blob (a dossier that used it has its own row); a draft names its files inside `files` (jsonb).
 */
export const BLOB_REFERENCES = ['personal_files', 'dossier_files', 'procedure_templates', 'staged_uploads', 'dossier_drafts'] as const;

/**
 * The statement limit of one batch's reference check. No index names a blob (sha256) in dossier_files, so each batch
 * reads the whole table: 4 s for 3 million files measured on the 2-core machine (docs/decisions/0028), beyond the app
 * pool's DB_STATEMENT_TIMEOUT_MS (15 s by default) as the files grow, and the job runs in the app's process
 * (WORKER=true) on that pool. Still a bound, within the job's own (expireInSeconds, one hour).
 */
const REFERENCE_CHECK_TIMEOUT = '10min';

/** Which of `hashes` some row references now. */
async function referenced(db: Queryable, hashes: string[]): Promise<Set<string>> {
  const values = sql.join(
    hashes.map((h) => sql`(${h})`),
    sql`, `,
  );
  // SET LOCAL lasts until this transaction ends: the pooled connection keeps the pool's limit afterwards.
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql.raw(`set local statement_timeout = '${REFERENCE_CHECK_TIMEOUT}'`));
    return queryRows<{ sha: string }>(
      tx,
      sql`select c.sha from (values ${values}) as c(sha)
        where exists (select 1 from personal_files p where p.sha256 = c.sha and p.deleted_at is null)
           or exists (select 1 from dossier_files f where f.sha256 = c.sha)
           or exists (select 1 from procedure_templates t where t.sha256 = c.sha)
           or exists (select 1 from staged_uploads s where s.sha256 = c.sha)
           or exists (select 1 from dossier_drafts d cross join lateral jsonb_each(d.files) f where f.value->>'sha256' = c.sha)`,
    );
  });
  return new Set(rows.map((r) => r.sha));
}

/** One run of storage.gc: what it looked at and what it removed. */
export async function collectUnreferencedBlobs(
  db: Queryable,
  store: BlobStore,
  now: Date,
  graceMs = BLOB_GRACE_MS,
): Promise<{ examined: number; unreferenced: number; removed: string[] }> {
  const cutoff = new Date(now.getTime() - graceMs);
  const removed: string[] = [];
  let examined = 0;
  let unreferenced = 0;
  let batch: string[] = [];
  const sweep = async () => {
    const kept = await referenced(db, batch);
    for (const sha of batch) {
      if (kept.has(sha)) continue;
      unreferenced++;
      if (store.removeIfOlder && (await store.removeIfOlder(sha, cutoff))) removed.push(sha);
    }
    batch = [];
  };
  for await (const blob of store.list()) {
    examined++;
    if (blob.writtenAt >= cutoff) continue;
    batch.push(blob.sha256);
    if (batch.length >= BATCH) await sweep();
  }
  if (batch.length) await sweep();
  return { examined, unreferenced, removed };
}
