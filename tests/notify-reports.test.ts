/**
 * The gateways' delivery reports over HTTP: the stand-ins (sim/sms-gateway.ts, sim/zns-gateway.ts) call back the
 * app's webhooks (the app listens on a real port here) and the notification's row moves; forged, stale, replayed,
 * oversized and malformed reports change nothing; a report of a message not ours is answered 200 unknown.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import { serve, type ServerType } from '@hono/node-server';
import { startSimulator, type Simulator } from '../sim/server.js';
import { GATEWAY_FAULTS_OFF } from '../sim/state.js';
import { notifications } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { smsAdapter } from '../src/notify/adapters/sms.js';
import { znsAdapter } from '../src/notify/adapters/zns.js';
import { znsTokens } from '../src/notify/zns-tokens.js';
import type { Database } from '../src/db/client.js';
import { resetDatabase, testDatabase } from './support/db.js';
import { buildApp, TEST_PASSWORD, type App } from './support/app.js';
import { accountByUsername } from './support/fixtures.js';
import { freePort } from './support/vneid.js';
import { loadConfig } from '../src/config.js';

const SMS_SECRET = 'sms-report-secret-for-tests';
const ZNS = {
  appId: '4242',
  secret: 'zns-webhook-secret-for-tests',
  token: 'zns-token',
  appSecret: 'zns-app-secret',
  refresh: 'zns-refresh',
};

let database: Database;
let sim: Simulator;
let app: App;
let appUrl: string;
let server: ServerType;
let env: Record<string, string>;

// The stand-ins report over HTTP to the app, which applies in a transaction: generous waits on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

beforeAll(async () => {
  database = await testDatabase();
  const [simPort, appPort] = [await freePort(), await freePort()];
  appUrl = `http://127.0.0.1:${appPort}`;
  sim = await startSimulator({
    port: simPort,
    issuer: `http://127.0.0.1:${simPort}`,
    clients: [],
    registryToken: 'registry-test-token',
    sms: { token: 'sms-token', reportSecret: SMS_SECRET, reportUrl: `${appUrl}/thong-bao/bao-cao/sms`, reportDelayMs: 0 },
    zns: {
      appId: ZNS.appId,
      appSecret: ZNS.appSecret,
      refreshToken: ZNS.refresh,
      accessToken: ZNS.token,
      secret: ZNS.secret,
      webhookUrl: `${appUrl}/thong-bao/bao-cao/zns`,
      reportDelayMs: 0,
    },
  });
  env = {
    PORT: String(appPort),
    PUBLIC_URL: appUrl,
    SMS_GATEWAY_URL: `${sim.url}/sms-gateway/v1/send`,
    SMS_GATEWAY_TOKEN: 'sms-token',
    SMS_BRANDNAME: 'DONGNAI.GOV',
    SMS_REPORT_SECRET: SMS_SECRET,
    ZNS_URL: `${sim.url}/zns/v1/message/template`,
    ZNS_APP_ID: ZNS.appId,
    ZNS_ACCESS_TOKEN: ZNS.token,
    ZNS_APP_SECRET: ZNS.appSecret,
    ZNS_REFRESH_TOKEN: ZNS.refresh,
    ZNS_OAUTH_URL: `${sim.url}/zns/oauth/v4/oa/access_token`,
    ZNS_WEBHOOK_SECRET: ZNS.secret,
  };
  app = buildApp(database, env);
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: appPort, hostname: '127.0.0.1' }, () => resolve());
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
  await sim?.close();
});
beforeEach(async () => {
  await resetDatabase(database);
  await seedDemo(database.db, TEST_PASSWORD);
  Object.assign(sim.state.faults, GATEWAY_FAULTS_OFF);
});

const config = () => loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(40), ...env });

/** A message the worker handed to a gateway: state 'sent', to an official's phone. */
async function sentMessage(channel: 'sms' | 'zns', phone = '0914969047') {
  const official = await accountByUsername(database, 'quantri1');
  if (!official) throw new Error('the demo data has no quantri1');
  const [row] = await database.db
    .insert(notifications)
    .values({
      event: 'official.overdue',
      channel,
      recipientKind: 'official',
      accountId: official.id,
      address: phone,
      state: 'sent',
      body: 'Ho so H01.234 da qua han',
      sentAt: new Date(),
    })
    .returning();
  return row!;
}
const row = async (id: string) => (await database.db.select().from(notifications).where(eq(notifications.id, id)))[0]!;

