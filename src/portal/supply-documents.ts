/**
 * Bổ sung hồ sơ: the applicant answers Mẫu 02 by sending what is missing. The files join the dossier and the
 * workflow's supplement_received runs as the applicant (the clock resumes with the working time that was left) in
 * one transaction: the files without the resumption, or the reverse, never exist. A file picked from Quản lý tập tin
 * cá nhân that is no longer there (deleted in another tab since the page was shown) is said beside the choice, and
 * nothing of the request is kept.
 */
import type { Db } from '../db/client.js';
import { dossierFiles } from '../db/schema/index.js';
import { loadCalendarInTransaction } from '../calendar/load.js';
import type { CitizenActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { cleanOptional, cutText } from '../shared/text.js';
import { isId } from '../shared/validate.js';
import { applyAction } from '../dossiers/act-on-dossier.js';
import { liveFileOf } from '../personal-files/files.js';
import { PICKED_FILE_GONE, takePersonalFile } from '../personal-files/take-personal-file.js';
import { requireCitizenDossier } from './citizen-dossiers.js';
import type { DraftFile } from './submit-dossier.js';

/** The picked file's not-found as the form's field error: the page is shown again with what was typed, not a 404. */
async function pickedOrRefused<T>(find: () => Promise<T>): Promise<T> {
  try {
    return await find();
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') throw errors.validation({ pick: PICKED_FILE_GONE });
    throw err;
  }
}

/**
 * Before the request's upload is stored: the files picked are still the citizen's, so one deleted since the page was
 * shown refuses the request before its upload is stored and counted against the upload budget. supplyDocuments
 * checks again, under lock: a deletion between the two is refused there all the same.
 */
export async function checkPickedFiles(db: Db, actor: CitizenActor, personalFileIds: string[]): Promise<void> {
  for (const id of personalFileIds) await pickedOrRefused(() => liveFileOf(db, actor.citizenId, id));
}

export async function supplyDocuments(
  db: Db,
  actor: CitizenActor,
  dossierId: string,
  given: { stored: DraftFile[]; personalFileIds: string[] },
  rawNote: string | undefined,
  now: Date,
) {
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  if (given.stored.length === 0 && given.personalFileIds.length === 0) {
    throw errors.validation({ file: 'Vui lòng tải lên hoặc chọn ít nhất một tệp bổ sung.' });
  }
  // Cut whole: a cut inside a surrogate pair would store U+FFFD in the dossier's history.
  const typed = cleanOptional(rawNote);
  const note = typed === null ? null : cutText(typed, 2000);
  return db.transaction(async (tx) => {
    // Before the dossier row is locked (a calendar change locks it after the calendar lock): the clock resumes on the
    // calendar in force when this commits.
    const calendar = await loadCalendarInTransaction(tx, now);
    const d = await requireCitizenDossier(tx, actor, dossierId, true);
    const picked = await Promise.all(given.personalFileIds.map((id) => pickedOrRefused(() => takePersonalFile(tx, actor.citizenId, id))));
    const files = [...given.stored, ...picked].map((f) => ({
      dossierId: d.id,
      kind: 'supplement' as const,
      documentLabel: 'Hồ sơ bổ sung',
      ...f,
      uploadedByCitizen: actor.citizenId,
      uploadedAt: now,
    }));
    const after = await applyAction(tx, actor, d.id, { action: 'supplement_received', note, items: [] }, calendar, now);
    await tx.insert(dossierFiles).values(files);
    return after;
  });
}
