/**
 * Kết thúc mọi phiên đăng nhập (Quản lý người dùng → an account): an administrator of the account's subtree ends
 * all of its one-stop sessions and SSO provider sessions at once (the applications are told by back-channel
 * logout). Out of the administrator's subtree: "not found", as every other account action. Audited.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { sessions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { endSessionsWhere, type EndedSessions } from '../sso/end-sessions.js';
import { requireAdministeredAccount } from './policies.js';

export async function endAccountSessions(db: Db, actor: StaffActor, accountId: string): Promise<EndedSessions> {
  return db.transaction(async (tx) => {
    const acc = await requireAdministeredAccount(tx, actor, accountId);
    const ended = await endSessionsWhere(tx, eq(sessions.accountId, acc.id), { subject: acc.id, revokeOffline: true });
    await recordAudit(tx, {
      action: 'account.end_sessions',
      actor,
      targetType: 'account',
      targetId: acc.id,
      unitId: acc.unitId,
      data: { sessions: ended.browserSessions, providerSessions: ended.providerSessions, notices: ended.notices },
    });
    return ended;
  });
}
