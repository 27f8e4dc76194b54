/**
 * Periods of a report as whole days (yyyy-mm-dd, Asia/Ho_Chi_Minh) and their cover by the counters' grains: a run of
 * days [from, until) is read as at most five ranges — the days up to the first of a month, the months up to a
 * January, the years, the months, the days — so a period costs a few rows per counter however long it is.
 */

type Grain = 'y' | 'm' | 'd';
/** Days from `from` (included) to `until` (excluded). */
export type DayWindow = { from: string; until: string };
/** The counter rows of one grain whose period is in [from, until). */
export type GrainRange = { grain: Grain; from: string; until: string };

/** Before any dossier: the start of every "before the period" sum. */
export const BEGINNING = '1900-01-01';

const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(day: string, n: number): string {
  const d = utc(day);
  d.setUTCDate(d.getUTCDate() + n);
  return iso(d);
}
const addMonths = (day: string, n: number): string => {
  const d = utc(day);
  d.setUTCMonth(d.getUTCMonth() + n);
  return iso(d);
};
const isMonthStart = (day: string) => day.endsWith('-01');
const isYearStart = (day: string) => day.endsWith('-01-01');

/** The grain ranges that cover the days [from, until) exactly (none when the window is empty). */
export function coverWindow(w: DayWindow): GrainRange[] {
  const out: GrainRange[] = [];
  const push = (grain: Grain, from: string, until: string) => {
    if (from >= until) return;
    const last = out.at(-1);
    if (last && last.grain === grain && last.until === from) last.until = until;
    else out.push({ grain, from, until });
  };
  let at = w.from;
  while (at < w.until) {
    if (isYearStart(at) && addMonths(at, 12) <= w.until) {
      push('y', at, addMonths(at, 12));
      at = addMonths(at, 12);
    } else if (isMonthStart(at) && addMonths(at, 1) <= w.until) {
      push('m', at, addMonths(at, 1));
      at = addMonths(at, 1);
    } else {
      // Days up to the next first of a month (or the window's end).
      const next = addMonths(`${at.slice(0, 7)}-01`, 1);
      let stop = w.until;
      if (next < stop) stop = next;
      push('d', at, stop);
      at = stop;
    }
  }
  return out;
}

/** The presets of the report's form: a month, a quarter, six months, a year (any from–to is typed instead). */
export const PERIOD_KINDS = { month: 'Tháng', quarter: 'Quý', half: '6 tháng', year: 'Năm', custom: 'Từ ngày – đến ngày' } as const;
export type PeriodKind = keyof typeof PERIOD_KINDS;

/** The days of the n-th month (1–12), quarter (1–4) or half (1–2) of a year, or the year: from and to, both included. */
export function presetPeriod(kind: Exclude<PeriodKind, 'custom'>, year: number, n: number): { from: string; to: string } {
  const months = { month: 1, quarter: 3, half: 6, year: 12 }[kind];
  const index = kind === 'year' ? 0 : n - 1;
  const from = `${String(year).padStart(4, '0')}-${String(index * months + 1).padStart(2, '0')}-01`;
  return { from, to: addDays(addMonths(from, months), -1) };
}
