/**
 * A year's working calendar before the administrator's day entries: the announced schedule of a year on record
 * (announced-schedules.ts), else the schedule the province administrator confirmed (settings
 * `calendar.year.<year>`), else the rule (vietnam-holidays.ts), shown as "chưa xác nhận". The yearly holidays an
 * administrator added (settings `calendar.recurring`, e.g. 24/11 Ngày Văn hóa Việt Nam) come on top of each.
 */
import { ANNOUNCED_SCHEDULES, type CalendarEntry, type YearSchedule } from './announced-schedules.js';
import { statutoryHolidays, weekday } from './vietnam-holidays.js';

/** A day off every year from `fromYear` on; `day` is "MM-DD". */
export type RecurringHoliday = { day: string; name: string; fromYear: number };

export type CalendarSettings = { confirmed: ReadonlyMap<number, YearSchedule>; recurring: readonly RecurringHoliday[] };

export const NO_CALENDAR_SETTINGS: CalendarSettings = { confirmed: new Map(), recurring: [] };

export type YearStatus = 'announced' | 'confirmed' | 'provisional';

export const CONFIRMED_YEAR_KEY_PREFIX = 'calendar.year.';
export const RECURRING_HOLIDAYS_KEY = 'calendar.recurring';

const isWeekend = (iso: string) => weekday(iso) === 0 || weekday(iso) === 6;
const nextDay = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export function yearStatus(year: number, s: CalendarSettings): YearStatus {
  if (ANNOUNCED_SCHEDULES[year]) return 'announced';
  return s.confirmed.has(year) ? 'confirmed' : 'provisional';
}

/** The rule's schedule of a year: its statutory weekdays off (with make-up days), no weekend worked. */
function provisionalSchedule(year: number): YearSchedule {
  return { daysOff: statutoryHolidays(year).filter((h) => !isWeekend(h.date)), workedWeekendDays: [] };
}

/** The year's schedule and where it comes from, with the recurring holidays in force that year. */
export function yearSchedule(year: number, s: CalendarSettings): YearSchedule & { status: YearStatus } {
  const status = yearStatus(year, s);
  const base = ANNOUNCED_SCHEDULES[year] ?? s.confirmed.get(year) ?? provisionalSchedule(year);
  const off = new Map(base.daysOff.map((d) => [d.date, d.name]));
  const worked = new Set(base.workedWeekendDays.map((d) => d.date));
  for (const r of s.recurring) {
    if (r.fromYear > year) continue;
    const date = `${year}-${r.day}`;
    if (!isWeekend(date)) {
      if (!off.has(date)) off.set(date, r.name);
      continue;
    }
    if (worked.has(date)) continue;
    // On a weekly rest day: made up on the next working day (Bộ luật Lao động 2019, art. 111(3)).
    let d = nextDay(date);
    while (isWeekend(d) || off.has(d)) d = nextDay(d);
    if (d.startsWith(String(year))) off.set(d, `Nghỉ bù ${r.name}`);
  }
  const daysOff: CalendarEntry[] = [...off.entries()].map(([date, name]) => ({ date, name }));
  daysOff.sort((a, b) => a.date.localeCompare(b.date));
  return { status, daysOff, workedWeekendDays: base.workedWeekendDays };
}
