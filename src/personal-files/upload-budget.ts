/**
 * THE UPLOAD BUDGET: how many bytes one citizen's requests may put into file storage over a rolling 24 hours, kept or
 * not (config PERSONAL_UPLOAD_DAILY_MB, default twice the quota; docs/decisions/0020). The quota (files.ts) bounds what
 * a citizen keeps; deleting frees it at once, and a refused or replaced upload leaves its blob behind until the
 * collector's grace period has passed (on S3, for ever). Without this budget, upload → delete → upload again filled
 * the disk while the page showed the quota nearly empty.
 *
 * storeCitizenUpload is the one way a citizen's upload reaches storage (personal files, draft documents of Nộp hồ sơ,
 * supplements; tests/upload-budget.test.ts finds any other caller of putBlob on the portal):
 * - before anything is streamed into storage, the bytes left in the window: none left refuses at once, and the stream
 *   stops where the budget ends;
 * - once stored, the upload's bytes are recorded (citizen_upload_volume) in a transaction of their own under the lock
 *   of the citizen's row the quota takes (lockQuotaOf), so a refusal after storing (the quota at draft save, a
 *   supplement no longer awaited) does not undo it; uploads that raced past the first check and together pass the
 *   budget are refused there, so what a citizen stores exceeds the budget by no more than the uploads in flight.
 * Every upload counts its full size, even content already stored (the same bytes again is no way round the budget).
 */
import { Readable } from 'node:stream';
import { and, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { citizenUploadVolume } from '../db/schema/index.js';
import type { FileKind } from '../shared/file-types.js';
import { BlobRefusedError, putBlob, type StoredBlob } from '../storage/index.js';
import { lockQuotaOf } from './files.js';

/** The rolling window of the budget. */
export const UPLOAD_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What the citizen reads, beside the file's field, when the budget refuses an upload. */
export const UPLOAD_BUDGET_REFUSAL = 'Bạn đã tải lên quá nhiều tệp trong 24 giờ qua. Vui lòng thử lại sau.';

/** The budget refused the upload: nothing of it was kept (stored past it, it was still counted). */
export class UploadBudgetSpent extends Error {
  constructor() {
    super('upload budget spent');
    this.name = 'UploadBudgetSpent';
  }
}

type Incoming = Parameters<typeof putBlob>[0];

/** The bytes a citizen's uploads stored in the window that ends at `now`. */
export async function uploadedBytesWithin(db: Queryable, citizenId: string, now: Date): Promise<number> {
  const [row] = await db
    .select({ bytes: sql<string>`coalesce(sum(${citizenUploadVolume.bytes}), 0)` })
    .from(citizenUploadVolume)
    .where(and(eq(citizenUploadVolume.citizenId, citizenId), gt(citizenUploadVolume.at, new Date(now.getTime() - UPLOAD_WINDOW_MS))));
  return Number(row?.bytes ?? 0);
}

/** May this citizen store more now: the bytes left of their budget (0 when spent). */
async function uploadBudgetLeft(db: Queryable, citizenId: string, dailyBytes: number, now: Date): Promise<number> {
  return Math.max(0, dailyBytes - (await uploadedBytesWithin(db, citizenId, now)));
}

/** An upload refused before it is read: its stream is closed (the spool file behind it is removed with the request). */
async function discard(input: Incoming): Promise<void> {
  if (input instanceof Readable) input.destroy();
  else if (!(input instanceof Uint8Array)) await input.cancel();
}

/**
 * Stores a citizen's upload within their budget (see the module comment) and the caller's limits (`maxBytes`, the
 * accepted kinds). Throws UploadBudgetSpent when the budget refuses it, BlobRefusedError for the caller's own reasons
 * (empty, past `maxBytes`, another kind).
 */
export async function storeCitizenUpload(
  db: Db,
  citizenId: string,
  input: Incoming,
  opts: { maxBytes: number; kinds: ReadonlySet<FileKind>; dailyBytes: number; now: Date },
): Promise<StoredBlob> {
  const left = await uploadBudgetLeft(db, citizenId, opts.dailyBytes, opts.now);
  if (left <= 0) {
    await discard(input);
    throw new UploadBudgetSpent();
  }
  let blob: StoredBlob;
  try {
    blob = await putBlob(input, { maxBytes: Math.min(opts.maxBytes, left), kinds: opts.kinds });
  } catch (err) {
    if (err instanceof BlobRefusedError && err.reason === 'too_large' && left < opts.maxBytes) throw new UploadBudgetSpent();
    throw err;
  }
  const within = await db.transaction(async (tx) => {
    await lockQuotaOf(tx, citizenId);
    const before = await uploadedBytesWithin(tx, citizenId, opts.now);
    await tx.insert(citizenUploadVolume).values({ citizenId, at: opts.now, bytes: blob.size });
    return before + blob.size <= opts.dailyBytes;
  });
  if (!within) throw new UploadBudgetSpent();
  return blob;
}

/** The job uploads.staged_purge: forgets the uploads older than the window; returns how many rows went. */
export async function purgeUploadVolume(db: Db, now: Date): Promise<number> {
  const removed = await db
    .delete(citizenUploadVolume)
    .where(lte(citizenUploadVolume.at, new Date(now.getTime() - UPLOAD_WINDOW_MS)))
    .returning({ id: citizenUploadVolume.id });
  return removed.length;
}
