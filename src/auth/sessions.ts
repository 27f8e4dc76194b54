/**
 * THE SESSION MODULE, for officials and citizens alike. Sessions live in the database so several app instances
 * share them without sticky sessions. The cookie carries a random token; the table holds only its SHA-256. A
 * session belongs to an official's account or to a citizen of the portal (exactly one: a check constraint), with the
 * same idle and absolute limits; each half reads only its own kind (the lookups join accounts or citizens).
 */
import crypto from 'node:crypto';
import { and, eq, gt, isNotNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { accounts, citizens, sessions } from '../db/schema/index.js';
import { unreadNoticesOf } from '../notify/unread.js';
import type { SessionCache } from './session-cache.js';
import { cutoffOfUnitSql, passwordOpen } from './cutoff.js';
import { breakGlassCodeOpens } from './totp.js';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export type SessionPolicy = { idleMs: number; absoluteMs: number };

/**
 * What a session keeps of a login made before it was written: when that login happened, and, for a session that
 * continues another (Chuyển tài khoản), the other's absolute limit.
 */
export type SessionContinuity = { authenticatedAt: Date; expiresAt?: Date };

export async function createSession(
  db: Queryable,
  accountId: string,
  policy: SessionPolicy,
  now: Date,
  meta: { ip: string | null; userAgent: string | null },
  /** How the session was opened; an external identity login also names the person it proved. */
  proof: { method: string; personId?: string | null; loa?: number | null } = { method: 'password' },
  /**
   * A session that continues another without a login (Chuyển tài khoản) keeps its absolute limit — a proof does not
   * live forever — and its login time, which the SSO provider reports as auth_time and judges prompt=login and
   * max_age by: a new session id is no new authentication. So does one opened by a login that waited for the person's
   * choice of account. Omitted: the session is a login made `now`.
   */
  continues?: SessionContinuity,
): Promise<string> {
  const token = newToken();
  await db.insert(sessions).values({
    idHash: tokenHash(token),
    accountId,
    createdAt: now,
    authenticatedAt: continues?.authenticatedAt ?? now,
    lastSeenAt: now,
    expiresAt: continues?.expiresAt ?? new Date(now.getTime() + policy.absoluteMs),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
    method: proof.method,
    personId: proof.personId ?? null,
    loa: proof.loa ?? null,
  });
  return token;
}

export type SessionAccount = typeof accounts.$inferSelect;

/**
 * The session lookup runs on every request: prepared once per database (Drizzle builds the SQL once
 * and PostgreSQL plans it once per connection), which halves its cost.
 */
const lookups = new WeakMap<Db, ReturnType<typeof prepareLookup>>();

// The menu's unread count rides along in both lookups: no second round trip per page (notify/unread.ts).
// So does the VNeID-only cutoff of the account's unit, for a session opened with a password alone (not break-glass,
// 'password+totp'): a date, so the row may be cached and still judged against the clock on every request (readSession).
function prepareLookup(db: Db) {
  return db
    .select({
      session: sessions,
      account: accounts,
      unreadNotices: unreadNoticesOf('official', accounts.id),
      passwordCutoff: sql<string | null>`case when ${sessions.method} = 'password' then ${cutoffOfUnitSql(accounts.unitId)} end`,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(
      and(
        eq(sessions.idHash, sql.placeholder('idHash')),
        gt(sessions.expiresAt, sql.placeholder('now')),
        gt(sessions.lastSeenAt, sql.placeholder('idleSince')),
      ),
    )
    .prepare('read_session');
}

export type OfficialSessionRow = Awaited<ReturnType<ReturnType<typeof prepareLookup>['execute']>>[number];

/** Whether a session row (read now or cached) is still within its idle and absolute limits. */
const withinLimits = (session: { expiresAt: Date; lastSeenAt: Date }, now: Date, policy: SessionPolicy) =>
  session.expiresAt.getTime() > now.getTime() && session.lastSeenAt.getTime() > now.getTime() - policy.idleMs;

/**
 * The session row for a token: from the cache (auth/session-cache.ts) when it holds one still within its limits,
 * else read; touched at most once a minute (idle time-out without a write on every request).
 */
async function lookUp<R extends { session: typeof sessions.$inferSelect }>(
  db: Queryable,
  token: string,
  policy: SessionPolicy,
  now: Date,
  read: (q: { idHash: string; now: string; idleSince: string }) => Promise<R[]>,
  cache: SessionCache<R> | undefined,
): Promise<R | null> {
  const idHash = tokenHash(token);
  const epoch = cache?.epoch ?? 0;
  let row = cache?.get(idHash, now.getTime());
  if (row && !withinLimits(row.session, now, policy)) {
    // Perhaps touched by another instance since: the database decides.
    cache?.delete(idHash);
    row = undefined;
  }
  if (!row) {
    // Placeholders bypass the columns' encoders, so instants go as ISO strings.
    [row] = await read({ idHash, now: now.toISOString(), idleSince: new Date(now.getTime() - policy.idleMs).toISOString() });
    if (!row) return null;
    cache?.set(idHash, row, now.getTime(), epoch);
  }
  if (now.getTime() - row.session.lastSeenAt.getTime() > 60_000) {
    await db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash));
    row = { ...row, session: { ...row.session, lastSeenAt: now } };
    cache?.set(idHash, row, now.getTime(), epoch);
  }
  return row;
}

/**
 * What the session cookie is worth: a live session and its account; or a password session whose unit's VNeID-only
 * cutoff has come since it was opened (`closed`: refused, to be ended by the caller with its notice —
 * auth/end-closed-password-session.ts); or null if missing, idle too long, past its absolute limit, or the account is barred.
 */
export type SessionRead = { kind: 'live'; row: OfficialSessionRow } | { kind: 'closed'; row: OfficialSessionRow; cutoff: string };

/**
 * The session for a token (see SessionRead). The cutoff is judged here on every request against `now` (deps.now),
 * also for a cached row: the date came with the row, so a cached entry never outlives the cutoff (0032).
 */
export async function readSession(
  db: Db,
  token: string,
  policy: SessionPolicy,
  now: Date,
  cache?: SessionCache<OfficialSessionRow>,
): Promise<SessionRead | null> {
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = prepareLookup(db);
    lookups.set(db, lookup);
  }
  const prepared = lookup;
  const row = await lookUp(db, token, policy, now, (q) => prepared.execute(q), cache);
  if (!row || row.account.deletedAt || row.account.suspended) return null;
  // A session a break-glass code opened lasts only while that code would open the account (auth/totp.ts): the account
  // given to another person since (Gỡ liên kết, card data changed) does not keep the session of the code's person.
  if (row.session.method === 'password+totp' && !breakGlassCodeOpens(row.account)) return null;
  const cutoff = row.passwordCutoff;
  return cutoff && !passwordOpen(cutoff, now) ? { kind: 'closed', row, cutoff } : { kind: 'live', row };
}

