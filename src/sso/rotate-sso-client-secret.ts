/**
 * Đổi khóa bí mật: a confidential application gets a new 256-bit secret, shown once; the old one stops working at
 * the next request (only the new SHA-256 is kept). Also how a revoked secret is replaced. The form names the secret
 * it replaces (secretVersion): a stale or repeated submission — the secret already changed — is a 409 and issues
 * nothing, so there are never two secrets and no secret is shown twice. Audited without the secret.
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
import { hashClientSecret } from './clients.js';
import { newClientSecret } from './register-sso-client.js';
import { clientForChange, secretVersion } from './sso-client-registry.js';

const Input = z.object({ replaces: z.string({ message: 'Thiếu khóa cần thay.' }).regex(/^(none|[0-9a-f]{16})$/, 'Thiếu khóa cần thay.') });

export const secretAlreadyChanged = () =>
  new AppError(
    'sso_secret_changed',
    'Khóa bí mật của ứng dụng đã được thay đổi trước đó (có thể do biểu mẫu được gửi hai lần). Không có khóa mới nào được cấp thêm; khóa mới chỉ hiển thị một lần khi được cấp.',
    409,
  );

export async function rotateSsoClientSecret(
  db: Db,
  actor: StaffActor,
  clientId: string,
  raw: unknown,
  now: Date,
): Promise<{ name: string; clientSecret: string }> {
  const input = parseInput(Input, raw);
  return db.transaction(async (tx) => {
    const row = await clientForChange(tx, actor, clientId);
    if (!row.confidential)
      throw new AppError('sso_public_client', 'Ứng dụng công khai (public) không dùng khóa bí mật; nó xác thực bằng PKCE.', 409);
    if (secretVersion(row) !== input.replaces) throw secretAlreadyChanged();
    const clientSecret = newClientSecret();
    await tx
      .update(ssoClients)
      .set({ secretHash: hashClientSecret(clientSecret), secretIssuedAt: now })
      .where(eq(ssoClients.clientId, clientId));
    await recordAudit(tx, {
      action: 'sso_client.rotate_secret',
      actor,
      targetType: 'sso_client',
      // The province's root: the row is in Nhật ký hệ thống of the province administrators.
      unitId: await provinceUnitId(tx),
      targetId: clientId,
      data: { name: row.name, replacedRevoked: !row.secretHash },
    });
    return { name: row.name, clientSecret };
  });
}
