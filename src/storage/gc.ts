/**
 * Blob garbage collection (docs/decisions/0020): the job storage.gc removes from the one file storage the blobs no
 * row references any more — deleted personal files, files of abandoned or changed drafts, uploads refused after they
 * were stored, expired staged scans — in two phases, on the local disk and on S3 alike.
 *
 * 0. The store must be this database's (owner.ts): a marker naming another database, none over a store holding
 *    blobs (`npm run storage:claim` first), or none over an empty store (this run writes it), and the run removes
 *    nothing.
 * 1. The blobs untouched for the grace period (24 h) that no row names are moved into the store's trash: their
 *    bytes are in the trash before they leave their place, and reads fall back to the trash. Unless they are too
 *    many of the store (the circuit breaker, STORAGE_GC_MAX_UNREFERENCED_PERCENT): then nothing is moved.
 * 2. Every copy in the trash is looked at again: one a row names by now is restored (copied back, at any age); one
 *    no row names is deleted once it has been in the trash for the trash's retention (STORAGE_TRASH_DAYS, 35 days
 *    by default: longer than the backups are kept). A copy is deleted only when old, and only the copy listed: each
 *    is written once under a name of its own.
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
import { type Db, type Queryable, queryRows } from '../db/client.js';
import type { BlobStore, TrashedBlob } from './blob.js';
import { checkStoreOwner, type StoreOwnership } from './owner.js';

/** How long a blob no row names is kept: far longer than any upload takes from storage to its row's commit. */
export const BLOB_GRACE_MS = 24 * 3_600_000;

const DAY_MS = 24 * 3_600_000;

/**
 * How long a blob stays in the trash before it is deleted, by default (STORAGE_TRASH_DAYS): longer than the grace
 * period (an upload that confirmed it just before it was moved has committed its row long before), and longer than
 * the backups are kept (30 days, docs/deploy.md §7): a database restored from a kept backup names files deleted since,
 * and a bucket is not in the backups — its trash is where they still are.
 */
export const BLOB_TRASH_GRACE_MS = 35 * DAY_MS;

/**
 * The circuit breaker (STORAGE_GC_MAX_UNREFERENCED_PERCENT): a run whose unreferenced blobs exceed this share of the
 * blobs it listed moves nothing — not a day's deletions but a wrong, emptied or half-restored database. Only past
 * BREAKER_MIN_CANDIDATES, so a small store is not blocked by a few deletions.
 */
export const GC_MAX_UNREFERENCED_PERCENT = 20;
export const BREAKER_MIN_CANDIDATES = 100;

/** The most blobs one run moves to the trash (their hashes are held until the listing ends): the next run goes on. */
const MAX_MOVES_PER_RUN = 100_000;

/** Candidates are checked against the database this many at a time. */
const BATCH = 500;

/**
 * Every table whose rows name a blob by its SHA-256, and how: `x` is the table's row, `hash` the expression naming
 * the blob, `join` and `where` what else a naming row needs. A soft-deleted personal file does not keep its blob (a
 * dossier that used it has its own row); a draft names its files inside `files` (jsonb). The reference check and the
 * list of named blobs (restore's check, referencedBlobs) are both built from this list: a table added here is
 * counted everywhere (tests/storage-gc.test.ts fails when a table with a sha256 column is missing from it).
 */
export const BLOB_REFERENCES = [
  { table: 'personal_files', hash: 'x.sha256', where: 'x.deleted_at is null' },
  { table: 'dossier_files', hash: 'x.sha256' },
  { table: 'procedure_templates', hash: 'x.sha256' },
  { table: 'staged_uploads', hash: 'x.sha256' },
  { table: 'dossier_drafts', hash: "f.value->>'sha256'", join: 'cross join lateral jsonb_each(x.files) f' },
] as const satisfies ReadonlyArray<{ table: string; hash: string; join?: string; where?: string }>;

type BlobReference = (typeof BLOB_REFERENCES)[number];

/** `from <table> x [join] where <hash> = <sha> [and where]`: a naming row of one table. */
function fromRows(ref: BlobReference, hashIs: string | null) {
  const join = 'join' in ref ? ` ${ref.join}` : '';
  const conditions = [...(hashIs ? [`${ref.hash} = ${hashIs}`] : []), ...('where' in ref ? [ref.where] : [])];
  return `from ${ref.table} x${join}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`;
}

/** `where exists (…) or exists (…)` over every table, for the candidate `c.sha`. */
const REFERENCED = sql.raw(BLOB_REFERENCES.map((ref) => `exists (select 1 ${fromRows(ref, 'c.sha')})`).join('\n or '));

