import crypto from 'node:crypto';
import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, apiClients } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import { cutoffOfUnitSql } from '../auth/cutoff.js';
import { keyActs } from './key-access.js';
import { sha256 } from './key-secret.js';

/** last_used_at is written at most once a minute per key: a busy integration does not write on every request. */
const LAST_USED_EVERY_MS = 60_000;

const invalid = () => new AppError('invalid_token', 'Khóa API không hợp lệ.', 401);

/**
 * The account behind a Bearer token `<key id>.<secret>`, or a typed 401: invalid_token (unknown key or wrong
 * secret), api_key_revoked, api_key_expired, api_key_account_unavailable (account suspended or deleted), api_key_cutoff
 * (the account's VNeID-only date has come and the key does not carry its holder's proof: key-access.ts keyActs).
 * A key's state is told only to whoever holds its secret.
 */
export async function authenticateApiToken(db: Db, token: string, now: Date) {
  const dot = token.indexOf('.');
  if (dot < 1) throw invalid();
  const id = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  const [row] = await db
    .select({ client: apiClients, account: accounts, cutoff: cutoffOfUnitSql(accounts.unitId) })
    .from(apiClients)
    .innerJoin(accounts, eq(accounts.id, apiClients.accountId))
    .where(eq(apiClients.id, id));
  const expected = Buffer.from(row?.client.secretHash ?? sha256(''));
  const given = Buffer.from(sha256(secret));
  if (!row || !crypto.timingSafeEqual(expected, given)) throw invalid();
  const { client, account, cutoff } = row;
  if (client.revokedAt) {
    throw new AppError('api_key_revoked', `Khóa API đã bị thu hồi lúc ${formatDateTime(client.revokedAt)}.`, 401);
  }
  if (client.expiresAt.getTime() <= now.getTime()) {
    throw new AppError(
      'api_key_expired',
      `Khóa API đã hết hạn lúc ${formatDateTime(client.expiresAt)}. Vui lòng đề nghị quản trị cấp khóa mới.`,
      401,
    );
  }
  if (account.deletedAt || account.suspended) {
    throw new AppError('api_key_account_unavailable', 'Tài khoản của khóa API đang bị tạm đình chỉ hoặc đã bị xóa.', 401);
  }
  if (!keyActs(client, account, cutoff, now)) {
    throw new AppError(
      'api_key_cutoff',
      `Từ ngày ${formatDate(cutoff)}, tài khoản chỉ hoạt động khi chính chủ đăng nhập bằng VNeID: khóa API này (do quản trị viên cấp, cấp từ phiên đăng nhập bằng mật khẩu, hoặc của người không còn gắn với tài khoản) hết hiệu lực. Chủ tài khoản đăng nhập bằng VNeID và tự cấp khóa mới tại Thông tin tài khoản → Khóa API.`,
      401,
    );
  }
  if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() >= LAST_USED_EVERY_MS) {
    const before = new Date(now.getTime() - LAST_USED_EVERY_MS);
    await db
      .update(apiClients)
      .set({ lastUsedAt: now })
      .where(and(eq(apiClients.id, id), or(isNull(apiClients.lastUsedAt), lt(apiClients.lastUsedAt, before))));
  }
  return { clientId: id, name: client.name, expiresAt: client.expiresAt, account };
}
