/**
 * When the working calendar changes (a year confirmed, a day entered, a yearly holiday added), the open dossiers
 * whose due dates lie after the change get them carried over to the new calendar (carriedOverDue), each with a
 * history row saying so. Runs inside the caller's transaction, in batches of rows locked in id order.
 */
import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossierEvents, dossiers, procedureVersions } from '../db/schema/index.js';
import { carriedOverDue, carriedOverSameDayDue, clockStartsAt } from '../calendar/deadlines.js';
import { limitKindOf } from '../procedures/time-limit.js';
import { atLocal, type WorkingCalendar } from '../calendar/working-time.js';
import { actorColumns, type StaffActor } from '../shared/context.js';
import { formatDateTime } from '../shared/dates.js';
import { OPEN_STATUSES } from './transitions.js';

/** Processing has not ended: a dossier done (waiting to be returned) keeps the due date it was judged by. */
const STILL_RUNNING = OPEN_STATUSES.filter((s) => s !== 'done');
const BATCH = 500;

const RECOMPUTE_EVENT = 'calendar_recompute';

const minute = (d: Date) => formatDateTime(d).slice(0, 16);

type Limit = { workingDays: number | null; workingHours: number | null; after1500NextDay: boolean };

/** Returns how many dossiers got a new due date. */
export async function recomputeDueDates(
  tx: Queryable,
  actor: StaffActor,
  change: { oldCal: WorkingCalendar; newCal: WorkingCalendar; changedFrom: string; now: Date; batchSize?: number },
): Promise<number> {
  const { oldCal, newCal, changedFrom, now, batchSize = BATCH } = change;
  const from = atLocal(changedFrom, 0);
  /**
   * A dossier's due dates on the new calendar, by its limit's kind (procedures/time-limit.ts): working days from the
   * day after reception; working hours from reception itself; a same-day limit at the close of a day still worked.
   * A step's share counts from the step's start; a same-day dossier's step is never due after the dossier.
   */
  const carriedOver = (d: { receivedAt: Date; dueAt: Date; stepStartedAt: Date | null; stepDueAt: Date | null } & Limit) => {
    const kind = limitKindOf(d);
    const dueAt =
      kind === 'same_day'
        ? carriedOverSameDayDue(newCal, d.dueAt, changedFrom)
        : kind === 'hours'
          ? carriedOverDue(oldCal, newCal, d.dueAt, clockStartsAt(oldCal, d.receivedAt, d), changedFrom, true)
          : carriedOverDue(oldCal, newCal, d.dueAt, d.receivedAt, changedFrom);
    const step = d.stepDueAt
      ? carriedOverDue(oldCal, newCal, d.stepDueAt, d.stepStartedAt ?? d.receivedAt, changedFrom, kind !== 'days')
      : null;
    return { dueAt, stepDueAt: step && kind === 'same_day' && step > dueAt ? dueAt : step };
  };
  let count = 0;
  let after: string | null = null;
  for (;;) {
    const rows = await tx
      .select({
        id: dossiers.id,
        status: dossiers.status,
        step: dossiers.currentStep,
        receivedAt: dossiers.receivedAt,
        dueAt: dossiers.dueAt,
        stepStartedAt: dossiers.stepStartedAt,
        stepDueAt: dossiers.stepDueAt,
        workingDays: procedureVersions.workingDays,
        workingHours: procedureVersions.workingHours,
        after1500NextDay: procedureVersions.after1500NextDay,
      })
      .from(dossiers)
      .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
      .where(
        and(
          inArray(dossiers.status, STILL_RUNNING),
          or(gt(dossiers.dueAt, from), gt(dossiers.stepDueAt, from)),
          after ? gt(dossiers.id, after) : undefined,
        ),
      )
      .orderBy(asc(dossiers.id))
      .limit(batchSize)
      .for('update', { of: dossiers });
    for (const d of rows) {
      const { dueAt, stepDueAt } = carriedOver(d);
      const dueMoved = dueAt.getTime() !== d.dueAt.getTime();
      const stepMoved = (stepDueAt?.getTime() ?? null) !== (d.stepDueAt?.getTime() ?? null);
      if (!dueMoved && !stepMoved) continue;
      await tx.update(dossiers).set({ dueAt, stepDueAt }).where(eq(dossiers.id, d.id));
      const what = dueMoved ? `${minute(d.dueAt)} → ${minute(dueAt)}` : `hạn của bước ${minute(d.stepDueAt!)} → ${minute(stepDueAt!)}`;
      await tx.insert(dossierEvents).values({
        dossierId: d.id,
        at: now,
        ...actorColumns(actor),
        action: RECOMPUTE_EVENT,
        fromStatus: d.status,
        toStatus: d.status,
        step: d.step,
        note: `Hạn giải quyết được tính lại do thay đổi lịch làm việc: ${what}`,
        data: {
          oldDueAt: d.dueAt.toISOString(),
          dueAt: dueAt.toISOString(),
          oldStepDueAt: d.stepDueAt?.toISOString() ?? null,
          stepDueAt: stepDueAt?.toISOString() ?? null,
        },
      });
      count++;
    }
    if (rows.length < batchSize) return count;
    after = rows[rows.length - 1]!.id;
  }
}
