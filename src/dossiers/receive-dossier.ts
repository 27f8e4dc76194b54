import crypto from 'node:crypto';
import { actorColumns } from '../shared/context.js';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import { dossierComponents, dossierEvents, dossierFiles, dossiers, procedureVersions, units } from '../db/schema/index.js';
import type { IncomingFile } from '../storage/index.js';
import {
  ChecklistItem,
  DEFAULT_SCAN_MAX_BYTES,
  checklistProblems,
  checklistRefusal,
  storeScan,
  type StoredScan,
} from './reception-checklist.js';
import { STAGED_SCAN_GONE, consumeStagedScans, type StagedScan } from './staged-scans.js';
import { recordAudit } from '../audit/record.js';
import { notify } from '../notify/enqueue.js';
import { formatDayOf } from '../shared/dates.js';
import { optionalCccd, optionalEmail, optionalPhone } from './applicant-fields.js';
import { loadCalendarInTransaction } from '../calendar/load.js';
import { dueAt } from '../calendar/deadlines.js';
import { localDate } from '../calendar/working-time.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import { cleanOptional, cleanText, foldVietnamese } from '../shared/text.js';
import { idField, isFormKey, isId, numberField, parseInput } from '../shared/validate.js';
import { sqlStateOf } from '../db/database-errors.js';
import { viewDossier } from './view-dossier.js';
import { mayActAtStep } from './access.js';
import { onlineChannelReserved } from './reception-channel.js';
import { stepDueAt, stepPosition } from './steps.js';
import { newLookupCode, nextDossierCode } from './dossier-code.js';
import { enqueueNationalPush } from '../national-portal/push.js';

export const ReceiveInput = z.object({
  procedureId: idField('Vui lòng chọn thủ tục.'),
  channel: numberField(
    z.union([z.literal(1), z.literal(2), z.literal(3)], {
      message: 'Vui lòng chọn hình thức tiếp nhận: trực tiếp, trực tuyến hoặc bưu chính công ích.',
    }),
  ),
  fullName: z
    .string({ message: 'Vui lòng nhập họ tên người nộp.' })
    .transform(cleanText)
    .pipe(z.string().min(2, 'Vui lòng nhập họ tên người nộp.').max(150, 'Họ tên tối đa 150 ký tự.')),
  cccd: optionalCccd(),
  phone: optionalPhone(),
  email: optionalEmail(),
  address: z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(300, 'Địa chỉ tối đa 300 ký tự.').nullable()),
  note: z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(1000, 'Ghi chú tối đa 1000 ký tự.').nullable()),
  /**
   * The documents received (thành phần hồ sơ), by position in the procedure's list, with the numbers of originals and
   * copies: every required one must be there (channels 1 and 3; left out = none received).
   */
  documents: z.array(ChecklistItem).max(100, 'Quá nhiều thành phần hồ sơ.').optional(),
  /**
   * The procedure's version the checklist was ticked against (the counter form's hidden field; optional for the API):
   * `documents` are positions in that version's list, so a checklist of another version is refused, never read
   * against the current one's positions.
   */
  procedureVersion: numberField(
    z
      .int({ message: 'Phiên bản thủ tục không hợp lệ. Vui lòng tải lại trang.' })
      .min(0, 'Phiên bản thủ tục không hợp lệ. Vui lòng tải lại trang.'),
  ).optional(),
});

/** A checklist ticked on a page of another version of the procedure (saved meanwhile by an administrator). */
export const procedureChangedAtCounter = () =>
  new AppError(
    'procedure_changed',
    'Thủ tục vừa được cập nhật sau khi trang được mở: thành phần hồ sơ có thể đã thay đổi. Vui lòng đánh dấu lại các thành phần đã nhận (và chọn lại bản quét) theo danh sách mới rồi tiếp nhận.',
    409,
  );

/**
 * TIẾP NHẬN HỒ SƠ: an official with the reception role receives a direct or postal dossier; channel 2 is never an
 * official's, whatever the credential or however the value is written (422 online_channel_reserved,
 * reception-channel.ts). An online dossier (channel 2, registered by the system actor: the national portal's pull)
 * is registered as Mới đăng ký and waits in the reception queue until a reception official accepts it
 * (its due date then counts from acceptance). The code, the due date on the working calendar, the
 * dossier, its history, the audit row and the notification job are written in one transaction.
 * At the counter (channels 1 and 3: the page's form and the API alike) the checklist (`documents`, and `scans` by
 * document position) is required: every required document of the version ticked with its counts, else 422 naming
 * the missing ones (reception-checklist.ts: checklistRefusal); each scan is stored first (refusals are said beside
 * their fields), then the components, their scans as dossier files and the digitised flags (Thông tư 01/2023/TT-VPCP)
 * join the same transaction. A scan may come already stored and staged (the counter's form: staged-scans.ts, with
 * `opts.scanProblems`, what its staging refused); the transaction consumes it, so one staged scan serves one dossier.
 * The system actor registers online dossiers only (channel 2, no checklist): those submitted on the national portal
 * (src/national-portal/pull.ts), at the agency it names (`opts.agencyUnitId`, one of the procedure's units), with
 * `opts.within` run in the same transaction (its intake row: one dossier per national dossier).
 */
