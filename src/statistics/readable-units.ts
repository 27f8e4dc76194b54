/**
 * The units an official may choose on a statistics page: every unit of the subtrees statistics/policy.ts lets them
 * read, in the tree's order with their depth (the form indents them), the widest first — the default of a report.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { statisticsRootUnitIds } from './policy.js';

export type UnitChoice = { id: string; name: string; depth: number };

export async function readableUnits(db: Queryable, actor: StaffActor): Promise<UnitChoice[]> {
  const roots = await statisticsRootUnitIds(db, actor);
  if (roots.length === 0) return [];
  // The sort path is built from the tops down, so a subtree follows its unit; a root inside another root's subtree is
  // reached from the outer one as well, and only that visit (the deepest) is kept.
  return queryRows<UnitChoice>(
    db,
    sql`with recursive down(id, name, depth, top, path) as (
        select u.id, u.name, 0, u.id, array[lpad(u.sort_order::text, 10, '0') || u.name]
        from units u where u.id in (${sql.join(
          roots.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        union all
        select u.id, u.name, d.depth + 1, d.top, d.path || (lpad(u.sort_order::text, 10, '0') || u.name)
        from units u join down d on u.parent_id = d.id where d.depth < 64
      ),
      tops as (select top, count(*)::int as size from down group by top),
      kept as (select distinct on (id) id, name, depth, top, path from down order by id, depth desc)
      select k.id::text as id, k.name, k.depth from kept k join tops t on t.top = k.top
      order by t.size desc, k.top, k.path`,
  );
}
