/**
 * The SMS and Zalo ZNS adapters against the simulator's stand-ins over HTTP (sim/sms-gateway.ts, sim/zns-gateway.ts):
 * accepted, down then up, refused for good, slower than the worker's time-out, the same notification id sent twice,
 * and what the phone shows (GET /dev/sms). The stand-ins' fault switches are turned by POST /dev/faults, as testers do.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import crypto from 'node:crypto';
import http from 'node:http';
import { startSimulator, type Simulator } from '../sim/server.js';
import { loadConfig, type SmsConfig, type ZnsConfig } from '../src/config.js';
import { smsAdapter } from '../src/notify/adapters/sms.js';
import { znsAdapter } from '../src/notify/adapters/zns.js';
import type { OutgoingMessage } from '../src/notify/adapters/types.js';
import type { ZnsTokenSource } from '../src/notify/zns-tokens.js';
import { smsSize } from '../src/notify/sms-text.js';
import { freePort } from './support/vneid.js';

let sim: Simulator;
let sms: SmsConfig;
let zns: ZnsConfig;

beforeAll(async () => {
  const port = await freePort();
  sim = await startSimulator({
    port,
    issuer: `http://127.0.0.1:${port}`,
    clients: [],
    registryToken: 'registry-test-token',
    sms: { token: 'sms-test-token', reportSecret: 'sms-test-report-secret', maxSegments: 4 },
    zns: {
      appId: '42',
      appSecret: 'zns-test-app-secret',
      refreshToken: 'zns-test-refresh',
      accessToken: 'zns-test-token',
      secret: 'zns-test-webhook-secret',
      templates: ['241001', '241002'],
    },
  });
  sms = {
    url: `${sim.url}/sms-gateway/v1/send`,
    token: 'sms-test-token',
    brandname: 'DONGNAI.GOV',
    unaccented: false,
    maxSegments: 10,
    reportSecret: 'sms-test-report-secret',
    simulated: true,
  };
  zns = {
    url: `${sim.url}/zns/v1/message/template`,
    appId: '42',
    appSecret: 'zns-test-app-secret',
    oauthUrl: `${sim.url}/zns/oauth/v4/oa/access_token`,
    refreshToken: 'zns-test-refresh',
    accessToken: 'zns-test-token',
    webhookSecret: 'x',
    simulated: true,
  };
});
afterAll(async () => {
  await sim?.close();
});

const faults = async (f: Record<string, unknown>) => {
  const res = await fetch(`${sim.url}/dev/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(f),
  });
  expect(res.status).toBe(200);
};
beforeEach(() => faults({ outage: false, smsDown: false, smsSlowMs: 0, smsReject: false, znsDown: false, znsSlowMs: 0, znsReject: false }));

/** A fresh phone each test (the outbox is shared by the file). */
const phone = () => `09${crypto.randomInt(10_000_000, 99_999_999)}`.replace(/(000|111)$/, '234');
const message = (to: string, body: string, extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: crypto.randomUUID(),
  channel: 'sms',
  to,
  subject: null,
  body,
  zns: null,
  ...extra,
});
const zalo = (to: string, templateId = '241001'): OutgoingMessage =>
  message(to, 'Hồ sơ H01.234 đã được tiếp nhận', { channel: 'zns', zns: { templateId, params: { ma_ho_so: 'H01.234' } } });
const inbox = async (p: string) =>
  (await (await fetch(`${sim.url}/dev/sms?phone=${p}`)).json()) as Array<{ text: string; channel: string; sender: string }>;
const signal = () => AbortSignal.timeout(5_000);
/** These tests are about the gateway's answers: one fixed access token, never renewed (tests/zns-token-refresh.test.ts renews). */
const fixedToken = (token: string): ZnsTokenSource => ({
  token: async () => ({ kind: 'token', token }),
  renew: async () => ({ kind: 'unavailable', reason: 'Zalo OAuth không được dùng trong phép thử này' }),
});

