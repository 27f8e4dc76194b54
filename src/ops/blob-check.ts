/**
 * The last check of `npm run restore` and `npm run db:move` (docs/decisions/0027): every blob a row of the restored
 * or moved database names can be read in the storage it will run with. A bucket is not in the backups: a backup
 * older than the storage's trash retention names files the collector has deleted since (docs/deploy.md §7); the
 * commands say which, as a warning — the database itself is whole.
 */
import type { Db } from '../db/client.js';
import type { BlobStore } from '../storage/blob.js';
import { forEachReferencedBlob } from '../storage/gc.js';

export type BlobCheck = {
  /** Blobs the rows name (each once). */
  checked: number;
  /** Of them, neither in the storage nor in its trash. */
  missing: number;
  /** The first of those, in the order read. */
  firstMissing: string[];
};

/** Lookups at once (S3: one HEAD, and a LIST when not stored). */
const CONCURRENCY = 16;

export async function checkNamedBlobs(db: Db, store: BlobStore, first = 10): Promise<BlobCheck> {
  const report: BlobCheck = { checked: 0, missing: 0, firstMissing: [] };
  await forEachReferencedBlob(db, async (hashes) => {
    for (let i = 0; i < hashes.length; i += CONCURRENCY) {
      const slice = hashes.slice(i, i + CONCURRENCY);
      const present = await Promise.all(slice.map((sha) => store.has(sha)));
      slice.forEach((sha, j) => {
        report.checked++;
        if (present[j]) return;
        report.missing++;
        if (report.firstMissing.length < first) report.firstMissing.push(sha);
      });
    }
  });
  return report;
}

/** The report's lines for an operator: none when every file is there. */
export function blobCheckWarning(check: BlobCheck, storage: string): string | null {
  if (check.missing === 0) return null;
  return `Warning: ${check.missing} of the ${check.checked} files the rows name are not in ${storage} (nor its trash), first: ${check.firstMissing.join(', ')}. Their rows stay; downloads of them fail. Find them in an older copy of the storage (bucket versions, a copy of DATA_DIR/files) and put them back under sha256/ab/<hash> (docs/deploy.md §7).`;
}
