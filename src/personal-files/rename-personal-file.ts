/**
 * Đổi tên a personal file: only its display name changes (NFC, cleaned, still ending in the extension of what the
 * file is). An issued file keeps its mark (source, agency, dossier): a name is the citizen's, the mark is not.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { personalFiles } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { CitizenActor } from '../shared/context.js';
import { safeFileName } from '../shared/file-types.js';
import { parseInput } from '../shared/validate.js';
import { NAME_MAX, liveFileOf, typeOfMime } from './files.js';

const RenameInput = z.object({
  name: z
    .string({ error: 'Vui lòng nhập tên tệp.' })
    .trim()
    .min(1, { error: 'Vui lòng nhập tên tệp.' })
    .max(NAME_MAX, { error: `Tên tệp tối đa ${NAME_MAX} ký tự.` }),
});

export async function renamePersonalFile(db: Db, actor: CitizenActor, fileId: string, input: { name?: string | undefined }) {
  const { name: typed } = parseInput(RenameInput, { name: input.name });
  return db.transaction(async (tx) => {
    const file = await liveFileOf(tx, actor.citizenId, fileId, { lock: true });
    const type = typeOfMime(file.mime);
    if (!type) throw new Error(`personal file ${file.id} has an unknown type`);
    const name = safeFileName(typed, type, 'tep');
    if (name !== file.name) {
      await tx.update(personalFiles).set({ name }).where(eq(personalFiles.id, file.id));
      await recordAudit(tx, { action: 'personal_file.rename', actor, targetType: 'personal_file', targetId: file.id, data: {} });
    }
    return { id: file.id, name };
  });
}
