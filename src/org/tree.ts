import { isNull, sql } from 'drizzle-orm';
import { units } from '../db/schema/index.js';
import { queryRows, type Queryable } from '../db/client.js';
import { TREE_WALK_LIMIT } from './unit-depth.js';

/**
 * The province unit: where province-wide settings are audited. Found as the root (no parent), never by its kind:
 * only setup and the demo seed make a root, so there is one, and no administrator can make another unit look like it.
 */
export async function provinceUnitId(db: Queryable): Promise<string | null> {
  const [root] = await db.select({ id: units.id }).from(units).where(isNull(units.parentId)).orderBy(units.createdAt, units.id).limit(1);
  return root?.id ?? null;
}

/**
 * The unit and all its ancestors up to the root, nearest first. The walks below stop at TREE_WALK_LIMIT levels so a
 * corrupt tree cannot run them forever; unit-depth.ts keeps every unit far above that (MAX_UNIT_LEVEL), so the stop
 * never hides a unit from its administrators.
 */
export async function ancestorIds(db: Queryable, unitId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 0 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent_id where up.depth < ${TREE_WALK_LIMIT}
    ) select id from up order by depth`,
  );
  return rows.map((r) => r.id);
}

/** The units and everything below them. */
export async function subtreeIds(db: Queryable, rootIds: string[]): Promise<string[]> {
  if (rootIds.length === 0) return [];
  const rows = await queryRows<{ id: string }>(
    db,
    sql`
    with recursive down(id, depth) as (
      select id, 0 from units where id in (${sql.join(
        rootIds.map((id) => sql`${id}::uuid`),
        sql`, `,
      )})
      union
      select u.id, down.depth + 1 from units u join down on u.parent_id = down.id where down.depth < ${TREE_WALK_LIMIT}
    ) select distinct id from down`,
  );
  return rows.map((r) => r.id);
}

export type UnitNode = {
  id: string;
  parentId: string | null;
  name: string;
  shortName: string | null;
  agencyCode: string | null;
  kind: string;
  active: boolean;
  mergedIntoId: string | null;
  children: UnitNode[];
};

/** Build a forest from flat rows, children ordered by sort order then name. */
export function buildForest(rows: Array<Omit<UnitNode, 'children'> & { sortOrder: number }>, rootIds?: string[]): UnitNode[] {
  const byId = new Map<string, UnitNode & { sortOrder: number }>();
  for (const r of rows) byId.set(r.id, { ...r, children: [] });
  const roots: Array<UnitNode & { sortOrder: number }> = [];
  for (const node of byId.values()) {
    const isRoot = rootIds ? rootIds.includes(node.id) : !node.parentId || !byId.has(node.parentId);
    if (isRoot) roots.push(node);
    else if (node.parentId && byId.has(node.parentId)) byId.get(node.parentId)!.children.push(node);
  }
  const sortRec = (list: Array<UnitNode & { sortOrder?: number }>) => {
    list.sort((a, b) => (a.sortOrder ?? 0) - (b.sortOrder ?? 0) || a.name.localeCompare(b.name, 'vi'));
    for (const n of list) sortRec(n.children);
  };
  sortRec(roots);
  return roots;
}
