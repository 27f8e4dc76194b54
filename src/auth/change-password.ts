import { and, eq, ne } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { tokenHash } from './sessions.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { clearFailures, currentPasswordKey, lockRemainingMs, recordFailure, THROTTLE } from './throttle.js';

const currentPasswordLocked = (ms: number) =>
  new AppError(
    'current_password_locked',
    `Mật khẩu hiện tại đã bị nhập sai quá nhiều lần. Vui lòng thử lại sau ${Math.max(1, Math.ceil(ms / 60_000))} phút.`,
    429,
  );

const Input = z.object({
  current: z.string({ message: 'Vui lòng nhập mật khẩu hiện tại.' }).min(1, 'Vui lòng nhập mật khẩu hiện tại.'),
  next: z.string({ message: 'Vui lòng nhập mật khẩu mới.' }).min(1, 'Vui lòng nhập mật khẩu mới.'),
  confirm: z.string({ message: 'Vui lòng nhập lại mật khẩu mới.' }),
});

/** Đổi mật khẩu: the official's own password. Other sessions of the account end; this one stays. */
export async function changePassword(db: Db, actor: StaffActor, currentSessionToken: string, raw: unknown, now: Date) {
  const input = parseInput(Input, raw);
  const [acc] = await db.select().from(accounts).where(eq(accounts.id, actor.accountId));
  if (!acc || acc.deletedAt) throw errors.unauthenticated();
  const key = currentPasswordKey(acc.id);
  const locked = await lockRemainingMs(db, key, now);
  if (locked > 0) throw currentPasswordLocked(locked);
  // Counted before it is judged (the right one clears it), as the TOTP step does: guesses sent at once each take their
  // number from the one atomic upsert, and those past the limit are not judged — counting after the check let them all be.
  const counted = await recordFailure(db, key, THROTTLE.currentPassword, now);
  if (counted.failures > THROTTLE.currentPassword.limit) throw currentPasswordLocked(Math.max(counted.lockedMs, 1));
  if (!(await verifyPassword(acc.passwordHash, input.current))) {
    if (counted.lockedMs > 0) throw currentPasswordLocked(counted.lockedMs);
    throw errors.validation({ current: 'Mật khẩu hiện tại không đúng.' });
  }
  // The right one: a new password refused below (too weak, not confirmed) must not count against the official.
  await clearFailures(db, key);
  const problem = passwordProblem(input.next, acc.username);
  if (problem) throw errors.validation({ next: problem });
  if (input.next !== input.confirm) throw errors.validation({ confirm: 'Mật khẩu nhập lại không khớp.' });
  if (input.next === input.current) {
    throw new AppError('password_unchanged', 'Mật khẩu mới phải khác mật khẩu hiện tại.', 400, {
      next: 'Mật khẩu mới phải khác mật khẩu hiện tại.',
    });
  }
  const passwordHash = await hashPassword(input.next);
  await db.transaction(async (tx) => {
    await tx
      .update(accounts)
      .set({ passwordHash, mustChangePassword: false, passwordChangedAt: now, updatedAt: now })
      .where(eq(accounts.id, acc.id));
    await endSessionsWhere(tx, and(eq(sessions.accountId, acc.id), ne(sessions.idHash, tokenHash(currentSessionToken))), {
      keepBrowserSessionHashes: [tokenHash(currentSessionToken)],
      // Every provider session and grant of the account ends, the offline ones too (one got with the old password
      // must not outlive it); this browser's one-stop session stays, and its applications log in again through it.
      subject: acc.id,
      revokeOffline: true,
    });
    await recordAudit(tx, {
      action: 'account.password_change',
      actor,
      targetType: 'account',
      targetId: acc.id,
      unitId: acc.unitId,
      data: {},
    });
  });
}
