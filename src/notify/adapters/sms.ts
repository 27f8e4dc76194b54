/**
 * The brandname SMS gateway over HTTP (docs/decisions/0023): POST {brandname, phone (84…), text, clientRef, unicode}
 * with a bearer token to SMS_GATEWAY_URL → {messageId}. Our notification id is the clientRef, so a send retried
 * after a crash gets the same messageId and no second SMS. The delivery report arrives later at
 * POST /thong-bao/bao-cao/sms (report-routes.ts). The stand-in is sim/sms-gateway.ts.
 *
 * Outcomes: 2xx → accepted; 429, 5xx, no connection, the worker's time-out (the signal) → retry; 401/403 → retry too
 * (a token being rotated is ours to fix, not the recipient's fault); any other 4xx → permanent, with a reason in
 * Vietnamese for Quản trị → Thông báo.
 */
import { z } from 'zod';
import type { SmsConfig } from '../../config.js';
import { smsSize, toUnaccented } from '../sms-text.js';
import { GatewayId, TOO_LARGE, kb, readGatewayJson } from './answer.js';
import { internationalPhone } from './phone.js';
import type { ChannelAdapter, SendOutcome } from './types.js';

/** The gateway's refusal codes (sim/sms-gateway.ts), said for administrators. */
const REFUSALS: Record<string, string> = {
  invalid_phone: 'Số điện thoại không hợp lệ',
  blocked_phone: 'Số điện thoại không còn hoạt động hoặc bị chặn nhận tin',
  invalid_brandname: 'Tên định danh (brandname) không hợp lệ hoặc chưa được đăng ký với cổng SMS',
  text_too_long: 'Nội dung tin nhắn dài quá mức cổng SMS cho phép',
  unicode_required: 'Nội dung tin nhắn có dấu nhưng không được gửi dạng Unicode',
  rejected: 'Cổng SMS từ chối gửi tin nhắn',
  invalid_request: 'Cổng SMS không nhận yêu cầu (dữ liệu không hợp lệ)',
};

/** {messageId} or {code}: a few dozen bytes. Read up to 16 KB (a gateway's error page included), no more. */
export const SMS_ANSWER_MAX_BYTES = 16 * 1024;

/** The messageId is stored (notifications.gateway_id) and delivery reports name it: printable ASCII, at most 128. */
const Accepted = z.object({ messageId: GatewayId });
const Refusal = z.object({ code: z.string().max(64) });

const permanent = (reason: string): SendOutcome => ({ kind: 'permanent', reason });
const retry = (reason: string): SendOutcome => ({ kind: 'retry', reason });

export function smsAdapter(config: SmsConfig): ChannelAdapter {
  return {
    channel: 'sms',
    async send(message, signal) {
      const phone = internationalPhone(message.to);
      if (!phone) return permanent('Số điện thoại không hợp lệ');
      // renderMessage already wrote it unaccented and short enough; checked again so a gateway never bills a surprise.
      const text = config.unaccented ? toUnaccented(message.body) : message.body;
      const size = smsSize(text);
      if (config.unaccented && size.encoding === 'ucs2')
        return permanent('Nội dung tin nhắn có ký tự cổng SMS không gửi được (cổng chỉ nhận tiếng Việt không dấu)');
      if (size.segments > config.maxSegments)
        return permanent(`Nội dung tin nhắn dài ${size.segments} phần, quá giới hạn ${config.maxSegments} phần`);
      let res: Response;
      let body: unknown;
      try {
        res = await fetch(config.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ brandname: config.brandname, phone, text, clientRef: message.id, unicode: size.encoding === 'ucs2' }),
          signal,
        });
        body = await readGatewayJson(res, SMS_ANSWER_MAX_BYTES);
      } catch {
        return retry(signal.aborted ? 'Cổng SMS không trả lời kịp thời' : 'Không kết nối được với cổng SMS');
      }
      if (res.ok && body === TOO_LARGE) return retry(`Cổng SMS trả lời quá lớn (hơn ${kb(SMS_ANSWER_MAX_BYTES)}), không đọc`);
      if (res.ok) {
        const accepted = Accepted.safeParse(body);
        return accepted.success ? { kind: 'accepted', gatewayId: accepted.data.messageId } : retry('Cổng SMS trả lời không đúng định dạng');
      }
      if (res.status === 429 || res.status >= 500) return retry(`Cổng SMS tạm thời không phục vụ (HTTP ${res.status})`);
      if (res.status === 401 || res.status === 403)
        return retry('Cổng SMS không chấp nhận thông tin xác thực (kiểm tra SMS_GATEWAY_TOKEN)');
      const code = Refusal.safeParse(body).data?.code ?? '';
      return permanent(
        REFUSALS[code] ?? `Cổng SMS từ chối tin nhắn (HTTP ${res.status}${/^[\w.-]{1,40}$/.test(code) ? `, mã ${code}` : ''})`,
      );
    },
  };
}
