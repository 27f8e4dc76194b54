import { and, asc, eq, inArray, isNull, like, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, accountIdentities, units } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { escapeLike, foldVietnamese } from '../shared/text.js';
import { subtreeIds } from '../org/tree.js';
import { administeredUnitIds, requireAdministerUnit } from './policies.js';

export type OfficialListFilter = {
  /** The unit chosen in the tree; defaults to everything the actor administers. */
  unitId?: string | undefined;
  /** With the unit: also the officials of the units under it (Bao gồm đơn vị trực thuộc). */
  subtree?: boolean | undefined;
  /** Free text, diacritics-insensitive. */
  q?: string | undefined;
  limit?: number;
  offset?: number;
};

/**
 * The officials of the chosen unit (and its sub-units when searching or asked to), limited to the actor's scope.
 * `total` counts exactly what the list would show without its limit.
 */
export async function listOfficials(db: Queryable, actor: StaffActor, f: OfficialListFilter) {
  const scope = await administeredUnitIds(db, actor);
  let unitIds: string[];
  const term = f.q ? foldVietnamese(f.q) : '';
  if (f.unitId) {
    await requireAdministerUnit(db, actor, f.unitId);
    unitIds = term || f.subtree ? (await subtreeIds(db, [f.unitId])).filter((id) => scope.includes(id)) : [f.unitId];
  } else {
    unitIds = scope;
  }
  if (unitIds.length === 0) return { rows: [], total: 0 };
  const conds = [inArray(accounts.unitId, unitIds), isNull(accounts.deletedAt)];
  for (const word of term.split(' ').filter(Boolean)) conds.push(like(accounts.searchText, `%${escapeLike(word)}%`));
  const where = and(...conds);
  const rows = await db
    .select({
      id: accounts.id,
      username: accounts.username,
      middleName: accounts.middleName,
      givenName: accounts.givenName,
      position: accounts.position,
      mobile: accounts.mobile,
      emails: accounts.emails,
      suspended: accounts.suspended,
      unitId: accounts.unitId,
      unitName: units.name,
      cccd: accountIdentities.cccd,
      verifiedAt: accountIdentities.verifiedAt,
      lastLoginAt: accounts.lastLoginAt,
    })
    .from(accounts)
    .innerJoin(units, eq(units.id, accounts.unitId))
    .leftJoin(accountIdentities, eq(accountIdentities.accountId, accounts.id))
    .where(where)
    .orderBy(asc(accounts.givenName), asc(accounts.middleName), asc(accounts.username))
    .limit(f.limit ?? 200)
    .offset(f.offset ?? 0);
  const [count] = await db.select({ n: sql<number>`count(*)::int` }).from(accounts).where(where);
  return { rows, total: count?.n ?? 0 };
}

export async function loadOfficialDetail(db: Queryable, accountId: string) {
  const [row] = await db
    .select({ account: accounts, person: accountIdentities })
    .from(accounts)
    .leftJoin(accountIdentities, eq(accountIdentities.accountId, accounts.id))
    .where(eq(accounts.id, accountId));
  return row;
}
