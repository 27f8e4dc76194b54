import { describe, expect, it } from 'vitest';
import { statutoryHolidays } from './vietnam-holidays.js';
import { NO_CALENDAR_SETTINGS, yearSchedule } from './year-schedule.js';
import { DEFAULT_OFFICE_HOURS, WorkingCalendar, localDate } from './working-time.js';
import { carriedOverDue, clockStartsAt, dueAfterStop, dueAt, timeliness } from './deadlines.js';

/** The years' schedules as loaded without administrator entries: 2025 and 2026 announced, 2027 by rule. */
function calendar(overrides: { off?: string[]; work?: string[] } = {}) {
  const daysOff = new Set<string>();
  const extraWorkdays = new Set(overrides.work ?? []);
  for (const y of [2025, 2026, 2027]) {
    const s = yearSchedule(y, NO_CALENDAR_SETTINGS);
    for (const h of s.daysOff) daysOff.add(h.date);
    for (const h of s.workedWeekendDays) extraWorkdays.add(h.date);
  }
  for (const d of overrides.off ?? []) daysOff.add(d);
  return new WorkingCalendar({ daysOff, extraWorkdays, officeHours: DEFAULT_OFFICE_HOURS });
}

/** A Vietnam local time, written as it is read on the receipt. */
const vn = (s: string) => new Date(`${s}+07:00`);
/** Due instant shown as Vietnam local "YYYY-MM-DD HH:mm". */
const show = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

describe('Vietnamese public holidays by rule (provisional years)', () => {
  it('knows the lunar ones: Tết Nguyên Đán and Giỗ Tổ Hùng Vương (10/3 lunar)', () => {
    const y2026 = statutoryHolidays(2026).map((h) => h.date);
    for (const d of ['2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19', '2026-02-20']) expect(y2026).toContain(d);
    expect(statutoryHolidays(2027).map((h) => h.date)).toContain('2027-04-16');
    expect(statutoryHolidays(2027).map((h) => h.date)).toContain('2027-02-06');
  });
  it('has 1/1, 30/4, 1/5, 2/9 with its adjacent day, and compensates holidays on weekends', () => {
    const y = statutoryHolidays(2026).map((h) => h.date);
    for (const d of ['2026-01-01', '2026-04-30', '2026-05-01', '2026-09-02', '2026-09-01']) expect(y).toContain(d);
    // Giỗ Tổ 2026 falls on Sunday 26/4: Monday 27/4 is given back.
    expect(y).toContain('2026-04-27');
    // 1/5/2027 is a Saturday: Monday 3/5/2027 is given back.
    expect(statutoryHolidays(2027).map((h) => h.date)).toContain('2027-05-03');
  });
});

describe('due dates in working days', () => {
  const cal = calendar();
  it('skips weekends: received Monday, 3 days → Thursday 17:00', () => {
    expect(show(dueAt(cal, vn('2026-11-23T09:00'), { workingDays: 3 }))).toBe('2026-11-26 17:00');
  });
  it('a dossier sent online on Saturday counts from Monday', () => {
    expect(show(dueAt(cal, vn('2026-11-21T10:00'), { workingDays: 1 }))).toBe('2026-11-24 17:00');
  });
  it('across Tết: received Friday 13/2/2026, 3 days → Wednesday 25/2', () => {
    expect(show(dueAt(cal, vn('2026-02-13T10:00'), { workingDays: 3 }))).toBe('2026-02-25 17:00');
  });
  it('across 30/4–1/5: received Wednesday 29/4/2026, 2 days → Tuesday 5/5', () => {
    expect(show(dueAt(cal, vn('2026-04-29T09:00'), { workingDays: 2 }))).toBe('2026-05-05 17:00');
  });
  it('across Giỗ Tổ on a Sunday with its compensation day', () => {
    expect(show(dueAt(cal, vn('2026-04-24T09:00'), { workingDays: 1 }))).toBe('2026-04-28 17:00');
  });
  it('across 2/9 and its adjacent day: received Friday 28/8/2026, 1 day → Thursday 3/9', () => {
    // Mon 31/8 is swapped off (Sat 22/8 worked), Tue 1/9 and Wed 2/9 are the holiday.
    expect(show(dueAt(cal, vn('2026-08-28T10:00'), { workingDays: 1 }))).toBe('2026-09-03 17:00');
    // Received on the swapped day off: counting starts Thu 3/9, due Fri 4/9.
    expect(show(dueAt(cal, vn('2026-08-31T10:00'), { workingDays: 1 }))).toBe('2026-09-04 17:00');
  });
  it('a swapped day: an announced extra day off, and a Saturday worked instead', () => {
    const swapped = calendar({ off: ['2026-11-27'], work: ['2026-11-28'] });
    // Received Wed 25/11: Thu 26 (1), Fri 27 off, Sat 28 worked (2).
    expect(show(dueAt(swapped, vn('2026-11-25T09:00'), { workingDays: 2 }))).toBe('2026-11-28 17:00');
  });
  it('after 15:00, where the procedure says so, counts from the next working day', () => {
    expect(show(dueAt(cal, vn('2026-11-23T15:30'), { workingDays: 1, after1500NextDay: true }))).toBe('2026-11-25 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T15:30'), { workingDays: 1 }))).toBe('2026-11-24 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T14:59'), { workingDays: 1, after1500NextDay: true }))).toBe('2026-11-24 17:00');
    // "Sau 15 giờ" is after 15:00:00: at 15:00:00 exactly the day still counts; a second later it does not.
    expect(show(dueAt(cal, vn('2026-11-23T15:00:00'), { workingDays: 1, after1500NextDay: true }))).toBe('2026-11-24 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T15:00:01'), { workingDays: 1, after1500NextDay: true }))).toBe('2026-11-25 17:00');
  });
});

