/**
 * The gateways' delivery reports (webhooks): POST /thong-bao/bao-cao/sms and /thong-bao/bao-cao/zns, server to
 * server — no session, no CSRF (mounted before the session middleware in app.tsx, like the payment platform's
 * confirmation); the signature is the authentication (gateway-reports.ts). Answers: 200 {status} quickly —
 * applied, ignored (a late or repeated report of a final message), duplicate (already applied here), unknown (not
 * our message: the gateway need not retry); 401 bad signature or outside the replay window; 400 malformed; 413 over
 * a few KB; 404 while the channel is off.
 */
import { Hono } from 'hono';
import { NOTIFY_REPORT_PATHS } from '../config.js';
import { AppError } from '../shared/errors.js';
import { readRawBody } from '../web/body.js';
import type { AppEnv } from '../web/env.js';
import { REPORT_MAX_BYTES, receiveDeliveryReport, verifySmsReport, verifyZnsReport } from './gateway-reports.js';

export const notifyReportRoutes = new Hono<AppEnv>();

// A refused body (413, not UTF-8) is said in JSON, as to any API client: a gateway reads no error page.
notifyReportRoutes.onError((err, c) => {
  if (err instanceof AppError && err.status < 500) return c.json({ error: err.code }, err.status as 400 | 413);
  throw err;
});

notifyReportRoutes.post(NOTIFY_REPORT_PATHS.sms, async (c) => {
  const deps = c.get('deps');
  const config = deps.config.sms;
  if (!config) return c.json({ error: 'not_configured' }, 404);
  const raw = await readRawBody(c, REPORT_MAX_BYTES);
  const now = deps.now();
  const verified = verifySmsReport(
    config.reportSecret,
    raw,
    { timestamp: c.req.header('x-timestamp'), signature: c.req.header('x-signature') },
    now,
  );
  if (!verified.ok) return c.json({ error: verified.error }, verified.status);
  return c.json({ status: await receiveDeliveryReport(deps.db, verified, now) });
});

notifyReportRoutes.post(NOTIFY_REPORT_PATHS.zns, async (c) => {
  const deps = c.get('deps');
  const config = deps.config.zns;
  if (!config) return c.json({ error: 'not_configured' }, 404);
  const raw = await readRawBody(c, REPORT_MAX_BYTES);
  const now = deps.now();
  const verified = verifyZnsReport({ appId: config.appId, secret: config.webhookSecret }, raw, c.req.header('x-zevent-signature'), now);
  if (!verified.ok) return c.json({ error: verified.error }, verified.status);
  return c.json({ status: await receiveDeliveryReport(deps.db, verified, now) });
});
