/**
 * Which dossiers a figure of the situation report counts, as a condition on dossiers `d`: the drill-down lists exactly
 * these. Each condition is stats_dossier_facts() (migrations 0047, 0057) read back for one measure, combined the way
 * figuresOf() (situation-report.ts) combines the sums — so a cell's list has as many dossiers as its figure (for an
 * official who may open them all: tests/statistics-pages.test.ts compares every cell). Days are Vietnam days
 * (stats_local_day), the period's days run from `from` to `to`, both included.
 */
import { sql, type SQL } from 'drizzle-orm';
import { clockStopped } from '../dossiers/list-query.js';
import { addDays } from './periods.js';
import type { DrillCell } from './report-types.js';

export type CellPeriod = {
  from: string;
  to: string;
  /** The day the figures are read (today, in Vietnam): a period not over counts its late dossiers to it. */
  asOf: string;
};

const day = (column: string) => sql.raw(`stats_local_day(d.${column})`);
const date = (iso: string) => sql`${iso}::date`;

/** The condition on `d` of one cell's dossiers. */
export function cellCondition(cell: DrillCell, p: CellPeriod): SQL {
  const end = addDays(p.to, 1);
  const running = end > p.asOf;
  const inPeriod = (column: string) => sql`${day(column)} >= ${date(p.from)} and ${day(column)} < ${date(end)}`;
  // received: accepted, on the reception day.
  const received = sql`d.accepted and ${inPeriod('received_at')}`;
  // closed: accepted and finished, on the finishing day; "not closed before X" is its negation.
  const openAt = (x: string) => sql`(d.finished_at is null or ${day('finished_at')} >= ${date(x)})`;
  // settled_*: a result issued (done, returned) on the finishing day, early / on time / late by the due moment.
  const settled = sql`d.accepted and d.finished_at is not null and d.status in ('done', 'returned') and ${inPeriod('finished_at')}`;
  const inProgress = sql`d.accepted and ${day('received_at')} < ${date(end)} and ${openAt(end)}`;
  // Paused (Tạm dừng tính hạn, the lists' condition): waiting for a supplement now, since a day before the end — for a
  // period not over, every waiting dossier. Its clock is stopped, so it is neither late nor within its deadline.
  // A dossier stopped or withdrawn while it waited (it keeps clock_stopped_at: only resuming clears it) was paused
  // until it finished, so at the end of a period it waited through (migration 0058).
  const paused = sql`d.accepted and ((d.finished_at is null and ${clockStopped()})
      or (d.status in ('withdrawn', 'stopped') and d.clock_stopped_at is not null and ${openAt(end)} and d.finished_at is not null))
    and stats_local_day(coalesce(d.clock_stopped_at, d.received_at)) < ${date(end)}`;
  // Late at the end: due before the end and not closed_m before it (closed on the later of its finishing and due
  // days) — with the due day before the end, that is "not finished before the end" — and not paused at the end. A
  // period not over: due before today, not finished at all and its clock running (the lists' Quá hạn, by days).
  const late = running
    ? sql`d.accepted and ${day('due_at')} < ${date(p.asOf)} and d.finished_at is null and not (${clockStopped()})`
    : sql`d.accepted and ${day('due_at')} < ${date(end)} and ${openAt(end)} and not (${paused})`;
  const closedAs = (statuses: SQL) => sql`d.finished_at is not null and d.status in ${statuses} and ${inPeriod('finished_at')}`;
  switch (cell) {
    case 'received_total':
      return sql`((${received} and d.channel in (1, 2, 3)) or (d.accepted and ${day('received_at')} < ${date(p.from)} and ${openAt(p.from)}))`;
    case 'received':
      return sql`(${received} and d.channel in (1, 2, 3))`;
    case 'received_online':
      return sql`(${received} and d.channel = 2)`;
    case 'received_direct':
      return sql`(${received} and d.channel in (1, 3))`;
    case 'carried_over':
      return sql`(d.accepted and ${day('received_at')} < ${date(p.from)} and ${openAt(p.from)})`;
    case 'settled':
      return sql`(${settled})`;
    case 'settled_early':
      return sql`(${settled} and d.finished_at <= d.due_at and ${day('finished_at')} < ${day('due_at')})`;
    case 'settled_on_time':
      return sql`(${settled} and d.finished_at <= d.due_at and ${day('finished_at')} >= ${day('due_at')})`;
    case 'settled_late':
      return sql`(${settled} and d.finished_at > d.due_at)`;
    case 'in_progress':
      return sql`(${inProgress})`;
    case 'in_progress_within':
      return sql`(${inProgress} and not (${late}) and not (${paused}))`;
    case 'in_progress_late':
      return sql`(${late})`;
    case 'in_progress_paused':
      return sql`(${paused})`;
    case 'withdrawn':
      return sql`(${closedAs(sql`('withdrawn')`)})`;
    case 'stopped':
      return sql`(${closedAs(sql`('stopped')`)})`;
    case 'refused':
      return sql`(${closedAs(sql`('refused', 'rejected')`)})`;
    // The service index's (service-index.ts): the rest of an indicator's denominator, the dossiers that cost points.
    case 'settled_nat_late':
      return sql`(${settled} and not (d.finished_at <= d.due_at and d.supplement_requests <= 1))`;
    case 'not_online_e_result':
      return sql`(${received} and not (d.channel = 2 and d.e_result))`;
    case 'fee_not_paid_online':
      return sql`(${received} and not d.paid_online
        and (select pv.fee from procedure_versions pv where pv.id = d.procedure_version_id) > 0)`;
    case 'not_digitised':
      return sql`(${received} and not d.digitised)`;
    case 'settled_without_e_result':
      return sql`(${settled} and not d.e_result)`;
  }
}
