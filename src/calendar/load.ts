import { and, asc, eq, gte, like, lte, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.js';
import { calendarDays, settings } from '../db/schema/index.js';
import type { YearSchedule } from './announced-schedules.js';
import {
  type CalendarSettings,
  CONFIRMED_YEAR_KEY_PREFIX,
  RECURRING_HOLIDAYS_KEY,
  type RecurringHoliday,
  yearSchedule,
} from './year-schedule.js';
import { DEFAULT_OFFICE_HOURS, WorkingCalendar, type OfficeHours } from './working-time.js';

export const OFFICE_HOURS_KEY = 'office_hours';

/**
 * The advisory lock of the working calendar. Every change that recomputes due dates (a day entered, a year confirmed,
 * a yearly holiday added) takes it exclusively, so a double submit waits its turn; every use case that writes a due
 * date takes it shared (loadCalendarInTransaction), so it never computes on a calendar a change is replacing.
 */
export const CALENDAR_LOCK = 0x63616c; // "cal"

/** The administrators' entries (swaps, compensation days) of one year, by date: Lịch làm việc shows them. */
export function calendarDaysOf(db: Queryable, year: number) {
  return db
    .select()
    .from(calendarDays)
    .where(and(gte(calendarDays.date, `${year}-01-01`), lte(calendarDays.date, `${year}-12-31`)))
    .orderBy(asc(calendarDays.date));
}

/** A confirmed year as stored under `calendar.year.<year>`. */
export type ConfirmedYear = YearSchedule & { confirmedAt: string; confirmedBy: string };

/** The confirmed years and the recurring holidays (settings `calendar.*`), in one query. */
export async function loadCalendarSettings(db: Queryable): Promise<CalendarSettings> {
  const rows = await db.select().from(settings).where(like(settings.key, 'calendar.%'));
  const confirmed = new Map<number, YearSchedule>();
  let recurring: RecurringHoliday[] = [];
  for (const r of rows) {
    if (r.key === RECURRING_HOLIDAYS_KEY) recurring = r.value as RecurringHoliday[];
    else if (r.key.startsWith(CONFIRMED_YEAR_KEY_PREFIX)) {
      confirmed.set(Number(r.key.slice(CONFIRMED_YEAR_KEY_PREFIX.length)), r.value as ConfirmedYear);
    }
  }
  return { confirmed, recurring };
}

/**
 * The working calendar: each year's schedule (announced, confirmed or provisional, year-schedule.ts) of the
 * years around now, with the administrators' day entries on top, and the configured office hours.
 */
export function loadCalendar(db: Queryable, now = new Date()): Promise<WorkingCalendar> {
  const year = now.getUTCFullYear();
  return loadCalendarForYears(db, year - 2, year + 2);
}

/**
 * The calendar a use case writes due dates from (a reception, an online dossier accepted, a clock resumed), read
 * inside its transaction under CALENDAR_LOCK shared. A calendar change recomputes only the dossiers committed when it
 * runs: with the lock, it either committed before this read (the due date is computed on the new calendar) or waits
 * for this transaction to commit (and then recomputes its dossier). Shared, so receptions never wait for each other.
 * Call it before locking any dossier row: a change locks the dossiers it recomputes after taking the lock.
 */
export async function loadCalendarInTransaction(tx: Tx, now: Date): Promise<WorkingCalendar> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(${CALENDAR_LOCK})`);
  return loadCalendar(tx, now);
}

/** The same calendar over a given span of years (bulk loads and their checks reach further back). */
export async function loadCalendarForYears(db: Queryable, fromYear: number, toYear: number): Promise<WorkingCalendar> {
  const s = await loadCalendarSettings(db);
  const daysOff = new Set<string>();
  const extraWorkdays = new Set<string>();
  for (let y = fromYear; y <= toYear; y++) {
    const schedule = yearSchedule(y, s);
    for (const d of schedule.daysOff) daysOff.add(d.date);
    for (const d of schedule.workedWeekendDays) extraWorkdays.add(d.date);
  }
  for (const o of await db.select().from(calendarDays)) {
    if (o.kind === 'day_off') {
      daysOff.add(o.date);
      extraWorkdays.delete(o.date);
    } else {
      daysOff.delete(o.date);
      extraWorkdays.add(o.date);
    }
  }
  return new WorkingCalendar({ daysOff, extraWorkdays, officeHours: await loadOfficeHours(db) });
}

/** The office hours in force: the `office_hours` setting, or the default when none was saved. */
export async function loadOfficeHours(db: Queryable): Promise<OfficeHours> {
  const [hours] = await db.select().from(settings).where(eq(settings.key, OFFICE_HOURS_KEY));
  return (hours?.value as OfficeHours | undefined) ?? DEFAULT_OFFICE_HOURS;
}
