import { actorColumns, delegationColumns, onBehalfOf } from '../shared/context.js';
import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../db/client.js';
import { dossierEvents, dossierFiles, dossiers, procedureVersions, type DossierStatus } from '../db/schema/index.js';
import { depositIssuedFile } from '../personal-files/deposit-issued-file.js';
import { recordAudit } from '../audit/record.js';
import { loadCalendarInTransaction, type loadCalendar } from '../calendar/load.js';
import { clockStartsAt, dueAfterStop, dueAt } from '../calendar/deadlines.js';
import type { CitizenActor, StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDate, parseDate } from '../shared/dates.js';
import { cleanOptional } from '../shared/text.js';
import { isId, numberField, parseInput } from '../shared/validate.js';
import { atLocal, localDate } from '../calendar/working-time.js';
import { assignmentBindsLeaders, capacityAtStep, stepHolders } from './access.js';
import {
  ACTIONS,
  actionAt,
  actionDef,
  allowedAt,
  allowedForApplicant,
  approvalLevel,
  statusAfter,
  type DossierAction,
} from './transitions.js';
import { isStale, movedOn } from './moved-on.js';
import { requireCitizenDossier } from '../portal/citizen-dossiers.js';
import { stepDueAt, stepPosition } from './steps.js';
import { checkResultFor } from './result-guard.js';
import { notifyDossierAction } from '../notify/dossier-events.js';
import { abandonPendingOrders } from '../payments/abandon-pending-orders.js';
import { owesNoFee } from '../payments/queries.js';
import { enqueueNationalPush } from '../national-portal/push.js';
import type { IncomingFile } from '../storage/index.js';
import { storeScan, type StoredScan } from './reception-checklist.js';
import { viewDossier } from './view-dossier.js';
import { extendedBefore, extensionRefusal } from './extension-rule.js';

const RETURN_CHANNEL_INVALID = 'Hình thức trả kết quả không hợp lệ: 1 trực tiếp, 2 trực tuyến hoặc 3 bưu chính công ích.';

export const TransitionInput = z.object({
  action: z.enum(ACTIONS, { message: 'Thao tác không hợp lệ.' }),
  note: z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(2000, 'Nội dung tối đa 2000 ký tự.').nullable()),
  /** request_supplement: what to bring, one per line. */
  items: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  /** extend: the new appointment date, dd/mm/yyyy. */
  newDueDate: z.string().optional(),
  /** return_result: how the result was returned (1 trực tiếp, 2 trực tuyến, 3 bưu chính). */
  returnChannel: numberField(
    z
      .number({ message: RETURN_CHANNEL_INVALID })
      .int(RETURN_CHANNEL_INVALID)
      .min(1, RETURN_CHANNEL_INVALID)
      .max(3, RETURN_CHANNEL_INVALID)
      .optional(),
  ),
  /** The latest history row the form showed (moved-on.ts): a later one means the dossier moved on meanwhile. */
  seen: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    numberField(
      z
        .number({ message: 'Biểu mẫu không hợp lệ; vui lòng tải lại trang.' })
        .int()
        .min(1)
        .optional()
        .describe('Số dòng lịch sử mới nhất mà người dùng đã thấy; nếu hồ sơ đã thay đổi sau đó: 409 dossier_moved kèm diễn biến'),
    ),
  ),
  /**
   * handover, and approve below the last approval level (which hands the dossier on): who handles the next step (an
   * official holding its position); empty or absent = the unit assigns.
   */
  assignee: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    z
      .uuid({ message: 'Người được giao không hợp lệ.' })
      .optional()
      .describe(
        'Chuyển bước tiếp theo, hoặc Phê duyệt ở một cấp phê duyệt chưa phải cấp cuối (hồ sơ chuyển lên cấp sau): cán bộ giữ vị trí của bước tiếp theo được giao; bỏ trống: để đơn vị phân công',
      ),
  ),
});

const invalidTransition = (label: string) =>
  new AppError(
    'invalid_transition',
    `Không thể "${label}" ở trạng thái hiện tại của hồ sơ. Có thể hồ sơ vừa được người khác xử lý; vui lòng tải lại trang.`,
    409,
  );

