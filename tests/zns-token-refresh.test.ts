/**
 * Zalo's access token, refreshed (src/notify/zns-tokens.ts, docs/decisions/0023) against the stand-in's OAuth
 * (sim/zns-gateway.ts), which issues short-lived access tokens and rotating refresh tokens like Zalo and counts
 * refreshes: an expired token is refreshed once and the message delivered; concurrent senders (separate adapters,
 * as separate workers) refresh once; the rotated refresh token is what a restart uses; ahead of expiry; a dead
 * refresh token is reported in Vietnamese and the message falls back to SMS; no token or secret in logs, pages, audit.
 *
 * Each test configures a refresh token of its own (sim-rt-<hex>): the stand-in accepts one of its own form that it
 * never saw, once (as after a simulator restart), so the tests do not share a rotation chain.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { eq, sql } from 'drizzle-orm';
import { startSimulator, type Simulator } from '../sim/server.js';
import { GATEWAY_FAULTS_OFF } from '../sim/state.js';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { notificationTemplates, notifications, settings } from '../src/db/schema/index.js';
import { adaptersFor } from '../src/notify/adapters/index.js';
import type { OutgoingMessage } from '../src/notify/adapters/types.js';
import { refreshZaloToken } from '../src/notify/adapters/zalo-oauth.js';
import { sendNotification, type SendDeps } from '../src/notify/send.js';
import { ZNS_TOKEN_KEY } from '../src/notify/zns-tokens.js';
import { Client, TEST_PASSWORD, buildApp } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { freePort } from './support/vneid.js';

const t = useDemoApp();
const APP_SECRET = 'zns-oauth-test-app-secret';
const FIRST_ACCESS = 'zns-first-access-token';
let sim: Simulator;
let env: Record<string, string>;

beforeAll(async () => {
  const port = await freePort();
  sim = await startSimulator({
    port,
    issuer: `http://127.0.0.1:${port}`,
    clients: [],
    registryToken: 'registry-test-token',
    sms: { token: 'sms-token', reportSecret: 'sms-report-secret-for-tests' },
    zns: {
      appId: '4242',
      appSecret: APP_SECRET,
      refreshToken: 'unused',
      accessToken: FIRST_ACCESS,
      secret: 'zns-webhook-secret-for-tests',
    },
  });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  Object.assign(sim.state.faults, GATEWAY_FAULTS_OFF);
  env = {
    SMS_GATEWAY_URL: `${sim.url}/sms-gateway/v1/send`,
    SMS_GATEWAY_TOKEN: 'sms-token',
    SMS_BRANDNAME: 'DONGNAI.GOV',
    SMS_REPORT_SECRET: 'sms-report-secret-for-tests',
    ZNS_URL: `${sim.url}/zns/v1/message/template`,
    ZNS_APP_ID: '4242',
    ZNS_APP_SECRET: APP_SECRET,
    ZNS_REFRESH_TOKEN: freshRefreshToken(),
    ZNS_ACCESS_TOKEN: FIRST_ACCESS,
    ZNS_OAUTH_URL: `${sim.url}/zns/oauth/v4/oa/access_token`,
    ZNS_WEBHOOK_SECRET: 'zns-webhook-secret-for-tests',
  };
});

const freshRefreshToken = () => `sim-rt-${crypto.randomBytes(16).toString('hex')}`;
const config = () => loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(40), ...env });
/** A new adapter set: a worker, or the app after a restart (nothing shared in memory with the others). */
const zalo = (now = () => new Date(), logger?: pino.Logger) => adaptersFor(config(), { db: t.database.db, now, logger }).get('zns')!;
const counts = async () => (await (await fetch(`${sim.url}/dev/zns/oauth`)).json()) as { refreshes: number; refused: number };
const expireTokens = () => {
  sim.state.faults.znsExpireTokens = true;
};
const stored = async () => {
  const [row] = await t.database.db.select().from(settings).where(eq(settings.key, ZNS_TOKEN_KEY));
  return row?.value as { accessToken: string | null; refreshToken: string; refreshes: number; dead: { reason: string } | null } | undefined;
};
const phone = () => `09${crypto.randomInt(10_000_000, 99_999_999)}`.replace(/(000|111)$/, '234');
const message = (to = phone()): OutgoingMessage => ({
  id: crypto.randomUUID(),
  channel: 'zns',
  to,
  subject: null,
  body: 'Hồ sơ H01 đã được tiếp nhận',
  zns: { templateId: '241001', params: { ma_ho_so: 'H01' } },
});
const signal = () => AbortSignal.timeout(15_000);
const capture = () => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
  return { logger, lines };
};

