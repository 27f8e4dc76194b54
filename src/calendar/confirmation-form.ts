/**
 * The Xác nhận lịch năm form as Lịch làm việc draws it, and the fingerprint of what it was drawn from. Confirming
 * replaces the year's day entries with what the form sends (confirm-calendar-year.ts), so a form drawn before another
 * change of the year (a day entered, a yearly holiday added, the year confirmed elsewhere) would undo that change
 * without a word: the page carries the fingerprint (hidden `shown`), and confirming refuses when it no longer matches.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db/client.js';
import { calendarDaysOf, loadCalendarSettings } from './load.js';
import { entriesText } from './schedule-lines.js';
import { weekday } from './vietnam-holidays.js';
import { yearSchedule } from './year-schedule.js';

export async function confirmationForm(db: Queryable, year: number) {
  const entries = await calendarDaysOf(db, year);
  const settings = await loadCalendarSettings(db);
  const schedule = yearSchedule(year, settings);
  // The form starts from what is in force: the year's schedule with its day entries on top.
  const entryOff = entries.filter((o) => o.kind === 'day_off' && weekday(o.date) % 6 !== 0);
  const entryWorked = entries.filter((o) => o.kind === 'working_day' && weekday(o.date) % 6 === 0);
  const undone = new Set(entries.filter((o) => o.kind === 'working_day').map((o) => o.date));
  const values = {
    daysOff: entriesText(
      [...schedule.daysOff.filter((d) => !undone.has(d.date)), ...entryOff.map((o) => ({ date: o.date, name: o.note }))].sort((a, b) =>
        a.date.localeCompare(b.date),
      ),
    ),
    workedWeekendDays: entriesText([...schedule.workedWeekendDays, ...entryWorked.map((o) => ({ date: o.date, name: o.note }))]),
  };
  // Of the sources, not only of the text: an entry the text does not show (a day off on a weekend) is deleted too.
  const sources = [schedule.status, schedule.daysOff, schedule.workedWeekendDays, entries.map((e) => [e.date, e.kind, e.note])];
  const shown = createHash('sha256').update(JSON.stringify(sources)).digest('base64url');
  return { entries, settings, schedule, values, shown };
}
