/**
 * The announced working calendars of 2024, 2025 and 2026 (../shared/MISSION.md §4), day by day. The expected lists
 * are written here by hand from the announcements, apart from src/calendar/announced-schedules.ts.
 */
import { describe, expect, it } from 'vitest';
import { NO_CALENDAR_SETTINGS, yearSchedule } from '../src/calendar/year-schedule.js';
import { DEFAULT_OFFICE_HOURS, WorkingCalendar } from '../src/calendar/working-time.js';
import { dueAt } from '../src/calendar/deadlines.js';

/** Weekdays (Mon–Fri) that are not working days, and Saturdays/Sundays that are, as announced. */
const EXPECTED: Record<number, { weekdaysOff: string[]; weekendsWorked: string[] }> = {
  // 1/1; Tết Thu 8/2 – Mon 12/2 with Tue 13/2, Wed 14/2 made up; Giỗ Tổ Thu 18/4; Mon 29/4 off for Sat 4/5;
  // 30/4, 1/5; Mon 2/9, Tue 3/9.
  2024: {
    weekdaysOff: ['01-01', '02-08', '02-09', '02-12', '02-13', '02-14', '04-18', '04-29', '04-30', '05-01', '09-02', '09-03'],
    weekendsWorked: ['05-04'],
  },
  // Wed 1/1; Tết Mon 27/1 – Fri 31/1 (Mon 3/2 worked); Giỗ Tổ Mon 7/4; 30/4, 1/5, Fri 2/5 off for Sat 26/4;
  // Mon 1/9, Tue 2/9.
  2025: {
    weekdaysOff: ['01-01', '01-27', '01-28', '01-29', '01-30', '01-31', '04-07', '04-30', '05-01', '05-02', '09-01', '09-02'],
    weekendsWorked: ['04-26'],
  },
  // Thu 1/1, Fri 2/1 off for Sat 10/1; Tết Mon 16/2 – Fri 20/2; Giỗ Tổ on Sun 26/4 made up Mon 27/4; Thu 30/4,
  // Fri 1/5; Mon 31/8 off for Sat 22/8; Tue 1/9, Wed 2/9.
  2026: {
    weekdaysOff: ['01-01', '01-02', '02-16', '02-17', '02-18', '02-19', '02-20', '04-27', '04-30', '05-01', '08-31', '09-01', '09-02'],
    weekendsWorked: ['01-10', '08-22'],
  },
};

function announcedCalendar() {
  const daysOff = new Set<string>();
  const extraWorkdays = new Set<string>();
  for (const y of [2023, 2024, 2025, 2026, 2027]) {
    const s = yearSchedule(y, NO_CALENDAR_SETTINGS);
    for (const d of s.daysOff) daysOff.add(d.date);
    for (const d of s.workedWeekendDays) extraWorkdays.add(d.date);
  }
  return new WorkingCalendar({ daysOff, extraWorkdays, officeHours: DEFAULT_OFFICE_HOURS });
}

const vn = (s: string) => new Date(`${s}+07:00`);
const show = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('the announced working calendars', () => {
  const cal = announcedCalendar();
  for (const year of [2024, 2025, 2026]) {
    it(`${year}: every day is a working day or not exactly as announced`, () => {
      const { weekdaysOff, weekendsWorked } = EXPECTED[year]!;
      const wrong: string[] = [];
      let days = 0;
      for (let t = Date.UTC(year, 0, 1); new Date(t).getUTCFullYear() === year; t += 86_400_000, days++) {
        const iso = new Date(t).toISOString().slice(0, 10);
        const wd = new Date(t).getUTCDay();
        const weekend = wd === 0 || wd === 6;
        const expected = weekend ? weekendsWorked.includes(iso.slice(5)) : !weekdaysOff.includes(iso.slice(5));
        if (cal.isWorkingDay(iso) !== expected) wrong.push(`${iso} ${expected ? 'working' : 'off'}`);
      }
      expect(days).toBe(year === 2024 ? 366 : 365);
      expect(wrong).toEqual([]);
      // the lists themselves name weekdays and weekend days only
      for (const d of weekdaysOff) expect([0, 6]).not.toContain(new Date(`${year}-${d}T00:00:00Z`).getUTCDay());
      for (const d of weekendsWorked) expect([0, 6]).toContain(new Date(`${year}-${d}T00:00:00Z`).getUTCDay());
    });
  }
  it('the years on record are announced; others provisional', () => {
    expect([2024, 2025, 2026].map((y) => yearSchedule(y, NO_CALENDAR_SETTINGS).status)).toEqual(['announced', 'announced', 'announced']);
    expect(yearSchedule(2027, NO_CALENDAR_SETTINGS).status).toBe('provisional');
  });
});

