/**
 * Blob garbage collection (docs/decisions/0020): the job storage.gc removes from the one file storage the blobs no
 * row references any more — deleted personal files, files of abandoned or changed drafts, uploads refused after they
 * were stored, expired staged scans — in two phases, on the local disk and on S3 alike.
 *
 * 0. The store must be this database's (owner.ts): a marker naming another database, or none yet (this run writes
 *    it), and the run removes nothing.
 * 1. The blobs untouched for the grace period (24 h) that no row names are moved into the store's trash: their
 *    bytes are in the trash before they leave their place, and reads fall back to the trash.
 * 2. Every copy in the trash is looked at again: one a row names by now is restored (copied back, at any age); one
 *    no row names is deleted once it has been in the trash for the trash's grace period (7 days). A copy is deleted
 *    only when old, and only the copy listed: each is written once under a name of its own.
 *
 * - Never a referenced blob: the references are read in one statement (one snapshot) over every table that names
 *   a blob (BLOB_REFERENCES below; tests/storage-gc.test.ts fails when a table with a sha256 column is missing).
 * - Never a blob an upload is about to reference: it is stored (or confirmed: a fresh time) before its row commits,
 *   so only blobs untouched for the grace period are moved, and the store judges the time again as it moves them.
 *   On S3 an upload confirming a blob between the copy and the delete reads it from the trash, and its row is
 *   committed long before the copy is old enough to be deleted: the next run restores it (0020, "S3").
 * - Idempotent and restart-safe: it keeps no state; a run interrupted between any two steps leaves every blob in
 *   its place, in the trash, or both, and the next run carries on. Two runs at once are safe (0020).
 */
import { sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import type { BlobStore, TrashedBlob } from './blob.js';
import { checkStoreOwner, type StoreOwnership } from './owner.js';

/** How long a blob no row names is kept: far longer than any upload takes from storage to its row's commit. */
export const BLOB_GRACE_MS = 24 * 3_600_000;

/**
 * How long a blob stays in the trash before it is deleted: longer than the grace period (an upload that confirmed
 * it just before it was moved has committed its row long before), and a week in which a row that names it again —
 * or an operator who put the wrong database right — gets it back.
 */
export const BLOB_TRASH_GRACE_MS = 7 * 24 * 3_600_000;

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

/** One run of storage.gc: what it looked at and what it did. */
export type GcRun = {
  /** Whose store this is: anything but 'ours' and the run did nothing else. */
  owner: StoreOwnership;
  /** Blobs listed in their place (not the trash). */
  examined: number;
  /** Of them, past the grace period and named by no row. */
  unreferenced: number;
  /** Moved into the trash. */
  trashed: string[];
  /** Copied back from the trash: a row names them again. */
  restored: string[];
  /** Deleted for good: in the trash past its grace period, and named by no row. */
  removed: string[];
  /** Named by a row, yet neither stored nor in the trash: never expected, logged as an error. */
  missing: string[];
  /** Copies left in the trash. */
  inTrash: number;
};

export type GcOptions = { graceMs?: number; trashGraceMs?: number };

export async function collectUnreferencedBlobs(db: Queryable, store: BlobStore, now: Date, opts: GcOptions = {}): Promise<GcRun> {
  const run: GcRun = {
    owner: await checkStoreOwner(db, store, now),
    examined: 0,
    unreferenced: 0,
    trashed: [],
    restored: [],
    removed: [],
    missing: [],
    inTrash: 0,
  };
  if (run.owner.outcome !== 'ours') return run;
  await moveUnreferenced(db, store, now, opts.graceMs ?? BLOB_GRACE_MS, run);
  await sweepTrash(db, store, now, opts.trashGraceMs ?? BLOB_TRASH_GRACE_MS, run);
  return run;
}

/** Phase 1: the blobs untouched for the grace period that no row names, into the trash. */
async function moveUnreferenced(db: Queryable, store: BlobStore, now: Date, graceMs: number, run: GcRun): Promise<void> {
  const cutoff = new Date(now.getTime() - graceMs);
  let batch: string[] = [];
  const sweep = async () => {
    const kept = await referenced(db, batch);
    for (const sha of batch) {
      if (kept.has(sha)) continue;
      run.unreferenced++;
      if (await store.moveToTrash(sha, cutoff, now)) run.trashed.push(sha);
    }
    batch = [];
  };
  for await (const blob of store.list()) {
    run.examined++;
    if (blob.writtenAt >= cutoff) continue;
    batch.push(blob.sha256);
    if (batch.length >= BATCH) await sweep();
  }
  if (batch.length) await sweep();
}

/**
 * Phase 2: each copy in the trash restored when a row names its blob (whatever its age: a copy only adds), deleted
 * when it is past the trash's grace period and its blob is stored again or named by no row — the references read
 * after the listing, so a row committed before the delete is seen.
 */
async function sweepTrash(db: Queryable, store: BlobStore, now: Date, trashGraceMs: number, run: GcRun): Promise<void> {
  const cutoff = new Date(now.getTime() - trashGraceMs);
  let batch: TrashedBlob[] = [];
  const sweep = async () => {
    const kept = await referenced(db, [...new Set(batch.map((e) => e.sha256))]);
    for (const entry of batch) {
      const old = entry.movedAt < cutoff;
      if (kept.has(entry.sha256)) {
        const state = await store.restoreFromTrash(entry);
        if (state === 'restored') run.restored.push(entry.sha256);
        if (state === 'gone' && !(await store.has(entry.sha256))) run.missing.push(entry.sha256);
        // Stored again: the copy is redundant once old; a young one may be the only copy of a move under way in
        // another run (copied, not yet deleted), so it waits.
        if (old && state !== 'gone') await store.deleteFromTrash(entry);
        else if (state !== 'gone') run.inTrash++;
      } else if (old) {
        await store.deleteFromTrash(entry);
        run.removed.push(entry.sha256);
      } else run.inTrash++;
    }
    batch = [];
  };
  for await (const entry of store.listTrash()) {
    batch.push(entry);
    if (batch.length >= BATCH) await sweep();
  }
  if (batch.length) await sweep();
}
