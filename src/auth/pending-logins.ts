/**
 * A VNeID login that proved a person with no confirmed account yet: kept for ten minutes so the person
 * can accept (Đồng ý) or refuse (Từ chối) the accounts that name them before any session exists.
 * The cookie carries a random token; the table keeps only its SHA-256 (as sessions do).
 */
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { pendingIdentityLogins } from '../db/schema/index.js';
import type { IdentityProof } from './person-accounts.js';
import { newToken, tokenHash } from './sessions.js';

const PENDING_LOGIN_MS = 10 * 60_000;

export async function createPendingLogin(db: Queryable, proof: IdentityProof, returnTo: string | null, now: Date): Promise<string> {
  const token = newToken();
  await db.delete(pendingIdentityLogins).where(lt(pendingIdentityLogins.expiresAt, now));
  await db.insert(pendingIdentityLogins).values({
    tokenHash: tokenHash(token),
    personId: proof.personId,
    method: proof.method,
    loa: proof.loa,
    returnTo,
    createdAt: now,
    expiresAt: new Date(now.getTime() + PENDING_LOGIN_MS),
  });
  return token;
}

export async function readPendingLogin(
  db: Queryable,
  token: string,
  now: Date,
): Promise<(IdentityProof & { returnTo: string | null }) | null> {
  const [row] = await db
    .select()
    .from(pendingIdentityLogins)
    .where(and(eq(pendingIdentityLogins.tokenHash, tokenHash(token)), gt(pendingIdentityLogins.expiresAt, now)));
  if (!row || (row.method !== 'vneid' && row.method !== 'sso')) return null;
  return { personId: row.personId, method: row.method, loa: row.loa, returnTo: row.returnTo };
}

export async function endPendingLogin(db: Queryable, token: string): Promise<void> {
  await db.delete(pendingIdentityLogins).where(eq(pendingIdentityLogins.tokenHash, tokenHash(token)));
}
