import { and, desc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { dossierEvents, dossiers, procedureVersions, type DossierStatus } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { loadCalendar } from '../calendar/load.js';
import { dueAfterStop, dueAt } from '../calendar/deadlines.js';
import type { Actor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { parseDate } from '../shared/dates.js';
import { cleanOptional } from '../shared/text.js';
import { isId, parseInput } from '../shared/validate.js';
import { atLocal } from '../calendar/working-time.js';
import { mayActAtStep } from './access.js';
import { ACTIONS, ACTION_LABELS, RULES, type DossierAction } from './transitions.js';
import { stepDueAt, stepPosition } from './steps.js';

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
    .transform((v) => (v ?? '').split('\n').map((s) => s.trim()).filter(Boolean)),
  /** extend: the new appointment date, dd/mm/yyyy. */
  newDueDate: z.string().optional(),
  /** return_result: how the result was returned (1 trực tiếp, 2 trực tuyến, 3 bưu chính). */
  returnChannel: z.coerce.number().int().min(1).max(3).optional(),
});

export const invalidTransition = (label: string) =>
  new AppError('invalid_transition', `Không thể "${label}" ở trạng thái hiện tại của hồ sơ. Có thể hồ sơ vừa được người khác xử lý; vui lòng tải lại trang.`, 409);

/**
 * One workflow action on a dossier. The dossier row is locked for the transaction, so a double
 * submit or two officials at once cannot both move it; the change, its history row and its audit
 * row are written together.
 */
export async function actOnDossier(db: Db, actor: Actor, dossierId: string, raw: unknown, now = new Date()) {
  const input = parseInput(TransitionInput, raw);
  const action = input.action as DossierAction;
  const rule = RULES[action];
  if (rule.needsNote && !input.note) throw errors.validation({ note: 'Vui lòng nhập lý do / nội dung.' });
  if (action === 'request_supplement' && input.items.length === 0) {
    throw errors.validation({ items: 'Vui lòng liệt kê giấy tờ cần bổ sung, mỗi dòng một mục.' });
  }
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  const calendar = await loadCalendar(db, now);
  return db.transaction(async (tx) => {
    const [d] = await tx.select().from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
    if (!d) throw errors.notFound('Hồ sơ');
    const [version] = await tx.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
    const step = version!.steps[d.currentStep]!;
    // Only the officials responsible for the current step may act — and they cannot even tell
    // that a dossier of someone else's step exists.
    if (!(await mayActAtStep(tx, actor, step, d.agencyUnitId))) throw errors.notFound('Hồ sơ');
    if (!rule.from.includes(d.status) || !rule.roles.includes(step.role)) throw invalidTransition(ACTION_LABELS[action]);
    if (action === 'handover' && step.role === 'approval') throw invalidTransition(ACTION_LABELS[action]);
    // The procedure's process may narrow what is allowed at a step (an empty list allows what the role allows).
    const listed = action === 'supplement_received' ? 'request_supplement' : action;
    if (step.actions.length && !step.actions.includes(listed)) throw invalidTransition(ACTION_LABELS[action]);

    let nextStep = d.currentStep + rule.move;
    if (nextStep < 0 || nextStep >= version!.steps.length) throw invalidTransition(ACTION_LABELS[action]);
    let status: DossierStatus = rule.to ?? d.status;
    const patch: Partial<typeof dossiers.$inferInsert> = {};
    const data: Record<string, unknown> = {};

    if (action === 'request_supplement') {
      patch.clockStoppedAt = now;
      data.items = input.items;
      data.resumeStatus = d.status;
    }
    if (action === 'accept') {
      // The clock of an online dossier starts when the desk accepts it.
      patch.receivedAt = now;
      patch.dueAt = dueAt(calendar, now, { workingDays: version!.workingDays, workingHours: version!.workingHours, after1500NextDay: version!.after1500NextDay });
      patch.stepStartedAt = now;
      patch.stepDueAt = stepDueAt(calendar, version!, d.currentStep, now);
      data.dueAt = (patch.dueAt as Date).toISOString();
    }
    if (action === 'supplement_received') {
      const stoppedAt = d.clockStoppedAt ?? now;
      patch.dueAt = dueAfterStop(calendar, d.dueAt, stoppedAt, now);
      if (d.stepDueAt) patch.stepDueAt = dueAfterStop(calendar, d.stepDueAt, stoppedAt, now);
      patch.clockStoppedAt = null;
      // Back to where the dossier was when the supplement was asked for.
      const [asked] = await tx
        .select({ data: dossierEvents.data })
        .from(dossierEvents)
        .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'request_supplement')))
        .orderBy(desc(dossierEvents.id))
        .limit(1);
      status = (asked?.data.resumeStatus as DossierStatus | undefined) ?? (d.currentStep === 0 ? 'received' : 'processing');
      data.clockStoppedAt = stoppedAt.toISOString();
      data.oldDueAt = d.dueAt.toISOString();
      data.newDueAt = (patch.dueAt as Date).toISOString();
    }
    if (action === 'extend') {
      const iso = input.newDueDate ? parseDate(input.newDueDate) : null;
      if (!iso) throw errors.validation({ newDueDate: 'Vui lòng nhập ngày hẹn trả mới theo dạng dd/mm/yyyy.' });
      const newDue = atLocal(iso, calendar.dayEnd);
      if (newDue <= d.dueAt) throw errors.validation({ newDueDate: 'Ngày hẹn trả mới phải sau ngày hẹn hiện tại.' });
      if (!calendar.isWorkingDay(iso)) throw errors.validation({ newDueDate: 'Ngày hẹn trả mới phải là ngày làm việc.' });
      patch.dueAt = newDue;
      data.oldDueAt = d.dueAt.toISOString();
      data.newDueAt = newDue.toISOString();
    }
    if (action === 'approve') {
      patch.finishedAt = now;
      nextStep = version!.steps.findIndex((s) => s.role === 'result');
      if (nextStep < 0) nextStep = d.currentStep;
    }
    if (action === 'return_result') {
      patch.returnedAt = now;
      patch.returnChannel = input.returnChannel ?? 1;
      data.returnChannel = patch.returnChannel;
    }
    if (['refuse', 'stop'].includes(action)) patch.finishedAt = now;
    if (nextStep !== d.currentStep) {
      const pos = stepPosition(version!.steps[nextStep]!, d.agencyUnitId);
      patch.currentStep = nextStep;
      patch.currentUnitId = pos.unitId;
      patch.currentRole = pos.role;
      patch.stepStartedAt = now;
      patch.stepDueAt = stepDueAt(calendar, version!, nextStep, now);
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
    await tx.insert(dossierEvents).values({
      dossierId: d.id,
      at: now,
      actorId: actor.accountId,
      actorLabel: actor.label,
      action,
      fromStatus: d.status,
      toStatus: status,
      step: nextStep,
      note: input.note,
      data,
    });
    await recordAudit(tx, {
      action: `dossier.${action}`,
      actorId: actor.accountId,
      actorLabel: actor.label,
      targetType: 'dossier',
      targetId: d.id,
      unitId: d.agencyUnitId,
      meta: actor.meta,
      data: { code: d.code, old: { status: d.status, step: d.currentStep }, new: { status, step: nextStep }, ...data },
    });
    return after!;
  });
}