/** Every hash some row names, of every table (distinct; `sha`), for referencedBlobs. */
const ALL_REFERENCED = sql.raw(BLOB_REFERENCES.map((ref) => `select ${ref.hash} as sha ${fromRows(ref, null)}`).join('\n union '));

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
    return queryRows<{ sha: string }>(tx, sql`select c.sha from (values ${values}) as c(sha) where ${REFERENCED}`);
  });
  return new Set(rows.map((r) => r.sha));
}

/**
 * Every blob some row names (once each), handed to `each` a page at a time: restore's and db:move's check that the
 * files their rows name are in the target storage (src/ops/blob-check.ts). One read-only transaction and a cursor:
 * the tables are read once, whatever their size.
 */
export async function forEachReferencedBlob(db: Db, each: (hashes: string[]) => Promise<void>, page = 1000): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql.raw('set transaction read only'));
    await tx.execute(sql`declare motcua_blobs no scroll cursor for select distinct sha from (${ALL_REFERENCED}) r where sha is not null`);
    for (;;) {
      const rows = await queryRows<{ sha: string }>(tx, sql.raw(`fetch ${Math.trunc(page)} from motcua_blobs`));
      if (rows.length) await each(rows.map((r) => r.sha));
      if (rows.length < page) break;
    }
    await tx.execute(sql.raw('close motcua_blobs'));
  });
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
  /**
   * Set when the circuit breaker tripped: more unreferenced blobs than `maxPercent` of those listed (and more than
   * BREAKER_MIN_CANDIDATES). The run then moved nothing and deleted nothing from the trash (it restored).
   */
  breaker: { unreferenced: number; examined: number; maxPercent: number } | null;
};

export type GcOptions = { graceMs?: number; trashGraceMs?: number; maxUnreferencedPercent?: number };

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
    breaker: null,
  };
  if (run.owner.outcome !== 'ours') return run;
  await moveUnreferenced(db, store, now, opts.graceMs ?? BLOB_GRACE_MS, opts.maxUnreferencedPercent ?? GC_MAX_UNREFERENCED_PERCENT, run);
  await sweepTrash(db, store, now, opts.trashGraceMs ?? BLOB_TRASH_GRACE_MS, run.breaker === null, run);
  return run;
}

/**
 * Phase 1: the blobs untouched for the grace period that no row names, into the trash — once the whole store is
 * listed and counted, and only when they are not too many of it (the circuit breaker).
 */
async function moveUnreferenced(
  db: Queryable,
  store: BlobStore,
  now: Date,
  graceMs: number,
  maxPercent: number,
  run: GcRun,
): Promise<void> {
  const cutoff = new Date(now.getTime() - graceMs);
  const candidates: string[] = [];
  let batch: string[] = [];
  const check = async () => {
    const kept = await referenced(db, batch);
    for (const sha of batch) {
      if (kept.has(sha)) continue;
      run.unreferenced++;
      if (candidates.length < MAX_MOVES_PER_RUN) candidates.push(sha);
    }
    batch = [];
  };
  for await (const blob of store.list()) {
    run.examined++;
    if (blob.writtenAt >= cutoff) continue;
    batch.push(blob.sha256);
    if (batch.length >= BATCH) await check();
  }
  if (batch.length) await check();
  if (run.unreferenced > BREAKER_MIN_CANDIDATES && run.unreferenced * 100 > maxPercent * run.examined) {
    run.breaker = { unreferenced: run.unreferenced, examined: run.examined, maxPercent };
    return;
  }
  // Named since its check, a blob moved now is read from the trash and restored by phase 2 (0020).
  for (const sha of candidates) if (await store.moveToTrash(sha, cutoff, now)) run.trashed.push(sha);
}

/**
 * Phase 2: each copy in the trash restored when a row names its blob (whatever its age: a copy only adds), deleted
 * when it is past the trash's grace period and its blob is stored again or named by no row — the references read
 * after the listing, so a row committed before the delete is seen.
 */
async function sweepTrash(db: Queryable, store: BlobStore, now: Date, trashGraceMs: number, mayDelete: boolean, run: GcRun): Promise<void> {
  const cutoff = new Date(now.getTime() - trashGraceMs);
  let batch: TrashedBlob[] = [];
  const sweep = async () => {
    const kept = await referenced(db, [...new Set(batch.map((e) => e.sha256))]);
    for (const entry of batch) {
      // With the breaker tripped nothing is deleted: the database this run judged by is suspect.
      const old = mayDelete && entry.movedAt < cutoff;
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
