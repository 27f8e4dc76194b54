/**
 * Xóa a personal file: soft, so a dossier that used it keeps its copy (it names the same content-addressed blob).
 * The file leaves the list and the quota at once; an issued file may be deleted too.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { personalFiles } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { CitizenActor } from '../shared/context.js';
import { liveFileOf } from './files.js';

export async function deletePersonalFile(db: Db, actor: CitizenActor, fileId: string, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const file = await liveFileOf(tx, actor.citizenId, fileId, { lock: true });
    await tx.update(personalFiles).set({ deletedAt: now }).where(eq(personalFiles.id, file.id));
    await recordAudit(tx, {
      action: 'personal_file.delete',
      actor,
      targetType: 'personal_file',
      targetId: file.id,
      data: { source: file.source, size: file.size },
    });
  });
}
