/**
 * Zalo's OAuth refresh of an Official Account's access token (docs/decisions/0023): POST ZNS_OAUTH_URL with header
 * `secret_key: <app secret>`, form body app_id, grant_type=refresh_token, refresh_token → {access_token,
 * refresh_token, expires_in (seconds, string or number)}, or {error, error_name, error_description}. The refresh
 * token ROTATES: the one sent stops working once Zalo has answered with a new one, so the caller must store the new
 * one before anything else (src/notify/zns-tokens.ts does, under a lock).
 *
 * Outcomes: issued; refused (Zalo answered with an error: the refresh token is dead, revoked or the app secret is
 * wrong — an administrator must act, retrying cannot help); unavailable (no connection, time-out, 429/5xx, an answer
 * we cannot read — worth trying again later). Nothing here puts a token or the secret into a reason.
 */
import { z } from 'zod';
import type { ZnsConfig } from '../../config.js';
import { GatewayToken, TOO_LARGE, kb, readGatewayJson } from './answer.js';

export type RefreshOutcome =
  | { kind: 'issued'; accessToken: string; refreshToken: string; expiresInSeconds: number }
  | { kind: 'refused'; reason: string }
  | { kind: 'unavailable'; reason: string };

/** Two tokens of at most 4096 characters and a few small fields. Read up to 32 KB, no more. */
export const OAUTH_ANSWER_MAX_BYTES = 32 * 1024;

/** Both tokens are stored (settings) and sent back in a header or a form: visible ASCII, at most 4096 characters. */
const Issued = z.object({
  access_token: GatewayToken,
  refresh_token: GatewayToken,
  expires_in: z.coerce
    .number()
    .int()
    .positive()
    .max(400 * 24 * 3600),
});
const Refusal = z.object({
  error: z.coerce.number().int(),
  error_name: z.string().max(200).optional(),
});

/** Zalo's words, kept to letters, digits and simple punctuation (they are shown and logged). */
const plain = (s: string | undefined) =>
  (s ?? '')
    .replace(/[^\p{L}\p{N} ._-]/gu, '')
    .slice(0, 80)
    .trim();

export async function refreshZaloToken(
  config: Pick<ZnsConfig, 'oauthUrl' | 'appId' | 'appSecret'>,
  refreshToken: string,
  signal: AbortSignal,
): Promise<RefreshOutcome> {
  let res: Response;
  let body: unknown;
  try {
    res = await fetch(config.oauthUrl, {
      method: 'POST',
      headers: { secret_key: config.appSecret, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ app_id: config.appId, grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
      signal,
    });
    body = await readGatewayJson(res, OAUTH_ANSWER_MAX_BYTES);
  } catch {
    return { kind: 'unavailable', reason: signal.aborted ? 'Zalo OAuth không trả lời kịp thời' : 'Không kết nối được với Zalo OAuth' };
  }
  if (res.status === 429 || res.status >= 500)
    return { kind: 'unavailable', reason: `Zalo OAuth tạm thời không phục vụ (HTTP ${res.status})` };
  // Not read: neither tokens (ours to store) nor a refusal (which would end the refresh token) can be told from it.
  if (body === TOO_LARGE)
    return {
      kind: 'unavailable',
      reason: `Zalo OAuth trả lời quá lớn (hơn ${kb(OAUTH_ANSWER_MAX_BYTES)}), không đọc (HTTP ${res.status})`,
    };
  const issued = Issued.safeParse(body);
  if (res.ok && issued.success)
    return {
      kind: 'issued',
      accessToken: issued.data.access_token,
      refreshToken: issued.data.refresh_token,
      expiresInSeconds: issued.data.expires_in,
    };
  const refusal = Refusal.safeParse(body);
  if (refusal.success && refusal.data.error !== 0) {
    const name = plain(refusal.data.error_name);
    return { kind: 'refused', reason: `Zalo từ chối gia hạn (mã lỗi ${refusal.data.error}${name ? `, ${name}` : ''})` };
  }
  if (res.status >= 400) return { kind: 'refused', reason: `Zalo từ chối gia hạn (HTTP ${res.status})` };
  return { kind: 'unavailable', reason: `Zalo OAuth trả lời không đúng định dạng (HTTP ${res.status})` };
}