type Dossier = typeof dossiers.$inferSelect;

/** An official holding the step's position, refused because the dossier is assigned to someone else there. */
async function assignedElsewhere(tx: Tx, step: Version['steps'][number], d: Dossier): Promise<AppError> {
  const holder = (await stepHolders(tx, step, d.agencyUnitId)).find((h) => h.id === d.assignedTo);
  const who = assignmentBindsLeaders(step)
    ? 'ở bước phê duyệt, chỉ người được giao và người được họ ủy quyền mới xử lý được. Lãnh đạo đơn vị có thể phân công lại (cả cho chính mình) rồi xử lý.'
    : 'chỉ người được giao, người được họ ủy quyền và lãnh đạo đơn vị mới xử lý được. Lãnh đạo đơn vị có thể phân công lại.';
  return new AppError('assigned_to_other', `Hồ sơ đã được giao cho ${holder?.name ?? 'một cán bộ khác'} ở bước này: ${who}`, 403);
}
type Version = typeof procedureVersions.$inferSelect;
type TransitionInputValue = z.infer<typeof TransitionInput>;
type Input = TransitionInputValue;
export type Calendar = Awaited<ReturnType<typeof loadCalendar>>;
/** What an action writes: the dossier's changed columns and the history row's data. */
type Change = { patch: Partial<typeof dossiers.$inferInsert>; data: Record<string, unknown> };

/** The step an action leads to (transitions.ts: ActionDef.step), or null when there is none. */
function targetStep(kind: 'same' | 'next' | 'previous' | 'result', d: Dossier, version: Version): number | null {
  const next = kind === 'previous' ? d.currentStep - 1 : kind === 'same' ? d.currentStep : d.currentStep + 1;
  if (next < 0 || next >= version.steps.length) return null;
  if (kind !== 'result') return next;
  const result = version.steps.findIndex((s) => s.role === 'result');
  return result < 0 ? d.currentStep : result;
}

/** The status to resume when a supplement comes in: the one the dossier had when it was asked for. */
async function resumeStatus(tx: Tx, d: Dossier): Promise<DossierStatus> {
  const [asked] = await tx
    .select({ data: dossierEvents.data })
    .from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'request_supplement')))
    .orderBy(desc(dossierEvents.id))
    .limit(1);
  return (asked?.data.resumeStatus as DossierStatus | undefined) ?? (d.currentStep === 0 ? 'received' : 'processing');
}

/**
 * Gia hạn (Phiếu xin lỗi và hẹn lại ngày trả kết quả, Mẫu 04) moves the appointment at most this many years past the
 * current one. The decree names no bound; without one a date such as 31/12/9999 kept a dossier from ever being late
 * and out of the late statistics. One year covers the long verifications the project's own scenarios extend for
 * (tests/support/statistics.ts: received 7/9, extended to 30/11); a dossier that needs more is stopped or refused
 * with its reason. Each extension is in the history, the audit log and the applicant's Mẫu 04.
 */
const MAX_EXTENSION_YEARS = 1;

