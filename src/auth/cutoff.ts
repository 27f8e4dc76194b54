/**
 * The VNeID-only cutoff (seed 000 §1): from a date, set for the province and overridable per unit,
 * officials may no longer log in with a password. The date is the first day of VNeID only, in
 * Vietnam time. A unit without its own date follows its nearest ancestor that has one, then the province.
 */
import { and, eq, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import { settings, units } from '../db/schema/index.js';
import { todayInVietnam } from '../shared/dates.js';
import { ancestorIds } from '../org/tree.js';

export const CUTOFF_KEY = 'password_cutoff';

export async function provinceCutoff(db: Queryable): Promise<string | null> {
  const [row] = await db.select().from(settings).where(eq(settings.key, CUTOFF_KEY));
  const v = row?.value as { date?: string | null } | undefined;
  return v?.date ?? null;
}

/** The cutoff that applies to a unit's officials. */
export async function cutoffForUnit(db: Queryable, unitId: string): Promise<string | null> {
  for (const id of await ancestorIds(db, unitId)) {
    const [u] = await db.select({ cutoff: units.passwordCutoff }).from(units).where(eq(units.id, id));
    if (u?.cutoff) return u.cutoff;
  }
  return provinceCutoff(db);
}

/** The dates units hold themselves (not inherited), for the units named; a unit without one is not in the map. */
export async function ownCutoffs(db: Queryable, unitIds: string[]): Promise<Map<string, string>> {
  if (unitIds.length === 0) return new Map();
  const rows = await db
    .select({ id: units.id, cutoff: units.passwordCutoff })
    .from(units)
    .where(and(inArray(units.id, unitIds), isNotNull(units.passwordCutoff)));
  return new Map(rows.flatMap((r) => (r.cutoff ? [[r.id, r.cutoff] as const] : [])));
}

/** Cutoffs of all units at once (for the readiness page and the dry run). */
export async function cutoffsByUnit(db: Queryable): Promise<Map<string, string | null>> {
  const rows = await db.select({ id: units.id, parentId: units.parentId, cutoff: units.passwordCutoff }).from(units);
  const province = await provinceCutoff(db);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const memo = new Map<string, string | null>();
  const resolve = (id: string, depth = 0): string | null => {
    if (memo.has(id)) return memo.get(id)!;
    const r = byId.get(id);
    const v = !r || depth > 64 ? province : (r.cutoff ?? (r.parentId ? resolve(r.parentId, depth + 1) : province));
    memo.set(id, v);
    return v;
  };
  for (const r of rows) resolve(r.id);
  return memo;
}

/** Is password login still open on this day for a unit with this cutoff? */
export function passwordOpen(cutoff: string | null, now: Date): boolean {
  return !cutoff || todayInVietnam(now) < cutoff;
}

/**
 * cutoffForUnit as SQL, for a statement that already reads the unit (the session lookup, auth/sessions.ts): the
 * date ('YYYY-MM-DD') of the nearest unit up the tree that has one of its own, else the province's, else null.
 */
export function cutoffOfUnitSql(unitId: AnyPgColumn): SQL<string | null> {
  return sql<string | null>`coalesce(
    (with recursive up(id, parent_id, cutoff, depth) as (
       select u.id, u.parent_id, u.password_cutoff, 0 from units u where u.id = ${unitId}
       union all
       select p.id, p.parent_id, p.password_cutoff, up.depth + 1 from units p join up on p.id = up.parent_id
        where up.cutoff is null and up.depth < 64
     ) select cutoff::text from up where cutoff is not null order by depth limit 1),
    (select s.value ->> 'date' from settings s where s.key = 'password_cutoff'))`;
}