describe('same-day procedures in working hours', () => {
  const cal = calendar();
  it('counts office hours only, across lunch', () => {
    expect(show(dueAt(cal, vn('2026-11-23T10:00'), { workingHours: 4 }))).toBe('2026-11-23 16:00');
  });
  it('after 15:00 it starts at the next opening', () => {
    expect(show(dueAt(cal, vn('2026-11-23T15:10'), { workingHours: 4, after1500NextDay: true }))).toBe('2026-11-24 11:30');
    expect(show(dueAt(cal, vn('2026-11-23T15:10'), { workingHours: 4 }))).toBe('2026-11-24 09:40');
  });
  it('on a Friday afternoon it continues on Monday', () => {
    expect(show(dueAt(cal, vn('2026-11-27T16:00'), { workingHours: 2 }))).toBe('2026-11-30 08:30');
  });
});

describe('trong ngày làm việc (a limit of 0 working days): due at the close of the reception day', () => {
  const cal = calendar();
  const sameDay = { workingDays: 0, after1500NextDay: true };
  it('received in the morning: due at closing the same day, not 8 working hours later', () => {
    expect(show(dueAt(cal, vn('2026-11-23T09:00'), sameDay))).toBe('2026-11-23 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T09:00'), { workingHours: 8 }))).toBe('2026-11-24 09:30');
    expect(show(dueAt(cal, vn('2026-11-23T06:30'), sameDay))).toBe('2026-11-23 17:00');
  });
  it('after 15:00 where the procedure says so, and after closing or on a day off, at the close of the next working day', () => {
    expect(show(dueAt(cal, vn('2026-11-23T15:00:00'), sameDay))).toBe('2026-11-23 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T15:00:01'), sameDay))).toBe('2026-11-24 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T16:30'), { workingDays: 0 }))).toBe('2026-11-23 17:00');
    expect(show(dueAt(cal, vn('2026-11-23T17:30'), { workingDays: 0 }))).toBe('2026-11-24 17:00');
    expect(show(dueAt(cal, vn('2026-11-27T15:30'), sameDay))).toBe('2026-11-30 17:00'); // Friday → Monday
    expect(show(dueAt(cal, vn('2026-11-21T10:00'), sameDay))).toBe('2026-11-23 17:00'); // sent on Saturday
  });
  it('counts from the (deemed) reception: a pause that day holds the close back by what it covered', () => {
    const received = vn('2026-11-23T09:00');
    const due = dueAt(cal, received, sameDay);
    const countingFrom = clockStartsAt(cal, received, sameDay);
    expect(show(countingFrom)).toBe('2026-11-23 09:00');
    // Paused 10:00, resumed the next morning at 08:00: the 5 hours left (10:00–11:30, 13:30–17:00) count from then:
    // 08:00–11:30 and 13:30–15:00.
    const after = dueAfterStop(cal, due, { stoppedAt: vn('2026-11-23T10:00'), resumedAt: vn('2026-11-24T08:00'), countingFrom });
    expect(show(after)).toBe('2026-11-24 15:00');
  });
});