export async function receiveDossier(
  db: Db,
  actor: StaffActor | SystemActor,
  raw: unknown,
  now = new Date(),
  scans = new Map<number, IncomingFile | StagedScan>(),
  opts: {
    maxScanBytes?: number;
    scanProblems?: FieldErrors;
    agencyUnitId?: string;
    within?: (tx: Tx, dossier: typeof dossiers.$inferSelect) => Promise<void>;
    /** The counter form's one-time key: the same form sent again (Back, then Tiếp nhận) is the dossier it made. */
    submissionKey?: string;
    /** The API's Idempotency-Key as receive-through-api.ts derives it for its caller: the same role, another kind. */
    idempotencyKey?: string;
  } = {},
): Promise<typeof dossiers.$inferSelect & { repeated?: true }> {
  const input = parseInput(ReceiveInput, raw);
  if (actor.kind !== 'system' && input.channel === 2) throw onlineChannelReserved();
  const key = opts.submissionKey ?? opts.idempotencyKey;
  const keyShaped = opts.submissionKey !== undefined ? isFormKey(opts.submissionKey) && opts.idempotencyKey === undefined : isId(key);
  if (key !== undefined && (actor.kind === 'system' || !keyShaped)) throw staleReceptionForm();
  const received = async () => (key === undefined || actor.kind === 'system' ? null : receivedWithKey(db, actor, key, now));
  const already = await received();
  if (already) return already;
  const [version] = await db
    .select()
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, input.procedureId), eq(procedureVersions.current, true)));
  if (!version) throw errors.notFound('Thủ tục');
  if (input.procedureVersion !== undefined && input.procedureVersion !== version.version) throw procedureChangedAtCounter();
  const agencyUnitId = opts.agencyUnitId && version.unitIds.includes(opts.agencyUnitId) ? opts.agencyUnitId : version.unitIds[0]!;
  const [agency] = await db.select().from(units).where(eq(units.id, agencyUnitId));
  if (!agency?.active) throw errors.unitInactive();
  if (!agency.agencyCode) {
    throw new AppError('agency_code_missing', `Đơn vị ${agency.name} chưa có mã định danh điện tử nên chưa cấp được mã hồ sơ.`, 409);
  }
  const reception = version.steps[0]!;
  if (
    actor.kind === 'system'
      ? input.channel !== 2 || input.documents || scans.size
      : !(await mayActAtStep(db, actor, reception, agencyUnitId))
  ) {
    throw new AppError('not_your_step', 'Bạn không có quyền tiếp nhận hồ sơ của thủ tục này.', 403);
  }
  const checklist = input.documents ?? [];
  const stored = new Map<number, StoredScan>();
  const staged = new Map<number, StagedScan>();
  const scanProblems = opts.scanProblems ?? {};
  if (input.channel !== 2 || input.documents || scans.size || Object.keys(scanProblems).length) {
    // A scan's own refusal (empty, too large, wrong type, a reference no longer kept) is the one said beside it.
    const problems = { ...checklistProblems(version.documents, checklist, new Set(scans.keys())), ...scanProblems };
    for (const [i, file] of scans) {
      if ('ref' in file) {
        const { ref: _ref, ...scan } = file;
        staged.set(i, file);
        stored.set(i, scan);
        continue;
      }
      if (problems[`scan-${i}`] || problems.documents) continue;
      const r = await storeScan(file, `ban-quet-${i + 1}`, opts.maxScanBytes ?? DEFAULT_SCAN_MAX_BYTES);
      if ('refused' in r) problems[`scan-${i}`] = r.refused;
      else stored.set(i, r.stored);
    }
    if (Object.keys(problems).length) throw checklistRefusal(version.documents, checklist, problems);
  }
  const digitised = checklist.length > 0 && checklist.every((item) => stored.has(item.index));
  const applicant = { fullName: input.fullName, cccd: input.cccd, phone: input.phone, email: input.email, address: input.address };
  const receive = () =>
    db.transaction(async (tx) => {
      // First, before the agency's code counter: the due date is the one of the calendar in force when the dossier
      // commits (a day off entered meanwhile either came first or waits and recomputes this dossier).
      const calendar = await loadCalendarInTransaction(tx, now);
      const due = dueAt(calendar, now, {
        workingDays: version.workingDays,
        workingHours: version.workingHours,
        after1500NextDay: version.after1500NextDay,
      });
      const lost = actor.kind === 'system' ? [] : await consumeStagedScans(tx, actor, staged, now);
      if (lost.length) throw errors.validation(Object.fromEntries(lost.map((i) => [`scan-${i}`, STAGED_SCAN_GONE])));
      const code = await nextDossierCode(tx, agency.agencyCode!, localDate(now));
      const [dossier] = await tx
        .insert(dossiers)
        .values({
          code,
          lookupCode: newLookupCode(),
          agencyUnitId,
          procedureVersionId: version.id,
          channel: input.channel as 1 | 2 | 3,
          status: input.channel === 2 ? 'submitted' : 'received',
          applicant,
          applicantIdNumber: applicant.cccd,
          // Every way in here (the counter, the API, the national portal's SoDinhDanh) takes a CCCD, checked as one: an
          // organisation's tax code is only ever one its own VNeID login proved on the portal (citizen-dossiers.ts).
          applicantIdKind: 'cccd',
          applicantFolded: foldVietnamese(`${applicant.fullName} ${applicant.cccd ?? ''} ${applicant.phone ?? ''}`),
          receivedAt: now,
          dueAt: due,
          currentStep: 0,
          currentUnitId: stepPosition(reception, agencyUnitId).unitId,
          currentRole: reception.role,
          sectorId: version.sectorId,
          procedureId: version.procedureId,
          stepStartedAt: now,
          stepDueAt: stepDueAt(calendar, version, 0, now, due),
          receivedBy: actor.kind === 'system' ? null : actor.accountId,
          digitised,
          submissionKey: key ?? null,
        })
        .returning();
      // Two statements however many documents: this transaction holds the agency's code counter (nextDossierCode), so
      // every statement here is time the agency's other receptions wait. The scans' ids are chosen here to link them.
      const fileIds = new Map(checklist.filter((item) => stored.has(item.index)).map((item) => [item.index, crypto.randomUUID()]));
      if (fileIds.size) {
        await tx.insert(dossierFiles).values(
          [...fileIds].map(([index, id]) => ({
            id,
            dossierId: dossier!.id,
            kind: 'scan' as const,
            documentLabel: version.documents[index]!.name,
            ...stored.get(index)!,
            uploadedBy: actor.kind === 'system' ? null : actor.accountId,
            uploadedAt: now,
          })),
        );
      }
      if (checklist.length) {
        await tx.insert(dossierComponents).values(
          checklist.map((item) => {
            const doc = version.documents[item.index]!;
            const fileId = fileIds.get(item.index) ?? null;
            return {
              dossierId: dossier!.id,
              documentIndex: item.index,
              name: doc.name,
              required: doc.required,
              originals: item.originals,
              copies: item.copies,
              fileId,
              digitised: fileId !== null,
            };
          }),
        );
      }
      await tx.insert(dossierEvents).values({
        dossierId: dossier!.id,
        at: now,
        ...actorColumns(actor),
        action: input.channel === 2 ? 'submit' : 'receive',
        fromStatus: null,
        toStatus: input.channel === 2 ? 'submitted' : 'received',
        step: 0,
        note: input.note,
        data: { channel: input.channel, dueAt: due.toISOString(), components: checklist.length, digitised },
      });
      await recordAudit(tx, {
        action: 'dossier.receive',
        actor,
        targetType: 'dossier',
        targetId: dossier!.id,
        unitId: agencyUnitId,
        data: { code, procedure: version.name, version: version.version, channel: input.channel, components: checklist.length, digitised },
      });
      // The applicant is told, by messages that exist exactly when the dossier does (an online one: when accepted).
      if (dossier!.status === 'received') {
        await notify(tx, {
          event: 'dossier.received',
          to: { kind: 'applicant', dossierId: dossier!.id },
          dossierId: dossier!.id,
          data: {
            ma_ho_so: code,
            thu_tuc: version.name,
            co_quan: agency.name,
            ma_tra_cuu: dossier!.lookupCode,
            ngay_hen_tra: formatDayOf(due),
          },
          key: dossier!.id,
        });
      }
      // Its first status record (written by the trigger on dossiers) on its way to the national portal.
      await enqueueNationalPush(tx, dossier!.id);
      await opts.within?.(tx, dossier!);
      return dossier!;
    });
  // A twin of this form (a second tab, a retry) committed between the check above and this insert: its dossier.
  return receive().catch(async (err: unknown) => {
    if (key !== undefined && sqlStateOf(err) === '23505') {
      const twin = await received();
      if (twin) return twin;
    }
    throw err;
  });
}

const staleReceptionForm = () =>
  new AppError('stale_form', 'Biểu mẫu tiếp nhận đã cũ. Vui lòng mở lại trang Tiếp nhận hồ sơ và nhập lại.', 400);

/**
 * The dossier a counter form's key already made, marked `repeated`, or null. A key is one official's form: one
 * another account's form made (a forged or copied key) is a stale form, never a way to learn of that dossier.
 */
async function receivedWithKey(db: Db, actor: StaffActor, key: string, now: Date) {
  const [d] = await db.select().from(dossiers).where(eq(dossiers.submissionKey, key));
  if (!d) return null;
  if (d.receivedBy !== actor.accountId) throw staleReceptionForm();
  // Their own form, but a dossier they may no longer see (moved to another unit since): no way to it either.
  const visible = await viewDossier(db, actor, d.id, now).then(
    () => true,
    (err: unknown) => {
      if (err instanceof AppError && err.status === 404) return false;
      throw err;
    },
  );
  if (!visible) throw staleReceptionForm();
  return { ...d, repeated: true as const };
}
