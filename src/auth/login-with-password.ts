import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import type { Captcha } from './captcha.js';
import { verifyPassword } from './passwords.js';
import { cutoffForUnit, passwordOpen } from './cutoff.js';
import { useTotp } from './totp.js';
import { createSession, type SessionPolicy } from './sessions.js';
import { THROTTLE, clearFailures, lockRemainingMs, recordFailure, throttleKeys } from './throttle.js';

export type PasswordLoginInput = { username: string; password: string; captcha: string | undefined; totp?: string | undefined };

/**
 * Đăng nhập: CAPTCHA, then throttling, then the password. Every attempt is audited. Failures
 * say the same thing whether or not the account exists; a new session id is issued on success.
 */
export async function loginWithPassword(
  db: Db,
  deps: { captcha: Captcha; sessions: SessionPolicy; now?: () => Date },
  input: PasswordLoginInput,
  meta: RequestMeta,
) {
  const typed = input.username.trim().slice(0, 100);
  const usernameLower = typed.toLowerCase();
  const audit = (action: string, acc: { id: string; unitId: string } | undefined, data: Record<string, unknown>) =>
    db.transaction((tx) =>
      recordAudit(tx, {
        action,
        actorId: acc?.id ?? null,
        actorLabel: typed || null,
        targetType: 'account',
        targetId: acc?.id ?? null,
        unitId: acc?.unitId ?? null,
        meta,
        data: { method: 'password', ...data },
      }),
    );

  const [acc] = usernameLower
    ? await db
        .select()
        .from(accounts)
        .where(and(eq(accounts.usernameLower, usernameLower), isNull(accounts.deletedAt)))
    : [];

  if (!(await deps.captcha.verify(db, input.captcha))) {
    await audit('auth.login_failed', acc, { reason: 'captcha' });
    throw errors.captchaFailed();
  }
  const keys = throttleKeys(usernameLower, meta.ip);
  const keyList = [keys.account, ...(keys.address ? [keys.address] : [])];
  const locked = await lockRemainingMs(db, keyList);
  if (locked > 0) {
    await audit('auth.login_failed', acc, { reason: 'locked' });
    throw errors.loginLocked(Math.ceil(locked / 60_000));
  }
  const ok = typed !== '' && input.password !== '' && (await verifyPassword(acc?.passwordHash ?? null, input.password));
  if (!ok || !acc) {
    const accountLocked = await recordFailure(db, keys.account, THROTTLE.perAccount);
    const addressLocked = keys.address ? await recordFailure(db, keys.address, THROTTLE.perAddress) : false;
    await audit('auth.login_failed', acc, { reason: 'bad_credentials', lockedNow: accountLocked || addressLocked });
    if (accountLocked || addressLocked) throw errors.loginLocked(Math.ceil(THROTTLE.lockMs / 60_000));
    throw errors.invalidCredentials();
  }
  if (acc.suspended) {
    await audit('auth.login_failed', acc, { reason: 'suspended' });
    throw errors.accountSuspended();
  }
  // After the cutoff only VNeID remains — except for break-glass accounts, with their TOTP.
  const now = deps.now?.() ?? new Date();
  const cutoff = await cutoffForUnit(db, acc.unitId);
  let breakGlass = false;
  if (!passwordOpen(cutoff, now)) {
    if (!acc.breakGlass || !acc.totpSecret) {
      await audit('auth.login_failed', acc, { reason: 'password_closed', cutoff });
      throw errors.passwordLoginClosed(cutoff!);
    }
    if (!input.totp) {
      await audit('auth.login_failed', acc, { reason: 'totp_missing', breakGlass: true });
      throw errors.totpRequired();
    }
    if (!(await useTotp(db, acc.id, acc.totpSecret, input.totp, now))) {
      await recordFailure(db, keys.account, THROTTLE.perAccount);
      await audit('auth.login_failed', acc, { reason: 'totp_invalid', breakGlass: true });
      throw errors.totpInvalid();
    }
    breakGlass = true;
  }
  await clearFailures(db, keys.account);
  const token = await db.transaction(async (tx) => {
    const t = await createSession(tx, acc.id, deps.sessions, { ip: meta.ip, userAgent: meta.userAgent ?? null });
    await tx.update(accounts).set({ lastLoginAt: new Date() }).where(eq(accounts.id, acc.id));
    await recordAudit(tx, {
      action: 'auth.login',
      actorId: acc.id,
      actorLabel: acc.username,
      targetType: 'account',
      targetId: acc.id,
      unitId: acc.unitId,
      meta,
      data: { method: breakGlass ? 'password+totp' : 'password', breakGlass, mustChangePassword: acc.mustChangePassword },
    });
    return t;
  });
  return { token, account: acc };
}
