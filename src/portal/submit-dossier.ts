/**
 * Nộp hồ sơ trực tuyến: the draft (what was typed and the files given, kept across refusals and visits) and the
 * submission that turns it into a dossier waiting in the agency's reception queue (Mới đăng ký, tab Chờ tiếp nhận).
 * Its code is given at once, so the citizen has a reference; the due date counts from the agency's acceptance
 * (act-on-dossier.ts: accept starts the clock). A double click or a retry with the same form key makes one dossier.
 */
import { and, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import {
  citizens,
  dossierDrafts,
  dossierEvents,
  dossierFiles,
  dossiers,
  type ProcedureDocument,
  procedureVersions,
  units,
} from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { loadCalendar } from '../calendar/load.js';
import { dueAt } from '../calendar/deadlines.js';
import { localDate } from '../calendar/working-time.js';
import { actorColumns, type CitizenActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { CONTROL_CHARS_MESSAGE, cutText, foldVietnamese, hasControlChars } from '../shared/text.js';
import { isFormKey, isId } from '../shared/validate.js';
import { newLookupCode, nextDossierCode } from '../dossiers/dossier-code.js';
import { recordSubmittedComponents } from '../dossiers/dossier-components.js';
import { stepDueAt, stepPosition } from '../dossiers/steps.js';
import { OPEN_STATUSES } from '../dossiers/transitions.js';
import { takePersonalFile } from '../personal-files/take-personal-file.js';
import { type PersonalFilesQuota, lockQuotaOf, quotaRefusal, usageOf } from '../personal-files/files.js';
import { todayInVietnam } from '../shared/dates.js';
import { DRAFT_FIELDS, SubmissionFields, type SubmissionFieldsValue, principalErrors } from './submission-input.js';
import { provenIdentity } from './citizen-dossiers.js';
import { answerName, checkDeclaration, closed, typedAnswers } from './declaration-input.js';
import { enqueueNationalPush } from '../national-portal/push.js';

export type DraftFile = { sha256: string; name: string; mime: string; size: number };
export type Draft = typeof dossierDrafts.$inferSelect;

/** A document given in this request: a file just stored, or one of the citizen's personal files. */
export type GivenDocument = { index: number; stored: DraftFile } | { index: number; personalFileId: string };

/** The procedure's current version, if it takes online dossiers. */
export async function onlineVersion(db: Queryable, procedureId: string) {
  if (!isId(procedureId)) return null;
  const [v] = await db
    .select()
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.current, true)));
  return v ?? null;
}

/**
 * How many document fields a form of this procedure may send: the most any of its versions has (at least one). A form
 * opened on an older version with more documents than the current one is read whole, so that its files are moved by
 * name or named as not carried over (saveDraft) — not refused as files of no field, which lost the whole form.
 */
export async function mostDocumentsOf(db: Queryable, procedureId: string): Promise<number> {
  if (!isId(procedureId)) return 1;
  const versions = await db
    .select({ documents: procedureVersions.documents })
    .from(procedureVersions)
    .where(eq(procedureVersions.procedureId, procedureId));
  return Math.max(1, ...versions.map((v) => v.documents.length));
}

/** The number of documents of the version a form was opened on (its hidden field), 0 if none has that number. */
export async function formDocumentCount(db: Queryable, procedureId: string, formVersion: number): Promise<number> {
  if (!isId(procedureId)) return 0;
  return (await documentsOf(db, procedureId, { number: formVersion })).length;
}

/** The message of a form or draft made on another version of the procedure than the current one. */
export const PROCEDURE_CHANGED_MESSAGE =
  'Thủ tục vừa được cập nhật: thành phần hồ sơ có thể đã thay đổi. Vui lòng kiểm tra lại giấy tờ và nộp lại.';

/**
 * A document of an older version of the procedure that the current one no longer has (dropped, or renamed: documents
 * are matched by name), and the file the citizen had given for it: not carried over to the current version's form,
 * and said beside it (submission-routes.tsx) — never dropped unseen. `file`: the file's name, null for a personal file
 * picked on a stale form (it was never taken: it stays in Quản lý tập tin cá nhân).
 */
export type DroppedDocument = { document: string; file: string | null };