describe('Zalo access token refresh', () => {
  it('a send with an expired access token refreshes once and delivers; the new tokens are stored', async () => {
    const adapter = zalo();
    expect((await adapter.send(message(), signal())).kind).toBe('accepted');
    const before = await counts();
    expect((await stored())?.refreshes).toBe(0);
    expireTokens();
    const to = phone();
    expect((await adapter.send(message(to), signal())).kind).toBe('accepted');
    expect((await counts()).refreshes).toBe(before.refreshes + 1);
    const after = await stored();
    expect(after).toMatchObject({ refreshes: 1, dead: null });
    expect(after?.accessToken).not.toBe(FIRST_ACCESS);
    expect(after?.refreshToken).not.toBe(env.ZNS_REFRESH_TOKEN);
    const inbox = (await (await fetch(`${sim.url}/dev/sms?phone=${to}`)).json()) as unknown[];
    expect(inbox).toHaveLength(1);
  });

  it('concurrent senders in separate workers refresh once (one refresher under the row lock), all deliver', async () => {
    await zalo().send(message(), signal()); // the row exists, with the first access token
    expireTokens();
    // Zalo slow (sends and refresh): every worker meets the refused token while the first refresh is under way.
    sim.state.faults.znsSlowMs = 300;
    const before = await counts();
    const workers = [zalo(), zalo(), zalo()];
    const outcomes = await Promise.all([...workers, ...workers].map((w) => w.send(message(), signal())));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(6).fill('accepted'));
    expect((await counts()).refreshes).toBe(before.refreshes + 1);
    expect((await counts()).refused).toBe(before.refused);
  });

  it('the rotated refresh token is persisted: a restart uses it; the configured one, used, is refused by Zalo', async () => {
    const first = zalo();
    expireTokens();
    expect((await first.send(message(), signal())).kind).toBe('accepted');
    const rotated = (await stored())?.refreshToken;
    // Abuse: the configured (now used) refresh token again, as a careless restart would send it — refused.
    expect(await refreshZaloToken(config().zns!, env.ZNS_REFRESH_TOKEN!, signal())).toMatchObject({ kind: 'refused' });
    // Abuse: a wrong app secret is refused, and nothing of the token or the secret is in the reason.
    const wrongSecret = await refreshZaloToken({ ...config().zns!, appSecret: 'wrong' }, rotated!, signal());
    expect(wrongSecret.kind).toBe('refused');
    expect(JSON.stringify(wrongSecret)).not.toContain(rotated!);
    // The restart: a new adapter with the same configuration.
    const restarted = zalo();
    expireTokens();
    const before = await counts();
    expect((await restarted.send(message(), signal())).kind).toBe('accepted');
    expect((await counts()).refreshes).toBe(before.refreshes + 1);
    expect(await stored()).toMatchObject({ refreshes: 2, dead: null });
    expect((await stored())?.refreshToken).not.toBe(rotated);
  });

  it('refreshes ahead of expiry (less than an hour left), without waiting for Zalo to refuse', async () => {
    const adapter = zalo();
    expireTokens();
    await adapter.send(message(), signal()); // refreshed: expires in 25 h by the stand-in
    const before = await counts();
    expect((await zalo(() => new Date(Date.now() + 23 * 3_600_000)).send(message(), signal())).kind).toBe('accepted');
    expect((await counts()).refreshes).toBe(before.refreshes); // 2 h left: kept
    expect((await zalo(() => new Date(Date.now() + 24.5 * 3_600_000)).send(message(), signal())).kind).toBe('accepted');
    expect((await counts()).refreshes).toBe(before.refreshes + 1);
  });

  it('Zalo OAuth down: the current token is used while valid; an expired one waits (retry), nothing recorded as dead', async () => {
    const adapter = zalo();
    expireTokens();
    await adapter.send(message(), signal());
    sim.state.faults.znsOauthDown = true;
    expect((await zalo(() => new Date(Date.now() + 24.5 * 3_600_000)).send(message(), signal())).kind).toBe('accepted');
    expireTokens();
    expect(await adapter.send(message(), signal())).toEqual({ kind: 'retry', reason: 'Zalo OAuth tạm thời không phục vụ (HTTP 503)' });
    expect((await stored())?.dead).toBeNull();
    sim.state.faults.znsOauthDown = false;
    expect((await adapter.send(message(), signal())).kind).toBe('accepted');
  });
});

