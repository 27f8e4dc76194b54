/**
 * Due dates of procedures (thời hạn giải quyết) on the working calendar:
 * - N working days: counting starts the working day after reception; due at the close of the Nth.
 * - H working hours (same-day procedures): counted in office hours from reception.
 * - Received on a day off, after closing, or after 15:00 where the procedure says so: as if received
 *   at the opening of the next working day.
 * - A clock stop (waiting for the applicant's supplement) does not count: the working time left when
 *   the clock stopped is added again from the moment it resumes. Only time the limit was consuming is
 *   stopped: a pause before counting starts (on the reception day) moves nothing.
 */
import { atLocal, localDate, localMinutes, type WorkingCalendar } from './working-time.js';

export type TimeLimit = { workingDays?: number | null; workingHours?: number | null; after1500NextDay?: boolean };

const CUTOFF_1500 = 15 * 60;

/** The instant from which the time limit counts. */
function countingStart(cal: WorkingCalendar, receivedAt: Date, limit: TimeLimit): Date {
  const day = localDate(receivedAt);
  const min = localMinutes(receivedAt);
  // "Sau 15 giờ": after 15:00:00 — a dossier received at 15:00:00 exactly is not late (the minute alone said it was).
  const late = (limit.after1500NextDay ?? false) && receivedAt.getTime() > atLocal(day, CUTOFF_1500).getTime();
  if (!cal.isWorkingDay(day) || min >= cal.dayEnd || late) return atLocal(cal.nextWorkingDay(day), cal.dayStart);
  return min < cal.dayStart ? atLocal(day, cal.dayStart) : receivedAt;
}

export function dueAt(cal: WorkingCalendar, receivedAt: Date, limit: TimeLimit): Date {
  const start = countingStart(cal, receivedAt, limit);
  if (limit.workingHours && limit.workingHours > 0) return cal.addWorkingMinutes(start, Math.round(limit.workingHours * 60));
  const days = limit.workingDays ?? 0;
  if (days <= 0) return atLocal(localDate(start), cal.dayEnd);
  return atLocal(cal.addWorkingDays(localDate(start), days), cal.dayEnd);
}

/**
 * The instant from which the time limit is consumed. N working days count from the opening of the working day
 * after the (deemed) reception day, so the reception day is never consumed; working hours (and a limit of zero
 * days, due at the close of the reception day) count from the deemed reception instant itself.
 */
export function clockStartsAt(cal: WorkingCalendar, receivedAt: Date, limit: TimeLimit): Date {
  const start = countingStart(cal, receivedAt, limit);
  if ((limit.workingHours && limit.workingHours > 0) || (limit.workingDays ?? 0) <= 0) return start;
  return atLocal(cal.nextWorkingDay(localDate(start)), cal.dayStart);
}

/**
 * The new due date when the clock resumes after a stop. Only the part of the stop after `countingFrom` (when the
 * limit started being consumed: clockStartsAt for the dossier, the step's start for a step) was holding the limit
 * back: a stop before it credits nothing, one straddling it credits only the time after it. Otherwise the working
 * time left at the stop would include the rest of the reception day, which the working days never counted.
 * A stop that began once the due date had passed held nothing back: the due date stays where it was, and the dossier
 * stays late by the whole of its delay — a supplement asked for past the due date does not buy the dossier a new one.
 */
export function dueAfterStop(cal: WorkingCalendar, due: Date, stop: { stoppedAt: Date; resumedAt: Date; countingFrom: Date }): Date {
  if (stop.stoppedAt.getTime() >= due.getTime()) return due;
  const counted = (t: Date) => (t < stop.countingFrom ? stop.countingFrom : t);
  const left = cal.workingMinutesBetween(counted(stop.stoppedAt), due);
  return cal.addWorkingMinutes(counted(stop.resumedAt), left);
}

export type Timeliness = 'truoc_han' | 'dung_han' | 'qua_han';

export const TIMELINESS_LABELS: Record<Timeliness, string> = { truoc_han: 'Trước hạn', dung_han: 'Đúng hạn', qua_han: 'Quá hạn' };

/** Trước hạn: done on an earlier day than due; đúng hạn: on the due day, by the due time; quá hạn: later. */
export function timeliness(due: Date, doneAt: Date): Timeliness {
  if (doneAt.getTime() > due.getTime()) return 'qua_han';
  return localDate(doneAt) < localDate(due) ? 'truoc_han' : 'dung_han';
}

/**
 * A due date carried over to a changed calendar (a year confirmed, a day entered, a yearly holiday added): the
 * working time between the anchor and the old due date, counted on the old calendar, is counted again on the new
 * one, so time before the change is untouched. The anchor is the later of the first changed day and when the limit
 * began to count: the day after the clock started for working days (the reception day itself never counts in them),
 * the start instant itself for working hours (`countsFromStart`: a reception day that becomes a day off moves the
 * hours to the next opening). A due date before the anchor stays as it is.
 */
export function carriedOverDue(
  oldCal: WorkingCalendar,
  newCal: WorkingCalendar,
  due: Date,
  startedAt: Date,
  changedFrom: string,
  countsFromStart = false,
): Date {
  const changed = atLocal(changedFrom, 0).getTime();
  const dayAfterStart = atLocal(new Date(Date.parse(`${localDate(startedAt)}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10), 0);
  const anchor = new Date(Math.max(changed, (countsFromStart ? startedAt : dayAfterStart).getTime()));
  if (due <= anchor) return due;
  const minutes = oldCal.workingMinutesBetween(anchor, due);
  if (minutes === 0) return due;
  return newCal.addWorkingMinutes(anchor, minutes);
}

/**
 * A same-day ("trong ngày") due date on a changed calendar: the close of its day while that day is still worked; the
 * close of the next working day when the change made it a day off (a storm closure entered on the reception day).
 */
export function carriedOverSameDayDue(newCal: WorkingCalendar, due: Date, changedFrom: string): Date {
  const day = localDate(due);
  if (day < changedFrom || newCal.isWorkingDay(day)) return due;
  return atLocal(newCal.nextWorkingDay(day), newCal.dayEnd);
}