/**
 * A citizen's portal session, opened by their VNeID login; `loa` is that login's level (what the provincial SSO
 * asserts as acr for this session — the citizen's profile keeps only their latest login's).
 */
export async function createCitizenSession(
  db: Queryable,
  citizenId: string,
  policy: SessionPolicy,
  now: Date,
  loa: number | null = null,
): Promise<string> {
  const token = newToken();
  await db.insert(sessions).values({
    idHash: tokenHash(token),
    citizenId,
    createdAt: now,
    authenticatedAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + policy.absoluteMs),
    method: 'vneid',
    loa,
  });
  return token;
}

const citizenLookups = new WeakMap<Queryable, ReturnType<typeof prepareCitizenLookup>>();

function prepareCitizenLookup(db: Queryable) {
  return db
    .select({ session: sessions, citizen: citizens, unreadNotices: unreadNoticesOf('citizen', citizens.id) })
    .from(sessions)
    .innerJoin(citizens, eq(citizens.id, sessions.citizenId))
    .where(
      and(
        eq(sessions.idHash, sql.placeholder('idHash')),
        gt(sessions.expiresAt, sql.placeholder('now')),
        gt(sessions.lastSeenAt, sql.placeholder('idleSince')),
      ),
    )
    .prepare('read_citizen_session');
}