/**
 * The refusal of a draft of another version: by then the draft was brought to the current version
 * (draftToCurrentVersion), and `dropped` names what it could not carry over.
 */
export class ProcedureChangedError extends AppError {
  constructor(readonly dropped: DroppedDocument[]) {
    super('procedure_changed', PROCEDURE_CHANGED_MESSAGE, 409);
  }
}

/**
 * Where each document of an older version of the procedure is in `current`, by name (a document keeps its name across
 * versions; its position does not): documents no longer asked for, or renamed, have no place. Two of one name pair in
 * order.
 */
function documentMoves(older: ProcedureDocument[], current: ProcedureDocument[]): Map<number, number> {
  const moves = new Map<number, number>();
  const taken = new Set<number>();
  older.forEach((doc, i) => {
    const j = current.findIndex((d, k) => !taken.has(k) && d.name === doc.name);
    if (j >= 0) {
      moves.set(i, j);
      taken.add(j);
    }
  });
  return moves;
}

/** The documents of one version of the procedure: by its id (a draft's), or its number (a form's hidden field). */
async function documentsOf(db: Queryable, procedureId: string, which: { id: string } | { number: number }) {
  const [v] = await db
    .select({ documents: procedureVersions.documents })
    .from(procedureVersions)
    .where(
      'id' in which
        ? eq(procedureVersions.id, which.id)
        : and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.version, which.number)),
    );
  return v?.documents ?? [];
}

/**
 * A draft's files under the current version's documents: as they are when the draft is of it, else moved by document
 * name (documentMoves) — never by position, which after a reordering named a file as another document. `stale`: the
 * draft was of another version (the form says so, submitOnline refuses it as it is). `dropped`: the files of its
 * documents the current version no longer has, which have no place in it (the form names them).
 */
export async function draftFilesUnder(
  db: Queryable,
  draft: Pick<Draft, 'procedureId' | 'procedureVersionId' | 'files'> | null,
  version: Version,
): Promise<{ files: Record<string, DraftFile>; stale: boolean; dropped: DroppedDocument[] }> {
  if (!draft) return { files: {}, stale: false, dropped: [] };
  if (draft.procedureVersionId === null || draft.procedureVersionId === version.id) {
    return { files: draft.files, stale: false, dropped: [] };
  }
  const older = await documentsOf(db, draft.procedureId, { id: draft.procedureVersionId });
  const moves = documentMoves(older, version.documents);
  const files: Record<string, DraftFile> = {};
  const dropped: DroppedDocument[] = [];
  for (const [i, f] of Object.entries(draft.files)) {
    const j = moves.get(Number(i));
    if (j !== undefined) files[String(j)] = f;
    else dropped.push({ document: documentName(older, Number(i)), file: f.name });
  }
  return { files, stale: true, dropped };
}

/** A document's name in its version (a number if that version no longer says: never expected). */
const documentName = (documents: ProcedureDocument[], index: number) => documents[index]?.name ?? `Giấy tờ số ${index + 1}`;

/**
 * Brings the citizen's draft of this procedure to its current version, in one transaction: its files moved to the same
 * documents by name (draftFilesUnder), those of documents the current version no longer has left out (their uploads,
 * named by no row any more, are collected by storage.gc like every unused upload; a file taken from Quản lý tập tin cá
 * nhân stays there: the draft only named its content), its version set. The row is read again under its lock, as
 * saveDraft does: a save from another tab meanwhile (already under the current version) is left as it is, and one
 * draft is never moved twice. Another citizen's draft is never read (the citizen's own row only).
 */
async function draftToCurrentVersion(
  db: Db,
  actor: CitizenActor,
  procedureId: string,
  now: Date,
): Promise<{ draft: Draft | null; dropped: DroppedDocument[] }> {
  if (!isId(procedureId)) return { draft: null, dropped: [] };
  return db.transaction(async (tx) => {
    const [draft] = await tx
      .select()
      .from(dossierDrafts)
      .where(and(eq(dossierDrafts.citizenId, actor.citizenId), eq(dossierDrafts.procedureId, procedureId)))
      .for('update');
    if (!draft) return { draft: null, dropped: [] };
    const version = await onlineVersion(tx, procedureId);
    if (!version) return { draft, dropped: [] };
    const under = await draftFilesUnder(tx, draft, version);
    if (!under.stale) return { draft, dropped: [] };
    const [moved] = await tx
      .update(dossierDrafts)
      .set({ procedureVersionId: version.id, files: under.files, updatedAt: nextVersionAt(draft, now) })
      .where(eq(dossierDrafts.id, draft.id))
      .returning();
    return { draft: moved!, dropped: under.dropped };
  });
}