/** The last day (ISO) an extension may set: the current due day, MAX_EXTENSION_YEARS later (29/2 → 28/2). */
function latestNewDueDate(dueAt: Date): string {
  const [y, m, d] = localDate(dueAt).split('-').map(Number) as [number, number, number];
  const year = y + MAX_EXTENSION_YEARS;
  const last = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return `${year}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The clock effect of an action (transitions.ts: ActionDef.clock). */
function clockChange(
  clock: 'start' | 'stop' | 'resume' | 'reschedule',
  d: Dossier,
  version: Version,
  input: Input,
  calendar: Calendar,
  now: Date,
  c: Change,
) {
  const { patch, data } = c;
  if (clock === 'start') {
    // The clock of an online dossier starts when the desk accepts it.
    const due = dueAt(calendar, now, {
      workingDays: version.workingDays,
      workingHours: version.workingHours,
      after1500NextDay: version.after1500NextDay,
    });
    patch.receivedAt = now;
    patch.dueAt = due;
    patch.stepStartedAt = now;
    patch.stepDueAt = stepDueAt(calendar, version, d.currentStep, now, due);
    data.dueAt = due.toISOString();
  } else if (clock === 'stop') {
    patch.clockStoppedAt = now;
    data.resumeStatus = d.status;
  } else if (clock === 'resume') {
    // Exactly the working time that was left when the clock stopped, of the time the limit was consuming: a pause
    // on the reception day, before the working days start, moves nothing.
    const stoppedAt = d.clockStoppedAt ?? now;
    const limit = { workingDays: version.workingDays, workingHours: version.workingHours, after1500NextDay: version.after1500NextDay };
    const countingFrom = clockStartsAt(calendar, d.receivedAt, limit);
    const due = dueAfterStop(calendar, d.dueAt, { stoppedAt, resumedAt: now, countingFrom });
    patch.dueAt = due;
    // A step's share counts from the step's start (steps.ts stepDueAt), reception day included.
    if (d.stepDueAt)
      patch.stepDueAt = dueAfterStop(calendar, d.stepDueAt, { stoppedAt, resumedAt: now, countingFrom: d.stepStartedAt ?? d.receivedAt });
    patch.clockStoppedAt = null;
    data.clockStoppedAt = stoppedAt.toISOString();
    data.oldDueAt = d.dueAt.toISOString();
    data.newDueAt = due.toISOString();
  } else {
    const iso = input.newDueDate ? parseDate(input.newDueDate) : null;
    if (!iso) throw errors.validation({ newDueDate: 'Vui lòng nhập ngày hẹn trả mới theo dạng dd/mm/yyyy.' });
    const newDue = atLocal(iso, calendar.dayEnd);
    if (newDue <= d.dueAt) throw errors.validation({ newDueDate: 'Ngày hẹn trả mới phải sau ngày hẹn hiện tại.' });
    if (!calendar.isWorkingDay(iso)) throw errors.validation({ newDueDate: 'Ngày hẹn trả mới phải là ngày làm việc.' });
    const latest = latestNewDueDate(d.dueAt);
    if (iso > latest) {
      throw errors.validation({
        newDueDate: `Ngày hẹn trả mới không được sau ngày ${formatDate(latest)} (gia hạn tối đa một năm so với ngày hẹn hiện tại).`,
      });
    }
    patch.dueAt = newDue;
    data.oldDueAt = d.dueAt.toISOString();
    data.newDueAt = newDue.toISOString();
  }
}

/**
 * One workflow action on a dossier, as its definition in transitions.ts says. The dossier row is
 * locked for the transaction, so a double submit or two officials at once cannot both move it; the
 * change, its history row and its audit row are written together.
 */
export async function actOnDossier(
  db: Db,
  actor: StaffActor | CitizenActor,
  dossierId: string,
  raw: unknown,
  now = new Date(),
  /**
   * Đã nhận hồ sơ bổ sung at the counter: the scan of what the applicant brought (one file, a scan's kinds and limit),
   * stored first and joined to the dossier as its supplement in the action's transaction — both or neither.
   */
  supplement?: { scan: IncomingFile; maxScanBytes: number },
) {
  const input = parseInput(TransitionInput, raw);
  const def = actionDef(input.action);
  let scan: StoredScan | null = null;
  if (supplement) {
    if (input.action !== 'supplement_received' || actor.kind === 'citizen')
      throw errors.validation({ supplementScan: 'Chỉ đính kèm bản quét khi nhận hồ sơ bổ sung.' });
    // The right is decided before the file is stored, as for a result (attach-result.ts: officials have no upload
    // budget, so a refused caller must leave nothing in storage); the transaction decides again on the locked row.
    if (!(await viewDossier(db, actor, dossierId, now)).actions.includes('supplement_received')) throw invalidTransition(def.label);
    const r = await storeScan(supplement.scan, 'ho-so-bo-sung', supplement.maxScanBytes);
    if ('refused' in r) throw errors.validation({ supplementScan: r.refused });
    scan = r.stored;
  }
  // Every missing input said at once: one round, not one per field.
  const missing: Record<string, string> = {};
  if (def.inputs.note === 'required' && !input.note) missing.note = 'Vui lòng nhập lý do / nội dung.';
  if (def.inputs.items && input.items.length === 0) missing.items = 'Vui lòng liệt kê giấy tờ cần bổ sung, mỗi dòng một mục.';
  if (Object.keys(missing).length) throw errors.validation(missing);
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  return db.transaction(async (tx) => {
    // Inside the transaction, before the dossier row is locked (calendar/load.ts): due dates written here are on the
    // calendar in force when they commit.
    const calendar = await loadCalendarInTransaction(tx, now);
    const after = await applyAction(tx, actor, dossierId, input, calendar, now);
    if (scan && actor.kind !== 'citizen')
      await tx.insert(dossierFiles).values({
        dossierId,
        kind: 'supplement',
        documentLabel: 'Hồ sơ bổ sung',
        ...scan,
        uploadedBy: actor.accountId,
        uploadedAt: now,
      });
    return after;
  });
}

/**
 * The action inside the caller's transaction (an applicant's supplement writes its files in the same one). Who may:
 * the officials responsible for the current step (access.ts), or the applicant on their own dossier for the actions
 * marked byApplicant (citizen-dossiers.ts). Anyone else cannot even tell that the dossier exists.
 */
export async function applyAction(
  tx: Tx,
  actor: StaffActor | CitizenActor,
  dossierId: string,
  input: Input,
  calendar: Calendar,
  now: Date,
) {
  const action: DossierAction = input.action;
  const label = actionDef(action).label;
  {
    // A citizen locks only a dossier of theirs (citizen-dossiers.ts); an official's access is checked at the step.
    const [d] =
      actor.kind === 'citizen'
        ? [await requireCitizenDossier(tx, actor, dossierId, true)]
        : await tx.select().from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
    if (!d) throw errors.notFound('Hồ sơ');
    const [version] = await tx.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
    if (!version) throw errors.notFound('Hồ sơ');
    const step = version.steps[d.currentStep]!;
    // Who the history and the log name: the applicant, the official in their own right, or the official on the
    // delegator's behalf under the delegation that lends the step's position (access.ts).
    let acting: StaffActor | CitizenActor = actor;
    if (actor.kind === 'citizen') {
      if (!allowedForApplicant(action, d.status)) throw invalidTransition(label);
    } else {
      // A stale form (a double submit, another official's action meanwhile) is told what happened.
      if (await isStale(tx, d.id, input.seen)) throw await movedOn(tx, actor, d, version.steps, now);
      const capacity = await capacityAtStep(tx, actor, step, d, now);
      if (!capacity) {
        if (d.assignedTo && (await capacityAtStep(tx, actor, step, d, now, { ignoreAssignment: true })))
          throw await assignedElsewhere(tx, step, d);
        throw errors.notFound('Hồ sơ');
      }
      if (!capacity.own) acting = onBehalfOf(actor, capacity.delegation);
      if (!allowedAt(action, d.status, step)) throw invalidTransition(label);
    }
    // What the action does here: Phê duyệt below the last approval level hands the dossier on (transitions.ts actionAt).
    const def = actionAt(action, version.steps, d.currentStep);
    const nextStep = targetStep(def.step, d, version);
    if (nextStep === null) throw invalidTransition(label);

    const to = statusAfter(def, d.status);
    const status: DossierStatus = to === 'resume' ? await resumeStatus(tx, d) : to;
    const change: Change = { patch: {}, data: {} };
    const { patch, data } = change;
    Object.assign(data, await checkResultFor(tx, action, d, version, now));
    // Which level approved: the history and the audit row tell a first level's approval from the decision.
    if (action === 'approve') {
      const { level, of } = approvalLevel(version.steps, d.currentStep);
      data.approvalLevel = level;
      data.approvalLevels = of;
    }
    if (def.inputs.items) data.items = input.items;
    if (action === 'extend') {
      const refusal = extensionRefusal(d, await extendedBefore(tx, d.id), now);
      if (refusal) throw errors.validation({ newDueDate: refusal });
    }
    if (def.clock) clockChange(def.clock, d, version, input, calendar, now, change);
    // The clock starts when the desk accepts an online dossier: the accepting official is its receiving official, as
    // receive-dossier.ts records the counter's (Hồ sơ đã tiếp nhận, Mẫu 01) — under a delegation, the delegator whose
    // reception position it is, as the history row's on-behalf-of says.
    if (def.clock === 'start' && acting.kind !== 'citizen')
      patch.receivedBy = acting.kind === 'official' && acting.onBehalfOf ? acting.onBehalfOf.accountId : acting.accountId;
    if (def.finishes) patch.finishedAt = now;
    if (def.inputs.returnChannel) {
      // The result handed over: when, and how.
      patch.returnedAt = now;
      patch.returnChannel = input.returnChannel ?? 1;
      data.returnChannel = patch.returnChannel;
    }
    if (nextStep !== d.currentStep) {
      const pos = stepPosition(version.steps[nextStep]!, d.agencyUnitId);
      patch.currentStep = nextStep;
      patch.currentUnitId = pos.unitId;
      patch.currentRole = pos.role;
      patch.stepStartedAt = now;
      patch.stepDueAt = stepDueAt(calendar, version, nextStep, now, patch.dueAt ?? d.dueAt);
      // A new step is nobody's until the sender chooses someone holding its position (access.ts stepHolders).
      patch.assignedTo = null;
      if (def.inputs.assignee && input.assignee) {
        const chosen = (await stepHolders(tx, version.steps[nextStep]!, d.agencyUnitId)).find((h) => h.id === input.assignee);
        if (!chosen) throw errors.validation({ assignee: 'Người được chọn không giữ vị trí xử lý ở bước tiếp theo.' });
        patch.assignedTo = chosen.id;
        data.assignedTo = chosen.id;
        data.assignee = chosen.name;
      }
      data.fromStep = d.currentStep;
      data.toStep = nextStep;
      // The step being left: on time or not against its own share (Mẫu 06).
      if (d.stepDueAt) {
        data.stepDueAt = d.stepDueAt.toISOString();
        data.stepOnTime = now <= d.stepDueAt;
      }
    }
    const [after] = await tx
      .update(dossiers)
      .set({ ...patch, status, updatedAt: now })
      .where(eq(dossiers.id, d.id))
      .returning();
    // What the national portal holds changed: the trigger on dossiers wrote its status record; its push goes with it.
    if (status !== d.status || patch.dueAt || patch.finishedAt) await enqueueNationalPush(tx, d.id);
    // A result returned online lands in the submitting citizen's personal files, marked as issued by the agency.
    if (def.inputs.returnChannel && patch.returnChannel === 2 && d.citizenId) {
      const results = await tx
        .select()
        .from(dossierFiles)
        .where(and(eq(dossierFiles.dossierId, d.id), eq(dossierFiles.kind, 'result')));
      for (const f of results) {
        data.delivered = true;
        await depositIssuedFile(tx, {
          citizenId: d.citizenId,
          sha256: f.sha256,
          name: f.name,
          mime: f.mime,
          size: f.size,
          unitId: d.agencyUnitId,
          dossierId: d.id,
        });
      }
    }
    await tx.insert(dossierEvents).values({
      dossierId: d.id,
      at: now,
      ...actorColumns(acting),
      ...delegationColumns(acting),
      action,
      fromStatus: d.status,
      toStatus: status,
      step: nextStep,
      note: input.note,
      data,
    });
    await recordAudit(tx, {
      action: `dossier.${action}`,
      actor: acting,
      targetType: 'dossier',
      targetId: d.id,
      unitId: d.agencyUnitId,
      data: { code: d.code, old: { status: d.status, step: d.currentStep }, new: { status, step: nextStep }, ...data },
    });
    // Who must be told, in this transaction: a failed action sends nothing (src/notify/dossier-events.ts).
    await notifyDossierAction(tx, {
      action,
      before: d,
      after: after!,
      version,
      note: input.note,
      items: input.items,
      actorAccountId: actor.kind === 'citizen' ? null : actor.accountId,
    });
    // Refused, withdrawn or stopped: a fee no longer owed has no order waiting for it.
    if (owesNoFee(status) && !owesNoFee(d.status)) await abandonPendingOrders(tx, d.id, acting, d.agencyUnitId, now);
    return after!;
  }
}