describe('the clock stops while the applicant supplements', () => {
  const cal = calendar();
  it('adds back exactly the working time that was left', () => {
    const due = dueAt(cal, vn('2026-11-23T09:00'), { workingDays: 3 }); // Thu 26/11 17:00
    // Stopped Tue 24/11 10:00 with 5 + 7.5 + 7.5 = 20 working hours left; resumed Mon 30/11 09:00.
    const countingFrom = clockStartsAt(cal, vn('2026-11-23T09:00'), { workingDays: 3 });
    const after = dueAfterStop(cal, due, { stoppedAt: vn('2026-11-24T10:00'), resumedAt: vn('2026-11-30T09:00'), countingFrom });
    expect(show(after)).toBe('2026-12-02 16:00');
    expect(cal.workingMinutesBetween(vn('2026-11-30T09:00'), after)).toBe(20 * 60);
  });
  it('a stop that began past the due date gives nothing back: the dossier stays late by all its delay', () => {
    const received = vn('2026-11-23T09:00');
    const due = dueAt(cal, received, { workingDays: 1 }); // Tue 24/11 17:00
    const countingFrom = clockStartsAt(cal, received, { workingDays: 1 });
    // Asked for a supplement on Thu 26/11, two days late; supplied Mon 30/11: still due Tue 24/11 17:00.
    const after = dueAfterStop(cal, due, { stoppedAt: vn('2026-11-26T10:00'), resumedAt: vn('2026-11-30T09:00'), countingFrom });
    expect(show(after)).toBe('2026-11-24 17:00');
    // At the due instant exactly, nothing was left either; a minute before, that minute is given back.
    expect(show(dueAfterStop(cal, due, { stoppedAt: due, resumedAt: vn('2026-11-30T09:00'), countingFrom }))).toBe('2026-11-24 17:00');
    const minuteBefore = new Date(due.getTime() - 60_000);
    expect(show(dueAfterStop(cal, due, { stoppedAt: minuteBefore, resumedAt: vn('2026-11-30T09:00'), countingFrom }))).toBe(
      '2026-11-30 09:01',
    );
  });
  it('a stop over Tết costs nothing', () => {
    const due = dueAt(cal, vn('2026-02-09T09:00'), { workingDays: 5 });
    const countingFrom = clockStartsAt(cal, vn('2026-02-09T09:00'), { workingDays: 5 });
    const after = dueAfterStop(cal, due, { stoppedAt: vn('2026-02-13T17:00'), resumedAt: vn('2026-02-23T07:30'), countingFrom });
    expect(cal.workingMinutesBetween(vn('2026-02-13T17:00'), due)).toBe(cal.workingMinutesBetween(vn('2026-02-23T07:30'), after));
    expect(localDate(after) >= '2026-02-23').toBe(true);
  });
});

