/**
 * Vietnam's public holidays for the civil service (Bộ luật Lao động 2019, art. 112), from the
 * `date-holidays` rules (it knows the lunar dates of Tết and Giỗ Tổ Hùng Vương), plus what the
 * library leaves to us: the day adjacent to 2/9, and compensation days for holidays on a weekend.
 * The rule for years not on record (provisional until confirmed, year-schedule.ts); the announced years are data
 * (announced-schedules.ts) because this rule does not reproduce them. Day entries (calendar_days) come on top.
 */
import { createRequire } from 'node:module';
import type Holidays from 'date-holidays';

/**
 * Loaded at the first provisional year, not at start: the library and its lunar astronomy cost about a second and
 * 25–38 MB in every instance (docs/decisions/0029). Its CommonJS build, so that this function stays synchronous.
 */
let vietnam: Holidays | null = null;
function vietnamRules(): Holidays {
  if (!vietnam) {
    const Rules = createRequire(import.meta.url)('date-holidays') as typeof Holidays;
    vietnam = new Rules('VN');
  }
  return vietnam;
}

export type HolidayDay = { date: string; name: string };

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (isoDate: string, n: number) => iso(new Date(Date.parse(`${isoDate}T00:00:00Z`) + n * 86_400_000));
export const weekday = (isoDate: string) => new Date(`${isoDate}T00:00:00Z`).getUTCDay();
const isWeekend = (isoDate: string) => weekday(isoDate) === 0 || weekday(isoDate) === 6;

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

const cache = new Map<number, HolidayDay[]>();

/** Statutory days off of a year, before administrator overrides, including compensation days. */
export function statutoryHolidays(year: number): HolidayDay[] {
  const hit = cache.get(year);
  if (hit) return hit;
  const days = new Map<string, string>();
  for (const h of vietnamRules().getHolidays(year)) {
    if (h.type !== 'public') continue;
    // Multi-day holidays (Tết) come as a span; dates are local, `date` is "YYYY-MM-DD hh:mm:ss".
    const first = h.date.slice(0, 10);
    const spanDays = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
    const name = h.name.includes('Tết Nguyên Đán') ? 'Tết Nguyên Đán' : h.name;
    for (let i = 0; i < spanDays; i++) days.set(addDays(first, i), name);
  }
  days.set(nationalDayPartner(year), 'Nghỉ lễ Quốc khánh (ngày liền kề)');
  // A holiday on Saturday or Sunday is given back on the next working day(s).
  const sorted = [...days.keys()].sort();
  for (const d of sorted) {
    if (!isWeekend(d)) continue;
    let next = addDays(d, 1);
    while (isWeekend(next) || days.has(next)) next = addDays(next, 1);
    days.set(next, `Nghỉ bù (${days.get(d)})`);
  }
  const list = [...days.entries()].map(([date, name]) => ({ date, name })).sort((a, b) => a.date.localeCompare(b.date));
  cache.set(year, list);
  return list;
}
