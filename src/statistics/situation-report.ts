/**
 * Báo cáo tình hình giải quyết TTHC (Biểu số 06/VPCP/KSTT) for a unit's subtree, optionally one sector or procedure,
 * over a period of whole days — read from the kept counters (counters.ts), never by scanning dossiers. How each figure
 * is made from the counters is written next to it below; report-types.ts says what each figure means.
 */
import { z } from 'zod';
import type { Queryable } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { todayInVietnam } from '../shared/dates.js';
import { idField, parseInput } from '../shared/validate.js';
import { sumCounters, type CounterSum, type Measure } from './counters.js';
import { addDays, BEGINNING } from './periods.js';
import { GROUP_BY, type GroupBy, type SituationFigures, type SituationReport, type SituationRow } from './report-types.js';
import { groupLabels, readStatisticsScope, type StatisticsScope } from './scope.js';

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'Ngày không hợp lệ.' });

export const SituationInput = z
  .object({
    unit: idField('Vui lòng chọn đơn vị.'),
    groupBy: z.enum(Object.keys(GROUP_BY) as [GroupBy, ...GroupBy[]], { error: 'Cách nhóm báo cáo không hợp lệ.' }).default('unit'),
    from: isoDay,
    to: isoDay,
    sector: idField('Lĩnh vực không hợp lệ.').optional(),
    procedure: idField('Thủ tục không hợp lệ.').optional(),
  })
  .superRefine((v, ctx) => {
    if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Đến ngày phải sau hoặc bằng từ ngày.' });
    if (v.from < '2000-01-01' || v.to > '2099-12-31')
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'Kỳ báo cáo phải trong khoảng 2000–2099.' });
  });

const PERIOD_MEASURES: Measure[] = [
  'received',
  'settled_early',
  'settled_on_time',
  'settled_late',
  'withdrawn',
  'stopped',
  'refused',
  'supplement',
];

/** What figuresOf reads besides a period's own counts: carried over, in progress, late and paused (the service index reads them too). */
export const IN_PROGRESS_MEASURES: readonly Measure[] = [
  'closed',
  'due',
  'closed_m',
  'closed_due',
  'paused',
  'paused_due',
  'paused_m',
  'paused_end',
  'paused_m_end',
];

export type Windows = 'period' | 'before' | 'toEnd' | 'toToday';

/**
 * The counters' sums for the report's query, for the scope's units grouped as asked, over the windows figuresOf reads:
 * the period itself, before it, up to its end, and up to today while the period is not over (`running`, seen on the day
 * asOf; an empty window once it is).
 */
export async function sumReportCounters(
  db: Queryable,
  q: z.output<typeof SituationInput>,
  scope: StatisticsScope,
  asOf: string,
  groupBy: GroupBy,
  measures: readonly Measure[],
) {
  const end = addDays(q.to, 1);
  const running = end > asOf;
  const sums = await sumCounters<Windows>(db, {
    unitIds: scope.unitIds,
    sectorId: q.sector ?? null,
    procedureId: q.procedure ?? null,
    groupBy,
    unitRow: scope.unitRow,
    windows: {
      period: { from: q.from, until: end },
      before: { from: BEGINNING, until: q.from },
      toEnd: { from: BEGINNING, until: end },
      toToday: { from: BEGINNING, until: running ? asOf : BEGINNING },
    },
    measures,
  });
  return { running, sums };
}

/** Sums by window and measure (channels added unless asked for). */
function reader(sums: Array<CounterSum<Windows>>) {
  return (window: Windows, measure: Measure, channels?: readonly number[]) =>
    sums.reduce((n, s) => (s.window === window && s.measure === measure && (!channels || channels.includes(s.channel)) ? n + s.n : n), 0);
}

/**
 * One row's figures. Carried over = received before the period − closed before it; in progress = received before the
 * end − closed before it; paused = paused before the end (waiting for a supplement since a day before it; for a period
 * not over, every waiting dossier); in progress and late = due before the end − closed_m before the end (a dossier
 * closed after the end but due before it was late then) − paused_m before the end (paused then, and due before it),
 * or, for a period not over, due before today − closed_due before today − paused_due before today (the open dossiers
 * due before today whose clock runs, as the lists' Quá hạn).
 */
export function figuresOf(sums: Array<CounterSum<Windows>>, running: boolean): SituationFigures {
  const at = reader(sums);
  const online = at('period', 'received', [2]);
  const direct = at('period', 'received', [1, 3]);
  const carriedOver = at('before', 'received') - at('before', 'closed');
  const early = at('period', 'settled_early');
  const onTime = at('period', 'settled_on_time');
  const late = at('period', 'settled_late');
  const inProgress = at('toEnd', 'received') - at('toEnd', 'closed');
  // A dossier stopped or withdrawn while waiting was paused until it finished (paused_end, paused_m_end: migration 0058).
  const paused = at('toEnd', 'paused') - at('toEnd', 'paused_end');
  const inProgressLate = running
    ? at('toToday', 'due') - at('toToday', 'closed_due') - at('toToday', 'paused_due')
    : at('toEnd', 'due') - at('toEnd', 'closed_m') - (at('toEnd', 'paused_m') - at('toEnd', 'paused_m_end'));
  const settled = early + onTime + late;
  return {
    received: { total: online + direct + carriedOver, online, direct, carriedOver },
    settled: { total: settled, early, onTime, late },
    inProgress: { total: inProgress, withinDeadline: inProgress - inProgressLate - paused, late: inProgressLate, paused },
    withdrawn: at('period', 'withdrawn'),
    stopped: at('period', 'stopped'),
    refused: at('period', 'refused'),
    supplementRequests: at('period', 'supplement'),
    onTimeRate: settled > 0 ? (early + onTime) / settled : null,
  };
}

/** The report, for an actor who reads the unit's statistics (anyone else: not found). */
export async function readSituationReport(db: Queryable, actor: StaffActor, raw: unknown, now: Date): Promise<SituationReport> {
  const q = parseInput(SituationInput, raw);
  const scope = await readStatisticsScope(db, actor, q.unit);
  const asOf = todayInVietnam(now);
  const measures: Measure[] = [...PERIOD_MEASURES, ...IN_PROGRESS_MEASURES];
  const { running, sums } = await sumReportCounters(db, q, scope, asOf, q.groupBy, measures);
  const byGroup = new Map<string, Array<CounterSum<Windows>>>();
  for (const s of sums) byGroup.set(s.group, [...(byGroup.get(s.group) ?? []), s]);

  let rows: SituationRow[];
  if (q.groupBy === 'unit') {
    rows = scope.rows.map((r) => ({ key: r.key, label: r.label, figures: figuresOf(byGroup.get(r.key) ?? [], running) }));
  } else {
    const labels = await groupLabels(db, q.groupBy, [...byGroup.keys()]);
    rows = [...byGroup]
      .map(([key, s]) => ({ key, label: labels.get(key) ?? 'Không rõ', figures: figuresOf(s, running) }))
      .sort((a, b) => a.label.localeCompare(b.label, 'vi'));
  }
  if (rows.length > 5000) throw errors.conflict('Báo cáo có quá nhiều dòng. Vui lòng chọn đơn vị, lĩnh vực hoặc thủ tục hẹp hơn.');
  return {
    unit: scope.unit,
    groupBy: q.groupBy,
    period: { from: q.from, to: q.to },
    asOf,
    rows,
    total: figuresOf(sums, running),
  };
}