describe('a clock stop credits only the time the limit was consuming', () => {
  const cal = calendar();
  /** Received, stopped and resumed at Vietnam local times: the due date before and after the stop. */
  const pause = (limit: { workingDays?: number; workingHours?: number; after1500NextDay?: boolean }, at: [string, string, string]) => {
    const [received, stopped, resumed] = at.map(vn) as [Date, Date, Date];
    const due = dueAt(cal, received, limit);
    const countingFrom = clockStartsAt(cal, received, limit);
    return { due: show(due), after: show(dueAfterStop(cal, due, { stoppedAt: stopped, resumedAt: resumed, countingFrom })) };
  };
  it('working days start the opening after the reception day; hours start at reception', () => {
    expect(show(clockStartsAt(cal, vn('2026-11-23T09:00'), { workingDays: 10 }))).toBe('2026-11-24 07:30');
    expect(show(clockStartsAt(cal, vn('2026-11-21T10:00'), { workingDays: 1 }))).toBe('2026-11-24 07:30'); // Saturday
    expect(show(clockStartsAt(cal, vn('2026-11-23T15:30'), { workingDays: 1, after1500NextDay: true }))).toBe('2026-11-25 07:30');
    expect(show(clockStartsAt(cal, vn('2026-11-23T10:00'), { workingHours: 4 }))).toBe('2026-11-23 10:00');
    expect(show(clockStartsAt(cal, vn('2026-11-23T15:10'), { workingHours: 4, after1500NextDay: true }))).toBe('2026-11-24 07:30');
  });
  it('a pause on the reception day, before counting starts, moves nothing', () => {
    // The review's case: received Mon 09:00, 10 days; paused 09:05–10:00 the same morning.
    const r = pause({ workingDays: 10 }, ['2026-11-23T09:00', '2026-11-23T09:05', '2026-11-23T10:00']);
    expect(r).toEqual({ due: '2026-12-07 17:00', after: '2026-12-07 17:00' });
    // Resumed after closing the same day, or before the opening of the next: still nothing.
    expect(pause({ workingDays: 10 }, ['2026-11-23T09:00', '2026-11-23T09:05', '2026-11-23T18:00']).after).toBe('2026-12-07 17:00');
    expect(pause({ workingDays: 10 }, ['2026-11-23T09:00', '2026-11-23T09:05', '2026-11-24T07:00']).after).toBe('2026-12-07 17:00');
  });
  it('a pause straddling the start of counting credits only the counted part', () => {
    // Stopped on the reception day, resumed Tue 24/11 10:00: Tuesday 07:30–10:00 (2h30) was held back.
    const r = pause({ workingDays: 10 }, ['2026-11-23T09:00', '2026-11-23T14:00', '2026-11-24T10:00']);
    expect(r).toEqual({ due: '2026-12-07 17:00', after: '2026-12-08 10:00' });
    // Resumed Wed 25/11 07:30: exactly one working day held back.
    expect(pause({ workingDays: 10 }, ['2026-11-23T09:00', '2026-11-23T14:00', '2026-11-25T07:30']).after).toBe('2026-12-08 17:00');
  });
  it('after 15:00, where the procedure says so, the next working day is the reception day and is not counted either', () => {
    // Received Mon 15:30: deemed received Tue, counting from Wed 25/11. A pause until Tue 16:00 moves nothing.
    const r = pause({ workingDays: 3, after1500NextDay: true }, ['2026-11-23T15:30', '2026-11-23T15:45', '2026-11-24T16:00']);
    expect(r).toEqual({ due: '2026-11-27 17:00', after: '2026-11-27 17:00' });
    // Without the rule, Tuesday counts: the same pause holds back Tue 07:30–16:00 (6h30).
    const plain = pause({ workingDays: 3 }, ['2026-11-23T15:30', '2026-11-23T15:45', '2026-11-24T16:00']);
    expect(plain).toEqual({ due: '2026-11-26 17:00', after: '2026-11-27 16:00' });
  });
  it('a pause on days off costs nothing, before or after counting starts', () => {
    // Received (online, accepted) Sat 21/11: Monday is the reception day, counting from Tue 24/11.
    const before = pause({ workingDays: 1 }, ['2026-11-21T10:00', '2026-11-21T11:00', '2026-11-23T10:00']);
    expect(before).toEqual({ due: '2026-11-24 17:00', after: '2026-11-24 17:00' });
    // Stopped Fri 27/11 after closing, resumed Sun 29/11: the weekend held back nothing.
    const weekend = pause({ workingDays: 10 }, ['2026-11-23T09:00', '2026-11-27T17:30', '2026-11-29T10:00']);
    expect(weekend).toEqual({ due: '2026-12-07 17:00', after: '2026-12-07 17:00' });
  });
  it('hour-based procedures count from reception: a pause holds back what it covered, but not before a deemed start', () => {
    // Received Mon 10:00, 4 hours (due 16:00); paused 10:30–11:00: half an hour later.
    expect(pause({ workingHours: 4 }, ['2026-11-23T10:00', '2026-11-23T10:30', '2026-11-23T11:00'])).toEqual({
      due: '2026-11-23 16:00',
      after: '2026-11-23 16:30',
    });
    // Received Mon 15:10 with the 15:00 rule: counting from Tue 07:30, so a pause on Monday afternoon moves nothing.
    expect(pause({ workingHours: 4, after1500NextDay: true }, ['2026-11-23T15:10', '2026-11-23T15:20', '2026-11-23T16:00'])).toEqual({
      due: '2026-11-24 11:30',
      after: '2026-11-24 11:30',
    });
  });
});

describe('due dates carried over to a changed calendar', () => {
  const before = calendar();
  it('a new day off before the due date moves it one working day, a day off after it moves nothing', () => {
    const received = vn('2026-11-23T09:00'); // Monday
    const due = dueAt(before, received, { workingDays: 3 }); // Thu 26/11 17:00
    const after = calendar({ off: ['2026-11-24'] });
    // Wed 25 (1), Thu 26 (2), Fri 27 (3).
    expect(show(carriedOverDue(before, after, due, received, '2026-11-24'))).toBe('2026-11-27 17:00');
    expect(show(carriedOverDue(before, after, due, received, '2026-11-24'))).toBe(show(dueAt(after, received, { workingDays: 3 })));
    const later = calendar({ off: ['2026-11-30'] });
    expect(carriedOverDue(before, later, due, received, '2026-11-30')).toEqual(due);
  });
  it('a change on the reception day itself is not counted (the reception day never counts)', () => {
    const received = vn('2026-11-23T09:00');
    const due = dueAt(before, received, { workingDays: 3 });
    expect(carriedOverDue(before, calendar({ off: ['2026-11-23'] }), due, received, '2026-11-23')).toEqual(due);
  });
});

describe('timeliness (Mẫu 06)', () => {
  const due = vn('2026-11-26T17:00');
  it('trước hạn, đúng hạn, quá hạn', () => {
    expect(timeliness(due, vn('2026-11-25T10:00'))).toBe('truoc_han');
    expect(timeliness(due, vn('2026-11-26T16:59'))).toBe('dung_han');
    expect(timeliness(due, vn('2026-11-26T17:01'))).toBe('qua_han');
  });
});