describe('SMS adapter', () => {
  it('hands the message over: accepted with the gateway id, and the phone shows it (diacritics sent as Unicode)', async () => {
    const to = phone();
    const out = await smsAdapter(sms).send(message(to, 'Hồ sơ H01.234 đã được tiếp nhận'), signal());
    expect(out.kind).toBe('accepted');
    const got = await inbox(to);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ text: 'Hồ sơ H01.234 đã được tiếp nhận', channel: 'sms', sender: 'DONGNAI.GOV' });
    // The international form reads the same outbox.
    expect(await inbox(`84${to.slice(1)}`)).toHaveLength(1);
  });

  it('the same notification id sent again (a retry after a crash) gets the same gateway id and no second SMS', async () => {
    const to = phone();
    const m = message(to, 'Ho so da duoc tiep nhan');
    const a = await smsAdapter(sms).send(m, signal());
    const b = await smsAdapter(sms).send(m, signal());
    expect(a).toEqual(b);
    expect(await inbox(to)).toHaveLength(1);
  });

  it('a gateway down is a retry, and the same message goes through once it is back', async () => {
    const to = phone();
    const m = message(to, 'Ho so da duoc tiep nhan');
    await faults({ smsDown: true });
    expect(await smsAdapter(sms).send(m, signal())).toEqual({ kind: 'retry', reason: 'Cổng SMS tạm thời không phục vụ (HTTP 503)' });
    await faults({ smsDown: false });
    expect((await smsAdapter(sms).send(m, signal())).kind).toBe('accepted');
    expect(await inbox(to)).toHaveLength(1);
  });

  it('the simulator-wide outage is a retry too; nothing reaches the phone', async () => {
    const to = phone();
    await faults({ outage: true });
    expect((await smsAdapter(sms).send(message(to, 'x'), signal())).kind).toBe('retry');
    // Fault switches never apply to /dev.
    expect(await inbox(to)).toEqual([]);
  });

  it('a gateway slower than the worker’s time-out is a retry', async () => {
    await faults({ smsSlowMs: 10_000 });
    const out = await smsAdapter(sms).send(message(phone(), 'x'), AbortSignal.timeout(100));
    expect(out).toEqual({ kind: 'retry', reason: 'Cổng SMS không trả lời kịp thời' });
  });

  it('refusals are permanent, with the reason in Vietnamese', async () => {
    await faults({ smsReject: true });
    expect(await smsAdapter(sms).send(message(phone(), 'x'), signal())).toEqual({
      kind: 'permanent',
      reason: 'Cổng SMS từ chối gửi tin nhắn',
    });
    await faults({ smsReject: false });
    expect(await smsAdapter(sms).send(message('0912345000', 'x'), signal())).toEqual({
      kind: 'permanent',
      reason: 'Số điện thoại không còn hoạt động hoặc bị chặn nhận tin',
    });
    // Not a mobile number: refused before any request.
    expect(await smsAdapter(sms).send(message('12345', 'x'), signal())).toEqual({
      kind: 'permanent',
      reason: 'Số điện thoại không hợp lệ',
    });
    // A wrong token is ours to fix: retried, not the recipient's failure.
    expect((await smsAdapter({ ...sms, token: 'wrong' }).send(message(phone(), 'x'), signal())).kind).toBe('retry');
  });

  it('never sends more segments than configured, and the gateway refuses past its own maximum', async () => {
    const long = 'Hồ sơ của ông/bà đã được tiếp nhận. '.repeat(8);
    expect(smsSize(long).segments).toBe(5);
    expect(await smsAdapter({ ...sms, maxSegments: 3 }).send(message(phone(), long), signal())).toEqual({
      kind: 'permanent',
      reason: 'Nội dung tin nhắn dài 5 phần, quá giới hạn 3 phần',
    });
    // Allowed by us (10) but past the stand-in's 4.
    expect(await smsAdapter(sms).send(message(phone(), long), signal())).toEqual({
      kind: 'permanent',
      reason: 'Nội dung tin nhắn dài quá mức cổng SMS cho phép',
    });
  });

  it('a gateway that takes unaccented text only gets GSM-7: fewer segments, no diacritics', async () => {
    const to = phone();
    const text = 'Hồ sơ của ông/bà đã được tiếp nhận. '.repeat(8);
    const out = await smsAdapter({ ...sms, unaccented: true, maxSegments: 3 }).send(message(to, text), signal());
    expect(out.kind).toBe('accepted');
    const [got] = await inbox(to);
    expect(got?.text).toBe('Ho so cua ong/ba da duoc tiep nhan. '.repeat(8));
    expect(smsSize(got?.text ?? '')).toMatchObject({ encoding: 'gsm7', segments: 2 });
  });
});

