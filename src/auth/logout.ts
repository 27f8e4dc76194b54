import type { Db } from '../db/client.js';
import { recordAccountAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import type { SessionAccount } from './sessions.js';
import { destroySession } from './sessions.js';

/** Đăng xuất: the session ends and, if it was an account's, the audit says so — in one transaction. */
export async function logoutOfficial(db: Db, token: string | null, account: SessionAccount | null, meta: RequestMeta): Promise<void> {
  await db.transaction(async (tx) => {
    if (token) await destroySession(tx, token);
    if (!account) return;
    await recordAccountAudit(tx, account, 'auth.logout', meta);
  });
}
