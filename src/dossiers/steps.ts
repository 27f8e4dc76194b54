import type { ProcessStep, procedureVersions } from '../db/schema/index.js';
import type { WorkingCalendar } from '../calendar/working-time.js';
import { limitKindOf } from '../procedures/time-limit.js';

type Version = typeof procedureVersions.$inferSelect;

export function officeMinutesPerDay(cal: WorkingCalendar): number {
  return cal.officeHours.reduce((n, [s, e]) => n + (e - s), 0);
}

/**
 * When a step started at `start` is due: its share of the limit, in working time (hours unless the limit is in days).
 * A same-day dossier's steps share its one day: none is due after the dossier (`dossierDue`), whatever the shares add
 * up to against this calendar's office day.
 */
export function stepDueAt(cal: WorkingCalendar, version: Version, index: number, start: Date, dossierDue: Date): Date {
  const step = version.steps[index]!;
  const kind = limitKindOf(version);
  const minutes = kind === 'days' ? step.share * officeMinutesPerDay(cal) : step.share * 60;
  const due = cal.addWorkingMinutes(start, Math.max(1, Math.round(minutes)));
  return kind === 'same_day' && due > dossierDue ? dossierDue : due;
}

/** Where a step sits: its responsible unit (the agency when the step names none) and role. */
export function stepPosition(step: ProcessStep, agencyUnitId: string) {
  return { unitId: step.unitId ?? agencyUnitId, role: step.role };
}
