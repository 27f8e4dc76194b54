/**
 * A document a citizen sends with a dossier (Nộp hồ sơ, Bổ sung): streamed into storage, checked by size and by
 * content as personal files are; a refusal comes back as the Vietnamese message to show beside the field. A draft's
 * upload also stops where the citizen's quota ends (checked again, under a lock, when the draft is saved).
 */
import { MAX_PERSONAL_FILE_BYTES, PERSONAL_FILE_ALLOWED, PERSONAL_FILE_KINDS, sizeText } from '../personal-files/files.js';
import { safeFileName } from '../shared/file-types.js';
import { BlobRefusedError, putBlob } from '../storage/index.js';
import type { DraftFile } from './submit-dossier.js';

export async function storeDocument(
  upload: { name: string; stream: ReadableStream<Uint8Array> },
  fallbackName: string,
  /** What is left of the quota, for a draft's upload (personal-files/files.ts): the stream stops there. */
  room?: { bytes: number; refusal: string },
): Promise<{ stored: DraftFile } | { refused: string }> {
  const maxBytes = Math.min(MAX_PERSONAL_FILE_BYTES, room?.bytes ?? MAX_PERSONAL_FILE_BYTES);
  if (room && maxBytes <= 0) {
    await upload.stream.cancel();
    return { refused: room.refusal };
  }
  try {
    const blob = await putBlob(upload.stream, { maxBytes, kinds: PERSONAL_FILE_KINDS });
    if (!blob.type) throw new BlobRefusedError('type');
    return {
      stored: { sha256: blob.sha256, size: blob.size, mime: blob.type.mime, name: safeFileName(upload.name, blob.type, fallbackName) },
    };
  } catch (err) {
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
