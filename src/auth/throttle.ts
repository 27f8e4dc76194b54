/**
 * Failed-login throttling (docs/decisions/0009). Keys are built from the typed name whether or
 * not such an account exists, so no answer reveals existence. Four counters, each one row of
 * login_throttle updated by one atomic upsert:
 *
 * - pair (name, address): a few failures lock that name *from that address* — the attacker's
 *   own address gets locked, the official at their desk does not;
 * - account (name, from every address): never a quick lock; the count raises the CAPTCHA work
 *   every attempt for that name must prove, and only a much higher count pauses password login
 *   for that name (VNeID and break-glass password + TOTP still work);
 * - address (from one address, every name): one address hammering many names;
 * - totp (name): wrong TOTP codes, which only someone holding the right password can produce.
 *
 * Attempts refused by a lock or pause are not counted, so a stranger's refused guesses do not
 * push an account further.
 */
import { isIP } from 'node:net';
import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { loginThrottle } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { hasControlChars } from '../shared/text.js';
import { MAX_CAPTCHA_LEVEL } from './captcha.js';

export type ThrottleRule = { limit: number; windowMs: number; lockMs: number };

const MINUTE = 60_000;

export const THROTTLE = {
  /** One name from one address: 5 failures in 15 minutes lock that pair for 15 minutes. */
  pair: { limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  /** One name from all addresses: 100 failures in an hour pause its password login for an hour. */
  account: { limit: 100, windowMs: 60 * MINUTE, lockMs: 60 * MINUTE },
  /** One address, all names: 30 failures in 15 minutes lock the address for 15 minutes. */
  address: { limit: 30, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  /** Wrong TOTP codes after the right password: 5 in 15 minutes lock the TOTP step for 15 minutes. */
  totp: { limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  /**
   * Wrong current passwords at Đổi mật khẩu, per account: someone holding a stolen session must not guess the password
   * (which would outlive the session) at leisure. 5 in 15 minutes lock the form for 15 minutes.
   */
  currentPassword: { limit: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE },
  /** Account failures within its window from which each CAPTCHA level is required (index = level, see CAPTCHA_WORK). */
  captchaLevels: [0, 10, 30],
} satisfies Record<string, ThrottleRule | number[]>;

/** What the throttle answers; the same for every typed name, existing or not. */
export const throttleErrors = {
  passwordLoginPaused: (minutes: number) =>
    new AppError(
      'password_login_paused',
      `Đăng nhập bằng mật khẩu cho tên tài khoản này đang tạm dừng vì bị nhập sai mật khẩu quá nhiều lần từ nhiều nơi. Vui lòng bấm "Đăng nhập bằng tài khoản VNEID", hoặc thử lại sau ${minutes} phút. Tài khoản khẩn cấp vẫn đăng nhập được bằng mật khẩu kèm mã xác thực.`,
      429,
    ),
  captchaEscalated: () =>
    new AppError(
      'captcha_escalated',
      'Tên tài khoản này vừa bị nhập sai mật khẩu nhiều lần nên cần xác nhận "Tôi không phải là người máy" kỹ hơn (có thể mất đến nửa phút). Vui lòng nhập lại mật khẩu, chờ xác nhận xong rồi bấm "Đăng nhập".',
      400,
    ),
};

/**
 * The address a limit applies to: IPv4 as is (also when written IPv4-mapped), IPv6 by its /64,
 * since one subscriber usually holds a whole /64 and could otherwise change address per guess.
 */
export function addressBucket(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (isIP(ip) !== 6) return ip;
  const [head = '', tail = ''] = ip.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

export type ThrottleKeys = { pair: string; account: string; address: string | null; totp: string };

/** The key counting wrong current passwords typed at Đổi mật khẩu by (a session of) this account. */
export const currentPasswordKey = (accountId: string) => `current:${accountId}`;

export function throttleKeys(username: string, ip: string | null): ThrottleKeys {
  const name = username.trim().slice(0, 100).toLowerCase();
  const bucket = ip ? addressBucket(ip) : null;
  return {
    // The address last: addresses never contain '|', so the key cannot be read two ways.
    pair: `pair:${name}|${bucket ?? '-'}`,
    account: `acct:${name}`,
    address: bucket ? `ip:${bucket}` : null,
    totp: `totp:${name}`,
  };
}

type Row = typeof loginThrottle.$inferSelect;

/** Milliseconds left on a row's lock at `now`, or 0. */
function lockLeft(row: Row | undefined, now: Date): number {
  return row?.lockedUntil && row.lockedUntil > now ? row.lockedUntil.getTime() - now.getTime() : 0;
}

/** Failures counted in the row's window that is still open at `now`. */
function failuresInWindow(row: Row | undefined, rule: ThrottleRule, now: Date): number {
  return row && row.windowStart.getTime() > now.getTime() - rule.windowMs ? row.failures : 0;
}

/** The CAPTCHA level a failure count calls for. */
export function captchaLevelFor(failures: number): number {
  let level = 0;
  THROTTLE.captchaLevels.forEach((from, l) => {
    if (failures >= from) level = l;
  });
  return Math.min(level, MAX_CAPTCHA_LEVEL);
}

export type ThrottleState = {
  /** Lock on this name from this address, ms left. */
  pairLockMs: number;
  /** Lock on this address, ms left. */
  addressLockMs: number;
  /** Pause of password login for this name (from everywhere), ms left. */
  accountPauseMs: number;
  /** The CAPTCHA level every attempt for this name must prove now. */
  captchaLevel: number;
};

/** Where a name stands, from one address, at `now`: one read of the rows concerned. */
export async function throttleState(db: Queryable, keys: ThrottleKeys, now: Date): Promise<ThrottleState> {
  const wanted = [keys.pair, keys.account, ...(keys.address ? [keys.address] : [])];
  const rows = await db.select().from(loginThrottle).where(inArray(loginThrottle.key, wanted));
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const account = byKey.get(keys.account);
  return {
    pairLockMs: lockLeft(byKey.get(keys.pair), now),
    addressLockMs: keys.address ? lockLeft(byKey.get(keys.address), now) : 0,
    accountPauseMs: lockLeft(account, now),
    captchaLevel: lockLeft(account, now) > 0 ? MAX_CAPTCHA_LEVEL : captchaLevelFor(failuresInWindow(account, THROTTLE.account, now)),
  };
}

/** The CAPTCHA level the login page should ask for when this name is typed (0 for an empty name). */
export async function captchaLevelForName(db: Queryable, username: string, now: Date): Promise<number> {
  // No account name holds a control character (a NUL cannot even be looked up): nothing to count.
  if (!username.trim() || hasControlChars(username)) return 0;
  const [row] = await db
    .select()
    .from(loginThrottle)
    .where(eq(loginThrottle.key, throttleKeys(username, null).account));
  return lockLeft(row, now) > 0 ? MAX_CAPTCHA_LEVEL : captchaLevelFor(failuresInWindow(row, THROTTLE.account, now));
}

/** Milliseconds left on a key's lock, or 0. */
export async function lockRemainingMs(db: Queryable, key: string, now: Date): Promise<number> {
  const [row] = await db.select().from(loginThrottle).where(eq(loginThrottle.key, key));
  return lockLeft(row, now);
}

export type FailureCount = { failures: number; lockedMs: number };

/** Count one failure against a key; lock it when the rule's limit is reached within its window. */
export async function recordFailure(db: Queryable, key: string, rule: ThrottleRule, now: Date): Promise<FailureCount> {
  const nowIso = now.toISOString();
  const windowStart = new Date(now.getTime() - rule.windowMs).toISOString();
  const lockUntil = new Date(now.getTime() + rule.lockMs).toISOString();
  // One atomic upsert, so concurrent guesses cannot slip past the limit.
  const rows = await queryRows<{ failures: number; locked_until: string | Date | null }>(
    db,
    sql`
    insert into login_throttle (key, failures, window_start, locked_until)
    values (${key}, 1, ${nowIso}, ${rule.limit <= 1 ? lockUntil : null})
    on conflict (key) do update set
      failures = case when login_throttle.window_start <= ${windowStart}::timestamptz then 1 else login_throttle.failures + 1 end,
      window_start = case when login_throttle.window_start <= ${windowStart}::timestamptz then ${nowIso}::timestamptz else login_throttle.window_start end,
      locked_until = case
        when (case when login_throttle.window_start <= ${windowStart}::timestamptz then 1 else login_throttle.failures + 1 end) >= ${rule.limit}
        then ${lockUntil}::timestamptz else login_throttle.locked_until end
    returning failures, locked_until`,
  );
  const row = rows[0];
  const lockedUntil = row?.locked_until ? new Date(row.locked_until) : null;
  return { failures: Number(row?.failures ?? 0), lockedMs: lockedUntil && lockedUntil > now ? lockedUntil.getTime() - now.getTime() : 0 };
}

/**
 * The sessions.purge job: rows whose window closed and whose lock ran out count nothing any more. Without it every
 * name ever typed at the login page would keep its rows for good.
 */
export async function purgeThrottle(db: Queryable, now: Date): Promise<number> {
  const longest = Math.max(...Object.values(THROTTLE).flatMap((r) => ('windowMs' in r ? [r.windowMs] : [])));
  const closed = new Date(now.getTime() - longest);
  const gone = await db
    .delete(loginThrottle)
    .where(and(lt(loginThrottle.windowStart, closed), or(isNull(loginThrottle.lockedUntil), lt(loginThrottle.lockedUntil, now))))
    .returning({ key: loginThrottle.key });
  return gone.length;
}

/**
 * Take back one attempt counted before it was judged (recordFailure) that turned out right: the count is as if it had
 * never been made, and a lock that this very count set (the count at the limit exactly) is lifted with it — a lock set
 * by another attempt (the count past the limit) stays.
 */
export async function forgiveFailure(db: Queryable, key: string, rule: ThrottleRule): Promise<void> {
  await queryRows(
    db,
    sql`
    update login_throttle set
      failures = greatest(failures - 1, 0),
      locked_until = case when failures = ${rule.limit} then null else locked_until end
    where key = ${key}`,
  );
}

export async function clearFailures(db: Queryable, key: string): Promise<void> {
  await db.delete(loginThrottle).where(eq(loginThrottle.key, key));
}
