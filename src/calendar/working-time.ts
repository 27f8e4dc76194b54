/**
 * Working time in Asia/Ho_Chi_Minh (UTC+7 all year, no daylight saving): working days are Monday
 * to Friday except days off, plus Saturdays/Sundays an administrator declared as working days;
 * working hours are the office hours (default 07:30–11:30 and 13:30–17:00). All deadline arithmetic
 * is done in working minutes, so clock stops and hour-based procedures use the same machinery.
 */
import { weekday } from './vietnam-holidays.js';

const OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

/** Office hours as minute ranges within a day, e.g. [[450, 690], [810, 1020]]. */
export type OfficeHours = Array<[number, number]>;
export const DEFAULT_OFFICE_HOURS: OfficeHours = [
  [7 * 60 + 30, 11 * 60 + 30],
  [13 * 60 + 30, 17 * 60],
];

export type CalendarData = {
  /** Days off (statutory and administrator-declared), ISO dates. */
  daysOff: Set<string>;
  /** Weekend days declared working days (làm bù). */
  extraWorkdays: Set<string>;
  officeHours: OfficeHours;
};

/** Local (Vietnam) calendar date of an instant. */
export function localDate(t: Date): string {
  return new Date(t.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** Minutes since local midnight. */
export function localMinutes(t: Date): number {
  const ms = (t.getTime() + OFFSET_MS) % DAY_MS;
  return Math.floor(ms / 60_000);
}

/** The instant of a local date and minute of day. */
export function atLocal(isoDate: string, minutes: number): Date {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) - OFFSET_MS + minutes * 60_000);
}

function nextDate(isoDate: string, n = 1): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export class WorkingCalendar {
  constructor(private readonly data: CalendarData) {}

  get officeHours() {
    return this.data.officeHours;
  }

  isWorkingDay(isoDate: string): boolean {
    if (this.data.extraWorkdays.has(isoDate)) return true;
    const wd = weekday(isoDate);
    if (wd === 0 || wd === 6) return false;
    return !this.data.daysOff.has(isoDate);
  }

  /** The first working day strictly after the given date. */
  nextWorkingDay(isoDate: string): string {
    let d = nextDate(isoDate);
    for (let i = 0; i < 400 && !this.isWorkingDay(d); i++) d = nextDate(d);
    return d;
  }

  /** The Nth working day after the given date (N ≥ 1). */
  addWorkingDays(isoDate: string, n: number): string {
    let d = isoDate;
    for (let i = 0; i < n; i++) d = this.nextWorkingDay(d);
    return d;
  }

  get dayStart() {
    return this.data.officeHours[0]![0];
  }

  get dayEnd() {
    return this.data.officeHours[this.data.officeHours.length - 1]![1];
  }

  /** Working minutes between two instants (0 if b ≤ a). */
  workingMinutesBetween(a: Date, b: Date): number {
    if (b <= a) return 0;
    let total = 0;
    let d = localDate(a);
    const last = localDate(b);
    for (let guard = 0; d <= last && guard < 5000; guard++, d = nextDate(d)) {
      if (!this.isWorkingDay(d)) continue;
      for (const [s, e] of this.data.officeHours) {
        const from = Math.max(atLocal(d, s).getTime(), a.getTime());
        const to = Math.min(atLocal(d, e).getTime(), b.getTime());
        if (to > from) total += (to - from) / 60_000;
      }
    }
    return Math.round(total);
  }

  /** The instant after `minutes` working minutes from `t`. */
  addWorkingMinutes(t: Date, minutes: number): Date {
    let left = minutes;
    let d = localDate(t);
    for (let guard = 0; guard < 5000; guard++, d = nextDate(d)) {
      if (!this.isWorkingDay(d)) continue;
      for (const [s, e] of this.data.officeHours) {
        const from = Math.max(atLocal(d, s).getTime(), t.getTime());
        const to = atLocal(d, e).getTime();
        if (to <= from) continue;
        const avail = (to - from) / 60_000;
        if (left <= avail) return new Date(from + left * 60_000);
        left -= avail;
      }
    }
    throw new Error('working time out of range');
  }
}