describe('Zalo ZNS adapter', () => {
  it('sends the approved template: accepted with the msg_id, listed in /dev/sms as channel zns, newest first', async () => {
    const to = phone();
    expect((await smsAdapter(sms).send(message(to, 'Tin SMS truoc'), signal())).kind).toBe('accepted');
    const out = await znsAdapter(zns, fixedToken('zns-test-token')).send(zalo(to), signal());
    expect(out.kind).toBe('accepted');
    const got = await inbox(to);
    expect(got.map((m) => m.channel)).toEqual(['zns', 'sms']);
    expect(got[0]).toMatchObject({ text: 'ma_ho_so: H01.234', sender: '241001' });
  });

  it('the same tracking id twice gets the same msg_id and one message', async () => {
    const to = phone();
    const m = zalo(to);
    const a = await znsAdapter(zns, fixedToken('zns-test-token')).send(m, signal());
    expect(await znsAdapter(zns, fixedToken('zns-test-token')).send(m, signal())).toEqual(a);
    expect(await inbox(to)).toHaveLength(1);
  });

  it('down then up: a retry, then accepted once', async () => {
    const to = phone();
    const m = zalo(to);
    await faults({ znsDown: true });
    expect((await znsAdapter(zns, fixedToken('zns-test-token')).send(m, signal())).kind).toBe('retry');
    await faults({ znsDown: false });
    expect((await znsAdapter(zns, fixedToken('zns-test-token')).send(m, signal())).kind).toBe('accepted');
    expect(await inbox(to)).toHaveLength(1);
  });

  it('slower than the time-out is a retry', async () => {
    await faults({ znsSlowMs: 10_000 });
    expect(await znsAdapter(zns, fixedToken('zns-test-token')).send(zalo(phone()), AbortSignal.timeout(100))).toEqual({
      kind: 'retry',
      reason: 'Zalo không trả lời kịp thời',
    });
  });

  it('a phone without Zalo, a template not approved, a refusal: permanent (the message falls back to SMS)', async () => {
    expect(await znsAdapter(zns, fixedToken('zns-test-token')).send(zalo('0912345111'), signal())).toEqual({
      kind: 'permanent',
      reason: 'Số điện thoại chưa đăng ký Zalo hoặc tài khoản Zalo không hoạt động',
    });
    expect(await znsAdapter(zns, fixedToken('zns-test-token')).send(zalo(phone(), '999999'), signal())).toEqual({
      kind: 'permanent',
      reason: 'Mẫu tin Zalo (ZNS) không tồn tại hoặc chưa được duyệt',
    });
    expect((await znsAdapter(zns, fixedToken('zns-test-token')).send(message(phone(), 'x', { channel: 'zns' }), signal())).kind).toBe(
      'permanent',
    );
    await faults({ znsReject: true });
    expect(await znsAdapter(zns, fixedToken('zns-test-token')).send(zalo(phone()), signal())).toEqual({
      kind: 'permanent',
      reason: 'Zalo từ chối gửi tin nhắn',
    });
    await faults({ znsReject: false });
    expect((await znsAdapter(zns, fixedToken('expired')).send(zalo(phone()), signal())).kind).toBe('retry');
  });
});

