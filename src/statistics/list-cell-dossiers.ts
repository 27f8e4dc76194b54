/**
 * The drill-down of the situation report: the dossiers one figure counts (a cell of a row, or of Tổng cộng), newest
 * received first, 50 a page. Whoever reads the report's figures may ask (statistics/scope.ts); the list then shows only
 * the dossiers the official may open, by the rule of every officials' list (dossiers/access.ts,
 * VISIBLE_THROUGH_POSITIONS): reading statistics gives no position, so a statistics-only official sees the figure but
 * perhaps not its dossiers — `partial` says when some may be left out, never how many.
 */
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Queryable } from '../db/client.js';
import type { DossierStatus } from '../db/schema/index.js';
import { positionsCte, VISIBLE_THROUGH_POSITIONS } from '../dossiers/access.js';
import { pageOf, readCursor } from '../dossiers/list-query.js';
import type { StaffActor } from '../shared/context.js';
import { todayInVietnam } from '../shared/dates.js';
import { errors } from '../shared/errors.js';
import { isId, parseInput } from '../shared/validate.js';
import { cellCondition } from './cells.js';
import { DRILL_CELLS, type DrillCell } from './report-types.js';
import { groupLabels, readStatisticsScope } from './scope.js';
import { SituationInput } from './situation-report.js';

const PAGE = 50;

const DrillInput = z.object({
  cell: z.enum(Object.keys(DRILL_CELLS) as [DrillCell, ...DrillCell[]], { error: 'Ô số liệu không hợp lệ.' }),
  /** The row's key (a unit, sector or procedure id; '' for no sector); absent for Tổng cộng. */
  group: z.string().max(40, { error: 'Dòng báo cáo không hợp lệ.' }).optional(),
  after: z.string().max(80, { error: 'Vị trí trang không hợp lệ.' }).optional(),
});

type CellDossier = {
  id: string;
  code: string;
  status: DossierStatus;
  applicantName: string;
  procedureName: string;
  receivedAt: Date;
  dueAt: Date;
  finishedAt: Date | null;
};

export type CellList = {
  cell: DrillCell;
  /** The row's label (Tổng cộng for the whole report). */
  groupLabel: string;
  unit: { id: string; name: string };
  period: { from: string; to: string };
  rows: CellDossier[];
  next: string | null;
  /** Some dossiers of the figure may be left out: the official holds no position at some unit of the report. */
  partial: boolean;
};

const uuids = (ids: readonly string[]) =>
  sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  );

export async function listCellDossiers(db: Queryable, actor: StaffActor, raw: Record<string, unknown>, now: Date): Promise<CellList> {
  const { cell, group, after, ...report } = raw;
  const q = parseInput(SituationInput, report);
  const drill = parseInput(DrillInput, { cell, group, after });
  const scope = await readStatisticsScope(db, actor, q.unit);

  // The row: a unit row of this report (its units), or a sector or procedure, within the report's units.
  let units: string[] = scope.unitIds;
  let groupLabel = 'Tổng cộng';
  const conds: SQL[] = [];
  if (drill.group !== undefined) {
    if (q.groupBy === 'unit') {
      const row = scope.rows.find((r) => r.key === drill.group);
      if (!row) throw errors.notFound('Dòng báo cáo');
      units = [...scope.unitRow].filter(([, key]) => key === row.key).map(([id]) => id);
      groupLabel = row.label;
    } else if (q.groupBy === 'sector' && drill.group === '') {
      conds.push(sql`d.sector_id is null`);
      groupLabel = 'Chưa phân lĩnh vực';
    } else {
      if (!isId(drill.group)) throw errors.notFound('Dòng báo cáo');
      conds.push(q.groupBy === 'sector' ? sql`d.sector_id = ${drill.group}::uuid` : sql`d.procedure_id = ${drill.group}::uuid`);
      const label = (await groupLabels(db, q.groupBy, [drill.group])).get(drill.group);
      if (!label) throw errors.notFound('Dòng báo cáo');
      groupLabel = label;
    }
  }
  if (q.sector) conds.push(sql`d.sector_id = ${q.sector}::uuid`);
  if (q.procedure) conds.push(sql`d.procedure_id = ${q.procedure}::uuid`);
  const cursor = readCursor(drill.after);
  // A page position is only ever one this list wrote: anything else is forged, and named like any other parameter.
  if (drill.after && !cursor) throw errors.validation({ after: 'Vị trí trang không hợp lệ.' });
  if (cursor) conds.push(sql`(d.received_at, d.id) < (${cursor.at.toISOString()}::timestamptz, ${cursor.id}::uuid)`);

  const where = sql.join(
    [
      sql`d.agency_unit_id in (${uuids(units)})`,
      cellCondition(drill.cell, { from: q.from, to: q.to, asOf: todayInVietnam(now) }),
      VISIBLE_THROUGH_POSITIONS,
      ...conds,
    ],
    sql` and `,
  );
  // Timestamps come as Date or as text, by driver.
  type Raw = Omit<CellDossier, 'receivedAt' | 'dueAt' | 'finishedAt'> & {
    receivedAt: Date | string;
    dueAt: Date | string;
    finishedAt: Date | string | null;
  };
  // Every unit of the row is the unit of a position (or under one): the official may open all its dossiers. Without
  // any position (Xem thống kê alone) nothing is visible: answered without reading the dossiers, which at a province's
  // scale would scan them all for nothing (measured: 4.8 s for a year of 1M dossiers).
  const [cover] = await queryRows<{ partial: boolean; holds: boolean }>(
    db,
    sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)}
      select exists (select 1 from unnest(array[${uuids(units)}]) as u(id) where u.id not in (select unit_id from positions)) as partial,
        exists (select 1 from positions) as holds`,
  );
  const found = cover?.holds
    ? await queryRows<Raw>(
        db,
        sql`with recursive ${positionsCte(sql`${actor.accountId}::uuid`)}
        select d.id, d.code, d.status, coalesce(d.applicant->>'fullName', '') as "applicantName", pv.name as "procedureName",
          d.received_at as "receivedAt", d.due_at as "dueAt", d.finished_at as "finishedAt"
        from dossiers d join procedure_versions pv on pv.id = d.procedure_version_id
        where ${where}
        order by d.received_at desc, d.id desc
        limit ${PAGE + 1}`,
      )
    : [];
  const rows = found.map((r) => ({
    ...r,
    receivedAt: new Date(r.receivedAt),
    dueAt: new Date(r.dueAt),
    finishedAt: r.finishedAt === null ? null : new Date(r.finishedAt),
  }));
  const page = pageOf(rows, PAGE, (r) => r.receivedAt);
  return {
    cell: drill.cell,
    groupLabel,
    unit: scope.unit,
    period: { from: q.from, to: q.to },
    rows: page.rows,
    next: page.next,
    partial: cover?.partial ?? true,
  };
}
