/**
 * WHAT THE PROVINCIAL SSO TELLS AN APPLICATION about whoever logged in: the subject is the official's account id
 * or the citizen's id, and the claims by scope (provider.ts lists which claim belongs to which scope; the
 * provider hands out only those of scopes the client may ask for and was granted):
 *   profile   name, family_name, given_name
 *   cccd      cccd — an official's only when a VNeID login bound the account to its person
 *   official  username, unit_code, unit_name, unit_path (root first), roles [{ role, unit_id, unit_code }]
 *   citizen   citizen_type (individual | organisation), tax_code
 * A suspended or deleted account, or an unknown subject, is no account: its tokens stop working.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, citizens, persons, roleGrants, units } from '../db/schema/index.js';
import { ancestorIds } from '../org/tree.js';

export const SCOPE_CLAIMS = {
  profile: ['name', 'family_name', 'given_name'],
  cccd: ['cccd'],
  official: ['username', 'unit_code', 'unit_name', 'unit_path', 'roles'],
  citizen: ['citizen_type', 'tax_code'],
} as const;

export type SsoSubject = { kind: 'official'; accountId: string; unitId: string } | { kind: 'citizen'; citizenId: string };

type Claims = Record<string, unknown> & { sub: string };

export async function ssoSubject(db: Db, sub: string): Promise<SsoSubject | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(sub)) return null;
  const [acc] = await db
    .select({ id: accounts.id, unitId: accounts.unitId })
    .from(accounts)
    .where(and(eq(accounts.id, sub), eq(accounts.suspended, false), isNull(accounts.deletedAt)));
  if (acc) return { kind: 'official', accountId: acc.id, unitId: acc.unitId };
  const [citizen] = await db.select({ id: citizens.id }).from(citizens).where(eq(citizens.id, sub));
  return citizen ? { kind: 'citizen', citizenId: citizen.id } : null;
}

export async function officialClaims(db: Db, accountId: string): Promise<Claims | null> {
  const [row] = await db
    .select({ acc: accounts, cccd: persons.cccd, unitName: units.name, unitCode: units.agencyCode })
    .from(accounts)
    .innerJoin(units, eq(units.id, accounts.unitId))
    .leftJoin(persons, eq(persons.id, accounts.personId))
    .where(eq(accounts.id, accountId));
  if (!row) return null;
  const chain = (await ancestorIds(db, row.acc.unitId)).reverse();
  const names = new Map(
    (await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, chain))).map((u) => [u.id, u.name]),
  );
  const grants = await db
    .select({ role: roleGrants.role, unitId: roleGrants.unitId, unitCode: units.agencyCode })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.accountId, accountId));
  const { acc } = row;
  return {
    sub: acc.id,
    name: `${acc.middleName} ${acc.givenName}`.trim(),
    family_name: acc.middleName,
    given_name: acc.givenName,
    ...(row.cccd ? { cccd: row.cccd } : {}),
    username: acc.username,
    unit_code: row.unitCode,
    unit_name: row.unitName,
    unit_path: chain.map((id) => names.get(id) ?? ''),
    roles: grants.map((g) => ({ role: g.role, unit_id: g.unitId, unit_code: g.unitCode })),
  };
}

export async function citizenClaims(db: Db, citizenId: string): Promise<Claims | null> {
  const [c] = await db.select().from(citizens).where(eq(citizens.id, citizenId));
  if (!c) return null;
  const organisation = c.accountType === 2;
  return {
    sub: c.id,
    name: organisation ? (c.businessName ?? c.fullName) : c.fullName,
    ...(c.cccd ? { cccd: c.cccd } : {}),
    citizen_type: organisation ? 'organisation' : 'individual',
    ...(c.taxCode ? { tax_code: c.taxCode } : {}),
  };
}
