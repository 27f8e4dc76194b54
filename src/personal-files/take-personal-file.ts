/**
 * For the portal's submission: a citizen's live file, to be copied into their dossier inside the caller's
 * transaction. The dossier's own row names the same content-addressed blob (sha256), so deleting the personal file
 * later leaves the dossier's copy whole. Another citizen's file id is refused exactly like a missing one.
 */
import type { Queryable } from '../db/client.js';
import { liveFileOf } from './files.js';

/** What the citizen reads beside their choice when the file picked is not (or no longer) one of their live files. */
export const PICKED_FILE_GONE = 'Tệp đã chọn không còn trong Quản lý tập tin cá nhân (có thể đã bị xóa). Vui lòng chọn lại.';

export type TakenFile = { sha256: string; name: string; mime: string; size: number };

export async function takePersonalFile(tx: Queryable, citizenId: string, fileId: string): Promise<TakenFile> {
  // Locked for the caller's transaction: a deletion at the same moment waits for the submission (or the reverse).
  const file = await liveFileOf(tx, citizenId, fileId, { lock: true });
  return { sha256: file.sha256, name: file.name, mime: file.mime, size: file.size };
}
