/**
 * WHO MAY READ STATISTICS — the one place it is decided. Read as sentences:
 * - An official reads the statistics of a unit when they hold Xem thống kê (statistics) or Lãnh đạo
 *   (approval) at that unit or at a unit above it: a grant covers the unit's whole subtree.
 * - A province administrator (administration at a root unit) reads the statistics of every unit.
 * - A unit administrator does not read statistics by administering; nor do reception, processing or result.
 * - A suspended or deleted account reads none.
 * - Reading statistics gives no position in any dossier (dossiers/access.ts reads only the workflow roles).
 * The statistics pages (a later issue) ask `mayReadStatistics` and `statisticsRootUnitIds`; nothing else decides.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, roleGrants } from '../db/schema/index.js';
import { adminRootUnitIds, isProvinceAdministrator } from '../accounts/policies.js';
import { ancestorIds } from '../org/tree.js';
import type { StaffActor } from '../shared/context.js';
import { isId } from '../shared/validate.js';

const READING_ROLES = ['statistics', 'approval'] as const;

/** The units whose subtrees the actor reads statistics of (the root unit for a province administrator). */
export async function statisticsRootUnitIds(db: Queryable, actor: StaffActor): Promise<string[]> {
  // A province administrator's admin units include a root, so they cover every unit.
  const administered = (await isProvinceAdministrator(db, actor)) ? await adminRootUnitIds(db, actor) : [];
  const rows = await db
    .selectDistinct({ unitId: roleGrants.unitId })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .where(
      and(
        eq(roleGrants.accountId, actor.accountId),
        inArray(roleGrants.role, [...READING_ROLES]),
        isNull(accounts.deletedAt),
        eq(accounts.suspended, false),
      ),
    );
  return [...new Set([...administered, ...rows.map((r) => r.unitId)])];
}

/** True when the actor may read the statistics of this unit (and so of its subtree). */
export async function mayReadStatistics(db: Queryable, actor: StaffActor, unitId: string): Promise<boolean> {
  if (!isId(unitId)) return false;
  const roots = await statisticsRootUnitIds(db, actor);
  if (roots.length === 0) return false;
  const chain = await ancestorIds(db, unitId);
  return chain.some((id) => roots.includes(id));
}

/** True when the actor reads the statistics of some unit (the menu offers Thống kê, báo cáo only then). */
export async function readsAnyStatistics(db: Queryable, actor: StaffActor): Promise<boolean> {
  return (await statisticsRootUnitIds(db, actor)).length > 0;
}
