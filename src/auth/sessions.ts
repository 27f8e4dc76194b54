/**
 * Sessions live in the database so several app instances share them without sticky sessions.
 * The cookie carries a random token; the table holds only its SHA-256.
 */
import crypto from 'node:crypto';
import { and, eq, gt, lt, or } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export type SessionPolicy = { idleMs: number; absoluteMs: number };

export async function createSession(
  db: Queryable,
  accountId: string,
  policy: SessionPolicy,
  meta: { ip: string | null; userAgent: string | null },
): Promise<string> {
  const token = newToken();
  const now = new Date();
  await db.insert(sessions).values({
    idHash: tokenHash(token),
    accountId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + policy.absoluteMs),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return token;
}

export type SessionAccount = typeof accounts.$inferSelect;

/** The live session and its account, or null if missing, idle too long, past its absolute limit, or the account is barred. */
export async function readSession(db: Queryable, token: string, policy: SessionPolicy) {
  const now = new Date();
  const [row] = await db
    .select({ session: sessions, account: accounts })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(
      and(
        eq(sessions.idHash, tokenHash(token)),
        gt(sessions.expiresAt, now),
        gt(sessions.lastSeenAt, new Date(now.getTime() - policy.idleMs)),
      ),
    );
  if (!row || row.account.deletedAt || row.account.suspended) return null;
  // Touch at most once a minute: idle time-out without a write on every request.
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, row.session.idHash));
  }
  return row;
}

export async function destroySession(db: Queryable, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.idHash, tokenHash(token)));
}

/** Housekeeping: drop expired and idle sessions. */
export async function purgeSessions(db: Queryable, policy: SessionPolicy): Promise<void> {
  const now = new Date();
  await db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, new Date(now.getTime() - policy.idleMs))));
}
