import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { requireKeyReader } from './key-access.js';

/**
 * Thu hồi khóa API: effective on the key's next request (authentication reads revoked_at every time). An account's
 * administrators and the official themself may revoke; a key of another account, or one already revoked, is refused.
 */
export async function revokeApiClient(db: Db, actor: StaffActor, accountId: string, clientId: string, now = new Date()) {
  return db.transaction(async (tx) => {
    const acc = await requireKeyReader(tx, actor, accountId);
    const [key] = await tx
      .select()
      .from(apiClients)
      .where(and(eq(apiClients.id, clientId), eq(apiClients.accountId, acc.id)))
      .for('update');
    if (!key) throw errors.notFound('Khóa API');
    if (key.revokedAt) throw errors.conflict('Khóa API này đã bị thu hồi trước đó.');
    await tx
      .update(apiClients)
      .set({ revokedAt: now, revokedBy: actor.accountId })
      .where(and(eq(apiClients.id, clientId), isNull(apiClients.revokedAt)));
    await recordAudit(tx, {
      action: 'api_client.revoke',
      actor,
      targetType: 'account',
      targetId: acc.id,
      unitId: acc.unitId,
      data: { clientId, name: key.name },
    });
    return { account: acc, key: { id: key.id, name: key.name } };
  });
}
