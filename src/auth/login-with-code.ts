/**
 * Đăng nhập, bước 2 — the TOTP code of a break-glass account (issue 12, item 14). Step 1 (login-with-password.ts)
 * checked the CAPTCHA and the password and left a pending login (pending-logins.ts) behind a cookie of this
 * browser; this step reads only that and the 6-digit code, so no password travels twice and a token from another
 * browser, an expired one or none at all opens nothing. The pending login names its account: the code can open no
 * other. Codes are counted by the TOTP lockout rule (THROTTLE.totp, per typed name) before they are judged, a code
 * is accepted once (totp.ts: a replay in the same time step is a wrong code), and the session, the pending login's
 * end and the audit row are written in one transaction.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { accounts } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { minutes, openPasswordSession } from './login-with-password.js';
import { endPendingLogin, readPendingCode } from './pending-logins.js';
import type { SessionPolicy } from './sessions.js';
import { THROTTLE, clearFailures, lockRemainingMs, recordFailure, throttleErrors, throttleKeys, throttleState } from './throttle.js';
import { breakGlassCodeOpens, useTotp } from './totp.js';

export const codeStepErrors = {
  /** No live pending login in this browser: expired, ended, another browser's, or step 1 skipped. */
  expired: () => new AppError('login_step_expired', 'Phiên nhập mã xác thực đã hết hạn, đăng nhập lại.', 401),
  /** The limit reached (THROTTLE.totp.limit wrong codes): says the same count the rule uses. */
  locked: (mins: number) =>
    new AppError(
      'totp_locked',
      `Bạn đã nhập sai mã xác thực ${THROTTLE.totp.limit} lần. Bước nhập mã xác thực tạm khóa, vui lòng thử lại sau ${mins} phút.`,
      429,
    ),
};

const CodeInput = z.object({
  code: z
    .string()
    .transform((s) => s.replace(/\s/g, ''))
    .pipe(z.string().regex(/^\d{6}$/, 'Mã xác thực gồm 6 chữ số.')),
});

/** What the code page shows for a pending login of this browser, or null when there is none. */
export async function codeStepOf(db: Db, token: string | undefined, now: Date): Promise<{ pausedMs: number } | null> {
  const pending = token ? await readPendingCode(db, token, now) : null;
  if (!pending) return null;
  if (!pending.paused) return { pausedMs: 0 };
  const state = await throttleState(db, throttleKeys(pending.usernameLower, null), now);
  return { pausedMs: Math.max(state.accountPauseMs, 60_000) };
}

export async function loginWithCode(
  db: Db,
  deps: { sessions: SessionPolicy; now: Date },
  input: { pendingToken: string | undefined; code: unknown },
  meta: RequestMeta,
): Promise<{ token: string; account: typeof accounts.$inferSelect; returnTo: string | null }> {
  const { now } = deps;
  const pending = input.pendingToken ? await readPendingCode(db, input.pendingToken, now) : null;
  if (!pending || !input.pendingToken) throw codeStepErrors.expired();
  const pendingToken = input.pendingToken;
  const parsed = CodeInput.safeParse({ code: typeof input.code === 'string' ? input.code : '' });
  if (!parsed.success) throw errors.validation({ code: parsed.error.issues[0]?.message ?? 'Mã xác thực gồm 6 chữ số.' });
  const keys = throttleKeys(pending.usernameLower, meta.ip);
  // Started while the name was paused: every refusal is the pause's answer, so it hints at nothing.
  const pausedAnswer = async () =>
    throttleErrors.passwordLoginPaused(minutes((await throttleState(db, keys, now)).accountPauseMs || 60_000));
  // A paused name's stand-in (wrong password, or not a break-glass account): no code opens it, nothing is counted.
  if (!pending.accountId) throw await pausedAnswer();

  const [acc] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, pending.accountId), isNull(accounts.deletedAt)));
  const audit = (data: Record<string, unknown>) =>
    db.transaction((tx) =>
      recordAudit(tx, {
        action: 'auth.login_failed',
        actor: { kind: 'anonymous', id: acc?.id ?? null, label: pending.usernameLower, meta },
        targetType: 'account',
        targetId: acc?.id ?? null,
        unitId: acc?.unitId ?? null,
        data: { method: 'password', breakGlass: true, ...data },
      }),
    );
  // Suspended, or no longer break-glass, since step 1: this pending login is over.
  if (!acc || !breakGlassCodeOpens(acc)) {
    await endPendingLogin(db, pendingToken);
    if (acc?.suspended) {
      await audit({ reason: 'suspended' });
      throw errors.accountSuspended();
    }
    throw codeStepErrors.expired();
  }
  const secret = acc.totpSecret;

  const refuse = async (reason: 'totp_invalid' | 'totp_locked', left: number, lockedMs: number) => {
    // Paused, the pending login lives on as a stand-in's does: ending it would tell that the password was right.
    if (lockedMs > 0 && !pending.paused) await endPendingLogin(db, pendingToken);
    if (pending.paused) {
      await audit({ reason: 'paused', totp: reason === 'totp_locked' ? 'locked' : 'invalid' });
      return pausedAnswer();
    }
    await audit({ reason });
    return lockedMs > 0 ? codeStepErrors.locked(minutes(lockedMs)) : errors.totpInvalid(left);
  };
  const lockedMs = await lockRemainingMs(db, keys.totp, now);
  if (lockedMs > 0) throw await refuse('totp_locked', 0, lockedMs);
  // Counted before it is judged (a right code clears it): codes sent at once each take their number from the one
  // atomic upsert, and those past the limit are not judged — checking the lock first alone let them all be.
  const counted = await recordFailure(db, keys.totp, THROTTLE.totp, now);
  if (counted.failures > THROTTLE.totp.limit) throw await refuse('totp_locked', 0, Math.max(counted.lockedMs, 1));

  const token = await db.transaction(async (tx) => {
    if (!(await useTotp(tx, acc.id, secret, parsed.data.code, now))) return null;
    await endPendingLogin(tx, pendingToken);
    await clearFailures(tx, keys.totp);
    // The name's own counter at this address starts again (as after any login by password).
    await clearFailures(tx, keys.pair);
    return openPasswordSession(tx, deps.sessions, acc, meta, now, 'password+totp');
  });
  if (token) return { token, account: acc, returnTo: pending.returnTo };

  const left = Math.max(0, THROTTLE.totp.limit - counted.failures);
  throw await refuse(counted.lockedMs > 0 ? 'totp_locked' : 'totp_invalid', left, counted.lockedMs);
}
