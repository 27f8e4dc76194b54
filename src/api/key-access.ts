/**
 * WHO MAY SEE AND MANAGE AN ACCOUNT'S API KEYS, and WHICH KEYS ACT, in one place:
 * - the administrators who administer the whole account (accounts/policies.ts) list, issue and revoke its keys —
 *   issue only while the account's unit still allows password login (before its VNeID-only date, auth/cutoff.ts);
 * - the official themself lists, issues and revokes the keys of their own account (in their own right, never under a
 *   delegation, never through a key);
 * - from the account's VNeID-only date a key acts only if its holder issued it after a login that proved them
 *   (VNeID or SSO), and only while the account is still that person's: from that date only the verified person acts
 *   as the account. A key an administrator issued, or one issued from a password session, stops then, as password
 *   sessions do. (An attacker review: a unit's IT administrator issued a key on a director's account and approved
 *   dossiers in the director's name after the date — an administrator could already reset a password and log in as
 *   anyone before it, never after.)
 * - anyone else is told "not found", as for any account outside one's subtree.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { requireAdministeredAccount, requireWhollyAdministeredAccount } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { cutoffForUnit, passwordOpen } from '../auth/cutoff.js';
import type { IdentityProof } from '../auth/person-accounts.js';
import { isId } from '../shared/validate.js';

/** The account whose keys the actor may list and revoke: their own, or one they administer. */
export async function requireKeyReader(db: Queryable, actor: StaffActor, accountId: string) {
  if (!isId(accountId)) throw errors.notFound('Tài khoản');
  if (actor.accountId === accountId) {
    const [own] = await db
      .select()
      .from(accounts)
      .where(and(eq(accounts.id, accountId), isNull(accounts.deletedAt)));
    if (!own) throw errors.notFound('Tài khoản');
    return own;
  }
  return requireAdministeredAccount(db, actor, accountId);
}

/**
 * The account a key may be issued for by this actor, and whether the key will carry the holder's proof: the holder
 * themself (with a VNeID or SSO login: `proof`), or an administrator of the whole account (a key acts with every role
 * the account holds). A key that would not act — issued without the holder's proof after the unit's VNeID-only
 * date — is refused here rather than issued dead.
 */
export async function requireKeyIssuer(db: Queryable, actor: StaffActor, accountId: string, proof: IdentityProof | null, now: Date) {
  // A key never mints a key, and a delegate lends positions on dossiers, not the delegator's account.
  if (actor.kind !== 'official' || actor.onBehalfOf) throw errors.forbidden();
  const own = actor.accountId === accountId;
  const account = own ? await requireKeyReader(db, actor, accountId) : await requireWhollyAdministeredAccount(db, actor, accountId);
  // The login proved the person the account is bound to now (a session's person and its account's agree unless the
  // account was re-bound since the login; then it proves nothing of this account).
  const provedPersonId = own && proof !== null && proof.personId === account.personId ? proof.personId : null;
  if (provedPersonId === null) {
    const cutoff = await cutoffForUnit(db, account.unitId);
    if (cutoff && !passwordOpen(cutoff, now)) throw keyNeedsTheHolder(cutoff, own);
  }
  return { account, provedPersonId };
}

/**
 * Does this key act today, for its account (its person now) in a unit with this VNeID-only date? After the date only
 * a key its holder issued with a VNeID or SSO login, while the account is still that person's: an account handed to
 * another person, or re-bound by an administrator (who then puts the holder's data back), leaves the key behind (an
 * attacker review: an administrator bound the director's account to themselves, issued a key, restored the data).
 */
export function keyActs(key: { provedPersonId: string | null }, account: { personId: string | null }, cutoff: string | null, now: Date) {
  const holderProved = key.provedPersonId !== null && key.provedPersonId === account.personId;
  return holderProved || passwordOpen(cutoff, now);
}

function keyNeedsTheHolder(cutoff: string, own: boolean) {
  return new AppError(
    'api_key_needs_holder',
    own
      ? `Từ ngày ${formatDate(cutoff)}, đơn vị của bạn chỉ đăng nhập bằng VNeID: vui lòng đăng nhập bằng tài khoản VNeID rồi cấp khóa API.`
      : `Từ ngày ${formatDate(cutoff)}, đơn vị của tài khoản chỉ đăng nhập bằng VNeID: khóa API của tài khoản do chính chủ tài khoản tự cấp (Thông tin tài khoản → Khóa API) sau khi đăng nhập bằng VNeID.`,
    409,
  );
}