/**
 * The typed fields a draft cannot keep: a control character (NUL cannot be stored in jsonb, and no typed text holds
 * one), refused beside its field before anything of the request is stored. Only the fields a draft keeps are read.
 */
export function unreadableFields(version: Version, typed: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const k of [...DRAFT_FIELDS, ...version.declaration.map((f) => answerName(f.key))]) {
    const v = typed[k];
    if (typeof v === 'string' && hasControlChars(v)) errors[k] = CONTROL_CHARS_MESSAGE;
  }
  return errors;
}

/**
 * The dossier a form key already made, if any: that form sent again (a retry, a double tap, Back then resend) is
 * answered with it. A key is one form's: another citizen's key is a stale (or forged) form, never their dossier.
 */
export async function dossierOfForm(db: Queryable, actor: CitizenActor, submissionKey: string) {
  if (!isFormKey(submissionKey)) return null;
  const [d] = await db.select().from(dossiers).where(eq(dossiers.submissionKey, submissionKey));
  if (d && d.citizenId !== actor.citizenId) throw staleForm();
  return d ?? null;
}

const staleForm = () => new AppError('stale_form', 'Biểu mẫu đã cũ. Vui lòng tải lại trang và nộp lại.', 400);

export async function loadDraft(db: Queryable, actor: CitizenActor, procedureId: string): Promise<Draft | null> {
  if (!isId(procedureId)) return null;
  const [d] = await db
    .select()
    .from(dossierDrafts)
    .where(and(eq(dossierDrafts.citizenId, actor.citizenId), eq(dossierDrafts.procedureId, procedureId)));
  return d ?? null;
}

/** How far back the form remembers a submission of the same procedure (recentSubmission). */
const RECENT_SUBMISSION_MS = 24 * 3_600_000;

/**
 * The citizen's latest online dossier of this procedure submitted in the last 24 hours and still open, if any. After
 * Nộp hồ sơ the draft is consumed, and Back showed the form empty, as if the dossier had been lost — while the browser
 * had put the chosen photos back in its file fields, so one more tap on Nộp hồ sơ made a second dossier under a new
 * form key. The form says this one, and another submission of the procedure needs the applicant to tick that it is a
 * new one. One withdrawn, refused or finished is no reason to ask. `formKey`: the key of the form being sent — when a
 * dossier of the citizen's already carries it, this is that form sent again (a double tap, a retry), which
 * submitOnline answers with that dossier, so there is nothing to ask (null).
 */
export async function recentSubmission(db: Queryable, actor: CitizenActor, procedureId: string, now: Date, formKey?: string) {
  if (!isId(procedureId)) return null;
  if (formKey !== undefined && isId(formKey)) {
    const [own] = await db
      .select({ id: dossiers.id })
      .from(dossiers)
      .where(and(eq(dossiers.citizenId, actor.citizenId), eq(dossiers.submissionKey, formKey)));
    if (own) return null;
  }
  const [d] = await db
    .select({ id: dossiers.id, code: dossiers.code, createdAt: dossiers.createdAt, submissionKey: dossiers.submissionKey })
    .from(dossiers)
    .where(
      and(
        eq(dossiers.citizenId, actor.citizenId),
        eq(dossiers.procedureId, procedureId),
        eq(dossiers.channel, 2),
        inArray(dossiers.status, [...OPEN_STATUSES]),
        gt(dossiers.createdAt, new Date(now.getTime() - RECENT_SUBMISSION_MS)),
      ),
    )
    .orderBy(desc(dossiers.createdAt))
    .limit(1);
  return d ?? null;
}

/**
 * A draft's version, as its form carries it (hidden `draftVersion`): its updatedAt in milliseconds, '' for no draft. A
 * save always moves updatedAt forward (nextVersionAt), so each save is a new version.
 */
