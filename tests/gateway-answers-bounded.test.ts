/**
 * A hostile or broken gateway cannot fill the worker's memory nor hand us an id we cannot store: the SMS and ZNS
 * adapters, Zalo's OAuth refresh and the population registry read each answer with a size limit
 * (src/shared/bounded-read.ts), and a message id that is not printable ASCII of bounded length (a NUL: PostgreSQL's
 * text refuses it, so "stored after sending" would fail) is an answer not used — a retry, then a recorded failure.
 * A local HTTP server plays the gateway: it answers an endless body, a body over the limit, or a NUL id.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMS_ANSWER_MAX_BYTES, smsAdapter } from '../src/notify/adapters/sms.js';
import { ZNS_ANSWER_MAX_BYTES, znsAdapter } from '../src/notify/adapters/zns.js';
import { OAUTH_ANSWER_MAX_BYTES, refreshZaloToken } from '../src/notify/adapters/zalo-oauth.js';
import type { OutgoingMessage } from '../src/notify/adapters/types.js';
import type { ZnsTokenSource } from '../src/notify/zns-tokens.js';
import type { SmsConfig } from '../src/config.js';
import { REGISTRY_ANSWER_MAX_BYTES, httpRegistry } from '../src/auth/registry.js';

type Behaviour =
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'padded'; status?: number; bytes: number; declared: boolean }
  | { kind: 'endless' };

/** What the gateway at /<name> answers; `sent` counts the bytes each endless answer managed to write. */
const behaviours = new Map<string, Behaviour>();
let endlessWritten = 0;
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const b = behaviours.get(req.url ?? '') ?? { kind: 'json', status: 404, body: {} };
      if (b.kind === 'json') {
        res.writeHead(b.status ?? 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(b.body));
        return;
      }
      if (b.kind === 'padded') {
        // Valid JSON, just too much of it: {"messageId":"x","pad":"aaaa…"}.
        const body = Buffer.from(`{"messageId":"m-1","msg_id":"m-1","error":0,"data":{"msg_id":"m-1"},"pad":"${'a'.repeat(b.bytes)}"}`);
        res.writeHead(b.status ?? 200, { 'content-type': 'application/json', ...(b.declared ? { 'content-length': body.length } : {}) });
        res.end(body);
        return;
      }
      // No Content-Length, chunk after chunk for as long as the client reads.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      res.write('{"messageId":"');
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {
          endlessWritten += chunk.length;
          if (endlessWritten > 512 * 1024 * 1024) return res.end();
        }
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sms = (path: string): SmsConfig => ({
  url: `${base}${path}`,
  token: 't',
  brandname: 'DONGNAI.GOV',
  unaccented: false,
  maxSegments: 10,
  reportSecret: 's',
  simulated: false,
});
const message = (extra: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: '0f0e0d0c-0b0a-4908-8706-050403020100',
  channel: 'sms',
  to: '0912345678',
  subject: null,
  body: 'Ho so da tiep nhan',
  zns: null,
  ...extra,
});
const tokens: ZnsTokenSource = {
  token: async () => ({ kind: 'token', token: 'access' }),
  renew: async () => ({ kind: 'token', token: 'access' }),
} as unknown as ZnsTokenSource;
const zns = (path: string) => znsAdapter({ url: `${base}${path}` }, tokens);
const znsMessage = () => message({ channel: 'zns', zns: { templateId: '241001', params: { ma_ho_so: 'X' } } });
const signal = () => AbortSignal.timeout(20_000);

describe('SMS gateway answers', () => {
  it('a printable id is accepted as before', async () => {
    behaviours.set('/sms-ok', { kind: 'json', body: { messageId: 'SMS-000123' } });
    expect(await smsAdapter(sms('/sms-ok')).send(message(), signal())).toEqual({ kind: 'accepted', gatewayId: 'SMS-000123' });
  });

  it('an id with a NUL, a line break, non-ASCII or over 128 characters is not used: a retry, never accepted', async () => {
    for (const messageId of ['abc\u0000def', 'abc\r\nX-Evil: 1', 'mã-tin', 'x'.repeat(129)]) {
      behaviours.set('/sms-bad-id', { kind: 'json', body: { messageId } });
      const outcome = await smsAdapter(sms('/sms-bad-id')).send(message(), signal());
      expect(outcome, JSON.stringify(messageId)).toEqual({ kind: 'retry', reason: 'Cổng SMS trả lời không đúng định dạng' });
    }
  });

  it('an answer over the limit is not read, declared or not: a retry saying so', async () => {
    for (const declared of [true, false]) {
      behaviours.set('/sms-big', { kind: 'padded', bytes: SMS_ANSWER_MAX_BYTES, declared });
      const outcome = await smsAdapter(sms('/sms-big')).send(message(), signal());
      expect(outcome).toEqual({ kind: 'retry', reason: 'Cổng SMS trả lời quá lớn (hơn 16 KB), không đọc' });
    }
    // Just under the limit is still read.
    behaviours.set('/sms-fits', { kind: 'padded', bytes: SMS_ANSWER_MAX_BYTES - 200, declared: true });
    expect(await smsAdapter(sms('/sms-fits')).send(message(), signal())).toEqual({ kind: 'accepted', gatewayId: 'm-1' });
  });

  it('an endless answer is cut at the limit, not read into memory', async () => {
    behaviours.set('/sms-endless', { kind: 'endless' });
    endlessWritten = 0;
    const outcome = await smsAdapter(sms('/sms-endless')).send(message(), signal());
    expect(outcome.kind).toBe('retry');
    expect(outcome).toMatchObject({ reason: expect.stringContaining('quá lớn') });
    // The server stopped well short of its 512 MB: the client cancelled (socket buffers allow a few MB at most).
    await new Promise((r) => setTimeout(r, 200));
    expect(endlessWritten).toBeLessThan(64 * 1024 * 1024);
  });

  it('a refusal over the limit is still the permanent refusal of its HTTP status', async () => {
    behaviours.set('/sms-big-400', { kind: 'padded', status: 400, bytes: SMS_ANSWER_MAX_BYTES, declared: true });
    expect(await smsAdapter(sms('/sms-big-400')).send(message(), signal())).toEqual({
      kind: 'permanent',
      reason: 'Cổng SMS từ chối tin nhắn (HTTP 400)',
    });
  });
});

