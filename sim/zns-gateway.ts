/**
 * Stand-in of Zalo ZNS (Zalo Notification Service: approved template messages; docs/decisions/0023), on the
 * simulator's origin, never in production.
 *
 * POST /zns/v1/message/template — header `access_token`, JSON {phone: "84…", template_id, template_data, tracking_id}
 * → Zalo's answer: always HTTP 200 with {error: 0, message: 'Success', data: {msg_id, sent_time}} or {error: <negative
 * code>, message}: -124 access token invalid, -100 invalid request, -108 invalid phone (also the "bad numbers" ending in
 * 000), -118 no Zalo account for the phone (numbers ending in 111), -109 template not approved (when the stand-in was
 * given its approved templates), -131 refused (fault znsReject). HTTP 503 while znsDown. The same tracking_id
 * answers the same msg_id and sends nothing again. The message goes to the simulator's outbox marked channel 'zns'
 * (GET /dev/sms?phone= lists it beside the SMS).
 *
 * Later (reportDelayMs) the webhook is POSTed, signed like Zalo's: X-ZEvent-Signature = 'mac=' + hex SHA-256 of
 * app id + body + timestamp + secret, the timestamp (ms) being the body's. Delivered: event_name
 * 'user_received_message' (Zalo's). Failed or expired: event_name 'user_not_received_message' with
 * message.status and message.error_code — Zalo reports a receipt only; this failure event is our assumption of a
 * gateway that reports failures too, so the fallback to SMS is exercised. Faults: znsDown, znsSlowMs, znsReject, znsReport.
 *
 * OAuth, like Zalo's (POST /zns/oauth/v4/oa/access_token, header secret_key, form app_id, grant_type=refresh_token,
 * refresh_token → {access_token, refresh_token, expires_in: "<seconds>"}): access tokens live accessTokenTtlSeconds
 * (default 25 h) and an expired or unknown one is refused with -124 on a send; the refresh token ROTATES — the one
 * used is refused from then on (error -14014, Zalo's {error, error_name, error_description}). The configured first
 * pair is valid from the start. So that a demo survives a restart of the simulator (its tokens are in memory, the
 * app's in its database), a refresh token of the stand-in's own form that this run never saw is accepted once.
 * Faults: znsExpireTokens (one-shot: every access token issued so far expires at the next request), znsOauthDown
 * (503), znsOauthRefuse (every refresh refused as an invalid refresh token); znsSlowMs slows the refresh too.
 * GET /dev/zns/oauth counts refreshes.
 */
import crypto from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { SimState } from './state.js';
import type { ReportCallback, SignedReport } from './report-callback.js';
import { reportSender } from './report-callback.js';

export type ZnsGatewayOptions = {
  appId: string;
  /** The app's secret key (header secret_key of the refresh). */
  appSecret: string;
  /** The first refresh token and access token, valid from the start. */
  refreshToken: string;
  accessToken: string;
  /** The life of an access token (Zalo: about 25 h). */
  accessTokenTtlSeconds?: number | undefined;
  /** Our webhook (POST /thong-bao/bao-cao/zns); unset: no report is sent. */
  webhookUrl?: string | undefined;
  /** The OA's secret key the webhook is signed with. */
  secret: string;
  reportDelayMs?: number | undefined;
  /** The approved template ids; unset: any numeric id is approved. */
  templates?: readonly string[] | undefined;
};

const SendRequest = z.object({
  phone: z.string().min(1).max(20),
  template_id: z.string().min(1).max(32),
  template_data: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])),
  tracking_id: z.string().min(1).max(48),
});

const FAILURES = { failed: 'USER_NOT_REACHABLE', expired: 'MESSAGE_EXPIRED' } as const;
const REFRESH_TOKEN_FORM = /^sim-rt-[0-9a-f]{32}$/;

const RefreshRequest = z.object({ app_id: z.string(), grant_type: z.literal('refresh_token'), refresh_token: z.string().min(1) });

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

/** The stand-in's OAuth state: live access tokens (→ expiry, ms), refresh tokens issued and used, counts. */
function oauthState(opts: ZnsGatewayOptions) {
  const ttlMs = (opts.accessTokenTtlSeconds ?? 25 * 3600) * 1000;
  const access = new Map<string, number>([[opts.accessToken, Date.now() + ttlMs]]);
  const live = new Set<string>([opts.refreshToken]);
  const used = new Set<string>();
  const counts = { refreshes: 0, refused: 0 };
  return {
    ttlMs,
    counts,
    accessValid: (token: string) => (access.get(token) ?? 0) > Date.now(),
    expireAll: () => access.clear(),
    /** Rotates `token` into a new pair, or null when it is not a live refresh token. */
    rotate(token: string): { accessToken: string; refreshToken: string } | null {
      const known = live.has(token) || (REFRESH_TOKEN_FORM.test(token) && !used.has(token));
      if (!known || used.has(token)) return null;
      live.delete(token);
      used.add(token);
      const pair = {
        accessToken: `sim-at-${crypto.randomBytes(16).toString('hex')}`,
        refreshToken: `sim-rt-${crypto.randomBytes(16).toString('hex')}`,
      };
      live.add(pair.refreshToken);
      access.set(pair.accessToken, Date.now() + ttlMs);
      return pair;
    },
  };
}

