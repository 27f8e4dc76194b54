import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { units } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { isId } from '../shared/validate.js';

export async function loadUnit(db: Queryable, id: string) {
  if (!isId(id)) return undefined;
  const [u] = await db.select().from(units).where(eq(units.id, id));
  return u;
}

export async function loadActiveUnit(db: Queryable, id: string) {
  const u = await loadUnit(db, id);
  return u?.active ? u : undefined;
}

/** The active unit other than `exceptId` holding the code: the partial unique index allows one. */
export async function activeHolderOfCode(db: Queryable, code: string, exceptId: string | null) {
  const cond = exceptId
    ? and(eq(units.agencyCode, code), eq(units.active, true), ne(units.id, exceptId))
    : and(eq(units.agencyCode, code), eq(units.active, true));
  const [other] = await db.select({ id: units.id, name: units.name }).from(units).where(cond);
  return other;
}

export async function assertAgencyCodeFree(db: Queryable, code: string | null, exceptId: string | null) {
  if (!code) return;
  const other = await activeHolderOfCode(db, code, exceptId);
  if (other) {
    throw new AppError('agency_code_taken', `Mã định danh điện tử đã được dùng cho ${other.name}.`, 409, {
      agencyCode: `Mã định danh điện tử đã được dùng cho ${other.name}.`,
    });
  }
}

/** The root unit's name (the province this deployment serves), or undefined on an empty tree. */
export async function rootUnitName(db: Queryable): Promise<string | undefined> {
  const [root] = await db.select({ name: units.name }).from(units).where(isNull(units.parentId)).limit(1);
  return root?.name;
}
