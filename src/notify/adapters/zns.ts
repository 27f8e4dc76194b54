/**
 * Zalo ZNS over HTTP (docs/decisions/0023): an approved template with its parameters, POSTed to ZNS_URL with the
 * OA's access_token header as {phone (84…), template_id, template_data, tracking_id} → Zalo's {error, message, data:
 * {msg_id}} (HTTP 200 even when refused: the error code says). Our notification id is the tracking_id, so a send
 * retried after a crash gets the same msg_id. The delivery webhook arrives at POST /thong-bao/bao-cao/zns
 * (report-routes.ts). The stand-in is sim/zns-gateway.ts.
 *
 * The access token comes from the token source (src/notify/zns-tokens.ts: kept in the database, refreshed ahead of
 * expiry). Zalo refusing it (-124) renews it at once and sends again, once.
 *
 * Outcomes: error 0 → accepted; HTTP 429/5xx, no connection, time-out, rate limit (-32), an access token refused
 * again after renewal or Zalo's OAuth unreachable → retry; the refresh token dead (an administrator must configure a
 * new one, which retrying cannot replace) or any other error → permanent (no Zalo on that number, template not
 * approved…): the message falls back to SMS.
 */
import { z } from 'zod';
import type { ZnsConfig } from '../../config.js';
import type { ZnsTokenSource } from '../zns-tokens.js';
import { GatewayId, TOO_LARGE, kb, readGatewayJson } from './answer.js';
import { internationalPhone } from './phone.js';
import type { ChannelAdapter, SendOutcome } from './types.js';

/** Zalo's error codes, said for administrators. */
const REFUSALS: Record<number, string> = {
  [-100]: 'Zalo không nhận yêu cầu (dữ liệu không hợp lệ)',
  [-108]: 'Số điện thoại không hợp lệ',
  [-109]: 'Mẫu tin Zalo (ZNS) không tồn tại hoặc chưa được duyệt',
  [-112]: 'Tham số của mẫu tin Zalo (ZNS) không hợp lệ',
  [-118]: 'Số điện thoại chưa đăng ký Zalo hoặc tài khoản Zalo không hoạt động',
  [-131]: 'Zalo từ chối gửi tin nhắn',
};
const TEMPORARY: Record<number, string> = {
  [-32]: 'Zalo tạm thời giới hạn số tin gửi',
};
const TOKEN_REFUSED = -124;

/** {error, message, data: {msg_id, sent_time, quota}}: well under a kilobyte. Read up to 64 KB, no more. */
export const ZNS_ANSWER_MAX_BYTES = 64 * 1024;

/** The msg_id is stored (notifications.gateway_id) and the delivery webhook names it: printable ASCII, at most 128. */
const Answer = z.object({
  error: z.number().int(),
  message: z.string().optional(),
  data: z.object({ msg_id: GatewayId }).optional(),
});

const permanent = (reason: string): SendOutcome => ({ kind: 'permanent', reason });
const retry = (reason: string): SendOutcome => ({ kind: 'retry', reason });

export function znsAdapter(config: Pick<ZnsConfig, 'url'>, tokens: ZnsTokenSource): ChannelAdapter {
  /** One POST with one access token; 'token refused' lets the caller renew it. */
  const post = async (token: string, body: string, signal: AbortSignal): Promise<SendOutcome | { kind: 'token refused' }> => {
    let res: Response;
    let answerBody: unknown;
    try {
      res = await fetch(config.url, {
        method: 'POST',
        headers: { access_token: token, 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal,
      });
      answerBody = await readGatewayJson(res, ZNS_ANSWER_MAX_BYTES);
    } catch {
      return retry(signal.aborted ? 'Zalo không trả lời kịp thời' : 'Không kết nối được với Zalo');
    }
    if (res.status === 429 || res.status >= 500) return retry(`Zalo tạm thời không phục vụ (HTTP ${res.status})`);
    if (answerBody === TOO_LARGE) return retry(`Zalo trả lời quá lớn (hơn ${kb(ZNS_ANSWER_MAX_BYTES)}), không đọc (HTTP ${res.status})`);
    const answer = Answer.safeParse(answerBody);
    if (!res.ok || !answer.success) return retry(`Zalo trả lời không đúng định dạng (HTTP ${res.status})`);
    const { error, data } = answer.data;
    if (error === 0) return data ? { kind: 'accepted', gatewayId: data.msg_id } : retry('Zalo trả lời không có mã tin nhắn');
    if (error === TOKEN_REFUSED) return { kind: 'token refused' };
    const temporary = TEMPORARY[error];
    if (temporary) return retry(temporary);
    return permanent(REFUSALS[error] ?? `Zalo từ chối tin nhắn (mã lỗi ${error})`);
  };

  return {
    channel: 'zns',
    async send(message, signal) {
      if (!message.zns) return permanent('Sự kiện này chưa có mẫu tin Zalo (ZNS) được duyệt');
      const phone = internationalPhone(message.to);
      if (!phone) return permanent('Số điện thoại không hợp lệ');
      const body = JSON.stringify({
        phone,
        template_id: message.zns.templateId,
        template_data: message.zns.params,
        tracking_id: message.id,
      });
      const current = await tokens.token();
      if (current.kind !== 'token') return current.kind === 'dead' ? permanent(current.reason) : retry(current.reason);
      const first = await post(current.token, body, signal);
      if (first.kind !== 'token refused') return first;
      const renewed = await tokens.renew(current.token);
      if (renewed.kind !== 'token') return renewed.kind === 'dead' ? permanent(renewed.reason) : retry(renewed.reason);
      const second = await post(renewed.token, body, signal);
      return second.kind === 'token refused' ? retry('Zalo không chấp nhận access token vừa được gia hạn') : second;
    },
  };
}
