/**
 * Logins in progress, kept in the database (any app instance can take the callback). A state is
 * consumed by the callback whatever happens next, so a response can never be replayed.
 */
import { lt } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { oidcTransactions } from '../../db/schema/index.js';
import { queryRows } from '../../db/client.js';
import { sql } from 'drizzle-orm';
import type { AuthRequest } from './relying-party.js';

const TTL_MS = 10 * 60_000;

export type Purpose = 'official' | 'citizen';
export type ProviderKey = 'vneid' | 'sso';

export async function saveTransaction(
  db: Queryable,
  provider: ProviderKey,
  purpose: Purpose,
  req: AuthRequest,
  returnTo: string | null,
  browserHash: string,
  now: Date,
) {
  await db.delete(oidcTransactions).where(lt(oidcTransactions.expiresAt, now));
  await db.insert(oidcTransactions).values({
    state: req.state,
    provider,
    purpose,
    nonce: req.nonce,
    codeVerifier: req.codeVerifier,
    returnTo,
    browserHash,
    expiresAt: new Date(now.getTime() + TTL_MS),
  });
}

/** Take (delete and return) the transaction of a state, if it is live and for this provider and purpose. */
export async function takeTransaction(db: Queryable, state: string, provider: ProviderKey, purpose: Purpose, now: Date) {
  const rows = await queryRows<{
    nonce: string;
    code_verifier: string;
    return_to: string | null;
    provider: string;
    purpose: string;
    expires_at: string | Date;
    browser_hash: string | null;
  }>(
    db,
    sql`delete from oidc_transactions where state = ${state} returning nonce, code_verifier, return_to, provider, purpose, expires_at, browser_hash`,
  );
  const t = rows[0];
  if (!t || t.provider !== provider || t.purpose !== purpose || new Date(t.expires_at) < now) return null;
  return { state, nonce: t.nonce, codeVerifier: t.code_verifier, returnTo: t.return_to, browserHash: t.browser_hash };
}
