/**
 * The one reader of the kept counters (stats_counts, migration 0047): sums of measures over named windows of days, for
 * the dossiers received by a set of units (optionally one sector or procedure), grouped by a unit's report row, the
 * sector or the procedure. The report, the service index and the charts all read through here; none scans dossiers.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { coverWindow, type DayWindow } from './periods.js';

/** Every measure a dossier counts for (stats_dossier_facts(), migrations 0047 and 0057, says when). */
const MEASURES = [
  'received',
  'digitised',
  'online_e_result',
  'fee_due',
  'paid_online',
  'due',
  'closed',
  'closed_m',
  'closed_due',
  'paused',
  'paused_due',
  'paused_m',
  'paused_end',
  'paused_m_end',
  'settled_early',
  'settled_on_time',
  'settled_late',
  'settled_nat_on_time',
  'settled_e_result',
  'withdrawn',
  'stopped',
  'refused',
  'supplement',
  'rated',
  'disliked',
] as const;
export type Measure = (typeof MEASURES)[number];

export type CounterQuery<W extends string> = {
  /** The receiving agencies counted (a subtree, already resolved and authorised by the caller). */
  unitIds: readonly string[];
  sectorId?: string | null;
  procedureId?: string | null;
  /** unit: by `unitRow` (each unit's report row); none: one group ''. */
  groupBy: 'unit' | 'sector' | 'procedure' | 'none';
  /** For groupBy unit: the report row of each counted unit (a child of the chosen unit, with its subtree). */
  unitRow?: ReadonlyMap<string, string>;
  windows: Record<W, DayWindow>;
  measures: readonly Measure[];
};

export type CounterSum<W extends string> = { group: string; window: W; measure: Measure; channel: number; n: number };

/** The sums, one row per (group, window, measure, channel) that is not zero. */
export async function sumCounters<W extends string>(db: Queryable, q: CounterQuery<W>): Promise<Array<CounterSum<W>>> {
  if (q.unitIds.length === 0 || q.measures.length === 0) return [];
  // One range scan of the primary key (grain, period, …) per piece of a window: a window's years, months and days.
  // Two array parameters, not one per id: a report of the province sends dozens of pieces over a few dozen units.
  const filters = sql`c.unit_id = any(${`{${q.unitIds.join(',')}}`}::uuid[]) and c.measure = any(${`{${q.measures.join(',')}}`}::text[])
    ${q.sectorId ? sql`and c.sector_id = ${q.sectorId}::uuid` : sql``}
    ${q.procedureId ? sql`and c.procedure_id = ${q.procedureId}::uuid` : sql``}`;
  const pieces: SQL[] = [];
  for (const [name, window] of Object.entries(q.windows) as Array<[W, DayWindow]>) {
    for (const r of coverWindow(window))
      pieces.push(sql`select ${name}::text as win, c.unit_id, c.procedure_id, c.sector_id, c.channel, c.measure, c.n from stats_counts c
        where c.grain = ${r.grain} and c.period >= ${r.from}::date and c.period < ${r.until}::date and ${filters}`);
  }
  if (pieces.length === 0) return [];
  const group =
    q.groupBy === 'unit'
      ? sql`r.row_key`
      : q.groupBy === 'sector'
        ? sql`nullif(c.sector_id, stats_zero_uuid())::text`
        : q.groupBy === 'procedure'
          ? sql`c.procedure_id::text`
          : sql`''`;
  const rowMap =
    q.groupBy === 'unit' && q.unitRow && q.unitRow.size > 0
      ? sql`join (values ${sql.join(
          [...q.unitRow].map(([unit, row]) => sql`(${unit}::uuid, ${row}::text)`),
          sql`, `,
        )}) as r(unit_id, row_key) on r.unit_id = c.unit_id`
      : sql``;
  // A few thousand counter rows: parallel workers would cost more to start than they save, and on a small server the
  // concurrent reports need the cores (measured: 45 ms with two workers, 9 ms without — bench/README.md §8).
  const rows = await db.transaction(async (tx) => {
    await tx.execute(sql`set local max_parallel_workers_per_gather = 0`);
    return queryRows<{ grp: string | null; win: W; measure: Measure; channel: number; n: number | string }>(
      tx,
      sql`select ${group} as grp, c.win, c.measure, c.channel, sum(c.n)::int as n
      from (${sql.join(pieces, sql` union all `)}) as c
      ${rowMap}
      group by 1, 2, 3, 4
      having sum(c.n) <> 0`,
    );
  });
  // A dossier without a sector is grouped under '' (groupLabels names it).
  return rows.map((r) => ({ group: r.grp ?? '', window: r.win, measure: r.measure, channel: Number(r.channel), n: Number(r.n) }));
}
