/**
 * A document a citizen sends with a dossier (Nộp hồ sơ, Bổ sung): streamed into storage within the citizen's upload
 * budget over 24 hours (personal-files/upload-budget.ts, which also counts it), checked by size and by content as
 * personal files are; a refusal comes back as the Vietnamese message to show beside the field. A draft's upload also
 * stops where the citizen's quota ends (checked again, under a lock, when the draft is saved).
 */
import type { Db } from '../db/client.js';
import { MAX_PERSONAL_FILE_BYTES, PERSONAL_FILE_ALLOWED, PERSONAL_FILE_KINDS, sizeText } from '../personal-files/files.js';
import { storeCitizenUpload, UPLOAD_BUDGET_REFUSAL, UploadBudgetSpent } from '../personal-files/upload-budget.js';
import { safeFileName } from '../shared/file-types.js';
import { BlobRefusedError } from '../storage/index.js';
import type { DraftFile } from './submit-dossier.js';

export async function storeDocument(
  db: Db,
  upload: { name: string; stream: ReadableStream<Uint8Array> },
  fallbackName: string,
  limits: {
    citizenId: string;
    /** The citizen's upload budget over 24 hours (config personalFiles.uploadDailyBytes) and the request's time. */
    dailyBytes: number;
    now: Date;
    /** What is left of the quota, for a draft's upload (personal-files/files.ts): the stream stops there. */
    room?: { bytes: number; refusal: string };
  },
): Promise<{ stored: DraftFile } | { refused: string }> {
  const room = limits.room;
  const maxBytes = Math.min(MAX_PERSONAL_FILE_BYTES, room?.bytes ?? MAX_PERSONAL_FILE_BYTES);
  if (room && maxBytes <= 0) {
    await upload.stream.cancel();
    return { refused: room.refusal };
  }
  try {
    const blob = await storeCitizenUpload(db, limits.citizenId, upload.stream, {
      maxBytes,
      kinds: PERSONAL_FILE_KINDS,
      dailyBytes: limits.dailyBytes,
      now: limits.now,
    });
    if (!blob.type) throw new BlobRefusedError('type');
    return {
      stored: { sha256: blob.sha256, size: blob.size, mime: blob.type.mime, name: safeFileName(upload.name, blob.type, fallbackName) },
    };
  } catch (err) {
    if (err instanceof UploadBudgetSpent) return { refused: UPLOAD_BUDGET_REFUSAL };
    if (!(err instanceof BlobRefusedError)) throw err;
    if (err.reason === 'empty') return { refused: 'Tệp rỗng, vui lòng chọn tệp khác.' };
    if (err.reason === 'too_large') {
      return {
        refused: room && maxBytes < MAX_PERSONAL_FILE_BYTES ? room.refusal : `Tệp quá lớn (tối đa ${sizeText(MAX_PERSONAL_FILE_BYTES)}).`,
      };
    }
    return { refused: `Loại tệp không được nhận. Chỉ nhận ${PERSONAL_FILE_ALLOWED}.` };
  }
}