export const draftVersionOf = (draft: Pick<Draft, 'updatedAt'> | null): string => (draft ? String(draft.updatedAt.getTime()) : '');

/**
 * The time a write of the draft sets: now, or 1 ms past the draft's own time when the clock has not moved past it (two
 * saves in one millisecond, a clock set back): the version a form carries must tell every save apart.
 */
const nextVersionAt = (old: Pick<Draft, 'updatedAt'> | null | undefined, now: Date): Date =>
  old && old.updatedAt.getTime() >= now.getTime() ? new Date(old.updatedAt.getTime() + 1) : now;

/**
 * The draft field naming the form key of the request that last saved it (set by saveDraft, never typed: it is not a
 * DRAFT_FIELDS name, so no form writes it). A save from that same form (a double tap on Nộp hồ sơ, a retry after a lost
 * answer) carries the version the page showed before its own first save: it is that form again, not a stale one.
 */
const SAVED_BY = 'savedByForm';

/** What the citizen typed into a draft, without the bookkeeping saveDraft keeps beside it (SAVED_BY): e.g. for their export. */
export function typedDraftFields(fields: Record<string, string>): Record<string, string> {
  const { [SAVED_BY]: _form, ...typed } = fields;
  return typed;
}

export const DRAFT_CHANGED_MESSAGE =
  'Bản nháp đã được thay đổi ở một cửa sổ khác; biểu mẫu đã được tải lại với nội dung mới nhất. Vui lòng kiểm tra và lưu lại.';

/** A save or submit from a form older than the draft (another tab saved since): refused, nothing written. */
export class DraftChangedError extends AppError {
  constructor() {
    super('draft_changed', DRAFT_CHANGED_MESSAGE, 409);
  }
}

/**
 * Whether a form is older than the citizen's draft: the draft exists and was last saved by another form, and the form
 * carries another version than the draft's — or none (a page from before any draft existed, or from before forms
 * carried it). Its fields would erase what the other tab saved, so it is refused, as officials' stale forms are.
 */
export function draftChangedSince(
  draft: Pick<Draft, 'updatedAt' | 'fields'> | null,
  form: { key: string; seen: string | undefined },
): boolean {
  if (!draft) return false;
  if (draft.fields[SAVED_BY] === form.key) return false;
  return form.seen !== draftVersionOf(draft);
}

/** What the form that posted a save was: its key (hidden `submissionKey`) and the draft version it showed. */
export type DraftForm = {
  key: string;
  /** The hidden `draftVersion` as posted (undefined when the form has none). */
  seen: string | undefined;
  /** The procedure's version the form was opened on (its hidden `version`; absent from a form older than it). */
  procedureVersion?: number | undefined;
  /**
   * Sent with a lapsed session (auth/sessions.ts lapsedCitizenOf): it only fills what the draft has empty — no saved
   * value, file or principal is changed by a token that no longer proves the citizen is there, so it erases nothing
   * newer and is not refused as stale.
   */
  lapsed?: boolean;
};

export type SavedDraft = { draft: Draft; refused: Record<string, string>; stale: boolean; dropped: DroppedDocument[] };

/**
 * Lưu nháp: keep the typed fields as typed (even invalid ones, to correct them) and the documents given. A personal
 * file is checked to be the citizen's (another's id answers not found). `removed` takes documents out again.
 * Files uploaded for a draft count against the citizen's personal-files quota (personal-files/files.ts usageOf),
 * checked under the lock of the citizen's row: a new upload the quota cannot take is left out of the draft and
 * named in `refused` beside its field, and everything else is saved (its blob, unreferenced, is collected later).
 * The draft is kept under the current version: `formVersion` is the version the form was opened on (its hidden field;
 * absent from a form older than it). A form or a saved draft of another version has its documents moved by name
 * (draftFilesUnder), never by position, and `stale` says so: such a post is not submitted until the citizen has seen
 * the form as it is now; `dropped` names the files that had no place under it (a document the current version no longer
 * has): given on a stale form or kept in the draft, they are not kept (nothing invisible stays in the draft, and what
 * was uploaded for them is collected like any unused upload). A typed field with a control character is refused
 * (unreadableFields) and nothing written.
 *
 * Under the lock of the citizen's row (taken first: two first saves, with no draft row to lock yet, wait for each
 * other too) and of the draft's, before anything is written:
 * - a form whose key already made a dossier (`submitted`) writes nothing: it is a double tap or a retry of Nộp hồ sơ
 *   that stored its files while the first request submitted the draft; saved, it left a draft no one sees, its files
 *   counted against the quota and the submitted values pre-filled on the next form. Its uploads, named by no row, are
 *   collected by storage.gc like every discarded upload (they stay counted in the 24-hour upload budget, as every
 *   stored upload does);
 * - a form older than the draft (draftChangedSince) is refused with DraftChangedError, nothing written.
 */
