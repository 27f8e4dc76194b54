/**
 * The unit import's depth check (unit-depth.ts): the tree after the import — every row under its parent, every other
 * unit, inactive ones too, where it is — must keep each unit within MAX_UNIT_LEVEL. A unit too deep is blamed on the
 * nearest row at or above it that creates or moves a unit: that row is what puts it there. Units already too deep
 * before the import (no such row above them) are not the file's doing and refuse nothing.
 */
import { MAX_UNIT_LEVEL, TREE_WALK_LIMIT } from './unit-depth.js';

/** A row as the plan resolved it: `parent` a node key (`r:<index>` a row, `u:<id>` a unit no row names). */
type PlannedRow = { parent: string | null; match: { id: string; parentId: string | null } | null; isRoot: boolean };

/** Row index → the deepest level it would put a unit at, for the rows that go below MAX_UNIT_LEVEL. */
export function rowsPlacingTooDeep(rows: PlannedRow[], allUnits: Array<{ id: string; parentId: string | null }>): Map<number, number> {
  const rowOfUnit = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.match) rowOfUnit.set(r.match.id, i);
  });
  const nodeOf = (unitId: string): string => {
    const i = rowOfUnit.get(unitId);
    return i === undefined ? `u:${unitId}` : `r:${i}`;
  };
  const parentIdOf = new Map(allUnits.map((u) => [u.id, u.parentId]));
  const parentOf = (node: string): string | null => {
    if (node.startsWith('r:')) return rows[Number(node.slice(2))]!.parent;
    const parentId = parentIdOf.get(node.slice(2));
    return parentId ? nodeOf(parentId) : null;
  };
  const placedByRow = (i: number): boolean => {
    const r = rows[i]!;
    if (!r.match) return true;
    if (r.isRoot || !r.parent) return false;
    const parent = r.parent.startsWith('u:') ? r.parent.slice(2) : rows[Number(r.parent.slice(2))]!.match?.id;
    return parent !== r.match.parentId;
  };

  const blamed = new Map<number, number>();
  const nodes = [...rows.map((_, i) => `r:${i}`), ...allUnits.filter((u) => !rowOfUnit.has(u.id)).map((u) => `u:${u.id}`)];
  for (const start of nodes) {
    let level = 1;
    let blame: number | null = null;
    let node: string | null = start;
    // Bounded: a path into a cycle (refused by the plan already, with its rows' children) never reaches the root.
    for (; node && level <= TREE_WALK_LIMIT; node = parentOf(node)) {
      if (blame === null && node.startsWith('r:') && placedByRow(Number(node.slice(2)))) blame = Number(node.slice(2));
      if (parentOf(node)) level++;
    }
    if (node === null && level > MAX_UNIT_LEVEL && blame !== null) blamed.set(blame, Math.max(level, blamed.get(blame) ?? 0));
  }
  return blamed;
}