describe('due dates across the announced Tết', () => {
  const cal = announcedCalendar();
  it('received Fri 24/1/2025 with 5 working days → Fri 7/2/2025', () => {
    // Mon 27/1 – Fri 31/1 Tết, Sat 1/2 and Sun 2/2 weekend; Mon 3/2 (1), Tue 4/2 (2), Wed 5/2 (3), Thu 6/2 (4), Fri 7/2 (5).
    expect(show(dueAt(cal, vn('2025-01-24T09:00'), { workingDays: 5 }))).toBe('2025-02-07 17:00');
    // With 1 working day: Mon 3/2 is a working day (the rule made it a day off and gave Mon 27/1 instead).
    expect(show(dueAt(cal, vn('2025-01-24T09:00'), { workingDays: 1 }))).toBe('2025-02-03 17:00');
  });
  it('2024: received Wed 7/2 with 1 day → Thu 15/2; received Thu 15/2 with 1 day → Fri 16/2', () => {
    // Thu 8/2 – Wed 14/2 off (8, 9, 12 Tết; 10, 11 weekend; 13, 14 make-up days): Thu 15/2 (1).
    expect(show(dueAt(cal, vn('2024-02-07T09:00'), { workingDays: 1 }))).toBe('2024-02-15 17:00');
    // Thu 15/2 is a working day (the rule had it as a make-up day): counting starts Fri 16/2 (1).
    expect(show(dueAt(cal, vn('2024-02-15T09:00'), { workingDays: 1 }))).toBe('2024-02-16 17:00');
    // Received Tue 6/2 with 5 days: Wed 7/2 (1), Thu 15/2 (2), Fri 16/2 (3), Mon 19/2 (4), Tue 20/2 (5).
    expect(show(dueAt(cal, vn('2024-02-06T09:00'), { workingDays: 5 }))).toBe('2024-02-20 17:00');
  });
  it('the swapped Saturdays count: received Thu 24/4/2025, 2 days → Sat 26/4/2025', () => {
    // Fri 25/4 (1), Sat 26/4 worked in exchange for Fri 2/5 (2).
    expect(show(dueAt(cal, vn('2025-04-24T09:00'), { workingDays: 2 }))).toBe('2025-04-26 17:00');
  });
});

describe('a yearly holiday added by the administrator', () => {
  it('24/11 from 2026: off on weekdays, made up on the next working day when on a weekend', () => {
    const s = { confirmed: new Map(), recurring: [{ day: '11-24', name: 'Ngày Văn hóa Việt Nam', fromYear: 2026 }] };
    expect(yearSchedule(2025, s).daysOff.map((d) => d.date)).not.toContain('2025-11-24');
    expect(yearSchedule(2026, s).daysOff).toContainEqual({ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam' });
    // 24/11/2029 is a Saturday: Monday 26/11/2029 is given back.
    expect(yearSchedule(2029, s).daysOff).toContainEqual({ date: '2029-11-26', name: 'Nghỉ bù Ngày Văn hóa Việt Nam' });
  });
});