export async function saveDraft(
  db: Db,
  actor: CitizenActor,
  procedureId: string,
  typed: Record<string, string>,
  givenOnForm: GivenDocument[],
  removedOnForm: number[],
  now: Date,
  quota: PersonalFilesQuota,
  form: DraftForm,
): Promise<({ submitted: null } & SavedDraft) | { submitted: typeof dossiers.$inferSelect }> {
  const lapsed = form.lapsed ?? false;
  const formVersion = form.procedureVersion;
  const version = await onlineVersion(db, procedureId);
  if (!version) throw errors.notFound('Thủ tục');
  const unreadable = unreadableFields(version, typed);
  if (Object.keys(unreadable).length) throw errors.validation(unreadable);
  const formStale = formVersion !== undefined && formVersion !== version.version;
  let given = givenOnForm;
  let removed = removedOnForm;
  const droppedOnForm: DroppedDocument[] = [];
  if (formStale) {
    // The indexes of this form are its version's documents: each given file goes to the same document now, if any;
    // one given for a document the current version no longer has is named (dropped), not kept.
    const older = await documentsOf(db, procedureId, { number: formVersion });
    const moves = documentMoves(older, version.documents);
    given = givenOnForm.flatMap((g) => {
      const index = moves.get(g.index);
      if (index === undefined) droppedOnForm.push({ document: documentName(older, g.index), file: 'stored' in g ? g.stored.name : null });
      return index === undefined ? [] : [{ ...g, index }];
    });
    removed = removedOnForm.flatMap((i) => moves.get(i) ?? []);
  }
  const fields: Record<string, string> = {};
  for (const k of DRAFT_FIELDS) if (typeof typed[k] === 'string') fields[k] = cutText(typed[k], 1000);
  // The tờ khai's answers: only the current version's fields (a stray name is dropped, the route says so).
  Object.assign(fields, typedAnswers(version.declaration, typed));
  fields.procedureId = procedureId;
  return db.transaction(async (tx) => {
    await lockQuotaOf(tx, actor.citizenId);
    const [old] = await tx
      .select()
      .from(dossierDrafts)
      .where(and(eq(dossierDrafts.citizenId, actor.citizenId), eq(dossierDrafts.procedureId, procedureId)))
      .for('update');
    // Read after the locks: a submission of this form that consumed the draft meanwhile has committed its dossier.
    const made = await dossierOfForm(tx, actor, form.key);
    if (made) return { submitted: made };
    if (!lapsed && draftChangedSince(old ?? null, form)) throw new DraftChangedError();
    const kept = await draftFilesUnder(tx, old ?? null, version);
    const stale = formStale || kept.stale;
    const dropped = [...kept.dropped, ...droppedOnForm];
    const files: Record<string, DraftFile> = { ...kept.files };
    if (!lapsed) for (const i of removed) delete files[String(i)];
    for (const g of given) {
      if (g.index < 0 || g.index >= version.documents.length) continue;
      if (lapsed && files[String(g.index)]) continue;
      files[String(g.index)] = 'stored' in g ? g.stored : await takePersonalFile(tx, actor.citizenId, g.personalFileId);
    }
    if (lapsed && old) {
      const saved = old.fields;
      for (const k of Object.keys(fields)) {
        if (notFromLapsed(k) || saved[k]) fields[k] = saved[k] ?? '';
      }
      for (const [k, v] of Object.entries(saved)) fields[k] ??= v;
    } else if (lapsed) {
      for (const k of Object.keys(fields)) if (notFromLapsed(k)) delete fields[k];
    }
    fields[SAVED_BY] = form.key;
    const updatedAt = nextVersionAt(old, now);
    const write = async (files: Record<string, DraftFile>) =>
      (
        await tx
          .insert(dossierDrafts)
          .values({ citizenId: actor.citizenId, procedureId, procedureVersionId: version.id, fields, files, updatedAt })
          .onConflictDoUpdate({
            target: [dossierDrafts.citizenId, dossierDrafts.procedureId],
            set: { procedureVersionId: version.id, fields, files, updatedAt },
          })
          .returning()
      )[0]!;
    let draft = await write(files);
    const uploaded = given.filter((g) => 'stored' in g && files[String(g.index)] === g.stored);
    const refused: Record<string, string> = {};
    if (uploaded.length === 0) return { submitted: null, draft, refused, stale, dropped };
    const usage = await usageOf(tx, actor.citizenId);
    if (usage.files <= quota.quotaFiles && usage.bytes <= quota.quotaBytes) return { submitted: null, draft, refused, stale, dropped };
    // Over the quota with this request's uploads: they are left out (the draft keeps what it had), the rest is saved,
    // and each is named beside its field with what is used without it.
    for (const g of uploaded) {
      const i = String(g.index);
      if (kept.files[i]) files[i] = kept.files[i];
      else delete files[i];
    }
    draft = await write(files);
    const before = await usageOf(tx, actor.citizenId);
    for (const g of uploaded) {
      refused[`doc${g.index}`] =
        quotaRefusal(before, 'stored' in g ? g.stored.size : 0, quota) ?? quotaRefusal(before, quota.quotaBytes + 1, quota)!;
    }
    return { submitted: null, draft, refused, stale, dropped };
  });
}

