/**
 * A catalog import's file kept between its dry run and its confirmation (Quản trị → Nhập đơn vị / Nhập danh mục thủ
 * tục). The unit tree and the catalog are hard to undo, so the screen shows the dry run first and writes only on
 * "Xác nhận nhập". The confirmation must apply exactly the file that was previewed, so the file stays on the server:
 * its bytes in file storage (src/storage, content-addressed), a row of staged_uploads owned by the administrator
 * naming it (which also keeps the blob from the storage GC), and the form carries only that row's id and the
 * file's SHA-256. Claiming deletes the row in one statement: a replayed or doubled confirmation finds nothing, a
 * tampered hash or another account's id matches nothing, and a parsed table is never taken from the client.
 */
import crypto from 'node:crypto';
import { and, eq, gt, inArray } from 'drizzle-orm';
import { MAX_IMPORT_BYTES } from '../accounts/read-sheet.js';
import type { Db } from '../db/client.js';
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

/** Keeps a file that passed its dry run, for the same administrator to confirm. */
export async function stageImport(db: Db, actor: StaffActor, file: { name: string; bytes: Uint8Array }, now: Date): Promise<StagedImport> {
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
      createdAt: now,
      expiresAt: new Date(now.getTime() + STAGED_IMPORT_HOURS * 3_600_000),
    })
    .returning({ id: stagedUploads.id });
  return { id: row!.id, name, sha256: stored.sha256 };
}

/**
 * Takes the staged file back, once: the row is deleted as it is read, so of two confirmations of one dry run only
 * one gets the file. The bytes are hashed again (the storage must give back what was previewed).
 */
export async function claimImport(
  db: Db,
  actor: StaffActor,
  ref: { id: string; sha256: string },
  now: Date,
): Promise<{ name: string; sha256: string; bytes: Uint8Array }> {
  const sha256 = ref.sha256.toLowerCase();
  if (!isId(ref.id) || !SHA256.test(sha256)) throw gone();
  const [row] = await db
    .delete(stagedUploads)
    .where(
      and(
        eq(stagedUploads.id, ref.id),
        eq(stagedUploads.ownerAccountId, actor.accountId),
        eq(stagedUploads.sha256, sha256),
        gt(stagedUploads.expiresAt, now),
        inArray(stagedUploads.mime, IMPORT_MIMES),
      ),
    )
    .returning({ name: stagedUploads.name, size: stagedUploads.size });
  if (!row || row.size > MAX_IMPORT_BYTES) throw gone();
  const bytes = await readStored(sha256);
  if (crypto.createHash('sha256').update(bytes).digest('hex') !== sha256) throw gone();
  return { name: row.name, sha256, bytes };
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