/**
 * The citizen of a live portal session and their unread notices, or null (an official's token is not a citizen's
 * session).
 */
export type CitizenSessionRow = Awaited<ReturnType<ReturnType<typeof prepareCitizenLookup>['execute']>>[number];

export async function readCitizenSession(
  db: Queryable,
  token: string,
  policy: SessionPolicy,
  now: Date,
  cache?: SessionCache<CitizenSessionRow>,
) {
  let lookup = citizenLookups.get(db);
  if (!lookup) {
    lookup = prepareCitizenLookup(db);
    citizenLookups.set(db, lookup);
  }
  const prepared = lookup;
  const row = await lookUp(db, token, policy, now, (q) => prepared.execute(q), cache);
  return row ? { citizen: row.citizen, unreadNotices: row.unreadNotices } : null;
}

/**
 * End a session; returns what a session continuing it must keep — when it would have expired and when its login
 * happened (null if there was none).
 */
export async function destroySession(db: Queryable, token: string): Promise<Required<SessionContinuity> | null> {
  const [gone] = await db
    .delete(sessions)
    .where(eq(sessions.idHash, tokenHash(token)))
    .returning({ expiresAt: sessions.expiresAt, authenticatedAt: sessions.authenticatedAt });
  return gone ?? null;
}

/** Housekeeping: drop expired and idle sessions. */
export async function purgeSessions(db: Queryable, policy: SessionPolicy, now: Date): Promise<void> {
  const officials = and(
    isNotNull(sessions.accountId),
    or(lt(sessions.expiresAt, now), lt(sessions.lastSeenAt, new Date(now.getTime() - policy.idleMs))),
  );
  // A citizen's lapsed session is kept a while longer, only to save what they were typing (see lapsedCitizenOf).
  const lapsedSince = new Date(now.getTime() - LAPSED_DRAFT_GRACE_MS);
  const citizens = and(
    isNotNull(sessions.citizenId),
    or(lt(sessions.expiresAt, lapsedSince), lt(sessions.lastSeenAt, new Date(lapsedSince.getTime() - policy.idleMs))),
  );
  await db.delete(sessions).where(or(officials, citizens));
}

/** How long after a citizen's session lapsed its token may still save a draft (never read or submit anything). */
export const LAPSED_DRAFT_GRACE_MS = 24 * 3_600_000;

/**
 * The citizen whose portal session lapsed (idle or past its limit) less than LAPSED_DRAFT_GRACE_MS ago, or null.
 * Used only to keep a Nộp hồ sơ form sent after the session ended as that citizen's draft, then ask them to log in
 * again: the token could have saved that draft a moment earlier; it reads nothing and submits nothing.
 */
export async function lapsedCitizenOf(db: Queryable, token: string, policy: SessionPolicy, now: Date): Promise<string | null> {
  const [row] = await db
    .select({ citizenId: sessions.citizenId, expiresAt: sessions.expiresAt, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .where(and(eq(sessions.idHash, tokenHash(token)), isNotNull(sessions.citizenId)));
  if (!row?.citizenId) return null;
  const endedAt = Math.min(row.expiresAt.getTime(), row.lastSeenAt.getTime() + policy.idleMs);
  return endedAt <= now.getTime() && now.getTime() - endedAt < LAPSED_DRAFT_GRACE_MS ? row.citizenId : null;
}

/** Was this session opened with a break-glass account's password and TOTP (the banner on every officials' page)? */
export async function isBreakGlassSession(db: Queryable, token: string): Promise<boolean> {
  const [row] = await db
    .select({ method: sessions.method })
    .from(sessions)
    .where(eq(sessions.idHash, tokenHash(token)));
  return row?.method === 'password+totp';
}