type Version = NonNullable<Awaited<ReturnType<typeof onlineVersion>>>;

/**
 * What a draft must be to be submitted: its fields, the principal's when on behalf, the tờ khai (against the version
 * submitted under, whose labels are stored with the answers) and every required document. Either the checked input
 * or a message per field. The form also asks it when an upload was refused (submission-routes.tsx), so that the
 * citizen reads every mistake in one answer instead of one round per kind of mistake. `now`: the app's clock, whose day
 * in Vietnam a birth date may not pass.
 */
export function checkDraft(
  version: Version,
  draft: Pick<Draft, 'fields' | 'files'>,
  now: Date,
):
  | { ok: true; input: SubmissionFieldsValue; declaration: Extract<ReturnType<typeof checkDeclaration>, { ok: true }> }
  | { ok: false; errors: Record<string, string> } {
  const parsed = SubmissionFields.safeParse(draft.fields);
  const fieldErrors: Record<string, string> = {};
  if (!parsed.success) for (const i of parsed.error.issues) fieldErrors[String(i.path[0] ?? 'form')] ??= i.message;
  const today = todayInVietnam(now);
  if (parsed.success) Object.assign(fieldErrors, principalErrors(parsed.data, today));
  const declaration = checkDeclaration(version.declaration, draft.fields, today);
  if (!declaration.ok) Object.assign(fieldErrors, declaration.errors);
  version.documents.forEach((doc, i) => {
    if (doc.required && !draft.files[String(i)]) fieldErrors[`doc${i}`] = closed(`Vui lòng tải lên: ${doc.name}`);
  });
  if (!parsed.success || !declaration.ok || Object.keys(fieldErrors).length) return { ok: false, errors: fieldErrors };
  return { ok: true, input: parsed.data, declaration };
}

const draftTaken = () =>
  new AppError('draft_submitted', 'Hồ sơ này vừa được nộp từ một trang khác. Vui lòng xem mục Hồ sơ đã nộp trước khi nộp lại.', 409);

/**
 * What a form sent after the session lapsed never writes into the draft, even where it is empty: whom the dossier is
 * for (onBehalf, principal…), which agency receives it (unitId: with it the citizen's data), and where its messages
 * go — the phone, e-mail and address the received notice (with the Mã tra cứu), supplement requests and the result are
 * sent to. The next person at a shared browser must not be able to plant them for the citizen to submit unseen (two
 * reviews' cases); the citizen chooses them again after logging in.
 */
const notFromLapsed = (k: string) =>
  k === 'onBehalf' || k.startsWith('principal') || k === 'unitId' || k === 'phone' || k === 'email' || k === 'address';

