/**
 * WHAT AN ADMINISTRATOR LEARNS, AFTER SAVING AN ACCOUNT'S IDENTITY DATA, ABOUT OTHER ACCOUNTS CARRYING THE SAME
 * SỐ ĐỊNH DANH. One person may hold several accounts (Chuyển tài khoản switches between them), so this is a hint,
 * not a refusal: the administrator creating a second account for someone should know the first exists.
 *
 * - Accounts in units the administrator administers (policies.ts: the subtrees of their admin roles) are named,
 *   with their unit, and linked: the administrator finds them anyway by searching the list for the number.
 * - Accounts elsewhere are only counted, never named — and the count is told only when the saved claim is verified
 *   against the population registry. Why: decision 0010 removed the "CCCD already used" answer because it told a
 *   unit administrator that a number existed elsewhere. A count after a plain Lưu would bring that oracle back for
 *   free: type any number on a throwaway account of one's unit, save, read the count. A verified claim costs the
 *   prober the person's exact name, date of birth and gender (no enumeration of numbers), one question from the
 *   registry budget (REGISTRY_QUESTIONS in verify-identity.ts) and an identity.verify audit row naming the number.
 *   What is left — someone who holds a person's card data learning how many other accounts that person has in the
 *   province — is what the hint is for: the administrator onboarding that very person.
 * - Only after a real write: Thêm mới, Lưu, Xác thực tài khoản VNEID and Tách tài khoản dùng chung carry a sealed,
 *   once-read receipt of it across the redirect (admin/save-receipt.ts), Nhập từ tệp says it in the import's own
 *   report, row by row: opening an account's page, even one the administrator may not save, tells nothing.
 */
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accountIdentities, accounts, units } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { administeredUnitIds } from './policies.js';

type SameIdentityAccount = { id: string; username: string; unitId: string; unitName: string; suspended: boolean };

export type SameIdentity = {
  /** Other live accounts with the same số định danh in units the administrator administers. */
  visible: SameIdentityAccount[];
  /** How many others lie outside those units; null when not told (the saved claim is not verified). */
  outside: number | null;
};

/** The other live accounts sharing the account's số định danh, as the actor may learn of them; null = nothing to say. */
export async function sameIdentityAccounts(db: Queryable, actor: StaffActor, accountId: string): Promise<SameIdentity | null> {
  return (await sameIdentityOfAccounts(db, actor, [accountId])).get(accountId) ?? null;
}

/**
 * The same, for each of several accounts just written (the rows of Nhập từ tệp): one read for all of them; an account
 * with nothing to say has no entry. Accounts of the batch that share a number are each other's "others".
 */
export async function sameIdentityOfAccounts(db: Queryable, actor: StaffActor, accountIds: string[]): Promise<Map<string, SameIdentity>> {
  const said = new Map<string, SameIdentity>();
  if (accountIds.length === 0) return said;
  const claims = (
    await db
      .select({ accountId: accountIdentities.accountId, cccd: accountIdentities.cccd, verifiedAt: accountIdentities.verifiedAt })
      .from(accountIdentities)
      .where(inArray(accountIdentities.accountId, accountIds))
  ).filter((c): c is typeof c & { cccd: string } => !!c.cccd);
  if (claims.length === 0) return said;
  const carrying = await db
    .select({
      id: accounts.id,
      cccd: accountIdentities.cccd,
      username: accounts.username,
      unitId: accounts.unitId,
      unitName: units.name,
      suspended: accounts.suspended,
    })
    .from(accountIdentities)
    .innerJoin(accounts, eq(accounts.id, accountIdentities.accountId))
    .innerJoin(units, eq(units.id, accounts.unitId))
    .where(and(inArray(accountIdentities.cccd, [...new Set(claims.map((c) => c.cccd))]), isNull(accounts.deletedAt)))
    .orderBy(asc(accounts.usernameLower));
  const administered = new Set(await administeredUnitIds(db, actor));
  for (const claim of claims) {
    const others = carrying.filter((o) => o.cccd === claim.cccd && o.id !== claim.accountId);
    if (others.length === 0) continue;
    const visible = others.filter((o) => administered.has(o.unitId)).map(({ cccd: _, ...o }) => o);
    // The rows outside never leave this function: only their number does, and only for a verified claim.
    const outside = claim.verifiedAt ? others.length - visible.length : null;
    if (visible.length === 0 && !outside) continue;
    said.set(claim.accountId, { visible, outside });
  }
  return said;
}