describe('configuration of the gateways', () => {
  const PROD = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(40),
    PUBLIC_URL: 'https://dvc.example.vn',
    VNEID_ISSUER: 'https://sso.dichvucong.example.vn',
    VNEID_CLIENT_ID: 'client',
    VNEID_CLIENT_SECRET: 'secret',
    REGISTRY_URL: 'https://ndxp.example.vn/dancu/verify',
    REGISTRY_TOKEN: 'token',
    PAYMENT_URL: 'https://paygov.example.vn/payment/v1/pay',
    PAYMENT_MERCHANT: 'UBND-TINH',
    PAYMENT_SECRET: 'p'.repeat(32),
    SSO_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
  };
  const SMS = {
    SMS_GATEWAY_URL: 'https://sms.example.vn/api/send',
    SMS_GATEWAY_TOKEN: 'token',
    SMS_BRANDNAME: 'DONGNAI.GOV',
    SMS_REPORT_SECRET: 's'.repeat(32),
  };
  const ZNS_ENV = {
    ZNS_URL: 'https://business.openapi.zalo.me/message/template',
    ZNS_APP_ID: '123',
    ZNS_APP_SECRET: 'app-secret',
    ZNS_REFRESH_TOKEN: 'refresh-token',
    ZNS_WEBHOOK_SECRET: 'z'.repeat(32),
  };
  const refused = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };

  it('demo mode sends to the stand-ins, which report to our webhooks; production leaves an unset channel off', () => {
    const demo = loadConfig({ NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:3000', SIM_PORT: '3001' });
    expect(demo.sms).toMatchObject({ url: 'http://127.0.0.1:3001/sms-gateway/v1/send', simulated: true, maxSegments: 3 });
    expect(demo.sim.sms?.reportUrl).toBe('http://localhost:3000/thong-bao/bao-cao/sms');
    expect(demo.sim.zns?.webhookUrl).toBe('http://localhost:3000/thong-bao/bao-cao/zns');
    expect(loadConfig(PROD).sms).toBeNull();
    expect(loadConfig(PROD).zns).toBeNull();
    expect(loadConfig({ ...PROD, ...SMS, ...ZNS_ENV, SMS_UNACCENTED: 'true', SMS_MAX_SEGMENTS: '2' })).toMatchObject({
      sms: { brandname: 'DONGNAI.GOV', unaccented: true, maxSegments: 2, simulated: false },
      zns: { appId: '123', simulated: false },
      sim: { sms: undefined, zns: undefined },
    });
  });

  it('half a gateway, a brandname over 11 characters, the stand-ins or their secrets in production are refused by name', () => {
    expect(refused({ ...PROD, SMS_GATEWAY_URL: SMS.SMS_GATEWAY_URL })).toMatch(/SMS_GATEWAY_TOKEN: required when SMS_GATEWAY_URL is set/);
    expect(refused({ ...PROD, ZNS_APP_ID: '1' })).toMatch(/ZNS_URL: required/);
    expect(refused({ ...PROD, ...SMS, SMS_BRANDNAME: 'UBND TINH DONG NAI' })).toMatch(/SMS_BRANDNAME/);
    expect(refused({ ...PROD, ...SMS, SMS_MAX_SEGMENTS: '11' })).toMatch(/SMS_MAX_SEGMENTS/);
    expect(refused({ ...PROD, ...SMS, SMS_GATEWAY_URL: 'https://127.0.0.1/sms-gateway/v1/send' })).toMatch(/SMS_GATEWAY_URL: points at/);
    expect(refused({ ...PROD, ...SMS, SMS_REPORT_SECRET: 'motcua-demo-sms-report-secret' })).toMatch(/SMS_REPORT_SECRET/);
    expect(refused({ ...PROD, ...ZNS_ENV, ZNS_URL: 'https://localhost/zns/v1/message/template' })).toMatch(/ZNS_URL: points at/);
    expect(refused({ ...PROD, ...SMS, SMS_GATEWAY_URL: 'http://sms.example.vn/send' })).toMatch(/SMS_GATEWAY_URL: must be an https/);
  });

  it('Zalo ZNS needs the OAuth refresh settings: app secret and first refresh token; the OAuth URL defaults to Zalo’s', () => {
    const { ZNS_REFRESH_TOKEN: _r, ...noRefresh } = ZNS_ENV;
    const { ZNS_APP_SECRET: _s, ...noSecret } = ZNS_ENV;
    expect(refused({ ...PROD, ...noRefresh })).toMatch(/ZNS_REFRESH_TOKEN: required when/);
    expect(refused({ ...PROD, ...noSecret })).toMatch(/ZNS_APP_SECRET: required when/);
    // The configuration of before (a fixed access token) is refused, naming what is missing.
    const before = {
      ZNS_URL: ZNS_ENV.ZNS_URL,
      ZNS_APP_ID: '123',
      ZNS_ACCESS_TOKEN: 'token',
      ZNS_WEBHOOK_SECRET: ZNS_ENV.ZNS_WEBHOOK_SECRET,
    };
    expect(refused({ ...PROD, ...before })).toMatch(/ZNS_APP_SECRET: required when/);
    expect(refused({ ...PROD, ZNS_ACCESS_TOKEN: 'token' })).toMatch(/ZNS_URL: required when ZNS_ACCESS_TOKEN is set/);
    expect(refused({ ...PROD, ZNS_OAUTH_URL: 'https://oauth.zaloapp.com/v4/oa/access_token' })).toMatch(
      /ZNS_URL: required when ZNS_OAUTH_URL/,
    );
    expect(refused({ ...PROD, ...ZNS_ENV, ZNS_OAUTH_URL: 'https://127.0.0.1/zns/oauth/v4/oa/access_token' })).toMatch(
      /ZNS_OAUTH_URL: points at/,
    );
    expect(refused({ ...PROD, ...ZNS_ENV, ZNS_OAUTH_URL: 'http://oauth.zaloapp.com/v4/oa/access_token' })).toMatch(
      /ZNS_OAUTH_URL: must be an https/,
    );
    expect(refused({ ...PROD, ...ZNS_ENV, ZNS_APP_SECRET: 'motcua-demo-zns-app-secret' })).toMatch(/ZNS_APP_SECRET: is the stand-in/);
    expect(loadConfig({ ...PROD, ...ZNS_ENV }).zns).toMatchObject({
      oauthUrl: 'https://oauth.zaloapp.com/v4/oa/access_token',
      appSecret: 'app-secret',
      refreshToken: 'refresh-token',
      accessToken: undefined,
    });
    const demo = loadConfig({ NODE_ENV: 'development', PUBLIC_URL: 'http://localhost:3000', SIM_PORT: '3001' });
    expect(demo.zns?.oauthUrl).toBe('http://127.0.0.1:3001/zns/oauth/v4/oa/access_token');
    expect(demo.sim.zns).toMatchObject({ appSecret: demo.zns?.appSecret, refreshToken: demo.zns?.refreshToken });
  });
});

