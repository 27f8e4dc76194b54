/**
 * Failed-login throttling, per account name and per address. Keys are built from the typed
 * name whether or not such an account exists, so a lockout reveals nothing about existence.
 */
import { eq, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { loginThrottle } from '../db/schema/index.js';

export const THROTTLE = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  perAccount: 5,
  perAddress: 30,
};

export function throttleKeys(username: string, ip: string | null): { account: string; address: string | null } {
  return { account: `acct:${username.trim().toLowerCase()}`, address: ip ? `ip:${ip}` : null };
}

/** Milliseconds left on the longest active lock among the keys, or 0. */
export async function lockRemainingMs(db: Queryable, keys: string[], now = new Date()): Promise<number> {
  let remaining = 0;
  for (const key of keys) {
    const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
    if (row?.lockedUntil && row.lockedUntil > now) remaining = Math.max(remaining, row.lockedUntil.getTime() - now.getTime());
  }
  return remaining;
}

/** Count one failure against a key; lock it when the limit is reached within the window. */
export async function recordFailure(db: Queryable, key: string, limit: number, now = new Date()): Promise<boolean> {
  const windowStart = new Date(now.getTime() - THROTTLE.windowMs);
  const lockUntil = new Date(now.getTime() + THROTTLE.lockMs);
  // One atomic upsert, so concurrent guesses cannot slip past the limit.
  const rows = await queryRows<{ locked_until: string | Date | null }>(db, sql`
    insert into login_throttle (key, failures, window_start, locked_until)
    values (${key}, 1, ${now.toISOString()}, ${limit <= 1 ? lockUntil.toISOString() : null})
    on conflict (key) do update set
      failures = case when login_throttle.window_start < ${windowStart.toISOString()} then 1 else login_throttle.failures + 1 end,
      window_start = case when login_throttle.window_start < ${windowStart.toISOString()} then ${now.toISOString()}::timestamptz else login_throttle.window_start end,
      locked_until = case
        when (case when login_throttle.window_start < ${windowStart.toISOString()} then 1 else login_throttle.failures + 1 end) >= ${limit}
        then ${lockUntil.toISOString()}::timestamptz else login_throttle.locked_until end
    returning locked_until`);
  const lu = rows[0]?.locked_until;
  return !!lu && new Date(lu) > now;
}

export async function clearFailures(db: Queryable, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
