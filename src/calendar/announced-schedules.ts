/**
 * The working calendars the government announced for public servants (the years on record), as data.
 *
 * Source: ../shared/MISSION.md §4, "The announced schedules" — the Prime Minister's notices on Tết, the day next
 * to 2/9 and the swaps, as reported by chinhphu.vn and the national press (docs/decisions/0018-working-calendar.md).
 * A holiday library's rule (Tết span + weekend compensation) does not reproduce these: 2025's Tết was Mon 27/1 –
 * Fri 31/1 with Mon 3/2 a working day, 2024's was Thu 8/2 – Mon 12/2 plus Tue 13/2 and Wed 14/2 as make-up days.
 *
 * Every weekday that is not a working day is listed in `daysOff` (holidays, make-up days, swapped days), every
 * Saturday or Sunday worked in exchange in `workedWeekendDays`; weekends are otherwise rest days. Holidays that
 * fell on a weekend are not listed (they change nothing). Years not listed here are provisional: computed by
 * rule (vietnam-holidays.ts) until the province administrator confirms them (confirm-calendar-year.ts).
 * The administrator's day entries (calendar_days) still apply on top of these.
 */
export type CalendarEntry = { date: string; name: string };

export type YearSchedule = { daysOff: CalendarEntry[]; workedWeekendDays: CalendarEntry[] };

const TET = 'Tết Nguyên Đán';
const MAKE_UP_TET = 'Nghỉ bù Tết Nguyên Đán (ngày Tết trùng ngày nghỉ hằng tuần)';
const HUNG = 'Giỗ Tổ Hùng Vương (10/3 âm lịch)';
const LIBERATION = 'Ngày Chiến thắng (30/4)';
const LABOUR = 'Ngày Quốc tế Lao động (1/5)';
const NATIONAL = 'Quốc khánh (2/9)';
const NATIONAL_PARTNER = 'Nghỉ lễ Quốc khánh (ngày liền kề)';
const NEW_YEAR = 'Tết Dương lịch (1/1)';
const swappedOff = (worked: string) => `Nghỉ hoán đổi (làm bù thứ Bảy ${worked})`;
const workedFor = (off: string) => `Làm bù cho ngày nghỉ hoán đổi ${off}`;

export const ANNOUNCED_SCHEDULES: Readonly<Record<number, YearSchedule>> = {
  2024: {
    daysOff: [
      { date: '2024-01-01', name: NEW_YEAR },
      { date: '2024-02-08', name: `${TET} (29 tháng Chạp)` },
      { date: '2024-02-09', name: `${TET} (30 tháng Chạp)` },
      { date: '2024-02-12', name: `${TET} (mùng 3)` },
      { date: '2024-02-13', name: MAKE_UP_TET },
      { date: '2024-02-14', name: MAKE_UP_TET },
      { date: '2024-04-18', name: HUNG },
      { date: '2024-04-29', name: swappedOff('04/05/2024') },
      { date: '2024-04-30', name: LIBERATION },
      { date: '2024-05-01', name: LABOUR },
      { date: '2024-09-02', name: NATIONAL },
      { date: '2024-09-03', name: NATIONAL_PARTNER },
    ],
    workedWeekendDays: [{ date: '2024-05-04', name: workedFor('29/04/2024') }],
  },
  2025: {
    daysOff: [
      { date: '2025-01-01', name: NEW_YEAR },
      { date: '2025-01-27', name: `${TET} (28 tháng Chạp)` },
      { date: '2025-01-28', name: `${TET} (29 tháng Chạp)` },
      { date: '2025-01-29', name: `${TET} (mùng 1)` },
      { date: '2025-01-30', name: `${TET} (mùng 2)` },
      { date: '2025-01-31', name: `${TET} (mùng 3)` },
      { date: '2025-04-07', name: HUNG },
      { date: '2025-04-30', name: LIBERATION },
      { date: '2025-05-01', name: LABOUR },
      { date: '2025-05-02', name: swappedOff('26/04/2025') },
      { date: '2025-09-01', name: NATIONAL_PARTNER },
      { date: '2025-09-02', name: NATIONAL },
    ],
    workedWeekendDays: [{ date: '2025-04-26', name: workedFor('02/05/2025') }],
  },
  2026: {
    daysOff: [
      { date: '2026-01-01', name: NEW_YEAR },
      { date: '2026-01-02', name: swappedOff('10/01/2026') },
      { date: '2026-02-16', name: `${TET} (29 tháng Chạp)` },
      { date: '2026-02-17', name: `${TET} (mùng 1)` },
      { date: '2026-02-18', name: `${TET} (mùng 2)` },
      { date: '2026-02-19', name: `${TET} (mùng 3)` },
      { date: '2026-02-20', name: `${TET} (mùng 4)` },
      { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương (trùng Chủ nhật 26/4)' },
      { date: '2026-04-30', name: LIBERATION },
      { date: '2026-05-01', name: LABOUR },
      { date: '2026-08-31', name: swappedOff('22/08/2026') },
      { date: '2026-09-01', name: NATIONAL_PARTNER },
      { date: '2026-09-02', name: NATIONAL },
    ],
    workedWeekendDays: [
      { date: '2026-01-10', name: workedFor('02/01/2026') },
      { date: '2026-08-22', name: workedFor('31/08/2026') },
    ],
  },
};
