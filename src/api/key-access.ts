/**
 * WHO MAY SEE AND MANAGE AN ACCOUNT'S API KEYS, in one place:
 * - the administrators who administer the account (accounts/policies.ts: its unit lies in their subtree) list,
 *   issue and revoke its keys;
 * - the official themself lists and revokes the keys of their own account (never issues one);
 * - anyone else is told "not found", as for any account outside one's subtree.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { requireAdministeredAccount, requireWhollyAdministeredAccount } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
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
 * Issuing is for administrators only (even of their own account, when it lies in their subtree), of the whole account:
 * a key acts with every role the account holds (policies.ts).
 */
export const requireKeyIssuer = requireWhollyAdministeredAccount;
