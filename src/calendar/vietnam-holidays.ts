/**
 * Vietnam's public holidays for the civil service (Bộ luật Lao động 2019, art. 112): the fixed solar days, the lunar
 * ones (Tết and Giỗ Tổ Hùng Vương) from a table computed once by the `date-holidays` rules, plus what the library
 * leaves to us: the day adjacent to 2/9, and compensation days for holidays on a weekend.
 * The rule for years not on record (provisional until confirmed, year-schedule.ts); the announced years are data
 * (announced-schedules.ts) because this rule does not reproduce them. Day entries (calendar_days) come on top.
 */
import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';
import { LUNAR_HOLIDAYS, type LunarHolidays } from './lunar-holidays-table.js';

/**
 * Loaded only for a year outside the table (lunar-holidays-table.ts), never at start nor for the years around today:
 * the library and its lunar astronomy cost about a second and 25–38 MB in every instance (docs/decisions/0029).
 * Its CommonJS build, so that `statutoryHolidays` stays synchronous.
 */
let vietnam: Holidays | null = null;
function vietnamRules(): Holidays {
  if (!vietnam) {
    const Rules = createRequire(import.meta.url)('date-holidays') as typeof Holidays;
    vietnam = new Rules('VN');
  }
  return vietnam;
}

/** Whether this process has loaded the library (the table's tests check that the years in it never do). */
export const rulesLoaded = () => vietnam !== null;

export type HolidayDay = { date: string; name: string };

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (isoDate: string, n: number) => iso(new Date(Date.parse(`${isoDate}T00:00:00Z`) + n * 86_400_000));
export const weekday = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`).getUTCDay();
const isWeekend = (isoDate: string) => weekday(isoDate) === 0 || weekday(isoDate) === 6;

/** The names are the library's, so that a year from the table and a year from the rules read the same. */
export const TET = 'Tết Nguyên Đán';
export const HUNG_KINGS = 'Giỗ tổ Hùng Vương';
/** Tết's days off as the library gives them: the eve (Giao thừa), the lunar new year's day and the three after it. */
const TET_DAYS = 5;
const SOLAR_HOLIDAYS: readonly (readonly [monthDay: string, name: string])[] = [
  ['01-01', 'Tết Dương lịch'],
  ['04-30', 'Ngày Giải phóng miền Nam'],
  ['05-01', 'Quốc tế Lao động'],
  ['09-02', 'Quốc khánh'],
];

/** A year's public holidays by date, from the table's lunar days and the fixed solar ones. */
export function publicDaysFromTable(year: number, lunar: LunarHolidays): Map<string, string> {
  const days = new Map<string, string>();
  for (const [monthDay, name] of SOLAR_HOLIDAYS) days.set(`${year}-${monthDay}`, name);
  for (let i = 0; i < TET_DAYS; i++) days.set(addDays(`${year}-${lunar.lunarNewYear}`, i - 1), TET);
  days.set(`${year}-${lunar.hungKings}`, HUNG_KINGS);
  return days;
}

/** A year's public holidays by date, computed by the `date-holidays` rules (the generator and years outside the table). */
export function publicDaysFromRules(year: number): Map<string, string> {
  const days = new Map<string, string>();
  for (const h of vietnamRules().getHolidays(year)) {
    if (h.type !== 'public') continue;
    // Multi-day holidays (Tết) come as a span; dates are local, `date` is "YYYY-MM-DD hh:mm:ss".
    const first = h.date.slice(0, 10);
    const spanDays = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
    const name = h.name.includes(TET) ? TET : h.name;
    for (let i = 0; i < spanDays; i++) days.set(addDays(first, i), name);
  }
  return days;
}

/**
 * The day that goes with 2/9: the neighbour that joins the weekend, as the government usually
 * decides (2/9 on Tuesday or Wednesday or Friday or Saturday → 1/9; on Monday, Thursday or Sunday → 3/9).
 * Administrators correct it when the announcement differs.
 */
function nationalDayPartner(year: number): string {
  const d = `${year}-09-02`;
  const wd = weekday(d);
  return [1, 4, 0].includes(wd) ? `${year}-09-03` : `${year}-09-01`;
}

/** The public holidays with the day adjacent to 2/9 and the compensation days, sorted by date. */
export function withAdjacentAndCompensationDays(year: number, publicDays: ReadonlyMap<string, string>): HolidayDay[] {
  const days = new Map(publicDays);
  days.set(nationalDayPartner(year), 'Nghỉ lễ Quốc khánh (ngày liền kề)');
  // A holiday on Saturday or Sunday is given back on the next working day(s).
  const sorted = [...days.keys()].sort();
  for (const d of sorted) {
    if (!isWeekend(d)) continue;
    let next = addDays(d, 1);
    while (isWeekend(next) || days.has(next)) next = addDays(next, 1);
    days.set(next, `Nghỉ bù (${days.get(d)})`);
  }
  return [...days.entries()].map(([date, name]) => ({ date, name })).sort((a, b) => a.date.localeCompare(b.date));
}

const cache = new Map<number, HolidayDay[]>();

/** Statutory days off of a year, before administrator overrides, including compensation days. */
export function statutoryHolidays(year: number): HolidayDay[] {
  const hit = cache.get(year);
  if (hit) return hit;
  const lunar = LUNAR_HOLIDAYS[year];
  const list = withAdjacentAndCompensationDays(year, lunar ? publicDaysFromTable(year, lunar) : publicDaysFromRules(year));
  cache.set(year, list);
  return list;
}
