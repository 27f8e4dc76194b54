/**
 * A catalog import's file kept between its dry run and its confirmation (Quản trị → Nhập đơn vị / Nhập danh mục thủ
 * tục). The unit tree and the catalog are hard to undo, so the screen shows the dry run first and writes only on
 * "Xác nhận nhập". The confirmation must apply exactly the file that was previewed, so the file stays on the server:
 * its bytes in file storage (src/storage, content-addressed), a row of staged_uploads owned by the administrator
 * naming it (which also keeps the blob from the storage GC) with the digest of the previewed plan, and the form
 * carries only that row's id and the file's SHA-256; a tampered hash or another account's id matches nothing, and a
 * parsed table is never taken from the client.
 * The confirmation applies what was previewed, or nothing: the import plans again inside its apply transaction and
 * writes only if the plan's digest is the staged one (shared/import-plan.ts). The row is claimed (deleted) in that
 * same transaction, first: of two confirmations of one dry run the second waits on the row and then finds nothing
 * (import_gone), and a confirmation that writes nothing (a changed plan, a row refused on writing, an error) rolls the
 * claim back, so the dry run stays confirmable until it expires. After a changed plan confirming again is refused
 * again unless the data is back as it was at the dry run: keeping the row costs nothing, and what is written is still
 * only what was approved.
 */
import crypto from 'node:crypto';
import { and, eq, gt, inArray, isNotNull } from 'drizzle-orm';
import { MAX_IMPORT_BYTES } from '../accounts/read-sheet.js';
import type { Db, Tx } from '../db/client.js';
import { stagedUploads } from '../db/schema/index.js';
import { BlobRefusedError, openBlob, putBlob } from '../storage/index.js';
import { FILE_TYPES } from './file-types.js';
import type { StaffActor } from './context.js';
import { AppError } from './errors.js';
import { cleanText } from './text.js';
import { isId } from './validate.js';

/** How long a dry run can be confirmed: ample for reading a report of a few thousand rows. */
export const STAGED_IMPORT_HOURS = 2;

export type StagedImport = { id: string; name: string; sha256: string };

const SHA256 = /^[0-9a-f]{64}$/;
/** What an import stages (stageImport); a staged reception scan (pdf, png, jpg) is not an import's to claim. */
const CSV_MIME = 'text/csv';
const IMPORT_MIMES = [CSV_MIME, FILE_TYPES.xlsx.mime];

const gone = () =>
  new AppError(
    'import_gone',
    'Tệp đã chạy thử không còn được giữ (đã nhập, quá hạn hoặc không hợp lệ). Vui lòng tải tệp lên và chạy thử lại.',
    409,
  );

/** Keeps a file that passed its dry run, with its plan's digest (planDigest), for the same administrator to confirm. */
export async function stageImport(
  db: Db,
  actor: StaffActor,
  file: { name: string; bytes: Uint8Array },
  planSha256: string,
  now: Date,
): Promise<StagedImport> {
  let stored: Awaited<ReturnType<typeof putBlob>>;
  try {
    stored = await putBlob(file.bytes, { maxBytes: MAX_IMPORT_BYTES });
  } catch (err) {
    if (err instanceof BlobRefusedError) throw new AppError('import_too_large', 'Tệp quá lớn (tối đa 5 MB).', 400);
    throw err;
  }
  const name = cleanText(file.name).slice(0, 200) || 'tep-nhap';
  const [row] = await db
    .insert(stagedUploads)
    .values({
      ownerAccountId: actor.accountId,
      name,
      // CSV has no signature to detect; the reader checks the content again on confirmation anyway.
      mime: stored.type?.kind === 'xlsx' ? stored.type.mime : CSV_MIME,
      size: stored.size,
      sha256: stored.sha256,
      planSha256,
      createdAt: now,
      expiresAt: new Date(now.getTime() + STAGED_IMPORT_HOURS * 3_600_000),
    })
    .returning({ id: stagedUploads.id });
  return { id: row!.id, name, sha256: stored.sha256 };
}

/** A staged import as its confirmation gets it: the file, the approved plan's digest, and the claim to run in the apply. */
export type OpenedImport = {
  id: string;
  name: string;
  sha256: string;
  bytes: Uint8Array;
  plan: string;
  /** Deletes the row inside the import's transaction; import_gone when it is no longer there (claimed, expired). */
  claim: (tx: Tx) => Promise<void>;
};

/**
 * Reads a staged file back for its confirmation, without taking it: the claim is the import transaction's (see the
 * top of this file). The bytes are hashed again (the storage must give back what was previewed). A row without a
 * plan digest (a reception scan, or staged before there was one) is not an import to confirm.
 */
export async function openStagedImport(db: Db, actor: StaffActor, ref: { id: string; sha256: string }, now: Date): Promise<OpenedImport> {
  const sha256 = ref.sha256.toLowerCase();
  if (!isId(ref.id) || !SHA256.test(sha256)) throw gone();
  const mine = and(
    eq(stagedUploads.id, ref.id),
    eq(stagedUploads.ownerAccountId, actor.accountId),
    eq(stagedUploads.sha256, sha256),
    gt(stagedUploads.expiresAt, now),
    inArray(stagedUploads.mime, IMPORT_MIMES),
    isNotNull(stagedUploads.planSha256),
  );
  const [row] = await db
    .select({ name: stagedUploads.name, size: stagedUploads.size, plan: stagedUploads.planSha256 })
    .from(stagedUploads)
    .where(mine);
  if (!row?.plan || row.size > MAX_IMPORT_BYTES) throw gone();
  const bytes = await readStored(sha256);
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== sha256) throw gone();
  const claim = async (tx: Tx) => {
    const taken = await tx.delete(stagedUploads).where(mine).returning({ id: stagedUploads.id });
    if (taken.length === 0) throw gone();
  };
  return { id: ref.id, name: row.name, sha256, bytes, plan: row.plan, claim };
}

async function readStored(sha256: string): Promise<Uint8Array> {
  try {
    const stream = await openBlob(sha256);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
    return new Uint8Array(Buffer.concat(chunks));
  } catch {
    throw gone();
  }
}
