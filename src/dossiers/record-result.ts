import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/client.js';
import { dossierEvents, dossierResults, dossiers, procedureVersions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { actorColumns, delegationColumns, onBehalfOf, type StaffActor } from '../shared/context.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import { formatDate, parseDate, todayInVietnam } from '../shared/dates.js';
import { cleanOptional } from '../shared/text.js';
import { isId, parseInput } from '../shared/validate.js';
import { capacityAtStep } from './access.js';
import { mayAttachResultAt } from './transitions.js';

const optionalText = (max: number, message: string) =>
  z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(max, message).nullable());

/**
 * Ghi nhận kết quả: a document (số/ký hiệu, ngày ký, trích yếu, người ký) or, where the procedure allows, none. The
 * one input of the page's form and of POST /api/v1/dossiers/{id}/result (the API document is generated from it).
 */
export const RecordResultInput = z.object({
  kind: z
    .enum(['document', 'none'], { message: 'Vui lòng chọn: kết quả là văn bản hay không có văn bản.' })
    .describe('document: văn bản kết quả; none: không có văn bản (chỉ khi thủ tục cho phép, kèm lý do)'),
  number: optionalText(100, 'Số, ký hiệu tối đa 100 ký tự.').describe('Số, ký hiệu (bắt buộc với văn bản)'),
  // parseDate reads both: the form's dd/mm/yyyy and an API client's yyyy-mm-dd.
  signedOn: optionalText(10, 'Ngày ký theo dạng dd/mm/yyyy.').describe(
    'Ngày ký, dd/mm/yyyy hoặc yyyy-mm-dd, không sau hôm nay (bắt buộc với văn bản)',
  ),
  summary: optionalText(1000, 'Trích yếu tối đa 1000 ký tự.').describe('Trích yếu (bắt buộc với văn bản)'),
  signer: optionalText(200, 'Người ký tối đa 200 ký tự.').describe('Người ký'),
  noDocumentReason: optionalText(1000, 'Lý do tối đa 1000 ký tự.').describe('Lý do không có văn bản (bắt buộc khi kind = none)'),
});
type RecordResultValue = z.infer<typeof RecordResultInput>;

export type DossierResult = typeof dossierResults.$inferSelect;

/** What is stored for the input, or the message per field (the procedure says whether "no document" is allowed). */
function resultFields(input: RecordResultValue, withoutDocument: string | null, now: Date, receivedAt: Date) {
  const fields: FieldErrors = {};
  if (input.kind === 'none') {
    if (withoutDocument === null) {
      fields.kind = 'Thủ tục này có kết quả là văn bản: vui lòng ghi số, ngày ký, trích yếu và đính kèm tệp kết quả.';
    } else if (!input.noDocumentReason) {
      fields.noDocumentReason = 'Vui lòng nêu lý do không có văn bản kết quả.';
    }
    if (Object.keys(fields).length) throw errors.validation(fields);
    const none = { number: null, signedOn: null, summary: null, signer: null };
    return { kind: 'none' as const, ...none, noDocumentReason: input.noDocumentReason };
  }
  const signedOn = input.signedOn ? parseDate(input.signedOn) : null;
  if (!input.number) fields.number = 'Vui lòng nhập số, ký hiệu của văn bản kết quả.';
  if (!input.signedOn) fields.signedOn = 'Vui lòng nhập ngày ký theo dạng dd/mm/yyyy.';
  else if (!signedOn) fields.signedOn = 'Ngày ký không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.';
  else if (signedOn > todayInVietnam(now)) fields.signedOn = 'Ngày ký không được sau ngày hôm nay.';
  // The result of this dossier was signed after it came in (not 0100-01-01): on the day of reception at the earliest.
  else if (signedOn < todayInVietnam(receivedAt))
    fields.signedOn = `Ngày ký không được trước ngày tiếp nhận hồ sơ (${formatDate(todayInVietnam(receivedAt))}).`;
  if (!input.summary) fields.summary = 'Vui lòng nhập trích yếu của văn bản kết quả.';
  if (Object.keys(fields).length) throw errors.validation(fields);
  return {
    kind: 'document' as const,
    number: input.number,
    signedOn,
    summary: input.summary,
    signer: input.signer,
    noDocumentReason: null,
  };
}

