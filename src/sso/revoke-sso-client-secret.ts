/**
 * Thu hồi khóa bí mật: a confidential application's secret is removed; from the next request the application
 * cannot authenticate at all (invalid_client: clients.ts) until Đổi khóa bí mật issues a new one. The form names the
 * secret it revokes, so a stale submission does not revoke a secret issued since. Audited.
 */
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { ssoClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import type { StaffActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import { secretAlreadyChanged } from './rotate-sso-client-secret.js';
import { clientForChange, secretVersion } from './sso-client-registry.js';

const Input = z.object({ replaces: z.string({ message: 'Thiếu khóa cần thu hồi.' }).regex(/^[0-9a-f]{16}$/, 'Thiếu khóa cần thu hồi.') });

export async function revokeSsoClientSecret(db: Db, actor: StaffActor, clientId: string, raw: unknown): Promise<{ name: string }> {
  const input = parseInput(Input, raw);
  return db.transaction(async (tx) => {
    const row = await clientForChange(tx, actor, clientId);
    if (!row.confidential || !row.secretHash)
      throw new AppError('sso_no_secret', 'Ứng dụng không có khóa bí mật đang hiệu lực để thu hồi.', 409);
    if (secretVersion(row) !== input.replaces) throw secretAlreadyChanged();
    await tx.update(ssoClients).set({ secretHash: null, secretIssuedAt: null }).where(eq(ssoClients.clientId, clientId));
    await recordAudit(tx, {
      action: 'sso_client.revoke_secret',
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