const smsSigned = (body: string, timestamp = Math.floor(Date.now() / 1000), secret = SMS_SECRET) => ({
  'content-type': 'application/json',
  'x-timestamp': String(timestamp),
  'x-signature': crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex'),
});
const smsReport = (clientRef: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    reportId: crypto.randomUUID(),
    messageId: 'SMS1',
    clientRef,
    status: 'delivered',
    doneAt: new Date().toISOString(),
    ...extra,
  });
const post = async (path: string, body: string, headers: Record<string, string>) => {
  const res = await fetch(`${appUrl}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: (await res.json()) as { status?: string; error?: string } };
};
const SMS_PATH = '/thong-bao/bao-cao/sms';
const ZNS_PATH = '/thong-bao/bao-cao/zns';

describe('SMS delivery reports', () => {
  it('the gateway accepts, then its report moves the row to delivered', async () => {
    const n = await sentMessage('sms');
    const sms = config().sms!;
    const out = await smsAdapter(sms).send(
      { id: n.id, channel: 'sms', to: n.address!, subject: null, body: n.body!, zns: null },
      AbortSignal.timeout(5000),
    );
    expect(out.kind).toBe('accepted');
    await vi.waitFor(async () => expect((await row(n.id)).state).toBe('delivered'), { timeout: 25_000 });
  });

  it('a failed report marks the row failed with the reason in Vietnamese', async () => {
    const n = await sentMessage('sms');
    sim.state.faults.smsReport = 'failed';
    await smsAdapter(config().sms!).send(
      { id: n.id, channel: 'sms', to: n.address!, subject: null, body: 'x', zns: null },
      AbortSignal.timeout(5000),
    );
    await vi.waitFor(async () => expect((await row(n.id)).state).toBe('failed'), { timeout: 25_000 });
    expect((await row(n.id)).reason).toBe('Thuê bao không liên lạc được (tắt máy hoặc ngoài vùng phủ sóng)');
  });

  it('a forged signature is 401 and changes nothing', async () => {
    const n = await sentMessage('sms');
    const body = smsReport(n.id);
    const headers = smsSigned(body, undefined, 'not-the-secret-at-all');
    expect(await post(SMS_PATH, body, headers)).toEqual({ status: 401, json: { error: 'invalid_signature' } });
    // The body changed after signing.
    const good = smsSigned(body);
    expect((await post(SMS_PATH, body.replace('delivered', 'expired'), good)).status).toBe(401);
    expect((await post(SMS_PATH, body, { 'content-type': 'application/json' })).status).toBe(401);
    expect((await row(n.id)).state).toBe('sent');
  });

  it('a report signed more than 5 minutes ago is refused (the replay window)', async () => {
    const n = await sentMessage('sms');
    const body = smsReport(n.id);
    const stale = await post(SMS_PATH, body, smsSigned(body, Math.floor(Date.now() / 1000) - 6 * 60));
    expect(stale).toEqual({ status: 401, json: { error: 'stale_timestamp' } });
    expect((await row(n.id)).state).toBe('sent');
  });

  it('a replayed report is harmless: applied once, then duplicate; a later contrary report cannot undo a final state', async () => {
    const n = await sentMessage('sms');
    const body = smsReport(n.id);
    const headers = smsSigned(body);
    expect((await post(SMS_PATH, body, headers)).json.status).toBe('applied');
    expect((await post(SMS_PATH, body, headers)).json.status).toBe('duplicate');
    const late = smsReport(n.id, { status: 'expired' });
    expect((await post(SMS_PATH, late, smsSigned(late))).json.status).toBe('ignored');
    expect((await row(n.id)).state).toBe('delivered');
  });

  it('oversized, malformed and misshapen bodies are 413/400; a message not ours is 200 unknown', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
    expect((await post(SMS_PATH, big, smsSigned(big))).status).toBe(413);
    expect((await post(SMS_PATH, 'not json', smsSigned('not json'))).status).toBe(400);
    const wrong = JSON.stringify({ reportId: 'r', status: 'read' });
    expect(await post(SMS_PATH, wrong, smsSigned(wrong))).toEqual({ status: 400, json: { error: 'invalid_report' } });
    const stranger = smsReport(crypto.randomUUID());
    expect(await post(SMS_PATH, stranger, smsSigned(stranger))).toEqual({ status: 200, json: { status: 'unknown' } });
    const notUuid = smsReport('abc');
    expect(await post(SMS_PATH, notUuid, smsSigned(notUuid))).toEqual({ status: 200, json: { status: 'unknown' } });
  });
});

const znsSigned = (body: string, timestamp: string, secret = ZNS.secret) => ({
  'content-type': 'application/json',
  'x-zevent-signature': `mac=${crypto.createHash('sha256').update(`${ZNS.appId}${body}${timestamp}${secret}`).digest('hex')}`,
});
const znsEvent = (trackingId: string, timestamp = String(Date.now())) =>
  JSON.stringify({
    app_id: ZNS.appId,
    event_name: 'user_received_message',
    timestamp,
    message: { msg_id: crypto.randomBytes(8).toString('hex'), tracking_id: trackingId, delivery_time: timestamp },
  });

describe('Zalo ZNS webhook', () => {
  const send = (id: string, to: string) =>
    znsAdapter(config().zns!, znsTokens({ db: database.db, config: config().zns!, now: () => new Date() })).send(
      { id, channel: 'zns', to, subject: null, body: 'x', zns: { templateId: '241001', params: { ma_ho_so: 'H01' } } },
      AbortSignal.timeout(5000),
    );

  it('user_received_message moves the row to delivered; a failure event to failed with its reason', async () => {
    const n = await sentMessage('zns');
    expect((await send(n.id, n.address!)).kind).toBe('accepted');
    await vi.waitFor(async () => expect((await row(n.id)).state).toBe('delivered'), { timeout: 25_000 });
    sim.state.faults.znsReport = 'expired';
    const m = await sentMessage('zns');
    await send(m.id, m.address!);
    await vi.waitFor(async () => expect((await row(m.id)).state).toBe('expired'), { timeout: 25_000 });
    expect((await row(m.id)).reason).toBe('Hết thời gian chờ mà người nhận chưa nhận được tin Zalo');
  });

  it('a forged mac, another app id or a stale timestamp is 401 and changes nothing', async () => {
    const n = await sentMessage('zns');
    const ts = String(Date.now());
    const body = znsEvent(n.id, ts);
    expect((await post(ZNS_PATH, body, znsSigned(body, ts, 'wrong-secret-wrong-secret'))).status).toBe(401);
    const other = body.replace(`"app_id":"${ZNS.appId}"`, '"app_id":"999"');
    expect((await post(ZNS_PATH, other, znsSigned(other, ts))).status).toBe(401);
    const old = String(Date.now() - 10 * 60_000);
    const stale = znsEvent(n.id, old);
    expect(await post(ZNS_PATH, stale, znsSigned(stale, old))).toEqual({ status: 401, json: { error: 'stale_timestamp' } });
    expect((await row(n.id)).state).toBe('sent');
    // The genuine one, twice: applied, then duplicate.
    expect((await post(ZNS_PATH, body, znsSigned(body, ts))).json.status).toBe('applied');
    expect((await post(ZNS_PATH, body, znsSigned(body, ts))).json.status).toBe('duplicate');
    expect((await row(n.id)).state).toBe('delivered');
  });

  it('malformed is 400; an event of a message not ours is 200 unknown', async () => {
    expect((await post(ZNS_PATH, '{"app_id":1}', { 'content-type': 'application/json' })).status).toBe(400);
    const ts = String(Date.now());
    const stranger = znsEvent(crypto.randomUUID(), ts);
    expect(await post(ZNS_PATH, stranger, znsSigned(stranger, ts))).toEqual({ status: 200, json: { status: 'unknown' } });
  });
});
