/**
 * notify.daily_reminders, 07:30 Vietnam time (jobs/queue.ts): what officials must hear each working morning.
 * - A dossier due on the next working day, and a dossier overdue: to its step's assignee, else the officials holding
 *   the step's position (access.ts stepHolders, at most MAX_STEP_RECIPIENTS).
 * - Each unit's leaders (the approval position there, "Lãnh đạo"): one digest of the overdue dossiers waiting there.
 * - Officials not yet bound to VNeID (cutover/readiness.ts) 30, 7 and 1 days before their unit's cutoff.
 * Every message is keyed by the day (or the cutoff and threshold): a second run the same day records nothing new.
 * Only dossiers whose clock runs count: received or processing, not waiting for a supplement.
 */
import { and, eq, inArray, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { dossiers, procedureVersions, units } from '../db/schema/index.js';
import { stepHolders } from '../dossiers/access.js';
import { loadCalendar } from '../calendar/load.js';
import { atLocal, localDate, type WorkingCalendar } from '../calendar/working-time.js';
import { cutoffsByUnit } from '../auth/cutoff.js';
import { accountsOfUnits } from '../cutover/readiness.js';
import { formatDate, formatDayOf } from '../shared/dates.js';
import { MAX_STEP_RECIPIENTS, dossierFacts } from './dossier-events.js';
import { notify } from './enqueue.js';

/** Days before the cutoff on which the unbound are reminded. */
const CUTOFF_REMINDER_DAYS = [30, 7, 1] as const;
/** A digest lists this many dossier codes at most (its count says how many there are). */
const DIGEST_CODES = 20;
const MAX_LEADERS = 5;
/** Enough for a province's overdue backlog in one morning; the rest would be told tomorrow. */
const MAX_DOSSIERS = 5000;

export type DailyReminderRun = { dueTomorrow: number; overdue: number; digests: number; cutoffReminders: number };

export async function sendDailyReminders(db: Db, now: Date): Promise<DailyReminderRun> {
  const cal = await loadCalendar(db, now);
  const today = localDate(now);
  const tomorrow = cal.nextWorkingDay(today);
  const run: DailyReminderRun = { dueTomorrow: 0, overdue: 0, digests: 0, cutoffReminders: 0 };

  const rows = await db
    .select({ d: dossiers, name: procedureVersions.name, steps: procedureVersions.steps })
    .from(dossiers)
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .where(
      and(
        inArray(dossiers.status, ['received', 'processing']),
        isNull(dossiers.clockStoppedAt),
        lt(dossiers.dueAt, atLocal(cal.nextWorkingDay(tomorrow), 0)),
      ),
    )
    .orderBy(dossiers.dueAt)
    .limit(MAX_DOSSIERS);

  const overdueByUnit = new Map<string, string[]>();
  for (const { d, name, steps } of rows) {
    const overdue = d.dueAt < now;
    if (!overdue && localDate(d.dueAt) !== tomorrow) continue;
    const step = steps[d.currentStep];
    if (!step) continue;
    if (overdue) {
      // Where it waits now (a step without a unit of its own is the agency's).
      const unitId = d.currentUnitId ?? d.agencyUnitId;
      overdueByUnit.set(unitId, [...(overdueByUnit.get(unitId) ?? []), d.code]);
    }
    await db.transaction(async (tx) => {
      const facts = await dossierFacts(tx, d, name);
      const ids = d.assignedTo ? [d.assignedTo] : (await stepHolders(tx, step, d.agencyUnitId)).map((h) => h.id);
      for (const accountId of ids.slice(0, MAX_STEP_RECIPIENTS)) {
        const common = { to: { kind: 'official', accountId } as const, dossierId: d.id, key: `${today}:${d.id}` };
        if (overdue)
          await notify(tx, {
            ...common,
            event: 'official.overdue',
            data: { ...facts, ngay_hen_tra: formatDayOf(d.dueAt), so_ngay_qua_han: String(workingDaysLate(cal, d.dueAt, today)) },
          });
        else await notify(tx, { ...common, event: 'official.due_tomorrow', data: { ...facts, ngay_hen_tra: formatDayOf(d.dueAt) } });
      }
    });
    if (overdue) run.overdue++;
    else run.dueTomorrow++;
  }

  for (const [unitId, codes] of overdueByUnit) {
    await db.transaction(async (tx) => {
      const [unit] = await tx.select({ name: units.name }).from(units).where(eq(units.id, unitId));
      const leadership = { name: 'Lãnh đạo', unitId, role: 'approval' as const, share: 0, actions: [] };
      const leaders = (await stepHolders(tx, leadership, unitId)).slice(0, MAX_LEADERS);
      const list = codes.slice(0, DIGEST_CODES).join(', ') + (codes.length > DIGEST_CODES ? ', …' : '');
      for (const leader of leaders) {
        await notify(tx, {
          event: 'official.overdue_digest',
          to: { kind: 'official', accountId: leader.id },
          dossierId: null,
          key: `${today}:${unitId}`,
          data: { don_vi: unit?.name ?? '', so_ho_so: String(codes.length), danh_sach: list },
        });
      }
    });
    run.digests++;
  }

  run.cutoffReminders = await remindUnbound(db, today);
  return run;
}

/** Working days from the due day (not counted) to today (counted): due yesterday evening → 1. */
function workingDaysLate(cal: WorkingCalendar, due: Date, today: string): number {
  let n = 0;
  for (let day = localDate(due); day < today && n < 3660; ) {
    day = cal.nextWorkingDay(day);
    if (day <= today) n++;
  }
  return Math.max(n, 1);
}

/** official.vneid_cutoff_reminder to each live, unbound, non-break-glass account 30, 7 and 1 days before its cutoff. */
async function remindUnbound(db: Db, today: string): Promise<number> {
  const cutoffs = await cutoffsByUnit(db);
  let sent = 0;
  for (const days of CUTOFF_REMINDER_DAYS) {
    const cutoff = addDays(today, days);
    const unitIds = [...cutoffs].filter(([, c]) => c === cutoff).map(([id]) => id);
    // The same rule as the dry run of who is locked out (readiness.ts lockedOutOn).
    const unbound = (await accountsOfUnits(db, unitIds)).filter((a) => !a.suspended && !a.verified && !a.breakGlass);
    for (const a of unbound) {
      await db.transaction((tx) =>
        notify(tx, {
          event: 'official.vneid_cutoff_reminder',
          to: { kind: 'official', accountId: a.id },
          dossierId: null,
          key: `${cutoff}:${days}`,
          data: { ho_ten: a.name, ngay_chi_vneid: formatDate(cutoff), con_lai: String(days) },
        }),
      );
      sent++;
    }
  }
  return sent;
}

const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