const sameResult = (a: DossierResult, b: ReturnType<typeof resultFields>) =>
  a.kind === b.kind &&
  a.number === b.number &&
  a.signedOn === b.signedOn &&
  a.summary === b.summary &&
  a.signer === b.signer &&
  a.noDocumentReason === b.noDocumentReason;

/** A one-line description of a result, for the history and the audit log. */
function resultText(r: Pick<DossierResult, 'kind' | 'number' | 'signedOn' | 'summary' | 'noDocumentReason'>): string {
  if (r.kind === 'none') return `Không có văn bản: ${r.noDocumentReason ?? ''}`;
  return `Số ${r.number ?? ''} ngày ${formatDate(r.signedOn)}: ${r.summary ?? ''}`;
}

/**
 * Ghi nhận kết quả, by the officials of a processing or approval step while the dossier is being processed (the
 * same rule as Đính kèm kết quả). Recording again replaces the result until the dossier is approved; from then on the
 * result is frozen. The same values sent twice (a double submit) change nothing and write no second row.
 */
export async function recordResult(db: Db, actor: StaffActor, dossierId: string, raw: unknown, now: Date) {
  const input = parseInput(RecordResultInput, raw);
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  return db.transaction(async (tx) => {
    const [d] = await tx.select().from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
    if (!d) throw errors.notFound('Hồ sơ');
    const [v] = await tx.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
    const step = v!.steps[d.currentStep]!;
    const capacity = await capacityAtStep(tx, actor, step, d, now);
    if (!capacity) throw errors.notFound('Hồ sơ');
    const acting = capacity.own ? actor : onBehalfOf(actor, capacity.delegation);
    const [old] = await tx.select().from(dossierResults).where(eq(dossierResults.dossierId, dossierId));
    if (old?.approvedAt) {
      throw new AppError('result_frozen', 'Kết quả đã được phê duyệt nên không thể ghi nhận hoặc thay đổi.', 409);
    }
    if (!mayAttachResultAt(d.status, step)) {
      throw new AppError('invalid_transition', 'Chỉ ghi nhận kết quả ở bước xử lý hoặc phê duyệt, khi hồ sơ đang được xử lý.', 409);
    }
    const value = resultFields(input, v!.resultWithoutDocument, now, d.receivedAt);
    if (old && sameResult(old, value)) return old;
    const [row] = await tx
      .insert(dossierResults)
      .values({ dossierId, ...value, recordedBy: actor.accountId, recordedAt: now })
      .onConflictDoUpdate({ target: dossierResults.dossierId, set: { ...value, recordedBy: actor.accountId, recordedAt: now } })
      .returning();
    await tx.insert(dossierEvents).values({
      dossierId,
      at: now,
      ...actorColumns(acting),
      ...delegationColumns(acting),
      action: 'record_result',
      fromStatus: d.status,
      toStatus: d.status,
      step: d.currentStep,
      note: resultText(row!),
      data: { result: value },
    });
    await recordAudit(tx, {
      action: 'dossier.record_result',
      actor: acting,
      targetType: 'dossier',
      targetId: dossierId,
      unitId: d.agencyUnitId,
      data: { code: d.code, old: old ? resultValues(old) : null, new: value },
    });
    return row!;
  });
}

const resultValues = (r: DossierResult) => ({
  kind: r.kind,
  number: r.number,
  signedOn: r.signedOn,
  summary: r.summary,
  signer: r.signer,
  noDocumentReason: r.noDocumentReason,
});

/** The recorded result of a dossier, or null (the caller has checked that the reader may see the dossier). */
export async function resultOf(db: Queryable, dossierId: string): Promise<DossierResult | null> {
  const [r] = await db.select().from(dossierResults).where(eq(dossierResults.dossierId, dossierId));
  return r ?? null;
}

/** The result as issued to the applicant: only once approved (before that it is the agency's draft). */
export async function approvedResultOf(db: Queryable, dossierId: string): Promise<DossierResult | null> {
  const r = await resultOf(db, dossierId);
  return r?.approvedAt ? r : null;
}