export function znsGatewayRoutes(state: SimState, opts: ZnsGatewayOptions, reports: ReportCallback[]) {
  const app = new Hono();
  const byTracking = new Map<string, string>();
  const sendReport = reportSender(reports);
  const oaId = `OA${crypto.createHash('sha256').update(opts.appId).digest('hex').slice(0, 12)}`;
  const oauth = oauthState(opts);
  const expireIfAsked = () => {
    if (!state.faults.znsExpireTokens) return;
    state.faults.znsExpireTokens = false;
    oauth.expireAll();
  };

  app.post('/zns/oauth/v4/oa/access_token', async (c) => {
    expireIfAsked();
    if (state.faults.znsSlowMs > 0) await new Promise((r) => setTimeout(r, state.faults.znsSlowMs));
    if (state.faults.znsOauthDown) return c.json({ error: -32, error_name: 'Service unavailable' }, 503);
    const refuse = (error: number, name: string, description: string) => {
      oauth.counts.refused += 1;
      return c.json({ error, error_name: name, error_description: description });
    };
    if (!same(c.req.header('secret_key') ?? '', opts.appSecret)) return refuse(-14002, 'Invalid app secret', 'secret_key is invalid');
    const form = RefreshRequest.safeParse(Object.fromEntries(new URLSearchParams(await c.req.text())));
    if (!form.success || form.data.app_id !== opts.appId) return refuse(-14003, 'Invalid parameter', 'app_id or grant_type is invalid');
    if (state.faults.znsOauthRefuse) return refuse(-14014, 'Invalid refresh token', 'Refresh token is invalid or expired');
    const pair = oauth.rotate(form.data.refresh_token);
    if (!pair) return refuse(-14014, 'Invalid refresh token', 'Refresh token is invalid or expired');
    oauth.counts.refreshes += 1;
    return c.json({ access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: String(oauth.ttlMs / 1000) });
  });
  app.get('/dev/zns/oauth', (c) => c.json(oauth.counts));

  app.post('/zns/v1/message/template', async (c) => {
    const f = state.faults;
    if (f.znsSlowMs > 0) await new Promise((r) => setTimeout(r, f.znsSlowMs));
    if (f.znsDown) return c.json({ error: -32, message: 'Service temporarily unavailable' }, 503);
    expireIfAsked();
    if (!oauth.accessValid(c.req.header('access_token') ?? '')) return c.json({ error: -124, message: 'Access token is invalid' });
    const parsed = SendRequest.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success)
      return c.json({ error: -100, message: `Invalid parameter: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` });
    const q = parsed.data;
    const known = byTracking.get(q.tracking_id);
    if (known) return c.json({ error: 0, message: 'Success', data: { msg_id: known, duplicate: true } });
    if (f.znsReject) return c.json({ error: -131, message: 'Message rejected' });
    if (!/^84[35789]\d{8}$/.test(q.phone) || q.phone.endsWith('000')) return c.json({ error: -108, message: 'Phone number is invalid' });
    if (q.phone.endsWith('111')) return c.json({ error: -118, message: 'Zalo account does not exist or is inactive' });
    const approved = opts.templates ? opts.templates.includes(q.template_id) : /^\d+$/.test(q.template_id);
    if (!approved) return c.json({ error: -109, message: 'Template ID is invalid or not approved' });

    const msgId = crypto.randomBytes(16).toString('hex');
    byTracking.set(q.tracking_id, msgId);
    const report = f.znsReport;
    const text = Object.entries(q.template_data)
      .map(([k, v]) => `${k}: ${v}`)
      .join('\n');
    const msg = state.sendSms(`0${q.phone.slice(2)}`, text, {
      channel: 'zns',
      source: 'gateway',
      clientRef: q.tracking_id,
      sender: q.template_id,
    });
    msg.delivered = report === 'delivered';
    if (opts.webhookUrl && report !== 'none') {
      const sentAt = Date.now();
      const build = (): SignedReport => {
        const timestamp = String(Date.now());
        const common = { app_id: opts.appId, oa_id: oaId, user_id_by_app: null, timestamp };
        const body = JSON.stringify(
          report === 'delivered'
            ? {
                ...common,
                event_name: 'user_received_message',
                message: { msg_id: msgId, tracking_id: q.tracking_id, delivery_time: String(sentAt) },
              }
            : {
                ...common,
                event_name: 'user_not_received_message',
                message: { msg_id: msgId, tracking_id: q.tracking_id, status: report, error_code: FAILURES[report] },
              },
        );
        const mac = crypto.createHash('sha256').update(`${opts.appId}${body}${timestamp}${opts.secret}`).digest('hex');
        return { body, headers: { 'x-zevent-signature': `mac=${mac}` } };
      };
      sendReport({ gateway: 'zns', messageId: msgId, url: opts.webhookUrl }, build, opts.reportDelayMs ?? 2_000);
    }
    return c.json({ error: 0, message: 'Success', data: { msg_id: msgId, sent_time: String(Date.now()) } });
  });
  return app;
}
