/**
 * Stand-in of a brandname SMS gateway (docs/decisions/0023), on the simulator's origin, never in production.
 *
 * POST /sms-gateway/v1/send — `Authorization: Bearer <token>`, JSON {brandname, phone, text, clientRef, unicode?}
 * → 200 {messageId, segments, encoding}. The same clientRef answers the same messageId and sends nothing again (a
 * sender retrying after a crash). Refusals are 400 {code, message}: invalid_request, invalid_brandname (over 11
 * characters), invalid_phone, blocked_phone (the "bad numbers": any ending in 000), unicode_required (text outside
 * GSM-7 without unicode: true), text_too_long (over the gateway's maximum of segments), rejected (fault smsReject);
 * 401 unauthorized; 503 while smsDown. The message goes to the simulator's SMS outbox (GET /dev/sms?phone=).
 *
 * Later (reportDelayMs) the delivery report is POSTed to the report URL: JSON {reportId, messageId, clientRef,
 * status: delivered|failed|expired, errorCode?, doneAt}, headers X-Timestamp (Unix seconds) and X-Signature =
 * hex HMAC-SHA256(secret, timestamp + "." + body) — the timestamp is signed with the body, so an old report cannot be
 * replayed under a new time. Faults (POST /dev/faults): smsDown, smsSlowMs, smsReject, smsReport.
 */
import crypto from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { smsSize } from '../src/notify/sms-text.js';
import type { SimState } from './state.js';
import type { ReportCallback, SignedReport } from './report-callback.js';
import { reportSender } from './report-callback.js';

export type SmsGatewayOptions = {
  token: string;
  /** Our webhook (POST /thong-bao/bao-cao/sms); unset: no report is sent. */
  reportUrl?: string | undefined;
  reportSecret: string;
  /** The phone network's time to deliver: how long after the acceptance the report is sent. */
  reportDelayMs?: number | undefined;
  /** The gateway's longest message, in segments. */
  maxSegments?: number | undefined;
};

const SendRequest = z.object({
  brandname: z.string().min(1).max(64),
  phone: z.string().min(1).max(20),
  text: z.string().min(1).max(5_000),
  clientRef: z.string().min(1).max(64),
  unicode: z.boolean().optional(),
});

/** 0xxxxxxxxx from 0…, 84… or +84… (null when it is not a Vietnamese mobile number). */
function nationalPhone(phone: string): string | null {
  const digits = phone.replace(/[\s.+-]/g, '');
  const national = digits.startsWith('84') ? `0${digits.slice(2)}` : digits;
  return /^0[35789]\d{8}$/.test(national) ? national : null;
}

const FAILURES = { failed: 'SUBSCRIBER_UNREACHABLE', expired: 'VALIDITY_PERIOD_EXPIRED' } as const;

export function smsGatewayRoutes(state: SimState, opts: SmsGatewayOptions, reports: ReportCallback[]) {
  const app = new Hono();
  const byRef = new Map<string, string>();
  const sendReport = reportSender(reports);
  const refuse = (code: string, message: string) => ({ code, message });

  app.post('/sms-gateway/v1/send', async (c) => {
    const f = state.faults;
    if (f.smsSlowMs > 0) await new Promise((r) => setTimeout(r, f.smsSlowMs));
    if (f.smsDown) return c.json(refuse('unavailable', 'Service temporarily unavailable'), 503);
    const auth = Buffer.from(c.req.header('authorization') ?? '');
    const expected = Buffer.from(`Bearer ${opts.token}`);
    if (auth.length !== expected.length || !crypto.timingSafeEqual(auth, expected))
      return c.json(refuse('unauthorized', 'Invalid access token'), 401);
    const parsed = SendRequest.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return c.json(refuse('invalid_request', parsed.error.issues.map((i) => i.path.join('.')).join(', ')), 400);
    const q = parsed.data;
    const known = byRef.get(q.clientRef);
    if (known) return c.json({ messageId: known, duplicate: true });
    if (f.smsReject) return c.json(refuse('rejected', 'Message rejected by the gateway'), 400);
    if (q.brandname.length > 11) return c.json(refuse('invalid_brandname', 'Brandname longer than 11 characters'), 400);
    const phone = nationalPhone(q.phone);
    if (!phone) return c.json(refuse('invalid_phone', 'Invalid phone number'), 400);
    if (phone.endsWith('000')) return c.json(refuse('blocked_phone', 'Phone number not in service'), 400);
    const size = smsSize(q.text);
    if (size.encoding === 'ucs2' && !q.unicode)
      return c.json(refuse('unicode_required', 'Text is not GSM-7: send with unicode: true'), 400);
    if (size.segments > (opts.maxSegments ?? 10))
      return c.json(refuse('text_too_long', `Text takes ${size.segments} segments, at most ${opts.maxSegments ?? 10}`), 400);

    const messageId = `SMS${Date.now()}${crypto.randomInt(100_000, 999_999)}`;
    byRef.set(q.clientRef, messageId);
    const report = f.smsReport;
    const msg = state.sendSms(phone, q.text, { channel: 'sms', source: 'gateway', clientRef: q.clientRef, sender: q.brandname });
    // A message that fails or expires never reaches the phone.
    msg.delivered = report === 'delivered';
    if (opts.reportUrl && report !== 'none') {
      const reportId = crypto.randomUUID();
      const doneAt = new Date().toISOString();
      const build = (): SignedReport => {
        const body = JSON.stringify({
          reportId,
          messageId,
          clientRef: q.clientRef,
          status: report,
          ...(report === 'delivered' ? {} : { errorCode: FAILURES[report] }),
          doneAt,
        });
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = crypto.createHmac('sha256', opts.reportSecret).update(`${timestamp}.${body}`).digest('hex');
        return { body, headers: { 'x-timestamp': timestamp, 'x-signature': signature } };
      };
      sendReport({ gateway: 'sms', messageId, url: opts.reportUrl }, build, opts.reportDelayMs ?? 2_000);
    }
    return c.json({ messageId, segments: size.segments, encoding: size.encoding });
  });
  return app;
}
