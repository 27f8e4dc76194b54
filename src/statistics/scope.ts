/**
 * The units a statistics page covers: the chosen unit and its subtree, once statistics/policy.ts says the actor reads
 * them — and, for reports by unit, the row each unit is counted in (the chosen unit's own dossiers, then each child with
 * everything below it). Another unit's id in the address is answered as "not found", like every object one may not read.
 */
import { inArray, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { procedureVersions, sectors } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { mayReadStatistics } from './policy.js';

export type StatisticsScope = {
  unit: { id: string; name: string };
  /** The chosen unit and every unit below it. */
  unitIds: string[];
  /** Each unit's report row: the chosen unit itself, or the child of it the unit is under. */
  unitRow: Map<string, string>;
  /** The rows' labels in the tree's order: the chosen unit's own row first. */
  rows: Array<{ key: string; label: string }>;
};

export async function readStatisticsScope(db: Queryable, actor: StaffActor, unitId: string): Promise<StatisticsScope> {
  if (!(await mayReadStatistics(db, actor, unitId))) throw errors.notFound('Đơn vị');
  const tree = await queryRows<{ id: string; name: string; row_key: string; depth: number; sort_order: number }>(
    db,
    sql`with recursive down(id, name, row_key, depth, sort_order) as (
        select id, name, id, 0, sort_order from units where id = ${unitId}::uuid
        union all
        select u.id, u.name, case when down.depth = 0 then u.id else down.row_key end, down.depth + 1, u.sort_order
        from units u join down on u.parent_id = down.id where down.depth < 64
      ) select id::text, name, row_key::text, depth, sort_order from down order by depth, sort_order, name`,
  );
  const root = tree[0];
  if (!root) throw errors.notFound('Đơn vị');
  const unitRow = new Map(tree.map((t) => [t.id, t.row_key]));
  const rows = [
    { key: root.id, label: `${root.name} (trực tiếp tiếp nhận)` },
    ...tree.filter((t) => t.depth === 1).map((t) => ({ key: t.id, label: t.name })),
  ];
  return { unit: { id: root.id, name: root.name }, unitIds: tree.map((t) => t.id), unitRow, rows };
}

/** The names of sectors and procedures (a procedure by its newest version) for the rows of a report. */
export async function groupLabels(db: Queryable, groupBy: 'sector' | 'procedure', keys: string[]): Promise<Map<string, string>> {
  const ids = keys.filter((k) => k !== '');
  const out = new Map<string, string>();
  if (groupBy === 'sector') {
    if (ids.length)
      for (const s of await db.select({ id: sectors.id, name: sectors.name }).from(sectors).where(inArray(sectors.id, ids)))
        out.set(s.id, s.name);
    out.set('', 'Chưa phân lĩnh vực');
    return out;
  }
  if (ids.length) {
    const versions = await db
      .selectDistinctOn([procedureVersions.procedureId], { id: procedureVersions.procedureId, name: procedureVersions.name })
      .from(procedureVersions)
      .where(inArray(procedureVersions.procedureId, ids))
      .orderBy(procedureVersions.procedureId, sql`${procedureVersions.version} desc`);
    for (const v of versions) out.set(v.id, v.name);
  }
  return out;
}
