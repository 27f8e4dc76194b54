/**
 * Nộp hồ sơ trực tuyến: the draft (what was typed and the files given, kept across refusals and visits) and the
 * submission that turns it into a dossier waiting in the agency's reception queue (Mới đăng ký, tab Chờ tiếp nhận).
 * Its code is given at once, so the citizen has a reference; the due date counts from the agency's acceptance
 * (act-on-dossier.ts: accept starts the clock). A double click or a retry with the same form key makes one dossier.
 */
import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { citizens, dossierDrafts, dossierEvents, dossierFiles, dossiers, procedureVersions, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { loadCalendar } from '../calendar/load.js';
import { dueAt } from '../calendar/deadlines.js';
import { localDate } from '../calendar/working-time.js';
import { actorColumns, type CitizenActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { isId } from '../shared/validate.js';
import { newLookupCode, nextDossierCode } from '../dossiers/dossier-code.js';
import { recordSubmittedComponents } from '../dossiers/dossier-components.js';
import { stepDueAt, stepPosition } from '../dossiers/steps.js';
import { OPEN_STATUSES } from '../dossiers/transitions.js';
import { takePersonalFile } from '../personal-files/take-personal-file.js';
import { type PersonalFilesQuota, lockQuotaOf, quotaRefusal, usageOf } from '../personal-files/files.js';
import { todayInVietnam } from '../shared/dates.js';
import { DRAFT_FIELDS, SubmissionFields, type SubmissionFieldsValue, principalErrors } from './submission-input.js';
import { provenNumber } from './citizen-dossiers.js';
import { checkDeclaration, closed, typedAnswers } from './declaration-input.js';
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
 * Lưu nháp: keep the typed fields as typed (even invalid ones, to correct them) and the documents given. A personal
 * file is checked to be the citizen's (another's id answers not found). `removed` takes documents out again.
 * Files uploaded for a draft count against the citizen's personal-files quota (personal-files/files.ts usageOf),
 * checked under the lock of the citizen's row: a new upload the quota cannot take is left out of the draft and
 * named in `refused` beside its field, and everything else is saved (its blob, unreferenced, is collected later).
 */
export async function saveDraft(
  db: Db,
  actor: CitizenActor,
  procedureId: string,
  typed: Record<string, string>,
  given: GivenDocument[],
  removed: number[],
  now: Date,
  quota: PersonalFilesQuota,
  /**
   * Sent with a lapsed session (auth/sessions.ts lapsedCitizenOf): it only fills what the draft has empty — no saved
   * value, file or principal is changed by a token that no longer proves the citizen is there.
   */
  lapsed = false,
): Promise<{ draft: Draft; refused: Record<string, string> }> {
  const version = await onlineVersion(db, procedureId);
  if (!version) throw errors.notFound('Thủ tục');
  const fields: Record<string, string> = {};
  for (const k of DRAFT_FIELDS) if (typeof typed[k] === 'string') fields[k] = typed[k].slice(0, 1000);
  // The tờ khai's answers: only the current version's fields (a stray name is dropped, the route says so).
  Object.assign(fields, typedAnswers(version.declaration, typed));
  fields.procedureId = procedureId;
  return db.transaction(async (tx) => {
    const [old] = await tx
      .select()
      .from(dossierDrafts)
      .where(and(eq(dossierDrafts.citizenId, actor.citizenId), eq(dossierDrafts.procedureId, procedureId)))
      .for('update');
    const files: Record<string, DraftFile> = { ...(old?.files ?? {}) };
    if (!lapsed) for (const i of removed) delete files[String(i)];
    for (const g of given) {
      if (g.index < 0 || g.index >= version.documents.length) continue;
      if (lapsed && files[String(g.index)]) continue;
      files[String(g.index)] = 'stored' in g ? g.stored : await takePersonalFile(tx, actor.citizenId, g.personalFileId);
    }
    if (lapsed && old) {
      const kept = old.fields;
      for (const k of Object.keys(fields)) {
        if (k === 'onBehalf' || k.startsWith('principal') || kept[k]) fields[k] = kept[k] ?? '';
      }
      for (const [k, v] of Object.entries(kept)) fields[k] ??= v;
    } else if (lapsed) {
      for (const k of Object.keys(fields)) if (k === 'onBehalf' || k.startsWith('principal')) delete fields[k];
    }
    const write = async (files: Record<string, DraftFile>) =>
      (
        await tx
          .insert(dossierDrafts)
          .values({ citizenId: actor.citizenId, procedureId, fields, files, updatedAt: now })
          .onConflictDoUpdate({ target: [dossierDrafts.citizenId, dossierDrafts.procedureId], set: { fields, files, updatedAt: now } })
          .returning()
      )[0]!;
    await lockQuotaOf(tx, actor.citizenId);
    let draft = await write(files);
    const uploaded = given.filter((g) => 'stored' in g && files[String(g.index)] === g.stored);
    const refused: Record<string, string> = {};
    if (uploaded.length === 0) return { draft, refused };
    const usage = await usageOf(tx, actor.citizenId);
    if (usage.files <= quota.quotaFiles && usage.bytes <= quota.quotaBytes) return { draft, refused };
    // Over the quota with this request's uploads: they are left out (the draft keeps what it had), the rest is saved,
    // and each is named beside its field with what is used without it.
    for (const g of uploaded) {
      const i = String(g.index);
      if (old?.files[i]) files[i] = old.files[i];
      else delete files[i];
    }
    draft = await write(files);
    const before = await usageOf(tx, actor.citizenId);
    for (const g of uploaded) {
      refused[`doc${g.index}`] =
        quotaRefusal(before, 'stored' in g ? g.stored.size : 0, quota) ?? quotaRefusal(before, quota.quotaBytes + 1, quota)!;
    }
    return { draft, refused };
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

/** Nộp hồ sơ: the saved draft becomes a dossier (see the module comment). */
export async function submitOnline(db: Db, actor: CitizenActor, procedureId: string, submissionKey: string, now: Date) {
  if (!isId(submissionKey)) throw new AppError('stale_form', 'Biểu mẫu đã cũ. Vui lòng tải lại trang và nộp lại.', 400);
  const submitted = async () => {
    const [d] = await db.select().from(dossiers).where(eq(dossiers.submissionKey, submissionKey));
    // A key is one form's: another citizen's key is a stale (or forged) form, never their dossier.
    if (d && d.citizenId !== actor.citizenId) throw new AppError('stale_form', 'Biểu mẫu đã cũ. Vui lòng tải lại trang và nộp lại.', 400);
    return d ?? null;
  };
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
      // The draft is consumed first, once: two forms of one draft sent at the same moment (two tabs, different keys)
      // both read it above; the second waits here for the first to commit, finds it gone and makes no dossier.
      const consumed = await tx.delete(dossierDrafts).where(eq(dossierDrafts.id, draft.id)).returning({ id: dossierDrafts.id });
      if (!consumed.length) throw draftTaken();
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
          // files) into that person's portal. Only the number the submitter's own VNeID login proved does.
          applicantIdNumber: input.onBehalf ? null : provenNumber(citizen),
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
          stepDueAt: stepDueAt(calendar, version, 0, now),
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
