/**
 * THÔNG TIN XÁC THỰC of one account: identity data typed by an administrator or the official.
 * It is a claim about a person, never proof that the person uses the account (everything on it is
 * printed on the card). So saving it touches only this account's row, and changing it takes the
 * account out of its person's confirmed accounts until it is verified and confirmed again.
 * See docs/decisions/0010-accounts-and-persons.md.
 */
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { accountIdentities, accounts, sessions } from '../db/schema/index.js';

export type IdentityFields = {
  fullName: string | null;
  dateOfBirth: string | null;
  gender: 'male' | 'female';
  cccd: string | null;
  issueDate: string | null;
  issuePlace: string | null;
  address: string | null;
};

export type IdentityRow = typeof accountIdentities.$inferSelect;

/** The fields the registry checks: a change to any of them voids the verification and the link. */
const VERIFIED_FIELDS = ['fullName', 'dateOfBirth', 'gender', 'cccd', 'issueDate'] as const;

/** Whether the checked fields of `after` differ from the stored claim. */
export function identityChanged(before: IdentityRow | null, after: IdentityFields): boolean {
  return VERIFIED_FIELDS.some((k) => (before?.[k] ?? null) !== (after[k] ?? null));
}

/**
 * Save the claim of one account. Returns the row before and after and whether the account was taken
 * out of its person's confirmed accounts (it was linked and the checked fields changed).
 */
export async function saveIdentityClaim(tx: Tx, account: { id: string }, f: IdentityFields, now: Date) {
  const [before] = await tx.select().from(accountIdentities).where(eq(accountIdentities.accountId, account.id)).for('update');
  const changed = identityChanged(before ?? null, f);
  // A refusal stands for this number: retyping other fields (or the same ones back) does not offer the account again.
  const reset = changed
    ? { verifiedAt: null, verifiedBy: null, verifiedByAdmin: false, ...((before?.cccd ?? null) !== f.cccd ? { declinedAt: null } : {}) }
    : {};
  const [after] = await tx
    .insert(accountIdentities)
    .values({ accountId: account.id, ...f, updatedAt: now })
    .onConflictDoUpdate({ target: accountIdentities.accountId, set: { ...f, ...reset, updatedAt: now } })
    .returning();
  let detached = false;
  if (changed) {
    // Read and cleared in one statement, so a link accepted meanwhile is undone too.
    const left = await tx
      .update(accounts)
      .set({ personId: null, personLinkedAt: null, personLinkedHow: null })
      .where(and(eq(accounts.id, account.id), isNotNull(accounts.personId)))
      .returning({ id: accounts.id });
    detached = left.length > 0;
    // Sessions that a VNeID login opened in it no longer prove anyone may switch from it.
    if (detached)
      await tx
        .update(sessions)
        .set({ personId: null, loa: null })
        .where(and(eq(sessions.accountId, account.id), isNotNull(sessions.personId)));
  }
  return { before: before ?? null, after: after!, detached };
}

export function identityAuditView(p: IdentityFields | IdentityRow | null) {
  if (!p) return null;
  return {
    fullName: p.fullName,
    dateOfBirth: p.dateOfBirth,
    gender: p.gender,
    cccd: p.cccd,
    issueDate: p.issueDate,
    issuePlace: p.issuePlace,
    address: p.address,
  };
}
