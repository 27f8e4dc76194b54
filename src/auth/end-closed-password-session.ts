/**
 * A session opened with a password before its unit's VNeID-only cutoff, presented on or after that day
 * (auth/sessions.ts readSession: `closed`): ended as every session ends (sso/end-sessions.ts — the SSO provider
 * sessions made from it too, their applications told by back-channel logout), with its audit row. The browser is
 * sent to the login page with the notice (web/http.ts requireLogin).
 */
import type { Db } from '../db/client.js';
import { recordAudit } from '../audit/record.js';
import { systemActor } from '../shared/context.js';
import { endSessions } from '../sso/end-sessions.js';
import { tokenHash } from './sessions.js';

export async function endClosedPasswordSession(
  db: Db,
  token: string,
  account: { id: string; unitId: string },
  cutoff: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const ended = await endSessions(tx, { browserSessionHashes: [tokenHash(token)], revokeOffline: true });
    // Another request of the same browser ended it first: one row is enough.
    if (ended.browserSessions === 0) return;
    await recordAudit(tx, {
      action: 'auth.session_cutoff',
      actor: systemActor('password_cutoff'),
      targetType: 'account',
      targetId: account.id,
      unitId: account.unitId,
      data: { cutoff, providerSessions: ended.providerSessions, notices: ended.notices },
    });
  });
}
