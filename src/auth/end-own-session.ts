/**
 * Kết thúc phiên (Thông tin tài khoản → Phiên đăng nhập): an official ends one of their own sessions, with the SSO
 * provider sessions made from it (the applications are told by back-channel logout). Another official's session
 * is "not found", whatever its id; the current one only with the confirmation (it logs this browser out).
 * Audited as auth.session_end.
 */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { sessions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { endSessions } from '../sso/end-sessions.js';
import { deviceLabel } from './device-label.js';
import { tokenHash } from './sessions.js';

const Input = z.object({ phien: z.string().regex(/^[0-9a-f]{64}$/), xacnhan: z.literal('1').optional() });

export async function endOwnSession(db: Db, actor: StaffActor, currentToken: string | null, raw: unknown): Promise<{ current: boolean }> {
  const parsed = Input.safeParse(raw);
  if (!parsed.success) throw errors.notFound('Phiên đăng nhập');
  const { phien, xacnhan } = parsed.data;
  const current = currentToken !== null && tokenHash(currentToken) === phien;
  if (current && xacnhan !== '1')
    throw new AppError('confirmation_required', 'Vui lòng đánh dấu ô "Tôi xác nhận…" để kết thúc phiên đang dùng.', 400);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ idHash: sessions.idHash, userAgent: sessions.userAgent, ip: sessions.ip })
      .from(sessions)
      .where(and(eq(sessions.idHash, phien), eq(sessions.accountId, actor.accountId)));
    if (!row) throw errors.notFound('Phiên đăng nhập');
    const ended = await endSessions(tx, { browserSessionHashes: [row.idHash] });
    await recordAudit(tx, {
      action: 'auth.session_end',
      actor,
      targetType: 'account',
      targetId: actor.accountId,
      data: { device: deviceLabel(row.userAgent), ip: row.ip, current, providerSessions: ended.providerSessions, notices: ended.notices },
    });
    return { current };
  });
}
