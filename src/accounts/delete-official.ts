import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, roleGrants, sessions } from '../db/schema/index.js';
import { endSessionsWhere } from '../sso/end-sessions.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { requireWhollyAdministeredAccount } from './policies.js';

/**
 * Xóa cán bộ: a soft delete. The row and its history stay; the username is freed, but a
 * new account with that name is a new account, never this one brought back.
 */
export async function deleteOfficial(db: Db, actor: StaffActor, accountId: string, now: Date) {
  return db.transaction(async (tx) => {
    // The account locked first, as every other write of it (suspension, reset, Phân quyền) takes it: never a deadlock.
    const acc = await requireWhollyAdministeredAccount(tx, actor, accountId, { forUpdate: true });
    if (acc.id === actor.accountId) {
      throw new AppError('self_delete', 'Bạn không thể tự xóa tài khoản của mình.', 409);
    }
    const grants = await tx.delete(roleGrants).where(eq(roleGrants.accountId, accountId)).returning();
    await endSessionsWhere(tx, eq(sessions.accountId, accountId), { subject: accountId, revokeOffline: true });
    await tx.update(accounts).set({ deletedAt: now, passwordHash: null, updatedAt: now }).where(eq(accounts.id, accountId));
    await recordAudit(tx, {
      action: 'account.delete',
      actor,
      targetType: 'account',
      targetId: accountId,
      unitId: acc.unitId,
      data: {
        old: { username: acc.username, roles: grants.map((g) => ({ unitId: g.unitId, role: g.role })) },
      },
    });
  });
}
