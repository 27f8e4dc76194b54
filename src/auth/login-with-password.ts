import { and, eq, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { accountIdentities, accounts } from '../db/schema/index.js';
import { recordAccountAudit, recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { CONTROL_CHARS_MESSAGE, hasControlChars } from '../shared/text.js';
import type { Captcha } from './captcha.js';
import { verifyPassword } from './passwords.js';
import { cutoffForUnit, passwordOpen } from './cutoff.js';
import { createPendingCode } from './pending-logins.js';
import { breakGlassCodeOpens } from './totp.js';
import { createSession, type SessionPolicy } from './sessions.js';
import type { ThrottleRefusal } from './refused-logins.js';
import {
  THROTTLE,
  captchaLevelFor,
  clearFailures,
  forgiveFailure,
  recordFailure,
  throttleErrors,
  throttleKeys,
  throttleState,
} from './throttle.js';

export type PasswordLoginInput = { username: string; password: string; captcha: string | undefined; returnTo?: string | null };

/**
 * A session, or the code step: a pending login (pending-logins.ts) whose token the browser keeps in a cookie and
 * whose TOTP code login-with-code.ts checks. The password is never carried to the second step.
 */
export type PasswordLoginResult =
  | { kind: 'session'; token: string; account: typeof accounts.$inferSelect }
  | { kind: 'code'; pendingToken: string };

export const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** Answers given only after the right password, so they may fit the account's own case. */
const passwordLoginErrors = {
  /** After the cutoff, for an official VNeID cannot log in yet: the unit administrator verifies first. */
  closedUnverified: (cutoffIso: string) =>
    new AppError(
      'password_login_closed',
      `Từ ngày ${dmy(cutoffIso)}, cán bộ chỉ đăng nhập bằng tài khoản VNeID, nhưng tài khoản của bạn chưa được xác thực với VNeID nên chưa đăng nhập bằng VNeID được. Vui lòng liên hệ quản trị đơn vị để nhập và xác thực số CCCD của bạn (Quản trị hệ thống → Quản lý người dùng → Xác thực tài khoản VNEID), rồi bấm "Đăng nhập bằng tài khoản VNEID".`,
      403,
    ),
};

/** Can VNeID log this account in: linked to its person, or its CCCD verified (and not declined) for the first login. */
async function vneidReady(db: Db, acc: typeof accounts.$inferSelect): Promise<boolean> {
  if (acc.personId) return true;
  const [id] = await db
    .select({ verifiedAt: accountIdentities.verifiedAt, declinedAt: accountIdentities.declinedAt })
    .from(accountIdentities)
    .where(eq(accountIdentities.accountId, acc.id));
  return !!id?.verifiedAt && !id.declinedAt;
}

/**
 * Đăng nhập: CAPTCHA, then throttling, then the password. Every attempt that reaches the password check
 * is audited; one that a CAPTCHA, lock or pause refuses before it is only counted (`deps.refused`, a
 * log line), so anonymous traffic cannot fill the audit trail (docs/decisions/0011). Failures
 * say the same thing whether or not the account exists; a new session id is issued on success.
 *
 * Throttling (docs/decisions/0009): a lock holds one name at one address; failures of a name from
 * everywhere raise the CAPTCHA level it needs and, past a high count, pause its password login —
 * except for a break-glass account with its TOTP. One clock (deps.now) for all of it.
 *
 * The TOTP code is a second step (login-with-code.ts): the right password of a break-glass account after the
 * cutoff starts a pending login. While the name is paused, every attempt that gets this far goes to the code step
 * (a stand-in with no account unless the password is right and the account break-glass), so the pause tells no one
 * whether a password was right.
 */
export async function loginWithPassword(
  db: Db,
  deps: { captcha: Captcha; sessions: SessionPolicy; now?: () => Date; refused?: (reason: ThrottleRefusal) => void },
  input: PasswordLoginInput,
  meta: RequestMeta,
): Promise<PasswordLoginResult> {
  const now = deps.now?.() ?? new Date();
  // No account name holds a control character (a NUL cannot even be looked up): refused before anything.
  if (hasControlChars(input.username)) throw errors.validation({ username: CONTROL_CHARS_MESSAGE });
  const typed = input.username.trim().slice(0, 100);
  const usernameLower = typed.toLowerCase();
  const audit = (action: string, acc: { id: string; unitId: string } | undefined, data: Record<string, unknown>) =>
    db.transaction((tx) =>
      recordAudit(tx, {
        action,
        actor: { kind: 'anonymous', id: acc?.id ?? null, label: typed || null, meta },
        targetType: 'account',
        targetId: acc?.id ?? null,
        unitId: acc?.unitId ?? null,
        data: { method: 'password', ...data },
      }),
    );

  const [acc] = usernameLower
    ? await db
        .select()
        .from(accounts)
        .where(and(eq(accounts.usernameLower, usernameLower), isNull(accounts.deletedAt)))
    : [];

  // Everything below depends on the typed name and the address only, never on the account's existence.
  const keys = throttleKeys(usernameLower, meta.ip);
  const state = await throttleState(db, keys, now);
  const proven = await deps.captcha.verifyLevel(db, input.captcha, now);
  // Refused before the password is read: counted, not audited.
  if (proven === null) {
    deps.refused?.('captcha');
    throw errors.captchaFailed();
  }
  const locked = Math.max(state.pairLockMs, state.addressLockMs);
  if (locked > 0) {
    deps.refused?.('locked');
    throw errors.loginLocked(minutes(locked));
  }
  if (proven < state.captchaLevel) {
    deps.refused?.('captcha_level');
    throw throttleErrors.captchaEscalated();
  }
  // Counted before it is judged, a right password taking its counts back: attempts sent at once each take their number
  // from one atomic upsert, and those past a limit are not judged — reading the locks first alone let a burst all be,
  // of one name's passwords (the pair) or of one password sprayed over many names (the address). In that order, each
  // refusal taking back what it had counted, so an attempt refused unread spends nothing of the name from everywhere:
  // a burst from one address cannot pause a name. While the name is paused, nothing is taken back, right password or
  // wrong — the locks' timing must not tell which guess was right.
  const pausedBefore = state.accountPauseMs > 0;
  const pair = await recordFailure(db, keys.pair, THROTTLE.pair, now);
  if (pair.failures > THROTTLE.pair.limit) {
    deps.refused?.('locked');
    throw errors.loginLocked(minutes(Math.max(pair.lockedMs, 1)));
  }
  const address = keys.address ? await recordFailure(db, keys.address, THROTTLE.address, now) : null;
  if (address && address.failures > THROTTLE.address.limit) {
    await forgiveFailure(db, keys.pair, THROTTLE.pair);
    deps.refused?.('locked');
    throw errors.loginLocked(minutes(Math.max(address.lockedMs, 1)));
  }
  // Already paused: not counted again, so a pause cannot be stretched by hammering it.
  const account = pausedBefore ? null : await recordFailure(db, keys.account, THROTTLE.account, now);
  const takeBack = async () => {
    await forgiveFailure(db, keys.pair, THROTTLE.pair);
    if (keys.address) await forgiveFailure(db, keys.address, THROTTLE.address);
    if (account) await forgiveFailure(db, keys.account, THROTTLE.account);
  };
  // Past the name's limit within this burst: paused, as the attempts after it will find it.
  const paused = pausedBefore || (account !== null && account.failures > THROTTLE.account.limit);
  // The level the attempts counted before this one call for (the page asked for the level it read earlier).
  if (account !== null && proven < captchaLevelFor(account.failures - 1)) {
    await takeBack();
    deps.refused?.('captcha_level');
    throw throttleErrors.captchaEscalated();
  }
  const ok = typed !== '' && input.password !== '' && (await verifyPassword(acc?.passwordHash ?? null, input.password));
  const returnTo = input.returnTo ?? null;
  /** The code step for this name; accountId null = a paused name's stand-in, which no code opens. */
  const codeStep = async (accountId: string | null): Promise<PasswordLoginResult> => ({
    kind: 'code',
    pendingToken: await createPendingCode(db, { accountId, usernameLower, paused, returnTo }, now),
  });
  if (!ok || !acc) {
    const pauseMs = pausedBefore ? state.accountPauseMs : (account?.lockedMs ?? 0);
    const lockMs = Math.max(pair.lockedMs, address?.lockedMs ?? 0);
    await audit('auth.login_failed', acc, { reason: 'bad_credentials', lockedNow: lockMs > 0, pausedNow: !paused && pauseMs > 0 });
    // Paused: the same code step as for the right password of a break-glass account (no password oracle).
    if (paused && typed !== '') return codeStep(null);
    if (pauseMs > 0) throw throttleErrors.passwordLoginPaused(minutes(pauseMs));
    if (lockMs > 0) throw errors.loginLocked(minutes(lockMs));
    throw errors.invalidCredentials();
  }

  // The right password: its counts are taken back, as if never counted — except while the name is paused, where a right
  // password must count as a wrong one does, or the locks' timing would tell which guess was right.
  if (!paused) await takeBack();
  const breakGlassReady = breakGlassCodeOpens(acc);
  if (paused) {
    // The right password while paused: a break-glass account goes on to its code; every other account to a
    // stand-in, so the answer is the same as for a wrong password.
    if (breakGlassReady) return codeStep(acc.id);
    await audit('auth.login_failed', acc, { reason: 'paused', breakGlass: acc.breakGlass });
    return codeStep(null);
  }
  if (acc.suspended) {
    await audit('auth.login_failed', acc, { reason: 'suspended' });
    throw errors.accountSuspended();
  }
  // After the cutoff only VNeID remains — except for break-glass accounts, with their TOTP code as a second step.
  const cutoff = await cutoffForUnit(db, acc.unitId);
  if (!passwordOpen(cutoff, now)) {
    if (!breakGlassReady) {
      await audit('auth.login_failed', acc, { reason: 'password_closed', cutoff });
      throw (await vneidReady(db, acc)) ? errors.passwordLoginClosed(cutoff!) : passwordLoginErrors.closedUnverified(cutoff!);
    }
    // The row the one-page login wrote when the code was not given yet: the right password of a break-glass
    // account is on record even if the code step is never finished.
    await audit('auth.login_failed', acc, { reason: 'totp_missing', breakGlass: true });
    return codeStep(acc.id);
  }
  // The name's own counter at this address starts again; the count from everywhere does not, so
  // the official's logins do not refill an attacker's budget.
  await clearFailures(db, keys.pair);
  const token = await db.transaction((tx) => openPasswordSession(tx, deps.sessions, acc, meta, now, 'password'));
  return { kind: 'session', token, account: acc };
}

/**
 * A login by password (with its TOTP code, for a break-glass account after the cutoff): the session, the account's
 * last login and the audit row, in the caller's transaction. Returns the session's token.
 */
export async function openPasswordSession(
  tx: Tx,
  sessions: SessionPolicy,
  acc: typeof accounts.$inferSelect,
  meta: RequestMeta,
  now: Date,
  method: 'password' | 'password+totp',
): Promise<string> {
  const token = await createSession(tx, acc.id, sessions, now, { ip: meta.ip, userAgent: meta.userAgent ?? null }, { method });
  await tx.update(accounts).set({ lastLoginAt: now }).where(eq(accounts.id, acc.id));
  await recordAccountAudit(tx, acc, 'auth.login', meta, {
    method,
    breakGlass: method === 'password+totp',
    mustChangePassword: acc.mustChangePassword,
  });
  return token;
}
