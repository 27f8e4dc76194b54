import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { requireWhollyAdministeredAccount } from './policies.js';

/** Tạm đình chỉ: suspend (ending the account's sessions at once) or lift a suspension. */
export async function setSuspended(db: Db, actor: StaffActor, accountId: string, suspended: boolean, now: Date) {
  return db.transaction(async (tx) => {
    const acc = await requireWhollyAdministeredAccount(tx, actor, accountId);
    if (acc.id === actor.accountId && suspended) {
      throw new AppError('self_suspend', 'Bạn không thể tự tạm đình chỉ tài khoản của mình.', 409);
    }
    if (acc.suspended === suspended) return acc;
    const [after] = await tx.update(accounts).set({ suspended, updatedAt: now }).where(eq(accounts.id, accountId)).returning();
    // Its one-stop sessions, its SSO provider sessions and what they granted end at once; the applications are told.
    if (suspended) await endSessionsWhere(tx, eq(sessions.accountId, accountId), { subject: accountId, revokeOffline: true });
    await recordAudit(tx, {
      action: suspended ? 'account.suspend' : 'account.unsuspend',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: { old: { suspended: acc.suspended }, new: { suspended } },
    });
    return after!;
  });
}
