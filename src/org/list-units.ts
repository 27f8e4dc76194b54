import { inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { units } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { adminRootUnitIds } from '../accounts/policies.js';
import { buildForest, subtreeIds, type UnitNode } from './tree.js';

/** The part of the tree the actor administers, as a forest rooted at their admin units. */
export async function administeredForest(
  db: Queryable,
  actor: StaffActor,
  opts: { includeInactive?: boolean } = {},
): Promise<{ forest: UnitNode[]; flat: Array<UnitNode & { depth: number }> }> {
  const roots = await adminRootUnitIds(db, actor);
  const ids = await subtreeIds(db, roots);
  if (ids.length === 0) return { forest: [], flat: [] };
  const rows = await db
    .select({
      id: units.id,
      parentId: units.parentId,
      name: units.name,
      shortName: units.shortName,
      agencyCode: units.agencyCode,
      kind: units.kind,
      active: units.active,
      mergedIntoId: units.mergedIntoId,
      sortOrder: units.sortOrder,
    })
    .from(units)
    .where(inArray(units.id, ids));
  const visible = opts.includeInactive ? rows : rows.filter((r) => r.active);
  // An admin root nested in another admin root is shown once, inside its parent.
  const rootSet = new Set(roots.filter((r) => visible.some((v) => v.id === r)));
  const topRoots = [...rootSet].filter((r) => {
    const row = visible.find((v) => v.id === r);
    let parent = row?.parentId;
    while (parent) {
      if (rootSet.has(parent)) return false;
      parent = visible.find((v) => v.id === parent)?.parentId ?? null;
    }
    return true;
  });
  const forest = buildForest(visible, topRoots);
  const flat: Array<UnitNode & { depth: number }> = [];
  const walk = (list: UnitNode[], depth: number) => {
    for (const n of list) {
      flat.push({ ...n, depth });
      walk(n.children, depth + 1);
    }
  };
  walk(forest, 0);
  return { forest, flat };
}
