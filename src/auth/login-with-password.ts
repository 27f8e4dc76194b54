import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accountIdentities, accounts } from '../db/schema/index.js';
import { recordAccountAudit, recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { CONTROL_CHARS_MESSAGE, hasControlChars } from '../shared/text.js';
import type { Captcha } from './captcha.js';
import { verifyPassword } from './passwords.js';
import { cutoffForUnit, passwordOpen } from './cutoff.js';
import { useTotp } from './totp.js';
import { createSession, type SessionPolicy } from './sessions.js';
import type { ThrottleRefusal } from './refused-logins.js';
import { THROTTLE, clearFailures, lockRemainingMs, recordFailure, throttleErrors, throttleKeys, throttleState } from './throttle.js';

export type PasswordLoginInput = { username: string; password: string; captcha: string | undefined; totp?: string | undefined };

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

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
  /** A wrong TOTP code before the limit: how many tries are left. */
  totpInvalid: (left: number) => new AppError('totp_invalid', `Mã xác thực không đúng hoặc đã được sử dụng. Bạn còn ${left} lần thử.`, 401),
  /** The limit reached (THROTTLE.totp.limit wrong codes): says the same count the rule uses. */
  totpLocked: (mins: number) =>
    new AppError(
      'totp_locked',
      `Bạn đã nhập sai mã xác thực ${THROTTLE.totp.limit} lần. Bước nhập mã xác thực tạm khóa, vui lòng thử lại sau ${mins} phút.`,
      429,
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
 */
export async function loginWithPassword(
  db: Db,
  deps: { captcha: Captcha; sessions: SessionPolicy; now?: () => Date; refused?: (reason: ThrottleRefusal) => void },
  input: PasswordLoginInput,
  meta: RequestMeta,
) {
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
  const proven = await deps.captcha.verifyLevel(db, input.captcha);
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
  const paused = state.accountPauseMs > 0;
  // While paused, only password + TOTP (break-glass) is looked at; anything else is refused unread.
  if (paused && !input.totp) {
    deps.refused?.('paused');
    throw throttleErrors.passwordLoginPaused(minutes(state.accountPauseMs));
  }
  if (proven < state.captchaLevel) {
    deps.refused?.('captcha_level');
    throw throttleErrors.captchaEscalated();
  }
  const ok = typed !== '' && input.password !== '' && (await verifyPassword(acc?.passwordHash ?? null, input.password));
  if (!ok || !acc) {
    const pair = await recordFailure(db, keys.pair, THROTTLE.pair, now);
    // Already paused: not counted again, so a pause cannot be stretched by hammering it.
    const account = paused ? null : await recordFailure(db, keys.account, THROTTLE.account, now);
    const address = keys.address ? await recordFailure(db, keys.address, THROTTLE.address, now) : null;
    const pauseMs = paused ? state.accountPauseMs : (account?.lockedMs ?? 0);
    const lockMs = Math.max(pair.lockedMs, address?.lockedMs ?? 0);
    await audit('auth.login_failed', acc, { reason: 'bad_credentials', lockedNow: lockMs > 0, pausedNow: !paused && pauseMs > 0 });
    if (pauseMs > 0) throw throttleErrors.passwordLoginPaused(minutes(pauseMs));
    if (lockMs > 0) throw errors.loginLocked(minutes(lockMs));
    throw errors.invalidCredentials();
  }

  /** The TOTP step of a break-glass account: reached only with the right password. */
  let totpLeft = THROTTLE.totp.limit;
  const totpStep = async (secret: string, code: string): Promise<'ok' | 'invalid' | 'locked'> => {
    if ((await lockRemainingMs(db, keys.totp, now)) > 0) return 'locked';
    if (await useTotp(db, acc.id, secret, code, now)) return 'ok';
    const counted = await recordFailure(db, keys.totp, THROTTLE.totp, now);
    totpLeft = Math.max(0, THROTTLE.totp.limit - counted.failures);
    return counted.lockedMs > 0 ? 'locked' : 'invalid';
  };

  let breakGlass = false;
  if (paused) {
    // The right password while paused: a break-glass account with a good TOTP code gets in; every
    // other outcome gives the paused answer, so the pause is no password oracle.
    const step = acc.breakGlass && acc.totpSecret && !acc.suspended ? await totpStep(acc.totpSecret, input.totp ?? '') : null;
    if (step !== 'ok') {
      await audit('auth.login_failed', acc, { reason: 'paused', breakGlass: acc.breakGlass, ...(step ? { totp: step } : {}) });
      throw throttleErrors.passwordLoginPaused(minutes(state.accountPauseMs));
    }
    breakGlass = true;
  } else {
    if (acc.suspended) {
      await audit('auth.login_failed', acc, { reason: 'suspended' });
      throw errors.accountSuspended();
    }
    // After the cutoff only VNeID remains — except for break-glass accounts, with their TOTP.
    const cutoff = await cutoffForUnit(db, acc.unitId);
    if (!passwordOpen(cutoff, now)) {
      if (!acc.breakGlass || !acc.totpSecret) {
        await audit('auth.login_failed', acc, { reason: 'password_closed', cutoff });
        throw (await vneidReady(db, acc)) ? errors.passwordLoginClosed(cutoff!) : passwordLoginErrors.closedUnverified(cutoff!);
      }
      if (!input.totp) {
        await audit('auth.login_failed', acc, { reason: 'totp_missing', breakGlass: true });
        throw errors.totpRequired();
      }
      const step = await totpStep(acc.totpSecret, input.totp);
      if (step !== 'ok') {
        await audit('auth.login_failed', acc, { reason: step === 'locked' ? 'totp_locked' : 'totp_invalid', breakGlass: true });
        if (step === 'locked') throw passwordLoginErrors.totpLocked(minutes(await lockRemainingMs(db, keys.totp, now)));
        throw passwordLoginErrors.totpInvalid(totpLeft);
      }
      breakGlass = true;
    }
  }
  // The name's own counter at this address starts again; the count from everywhere does not, so
  // the official's logins do not refill an attacker's budget.
  await clearFailures(db, keys.pair);
  if (breakGlass) await clearFailures(db, keys.totp);
  const token = await db.transaction(async (tx) => {
    const t = await createSession(
      tx,
      acc.id,
      deps.sessions,
      { ip: meta.ip, userAgent: meta.userAgent ?? null },
      { method: breakGlass ? 'password+totp' : 'password' },
    );
    await tx.update(accounts).set({ lastLoginAt: now }).where(eq(accounts.id, acc.id));
    await recordAccountAudit(tx, acc, 'auth.login', meta, {
      method: breakGlass ? 'password+totp' : 'password',
      breakGlass,
      mustChangePassword: acc.mustChangePassword,
    });
    return t;
  });
  return { token, account: acc };
}
