import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import { generateTemporaryPassword, hashPassword } from '../auth/passwords.js';
import type { StaffActor } from '../shared/context.js';
import { requireWhollyAdministeredAccount } from './policies.js';

/**
 * Đặt lại mật khẩu: a new temporary password, shown once to the administrator; the official
 * must choose their own at the next login. Existing sessions of the account end.
 */
export async function resetPassword(db: Db, actor: StaffActor, accountId: string, now: Date) {
  const temporaryPassword = generateTemporaryPassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const account = await db.transaction(async (tx) => {
    const acc = await requireWhollyAdministeredAccount(tx, actor, accountId);
    await tx
      .update(accounts)
      .set({ passwordHash, mustChangePassword: true, passwordChangedAt: now, updatedAt: now })
      .where(eq(accounts.id, accountId));
    await endSessionsWhere(tx, eq(sessions.accountId, accountId), { subject: accountId, revokeOffline: true });
    await recordAudit(tx, {
      action: 'account.password_reset',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: { new: { mustChangePassword: true } },
    });
    return acc;
  });
  return { account, temporaryPassword };
}
