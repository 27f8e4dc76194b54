/**
 * Phân công lại: a leader of the current step's unit (access.ts leadsStep) gives the step to an official holding its
 * position, or back to the unit (the pool). Who may then act there is access.ts's rule (docs/decisions/0018). The
 * change, its history row and its audit row are written together, the dossier row locked; a stale form is told
 * what happened (moved-on.ts).
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '../db/client.js';
import { dossierEvents, dossiers, procedureVersions, type ProcessStep } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { actorColumns, type StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { idField, isId, numberField, parseInput } from '../shared/validate.js';
import { leadsStep, mayViewDossier, stepHolders, type StepHolder } from './access.js';
import { isStale, movedOn } from './moved-on.js';
import { OPEN_STATUSES } from './transitions.js';

const AssignInput = z.object({
  /** The official to handle the step; empty = the unit assigns it (the pool). */
  assignee: z.preprocess((v) => (v === '' || v === null ? undefined : v), idField('Người được giao không hợp lệ.').optional()),
  seen: z.preprocess(
    (v) => (v === '' || v === null ? undefined : v),
    numberField(z.number({ message: 'Biểu mẫu không hợp lệ; vui lòng tải lại trang.' }).int().min(1).optional()),
  ),
});

export async function assignDossier(db: Db, actor: StaffActor, dossierId: string, raw: unknown, now: Date) {
  const input = parseInput(AssignInput, raw);
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  return db.transaction(async (tx) => {
    const [d] = await tx.select().from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
    if (!d) throw errors.notFound('Hồ sơ');
    const [version] = await tx.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
    if (!version) throw errors.notFound('Hồ sơ');
    if (await isStale(tx, d.id, input.seen)) throw await movedOn(tx, actor, d, version.steps, now);
    const step = version.steps[d.currentStep]!;
    if (!(await leadsStep(tx, actor, step, d.agencyUnitId))) {
      if (!(await mayViewDossier(tx, actor, d, version.steps, now))) throw errors.notFound('Hồ sơ');
      throw new AppError('forbidden', 'Chỉ lãnh đạo đơn vị phụ trách bước hiện tại mới phân công lại được.', 403);
    }
    if (!OPEN_STATUSES.includes(d.status))
      throw new AppError('invalid_transition', 'Hồ sơ đã kết thúc: không còn bước nào để phân công.', 409);
    let chosen: StepHolder | null = null;
    if (input.assignee) {
      chosen = (await stepHolders(tx, step, d.agencyUnitId)).find((h) => h.id === input.assignee) ?? null;
      if (!chosen) throw errors.validation({ assignee: 'Người được chọn không giữ vị trí xử lý ở bước hiện tại.' });
    }
    const [after] = await tx
      .update(dossiers)
      .set({ assignedTo: chosen?.id ?? null, updatedAt: now })
      .where(eq(dossiers.id, d.id))
      .returning();
    const data = { assignedTo: chosen?.id ?? null, assignee: chosen?.name ?? null, previous: d.assignedTo };
    await tx.insert(dossierEvents).values({
      dossierId: d.id,
      at: now,
      ...actorColumns(actor),
      action: 'assign',
      fromStatus: d.status,
      toStatus: d.status,
      step: d.currentStep,
      note: chosen ? `Giao cho ${chosen.name}` : 'Để đơn vị phân công',
      data,
    });
    await recordAudit(tx, {
      action: 'dossier.assign',
      actor,
      targetType: 'dossier',
      targetId: d.id,
      unitId: d.agencyUnitId,
      data: { code: d.code, step: d.currentStep, ...data },
    });
    return after!;
  });
}

/**
 * What the dossier page offers about assignment: who holds the step now, whom Chuyển bước tiếp theo may choose
 * (and whom it proposes: an approval step's own leader), and whom a leader may reassign the current step to.
 */
export async function assignmentChoices(
  db: Queryable,
  actor: StaffActor,
  d: typeof dossiers.$inferSelect,
  steps: ProcessStep[],
  mayHandOver: boolean,
) {
  const step = steps[d.currentStep]!;
  const next = steps[d.currentStep + 1];
  const holders = await stepHolders(db, step, d.agencyUnitId);
  const open = OPEN_STATUSES.includes(d.status);
  const nextHolders = mayHandOver && next ? await stepHolders(db, next, d.agencyUnitId) : null;
  return {
    assignee: holders.find((h) => h.id === d.assignedTo) ?? null,
    next: nextHolders && next ? { holders: nextHolders, proposed: next.role === 'approval' ? (nextHolders[0]?.id ?? null) : null } : null,
    reassign: open && (await leadsStep(db, actor, step, d.agencyUnitId)) ? holders : null,
  };
}
export type AssignmentChoices = Awaited<ReturnType<typeof assignmentChoices>>;
