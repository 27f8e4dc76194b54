/**
 * Logins waiting for a second step, each bound to one browser: the cookie carries a random token, the table keeps
 * only its SHA-256 (as sessions do). One mechanism for two kinds:
 * - a VNeID / SSO login that proved a person with no confirmed account yet: kept ten minutes so the person can
 *   accept (Đồng ý) or refuse (Từ chối) the accounts that name them before any session exists;
 * - the right password of a break-glass account after the cutoff: kept five minutes for its TOTP code, so the
 *   code step asks for the code only and no password is carried by the page (login-with-code.ts).
 */
import { and, eq, gt, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { pendingIdentityLogins } from '../db/schema/index.js';
import type { IdentityProof } from './person-accounts.js';
import { newToken, tokenHash } from './sessions.js';

const PENDING_LOGIN_MS = 10 * 60_000;
/** The code step: a few minutes, time to open the authenticator app, not to leave the page for later. */
export const PENDING_CODE_MS = 5 * 60_000;

async function insertPending(db: Queryable, values: Omit<typeof pendingIdentityLogins.$inferInsert, 'tokenHash'>, now: Date) {
  const token = newToken();
  await db.delete(pendingIdentityLogins).where(lt(pendingIdentityLogins.expiresAt, now));
  await db.insert(pendingIdentityLogins).values({ ...values, tokenHash: tokenHash(token), createdAt: now });
  return token;
}

export async function createPendingLogin(db: Queryable, proof: IdentityProof, returnTo: string | null, now: Date): Promise<string> {
  return insertPending(
    db,
    {
      personId: proof.personId,
      method: proof.method,
      loa: proof.loa,
      returnTo,
      expiresAt: new Date(now.getTime() + PENDING_LOGIN_MS),
    },
    now,
  );
}

async function liveRow(db: Queryable, token: string, now: Date) {
  const [row] = await db
    .select()
    .from(pendingIdentityLogins)
    .where(and(eq(pendingIdentityLogins.tokenHash, tokenHash(token)), gt(pendingIdentityLogins.expiresAt, now)));
  return row;
}

export async function readPendingLogin(
  db: Queryable,
  token: string,
  now: Date,
): Promise<(IdentityProof & { returnTo: string | null }) | null> {
  const row = await liveRow(db, token, now);
  if (!row || (row.method !== 'vneid' && row.method !== 'sso') || !row.personId || row.loa === null) return null;
  return { personId: row.personId, method: row.method, loa: row.loa, provedAt: row.createdAt, returnTo: row.returnTo };
}

/** A password login waiting for its TOTP code: the account (null for a paused name's stand-in) and the typed name. */
type PendingCode = { accountId: string | null; usernameLower: string; paused: boolean; returnTo: string | null };

export async function createPendingCode(db: Queryable, p: PendingCode, now: Date): Promise<string> {
  return insertPending(
    db,
    {
      method: 'password',
      accountId: p.accountId,
      usernameLower: p.usernameLower,
      paused: p.paused,
      returnTo: p.returnTo,
      expiresAt: new Date(now.getTime() + PENDING_CODE_MS),
    },
    now,
  );
}

export async function readPendingCode(db: Queryable, token: string, now: Date): Promise<PendingCode | null> {
  const row = await liveRow(db, token, now);
  if (row?.method !== 'password' || !row.usernameLower) return null;
  return {
    accountId: row.accountId,
    usernameLower: row.usernameLower,
    paused: row.paused,
    returnTo: row.returnTo,
  };
}

export async function endPendingLogin(db: Queryable, token: string): Promise<void> {
  await db.delete(pendingIdentityLogins).where(eq(pendingIdentityLogins.tokenHash, tokenHash(token)));
}