describe('a dead refresh token', () => {
  it('is recorded, logged and shown to administrators in Vietnamese; the message falls back to SMS; no token leaks', async () => {
    await t.database.db.insert(notificationTemplates).values({
      event: 'dossier.received',
      channel: 'zns',
      body: 'Hồ sơ {ma_ho_so}',
      znsTemplateId: '229712',
      znsParams: { ma_ho_so: 'ma_ho_so' },
    });
    const clerk = await actorFor(t.database, sctClerkUsername());
    const { p } = await currentProcedure(t.database, '2.000633');
    const receive = () =>
      receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thư', phone: '0912345678' });
    const { logger, lines } = capture();
    const deps: SendDeps = {
      db: t.database.db,
      adapters: adaptersFor(config(), { db: t.database.db, now: () => new Date(), logger }),
      sms: { unaccented: false, maxSegments: 3 },
      now: () => new Date(),
      logger,
    };
    const rowsOf = (dossierId: string) => t.database.db.select().from(notifications).where(eq(notifications.dossierId, dossierId));
    sim.state.faults.znsOauthRefuse = true;
    expireTokens();
    const d = await receive();
    const zns = (await rowsOf(d.id)).find((r) => r.channel === 'zns')!;
    await sendNotification(deps, zns.id, { id: 'test', retryCount: 0, retryLimit: 7 });
    const failed = (await rowsOf(d.id)).find((r) => r.id === zns.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.reason).toContain('không gia hạn được access token (refresh token không còn hiệu lực)');
    const sms = (await rowsOf(d.id)).find((r) => r.fallbackOf === zns.id);
    expect(sms).toMatchObject({ channel: 'sms', address: '0912345678', state: 'queued' });
    await sendNotification(deps, sms!.id, { id: 'test', retryCount: 0, retryLimit: 7 });
    expect((await rowsOf(d.id)).find((r) => r.id === sms!.id)?.state).toBe('sent');
    // Known dead: the next message does not ask Zalo again (a refused token is not hammered), it falls back at once.
    const refused = (await counts()).refused;
    const d2 = await receive();
    const zns2 = (await rowsOf(d2.id)).find((r) => r.channel === 'zns')!;
    await sendNotification(deps, zns2.id, { id: 'test', retryCount: 0, retryLimit: 7 });
    expect((await rowsOf(d2.id)).find((r) => r.fallbackOf === zns2.id)?.channel).toBe('sms');
    expect((await counts()).refused).toBe(refused);

    const log = lines.join('');
    expect(log).toContain('zns refresh token refused');
    const tokens = (await stored())!;
    const secrets = [APP_SECRET, env.ZNS_REFRESH_TOKEN!, tokens.refreshToken, FIRST_ACCESS];
    for (const s of secrets) expect(log).not.toContain(s);

    const app = buildApp(t.database, env);
    const admin = new Client(app);
    await admin.login('admin.sct', TEST_PASSWORD);
    const page = await admin.get('/tiepnhan/quan-tri/thong-bao');
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="zns-token-dead"');
    expect(page.text).toContain('refresh token không còn hiệu lực');
    expect(page.text).toContain('ZNS_REFRESH_TOKEN');
    for (const s of secrets) expect(page.text).not.toContain(s);
    const audit = await queryRows<{ row: string }>(t.database.db, sql`select a::text as row from audit_log a`);
    for (const s of secrets) expect(audit.some((a) => a.row.includes(s))).toBe(false);

    // A new refresh token configured (and the app restarted): it replaces the dead one; Zalo sends again.
    sim.state.faults.znsOauthRefuse = false;
    env = { ...env, ZNS_REFRESH_TOKEN: freshRefreshToken() };
    expect((await zalo().send(message(), signal())).kind).toBe('accepted');
    expect((await stored())?.dead).toBeNull();
    const healed = new Client(buildApp(t.database, env));
    await healed.login('admin.sct', TEST_PASSWORD);
    expect((await healed.get('/tiepnhan/quan-tri/thong-bao')).text).not.toContain('id="zns-token-dead"');
  });

  it('an instance still configured with an older refresh token does not bring it back over the rotated one', async () => {
    const old = { ...env };
    expireTokens();
    expect((await zalo().send(message(), signal())).kind).toBe('accepted');
    env = { ...env, ZNS_REFRESH_TOKEN: freshRefreshToken() };
    await zalo().send(message(), signal()); // the new one seeds
    const current = (await stored())?.refreshToken;
    env = old; // an instance of the previous deployment, still running
    expect((await zalo().send(message(), signal())).kind).toBe('accepted');
    expect((await stored())?.refreshToken).toBe(current);
  });
});
