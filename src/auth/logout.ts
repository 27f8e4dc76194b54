import type { Db } from '../db/client.js';
import { recordAccountAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import type { SessionAccount } from './sessions.js';
import { tokenHash } from './sessions.js';
import { endSessions } from '../sso/end-sessions.js';

/**
 * Đăng xuất: the session ends with the SSO provider sessions made from it (the applications are told by
 * back-channel logout) and, if it was an account's, the audit says so — in one transaction.
 */
export async function logoutOfficial(db: Db, token: string | null, account: SessionAccount | null, meta: RequestMeta): Promise<void> {
  await db.transaction(async (tx) => {
    if (token) await endSessions(tx, { browserSessionHashes: [tokenHash(token)] });
    if (!account) return;
    await recordAccountAudit(tx, account, 'auth.logout', meta);
  });
}
