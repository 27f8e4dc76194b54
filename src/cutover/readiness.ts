import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, auditLog, accountIdentities, units } from '../db/schema/index.js';
import { administeredUnitIds } from '../accounts/policies.js';
import { cutoffsByUnit } from '../auth/cutoff.js';
import { breakGlassCodeOpensSql } from '../auth/totp.js';
import type { StaffActor } from '../shared/context.js';

export type ReadinessAccount = {
  id: string;
  username: string;
  name: string;
  unitId: string;
  unitName: string;
  bound: boolean;
  verified: boolean;
  /** A break-glass account whose owner has set up its code: it still logs in after the cutoff. */
  breakGlass: boolean;
  suspended: boolean;
  cutoff: string | null;
};

async function accountsInScope(db: Queryable, actor: StaffActor): Promise<ReadinessAccount[]> {
  return accountsOfUnits(db, await administeredUnitIds(db, actor));
}

/** The live accounts of these units with their binding and cutoff (also read by the cutoff reminders, notify/). */
export async function accountsOfUnits(db: Queryable, scope: string[]): Promise<ReadinessAccount[]> {
  if (scope.length === 0) return [];
  const cutoffs = await cutoffsByUnit(db);
  const rows = await db
    .select({
      id: accounts.id,
      username: accounts.username,
      middleName: accounts.middleName,
      givenName: accounts.givenName,
      unitId: accounts.unitId,
      unitName: units.name,
      cccd: accountIdentities.cccd,
      verifiedAt: accountIdentities.verifiedAt,
      declinedAt: accountIdentities.declinedAt,
      breakGlass: accounts.breakGlass,
      codeOpens: breakGlassCodeOpensSql,
      suspended: accounts.suspended,
    })
    .from(accounts)
    .innerJoin(units, eq(units.id, accounts.unitId))
    .leftJoin(accountIdentities, eq(accountIdentities.accountId, accounts.id))
    .where(and(inArray(accounts.unitId, scope), isNull(accounts.deletedAt)))
    .orderBy(units.name, accounts.username);
  return rows.map((r) => ({
    id: r.id,
    username: r.username,
    name: `${r.middleName} ${r.givenName}`,
    unitId: r.unitId,
    unitName: r.unitName,
    bound: !!r.cccd,
    // Refused by the person it names: VNeID will not offer it (auth/person-accounts.ts).
    verified: !!r.verifiedAt && !r.declinedAt,
    // Break-glass that can log in: named, and its owner has set up the code (enrol-break-glass.ts, auth/totp.ts).
    breakGlass: r.codeOpens,
    suspended: r.suspended,
    cutoff: cutoffs.get(r.unitId) ?? null,
  }));
}

/** Per unit of the actor's subtree: how many accounts are bound and verified, and which are not. */
export async function readiness(db: Queryable, actor: StaffActor) {
  const list = await accountsInScope(db, actor);
  const byUnit = new Map<
    string,
    {
      unitId: string;
      unitName: string;
      cutoff: string | null;
      total: number;
      bound: number;
      verified: number;
      notReady: ReadinessAccount[];
    }
  >();
  for (const a of list.filter((x) => !x.suspended)) {
    const u = byUnit.get(a.unitId) ?? {
      unitId: a.unitId,
      unitName: a.unitName,
      cutoff: a.cutoff,
      total: 0,
      bound: 0,
      verified: 0,
      notReady: [],
    };
    u.total++;
    if (a.bound) u.bound++;
    if (a.verified) u.verified++;
    else u.notReady.push(a);
    byUnit.set(a.unitId, u);
  }
  return [...byUnit.values()].sort((a, b) => a.unitName.localeCompare(b.unitName, 'vi'));
}

/**
 * Dry run: who would be locked out on a given day — live accounts whose cutoff has come, with no
 * verified VNeID binding, and not break-glass. Login applies exactly the same rules on the day.
 */
export async function lockedOutOn(db: Queryable, actor: StaffActor, dayIso: string) {
  const list = await accountsInScope(db, actor);
  return list.filter((a) => !a.suspended && a.cutoff !== null && dayIso >= a.cutoff && !a.verified && !a.breakGlass);
}

/** The break-glass accounts of the actor's subtree, and whether each owner has set up the code. */
export async function breakGlassAccounts(db: Queryable, actor: StaffActor) {
  const scope = await administeredUnitIds(db, actor);
  if (scope.length === 0) return [];
  return db
    .select({
      id: accounts.id,
      username: accounts.username,
      middleName: accounts.middleName,
      givenName: accounts.givenName,
      setUp: breakGlassCodeOpensSql,
    })
    .from(accounts)
    .where(and(eq(accounts.breakGlass, true), isNull(accounts.deletedAt), inArray(accounts.unitId, scope)));
}

/** Recent break-glass logins in the actor's subtree, for administrators to see. */
export async function recentBreakGlassLogins(db: Queryable, actor: StaffActor, limit = 20) {
  const scope = await administeredUnitIds(db, actor);
  if (scope.length === 0) return [];
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'auth.login'), inArray(auditLog.unitId, scope), sql`${auditLog.data}->>'breakGlass' = 'true'`))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
