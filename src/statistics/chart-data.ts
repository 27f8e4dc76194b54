/**
 * What the report page's charts read beyond the report itself, through the kept counters (counters.ts): the on-time
 * rate of each of the 12 months ending with the period's last month, and the dossiers received in the period by
 * channel. Same scope and filters as the report (statistics/scope.ts decides who reads them).
 */
import type { Queryable } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { sumCounters } from './counters.js';
import { addDays } from './periods.js';
import { readStatisticsScope } from './scope.js';

type MonthRate = { month: string; settled: number; onTime: number; rate: number | null };
type ChannelCount = { channel: 1 | 2 | 3; n: number };
export type ChartSeries = { months: MonthRate[]; channels: ChannelCount[] };

/** yyyy-mm-01 of the month `n` months after the month of `day`. */
function monthStart(day: string, n: number): string {
  const d = new Date(`${day.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 10);
}

export async function readChartSeries(
  db: Queryable,
  actor: StaffActor,
  q: { unit: string; from: string; to: string; sector?: string | undefined; procedure?: string | undefined },
): Promise<ChartSeries> {
  const scope = await readStatisticsScope(db, actor, q.unit);
  const windows: Record<string, { from: string; until: string }> = { period: { from: q.from, until: addDays(q.to, 1) } };
  const starts = Array.from({ length: 12 }, (_, i) => monthStart(q.to, i - 11));
  for (const start of starts) windows[start] = { from: start, until: monthStart(start, 1) };
  const sums = await sumCounters(db, {
    unitIds: scope.unitIds,
    sectorId: q.sector ?? null,
    procedureId: q.procedure ?? null,
    groupBy: 'none',
    windows,
    measures: ['settled_early', 'settled_on_time', 'settled_late', 'received'],
  });
  const sum = (window: string, measures: string[], channel?: number) =>
    sums.reduce(
      (n, s) => (s.window === window && measures.includes(s.measure) && (channel === undefined || s.channel === channel) ? n + s.n : n),
      0,
    );
  const months = starts.map((start) => {
    const settled = sum(start, ['settled_early', 'settled_on_time', 'settled_late']);
    const onTime = sum(start, ['settled_early', 'settled_on_time']);
    return { month: start, settled, onTime, rate: settled > 0 ? onTime / settled : null };
  });
  const channels = ([1, 2, 3] as const).map((channel) => ({ channel, n: sum('period', ['received'], channel) }));
  return { months, channels };
}
