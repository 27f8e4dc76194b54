/**
 * HOW DEEP THE UNIT TREE MAY GO. The root (the province) is level 1; a real province's tree is 4–5 levels (province →
 * sở / huyện → chi cục / phòng → tổ), the demo tree 3. Every scope check walks the tree (tree.ts ancestorIds,
 * subtreeIds), and those walks stop at TREE_WALK_LIMIT so a corrupt tree cannot run them forever: a unit below that
 * would fall out of its administrators' sight. So creating, moving, merging and importing refuse a unit deeper than
 * MAX_UNIT_LEVEL, well inside the walks' limit.
 *
 * The checks read the tree as committed, so two changes at once could together go deeper than each alone: every
 * change of the tree's shape holds the one delegation/agency lock (delegation/agency-lock.ts) first — moves, merges
 * and the import already did; createUnit takes it for this — and the second sees what the first committed.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { AppError } from '../shared/errors.js';

export const MAX_UNIT_LEVEL = 10;
/** The tree walks' stop (tree.ts): far above MAX_UNIT_LEVEL, a backstop only. */
export const TREE_WALK_LIMIT = 64;

/** The unit's level: 1 for the root, counting every unit above it (inactive ones too: they stay in the tree). */
export async function unitLevel(db: Queryable, unitId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`
    with recursive up(id, parent_id, depth) as (
      select id, parent_id, 1 from units where id = ${unitId}
      union all
      select u.id, u.parent_id, up.depth + 1 from units u join up on u.id = up.parent_id where up.depth <= ${TREE_WALK_LIMIT}
    ) select max(depth)::int as n from up`,
  );
  return row?.n ?? 0;
}

/** How many levels the unit's subtree spans: 1 for a unit without sub-units (inactive ones count: they stay below). */
export async function subtreeLevels(db: Queryable, unitId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`
    with recursive down(id, depth) as (
      select id, 1 from units where id = ${unitId}
      union all
      select u.id, down.depth + 1 from units u join down on u.parent_id = down.id where down.depth <= ${TREE_WALK_LIMIT}
    ) select max(depth)::int as n from down`,
  );
  return row?.n ?? 0;
}

export function tooDeepMessage(level: number): string {
  return `Cây đơn vị có tối đa ${MAX_UNIT_LEVEL} cấp (tỉnh là cấp 1); sau thao tác này sẽ có đơn vị ở cấp ${level}.`;
}

/** Refuses a change that puts a unit below MAX_UNIT_LEVEL; `deepest` is the deepest level the change would create. */
export function assertLevelWithin(deepest: number): void {
  if (deepest > MAX_UNIT_LEVEL) throw new AppError('unit_too_deep', tooDeepMessage(deepest), 409);
}