/**
 * Nộp hồ sơ: the saved draft becomes a dossier (see the module comment). `saved`: the version (updatedAt) this request's
 * own save wrote — the draft the citizen's form was; another tab's save since is not submitted unseen (DraftChangedError).
 */
export async function submitOnline(db: Db, actor: CitizenActor, procedureId: string, submissionKey: string, now: Date, saved?: Date) {
  if (!isFormKey(submissionKey)) throw staleForm();
  const submitted = () => dossierOfForm(db, actor, submissionKey);
  const already = await submitted();
  if (already) return already;
  const draft = await loadDraft(db, actor, procedureId);
  const version = await onlineVersion(db, procedureId);
  // A twin request may have submitted (and removed the draft) a moment ago: its dossier is this one's too.
  if (!draft || !version) {
    const twin = await submitted();
    if (twin) return twin;
    throw errors.notFound('Thủ tục');
  }
  // Saved since by another form (another tab): not submitted unseen. Saved since by this same form (a double tap, whose
  // second request saved the same content again): this form's own draft.
  if (saved && draft.updatedAt.getTime() !== saved.getTime() && draft.fields[SAVED_BY] !== submissionKey) throw new DraftChangedError();
  // Its files are indexed by the documents of the version it was saved under: under another, they would be filed as
  // other documents. Refused, and the draft is brought to the current version in the same step (its files moved by
  // name): the form then shows it as it now is, and that form sent again is submitted — left at its old version, the
  // draft had that form refused once more for the same reason.
  if (draft.procedureVersionId !== null && draft.procedureVersionId !== version.id) {
    const { draft: moved, dropped } = await draftToCurrentVersion(db, actor, procedureId, now);
    if (!moved) {
      // Submitted from another page meanwhile (and the draft consumed): that dossier if it was this form's.
      const twin = await submitted();
      if (twin) return twin;
      throw draftTaken();
    }
    throw new ProcedureChangedError(dropped);
  }
  const checked = checkDraft(version, draft, now);
  if (!checked.ok) throw errors.validation(checked.errors);
  const { input, declaration } = checked;
  if (!version.unitIds.includes(input.unitId)) throw errors.validation({ unitId: 'Đơn vị này không tiếp nhận thủ tục đã chọn.' });
  const [agency] = await db.select().from(units).where(eq(units.id, input.unitId));
  if (!agency?.active) throw errors.unitInactive();
  if (!agency.agencyCode) {
    throw new AppError('agency_code_missing', `${agency.name} chưa tiếp nhận hồ sơ trực tuyến. Vui lòng chọn đơn vị khác.`, 409);
  }
  const [citizen] = await db.select().from(citizens).where(eq(citizens.id, actor.citizenId));
  if (!citizen) throw errors.unauthenticated();
  const self = {
    fullName: citizen.accountType === 2 ? (citizen.businessName ?? citizen.fullName) : citizen.fullName,
    cccd: citizen.cccd,
    dateOfBirth: citizen.dateOfBirth,
    gender: citizen.gender,
    taxCode: citizen.taxCode,
    organisation: citizen.accountType === 2 ? citizen.businessName : null,
  };
  const contact = { phone: input.phone, email: input.email, address: input.address };
  const applicant = input.onBehalf
    ? {
        fullName: input.principalName ?? '',
        cccd: input.principalCccd,
        dateOfBirth: input.principalDateOfBirth,
        gender: input.principalGender,
        phone: input.principalPhone ?? contact.phone,
        email: input.principalEmail ?? contact.email,
        address: input.principalAddress ?? contact.address,
        representative: { fullName: self.fullName, cccd: self.cccd, phone: contact.phone, email: contact.email },
      }
    : { ...self, ...contact, representative: null };
  // The number (and its kind) that puts the dossier into a portal: none for one submitted on behalf of someone.
  const proven = input.onBehalf ? null : provenIdentity(citizen);
  const reception = version.steps[0];
  if (!reception) throw errors.notFound('Thủ tục');
  const calendar = await loadCalendar(db, now);
  const due = dueAt(calendar, now, {
    workingDays: version.workingDays,
    workingHours: version.workingHours,
    after1500NextDay: version.after1500NextDay,
  });
  try {
    return await db.transaction(async (tx) => {
      // The draft is consumed first, once, as it was read above: two forms of one draft sent at the same moment (two
      // tabs, different keys) both read it; the second waits here for the first to commit, finds it gone and makes no
      // dossier. A save from another tab since that read (each save moves updatedAt on) is not consumed unseen: the
      // dossier would be made of the older content and the newer edits thrown away — the form is shown as it now is.
      // A save by this same form since (a double tap's other request) is this form's content: consumed.
      const consumed = await tx
        .delete(dossierDrafts)
        .where(
          and(
            eq(dossierDrafts.id, draft.id),
            or(eq(dossierDrafts.updatedAt, draft.updatedAt), sql`${dossierDrafts.fields}->>${SAVED_BY} = ${submissionKey}`),
          ),
        )
        .returning({ id: dossierDrafts.id });
      if (!consumed.length) {
        const [still] = await tx.select({ id: dossierDrafts.id }).from(dossierDrafts).where(eq(dossierDrafts.id, draft.id));
        throw still ? new DraftChangedError() : draftTaken();
      }
      const code = await nextDossierCode(tx, agency.agencyCode ?? '', localDate(now));
      const pos = stepPosition(reception, input.unitId);
      const [dossier] = await tx
        .insert(dossiers)
        .values({
          code,
          lookupCode: newLookupCode(),
          agencyUnitId: input.unitId,
          procedureVersionId: version.id,
          channel: 2,
          status: 'submitted',
          applicant,
          declaration: version.declaration.length ? declaration.answers : null,
          // Typed on behalf of someone, a number only names them: it must not put the dossier (and the submitter's
          // files) into that person's portal. Only the number the submitter's own VNeID login proved does, with its
          // kind: an organisation's tax code is no person's CCCD, even when the digits are the same.
          applicantIdNumber: proven?.number ?? null,
          applicantIdKind: proven?.kind ?? 'cccd',
          applicantFolded: foldVietnamese(`${applicant.fullName} ${applicant.cccd ?? ''} ${applicant.phone ?? ''}`),
          // Provisional until accepted: acceptance sets both from its own time.
          receivedAt: now,
          dueAt: due,
          currentStep: 0,
          currentUnitId: pos.unitId,
          currentRole: reception.role,
          sectorId: version.sectorId,
          procedureId: version.procedureId,
          stepStartedAt: now,
          stepDueAt: stepDueAt(calendar, version, 0, now, due),
          citizenId: citizen.id,
          submissionKey,
        })
        .returning();
      const d = dossier!;
      // Each document's file, then the documents as components (digitised: they came as files).
      const components: Array<{ index: number; fileId: string }> = [];
      for (const [i, f] of Object.entries(draft.files)) {
        const doc = version.documents[Number(i)];
        if (!doc) continue;
        const [row] = await tx
          .insert(dossierFiles)
          .values({ dossierId: d.id, kind: 'submitted', documentLabel: doc.name, ...f, uploadedByCitizen: citizen.id })
          .returning({ id: dossierFiles.id });
        components.push({ index: Number(i), fileId: row!.id });
      }
      await recordSubmittedComponents(tx, d.id, version.documents, components);
      await tx.insert(dossierEvents).values({
        dossierId: d.id,
        at: now,
        ...actorColumns(actor),
        action: 'submit',
        fromStatus: null,
        toStatus: 'submitted',
        step: 0,
        note: input.note,
        data: { channel: 2, files: components.length, onBehalf: input.onBehalf },
      });
      await recordAudit(tx, {
        action: 'dossier.submit',
        actor,
        targetType: 'dossier',
        targetId: d.id,
        unitId: input.unitId,
        // The number of answers, never their content (personal data stays in the dossier).
        data: {
          code,
          procedure: version.name,
          version: version.version,
          files: components.length,
          onBehalf: input.onBehalf,
          declarationAnswers: declaration.answers.length,
        },
      });
      // Its first status record (written by the trigger on dossiers) on its way to the national portal.
      await enqueueNationalPush(tx, d.id);
      return d;
    });
  } catch (err) {
    // Two submits of one form at the same moment: the second finds the first's dossier.
    const first = await submitted();
    if (first) return first;
    throw err;
  }
}
