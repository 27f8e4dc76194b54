import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { roleGrants, units, type Role } from '../db/schema/index.js';
import { grantLabel } from './roles.js';

/** The official's unit and role grants, for CÁ NHÂN (read only; permissions are decided elsewhere). */
export async function ownUnitAndGrants(db: Queryable, account: { id: string; unitId: string }) {
  const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, account.unitId));
  const rows: Array<{ role: Role; unitName: string; atRoot: boolean }> = await db
    .select({ role: roleGrants.role, unitName: units.name, atRoot: sql<boolean>`${units.parentId} is null` })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.accountId, account.id));
  return { unitName: unit?.name ?? null, grants: rows.map((g) => ({ ...g, label: grantLabel(g.role, g.atRoot) })) };
}

/** The name of the official's unit (Thông tin tài khoản). */
export async function unitNameOf(db: Queryable, unitId: string): Promise<string | null> {
  const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, unitId));
  return unit?.name ?? null;
}
