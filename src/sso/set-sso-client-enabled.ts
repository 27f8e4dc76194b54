/**
 * Tạm dừng / Cho hoạt động lại: a disabled application is unknown to the provider (invalid_client at every
 * endpoint, clients.ts) from the next request; enabling it restores it as it was. Asking for the state it is
 * already in (a second tab, a double submission) is a 409 that changes nothing. Audited.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ssoClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { clientForChange } from './sso-client-registry.js';

export async function setSsoClientEnabled(
  db: Db,
  actor: StaffActor,
  clientId: string,
  enabled: boolean,
  now: Date,
): Promise<{ name: string }> {
  return db.transaction(async (tx) => {
    const row = await clientForChange(tx, actor, clientId);
    if (enabled === !row.disabledAt)
      throw new AppError('sso_client_state', enabled ? 'Ứng dụng đang hoạt động.' : 'Ứng dụng đã được tạm dừng trước đó.', 409);
    await tx
      .update(ssoClients)
      .set({ disabledAt: enabled ? null : now })
      .where(eq(ssoClients.clientId, clientId));
    await recordAudit(tx, {
      action: enabled ? 'sso_client.enable' : 'sso_client.disable',
      actor,
      targetType: 'sso_client',
      // The province's root: the row is in Nhật ký hệ thống of the province administrators.
      unitId: await provinceUnitId(tx),
      targetId: clientId,
      data: { name: row.name },
    });
    return { name: row.name };
  });
}
