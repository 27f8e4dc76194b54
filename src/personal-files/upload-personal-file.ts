/**
 * Tải lên a personal file: streamed into storage (src/storage) within the size cap, what is left of the quota and of
 * the citizen's upload budget over 24 hours (upload-budget.ts), recognised by its content, then recorded with its
 * audit row in one transaction. A refused file (empty, unknown type, too large, over quota or budget) is not stored;
 * the quota is checked again under a lock of the citizen's row, so two uploads at once cannot both take the last
 * megabytes (a file stored and then refused there still counts against the budget).
 */
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { personalFiles } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { CitizenActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { safeFileName } from '../shared/file-types.js';
import { parseInput } from '../shared/validate.js';
import { BlobRefusedError, type IncomingFile, type StoredBlob } from '../storage/index.js';
import {
  MAX_PERSONAL_FILE_BYTES,
  NAME_MAX,
  PERSONAL_FILE_ALLOWED,
  PERSONAL_FILE_KINDS,
  type PersonalFilesQuota,
  sizeText,
  lockQuotaOf,
  quotaRefusal,
  usageOf,
} from './files.js';
import { storeCitizenUpload, UPLOAD_BUDGET_REFUSAL, UploadBudgetSpent } from './upload-budget.js';

const fileError = (code: string, message: string, status: number) => new AppError(code, message, status, { file: message });

const missing = () => fileError('file_missing', 'Vui lòng chọn tệp cần tải lên.', 400);
const empty = () => fileError('file_empty', 'Tệp đã chọn không có nội dung (0 byte). Vui lòng chọn tệp khác.', 400);
const tooLarge = () => fileError('file_too_large', `Tệp quá lớn: mỗi tệp tối đa ${sizeText(MAX_PERSONAL_FILE_BYTES)}.`, 413);
const wrongType = () =>
  fileError('file_type_not_allowed', `Nội dung tệp không đúng định dạng cho phép. Chỉ nhận tệp ${PERSONAL_FILE_ALLOWED}.`, 415);
const overQuota = (message: string) => fileError('quota_exceeded', message, 409);
const overBudget = () => fileError('upload_budget_exceeded', UPLOAD_BUDGET_REFUSAL, 429);

const UploadInput = z.object({
  displayName: z
    .string()
    .max(NAME_MAX, { error: `Tên tệp tối đa ${NAME_MAX} ký tự.` })
    .optional(),
});

export type PersonalFileUploadInput = {
  file: IncomingFile | null;
  /** The name the citizen typed for it; blank: the file's own name. */
  displayName?: string | undefined;
};

/** Refuses the upload when the quota (drafts' files included) cannot take `size` more bytes and one more file. */
function checkQuota(usage: { bytes: number; files: number }, size: number, quota: PersonalFilesQuota) {
  const refused = quotaRefusal(usage, size, quota);
  if (refused) throw overQuota(refused);
}

export async function uploadPersonalFile(
  db: Db,
  actor: CitizenActor,
  input: PersonalFileUploadInput,
  quota: PersonalFilesQuota,
  now: Date,
): Promise<{ id: string; name: string }> {
  const { displayName } = parseInput(UploadInput, { displayName: input.displayName });
  const file = input.file;
  if (!file) throw missing();
  // Before storing anything: a full quota refuses at once, and the stream stops where the quota ends.
  const usage = await usageOf(db, actor.citizenId);
  checkQuota(usage, 1, quota);
  const left = quota.quotaBytes - usage.bytes;
  const maxBytes = Math.min(MAX_PERSONAL_FILE_BYTES, left);
  let blob: StoredBlob;
  try {
    blob = await storeCitizenUpload(db, actor.citizenId, 'bytes' in file ? file.bytes : file.stream, {
      maxBytes,
      kinds: PERSONAL_FILE_KINDS,
      dailyBytes: quota.uploadDailyBytes,
      now,
    });
  } catch (err) {
    if (err instanceof UploadBudgetSpent) throw overBudget();
    if (!(err instanceof BlobRefusedError)) throw err;
    if (err.reason === 'empty') throw empty();
    if (err.reason === 'too_large')
      throw maxBytes < MAX_PERSONAL_FILE_BYTES ? overQuota(quotaRefusal(usage, maxBytes + 1, quota)!) : tooLarge();
    throw wrongType();
  }
  const type = blob.type;
  if (!type) throw wrongType(); // storage refuses unknown kinds already; kept for the type checker
  const name = safeFileName(displayName?.trim() ? displayName : file.name, type, 'tep');
  // The blob is stored before the transaction (docs/decisions/0012): if the quota refuses now, it stays unreferenced.
  return db.transaction(async (tx) => {
    await lockQuotaOf(tx, actor.citizenId);
    checkQuota(await usageOf(tx, actor.citizenId), blob.size, quota);
    const [row] = await tx
      .insert(personalFiles)
      .values({
        citizenId: actor.citizenId,
        name,
        mime: type.mime,
        size: blob.size,
        sha256: blob.sha256,
        source: 'upload',
        createdAt: now,
      })
      .returning({ id: personalFiles.id });
    if (!row) throw new Error('personal file not inserted');
    // No name of the file: the log cannot be erased, the file's row can.
    await recordAudit(tx, {
      action: 'personal_file.upload',
      actor,
      targetType: 'personal_file',
      targetId: row.id,
      data: { kind: type.kind, size: blob.size },
    });
    return { id: row.id, name };
  });
}
