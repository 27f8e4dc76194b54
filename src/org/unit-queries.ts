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

/**
 * The province group of the root's code (`H10` of 000.00.00.H10): the codebase keeps the province there. Null when the
 * root has no code of that shape yet, and then no code is judged foreign.
 */
export function provinceGroupOf(rootCode: string | null): string | null {
  const group = rootCode?.split('.').pop() ?? null;
  return group && /^H\d{2}$/.test(group) ? group : null;
}

/** Why a code is another province's (its last group is not the root's), or null: one wording for screen and import. */
export function foreignCodeReason(code: string, provinceGroup: string | null): string | null {
  if (!provinceGroup || code.split('.').pop() === provinceGroup) return null;
  return `Mã định danh ${code} không thuộc tỉnh này (mã của tỉnh kết thúc bằng .${provinceGroup}).`;
}

/**
 * A code a unit may be given on the screen or by the import: of this province (a code prefixes the unit's dossier
 * codes and is sent to the national portal as MaDonVi) and not held by another active unit. The root itself is
 * exempt from the province check: its code is what defines the province (a merger may give it a new one).
 */
export async function assertAgencyCodeUsable(db: Queryable, code: string | null, exceptId: string | null) {
  if (!code) return;
  const [root] = await db.select({ id: units.id, agencyCode: units.agencyCode }).from(units).where(isNull(units.parentId)).limit(1);
  const reason = root && root.id !== exceptId ? foreignCodeReason(code, provinceGroupOf(root.agencyCode)) : null;
  if (reason) throw new AppError('agency_code_foreign', reason, 400, { agencyCode: reason });
  await assertAgencyCodeFree(db, code, exceptId);
}

/** The root unit's name (the province this deployment serves), or undefined on an empty tree. */
export async function rootUnitName(db: Queryable): Promise<string | undefined> {
  const [root] = await db.select({ name: units.name }).from(units).where(isNull(units.parentId)).limit(1);
  return root?.name;
}
