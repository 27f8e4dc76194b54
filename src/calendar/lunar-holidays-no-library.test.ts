/**
 * The point of the lunar holidays table (docs/decisions/0029): the working calendar of the years around today, and of
 * every year in the table, is built without loading `date-holidays`. In a file of its own, because the table's other
 * test loads the library on purpose (a unit test file runs in a fresh module graph).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { LUNAR_HOLIDAYS_FROM, LUNAR_HOLIDAYS_TO } from './lunar-holidays-table.js';
import { rulesLoaded, statutoryHolidays } from './vietnam-holidays.js';
import { NO_CALENDAR_SETTINGS, yearSchedule } from './year-schedule.js';

const libraryInRequireCache = () =>
  Object.keys(createRequire(import.meta.url).cache).some((file) => file.includes(`node_modules/date-holidays/`));

describe('the years in the lunar holidays table', () => {
  it('the calendar of the years loadCalendar covers today (announced or by rule) does not load date-holidays', () => {
    const year = new Date().getUTCFullYear();
    for (let y = year - 2; y <= year + 2; y++) {
      const schedule = yearSchedule(y, NO_CALENDAR_SETTINGS);
      expect(schedule.daysOff.length, String(y)).toBeGreaterThan(0);
    }
    expect(rulesLoaded()).toBe(false);
    expect(libraryInRequireCache()).toBe(false);
  });

  it('no year of the table loads it', () => {
    for (let y = LUNAR_HOLIDAYS_FROM; y <= LUNAR_HOLIDAYS_TO; y++) expect(statutoryHolidays(y).length).toBeGreaterThan(0);
    expect(rulesLoaded()).toBe(false);
    expect(libraryInRequireCache()).toBe(false);
  });
});
