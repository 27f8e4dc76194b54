import type { Db } from '../db/client.js';
import { recordAudit } from '../audit/record.js';
import type { RequestMeta } from '../shared/context.js';
import { citizenActor } from '../shared/context.js';
import { tokenHash } from '../auth/sessions.js';
import { endSessions } from '../sso/end-sessions.js';

/**
 * Đăng xuất on the portal: the session ends with the SSO provider sessions made from it (the applications are
 * told) and the audit says so, by the citizen's internal id only.
 */
export async function logoutCitizen(db: Db, token: string | null, citizen: { id: string } | null, meta: RequestMeta): Promise<void> {
  await db.transaction(async (tx) => {
    if (token) await endSessions(tx, { browserSessionHashes: [tokenHash(token)] });
    if (!citizen) return;
    await recordAudit(tx, {
      action: 'portal.logout',
      actor: citizenActor(citizen.id, meta),
      targetType: 'citizen',
      targetId: citizen.id,
      data: {},
    });
  });
}