describe('the stand-ins’ delivery reports', () => {
  it('are signed anew at each attempt and retried while the receiver answers 5xx', async () => {
    const seen: Array<{ timestamp: string; signature: string; body: string }> = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ timestamp: String(req.headers['x-timestamp']), signature: String(req.headers['x-signature']), body });
        res.writeHead(seen.length === 1 ? 503 : 200).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const address = receiver.address();
    const port = await freePort();
    const own = await startSimulator({
      port,
      issuer: `http://127.0.0.1:${port}`,
      clients: [],
      registryToken: 'r',
      sms: {
        token: 't',
        reportSecret: 'report-secret',
        reportUrl: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/report`,
        reportDelayMs: 0,
      },
    });
    try {
      const out = await smsAdapter({ ...sms, url: `${own.url}/sms-gateway/v1/send`, token: 't' }).send(message(phone(), 'x'), signal());
      expect(out.kind).toBe('accepted');
      await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 15_000 });
      for (const s of seen) {
        expect(s.signature).toBe(crypto.createHmac('sha256', 'report-secret').update(`${s.timestamp}.${s.body}`).digest('hex'));
        expect(JSON.parse(s.body)).toMatchObject({ status: 'delivered', messageId: out.kind === 'accepted' ? out.gatewayId : '' });
      }
      const reports = (await (await fetch(`${own.url}/dev/reports`)).json()) as Array<{ attempts: number; outcome: string }>;
      await vi.waitFor(async () =>
        expect((await (await fetch(`${own.url}/dev/reports`)).json()) as unknown).toMatchObject([{ attempts: 2, outcome: 'delivered' }]),
      );
      expect(reports).toHaveLength(1);
    } finally {
      await own.close();
      receiver.close();
    }
  });
});