describe('Zalo ZNS answers', () => {
  it('a printable msg_id is accepted; a NUL in it is a retry', async () => {
    behaviours.set('/zns-ok', { kind: 'json', body: { error: 0, message: 'Success', data: { msg_id: 'a1b2c3' } } });
    expect(await zns('/zns-ok').send(znsMessage(), signal())).toEqual({ kind: 'accepted', gatewayId: 'a1b2c3' });
    behaviours.set('/zns-nul', { kind: 'json', body: { error: 0, message: 'Success', data: { msg_id: 'a1\u0000c3' } } });
    expect(await zns('/zns-nul').send(znsMessage(), signal())).toEqual({
      kind: 'retry',
      reason: 'Zalo trả lời không đúng định dạng (HTTP 200)',
    });
  });

  it('an answer over the limit, or endless, is not read: a retry', async () => {
    behaviours.set('/zns-big', { kind: 'padded', bytes: ZNS_ANSWER_MAX_BYTES, declared: false });
    expect(await zns('/zns-big').send(znsMessage(), signal())).toEqual({
      kind: 'retry',
      reason: 'Zalo trả lời quá lớn (hơn 64 KB), không đọc (HTTP 200)',
    });
    behaviours.set('/zns-endless', { kind: 'endless' });
    expect(await zns('/zns-endless').send(znsMessage(), signal())).toMatchObject({ kind: 'retry' });
  });
});

describe('Zalo OAuth answers', () => {
  const config = (path: string) => ({ oauthUrl: `${base}${path}`, appId: '42', appSecret: 'secret' });

  it('tokens are issued as before; a token with a NUL or a line break is not stored: unavailable, not refused', async () => {
    behaviours.set('/oauth-ok', { kind: 'json', body: { access_token: 'AT-1', refresh_token: 'RT-1', expires_in: '90000' } });
    expect(await refreshZaloToken(config('/oauth-ok'), 'RT-0', signal())).toEqual({
      kind: 'issued',
      accessToken: 'AT-1',
      refreshToken: 'RT-1',
      expiresInSeconds: 90000,
    });
    for (const bad of [{ access_token: 'AT\u00001' }, { refresh_token: 'RT\r\n1' }]) {
      behaviours.set('/oauth-bad', { kind: 'json', body: { access_token: 'AT-1', refresh_token: 'RT-1', expires_in: 90000, ...bad } });
      const outcome = await refreshZaloToken(config('/oauth-bad'), 'RT-0', signal());
      expect(outcome).toEqual({ kind: 'unavailable', reason: 'Zalo OAuth trả lời không đúng định dạng (HTTP 200)' });
    }
  });

  it('an answer over the limit is not read: unavailable (the refresh token is not declared dead)', async () => {
    behaviours.set('/oauth-big', { kind: 'padded', bytes: OAUTH_ANSWER_MAX_BYTES, declared: true });
    expect(await refreshZaloToken(config('/oauth-big'), 'RT-0', signal())).toEqual({
      kind: 'unavailable',
      reason: 'Zalo OAuth trả lời quá lớn (hơn 32 KB), không đọc (HTTP 200)',
    });
    behaviours.set('/oauth-endless', { kind: 'endless' });
    expect(await refreshZaloToken(config('/oauth-endless'), 'RT-0', signal())).toMatchObject({ kind: 'unavailable' });
  });
});

describe('population registry answers', () => {
  const query = { soDinhDanh: '001099000001', hoVaTen: 'Nguyễn Văn A', ngaySinh: '1990-01-01', gioiTinh: 'male' as const };

  it('an answer as before is read; one over the limit, or endless, is "registry unavailable"', async () => {
    behaviours.set('/registry-ok', { kind: 'json', body: { found: true, fields: { soDinhDanh: 'match' } } });
    expect(await httpRegistry(`${base}/registry-ok`, 't').verify(query)).toEqual({ found: true, fields: { soDinhDanh: 'match' } });
    behaviours.set('/registry-big', { kind: 'padded', bytes: REGISTRY_ANSWER_MAX_BYTES, declared: false });
    await expect(httpRegistry(`${base}/registry-big`, 't').verify(query)).rejects.toMatchObject({ code: 'registry_unavailable' });
    behaviours.set('/registry-endless', { kind: 'endless' });
    await expect(httpRegistry(`${base}/registry-endless`, 't').verify(query)).rejects.toMatchObject({ code: 'registry_unavailable' });
    behaviours.set('/registry-null', { kind: 'json', body: { found: true, fields: null } });
    await expect(httpRegistry(`${base}/registry-null`, 't').verify(query)).rejects.toMatchObject({ code: 'registry_unavailable' });
  });
});
