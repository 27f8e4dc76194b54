/**
 * Observability: one log line per request without personal data, the request id (client's only when
 * safe), 5xx logged with the id the error page shows, and GET /metrics behind METRICS_TOKEN.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { buildDeps } from '../src/deps.js';
import type { Database } from '../src/db/client.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { Client, TEST_PASSWORD, type App } from './support/app.js';
import { accountByUsername, actorFor, freshDemo, sctClerkUsername } from './support/fixtures.js';
import { testDatabase } from './support/db.js';

const TOKEN = 'metrics-token-for-tests-0123456789abcdef';
type Line = Record<string, unknown> & { msg?: string; level?: number };

const lines: Line[] = [];
let database: Database;
let app: App;
let appWithoutMetrics: App;

function build(env: Record<string, string>) {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123', ...env });
  // Every line the app writes, parsed.
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  return createApp(buildDeps(config, database, logger, { captcha: { counterMin: 10, counterMax: 50, cost: 1 } }));
}

beforeAll(async () => {
  database = await testDatabase();
  app = build({ METRICS_TOKEN: TOKEN });
  // Test-only routes, added before the first request: an error of our own, and a failed query whose
  // parameter (and the database's message) hold a name.
  app.get('/test-only/boom', () => {
    throw new Error('boom');
  });
  app.get('/test-only/failed-query', async () => {
    await database.db.execute(sql`select ${'Nguyễn Văn Bí Mật'}::int as n`);
    return new Response('unreachable');
  });
  appWithoutMetrics = build({});
});

beforeEach(async () => {
  await freshDemo(database);
  lines.length = 0;
});

const requestLines = () => lines.filter((l) => l.msg === 'request');

async function metrics(authorization?: string) {
  const res = await app.request('http://localhost/metrics', { headers: authorization ? { authorization } : {} });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('the request log line', () => {
  it('has method, route pattern, status, duration, request id and actor, and no query or personal data', async () => {
    const clerk = sctClerkUsername();
    const client = new Client(app);
    expect((await client.login(clerk, TEST_PASSWORD)).status).toBe(303);
    lines.length = 0;
    const res = await client.request('GET', '/tiepnhan/ho-so?q=Nguy%E1%BB%85n&han=qua-han', undefined, { 'x-request-id': 'abc-123_OK' });
    expect(res.status).toBe(200);
    const all = requestLines();
    expect(all).toHaveLength(1);
    const line = all[0]!;
    const account = (await accountByUsername(database, clerk))!;
    expect(line).toMatchObject({
      method: 'GET',
      route: '/tiepnhan/ho-so',
      status: 200,
      requestId: 'abc-123_OK',
      actor: 'official',
      actorId: account.id,
    });
    expect(typeof line.ms).toBe('number');
    const text = JSON.stringify(lines);
    for (const secret of ['Nguyễn', 'Nguy%E1', 'qua-han', clerk, account.givenName, 'motcua_sid', '192.0.2.10'])
      expect(text).not.toContain(secret);
  });

  it('names the pattern, never the raw path with ids; anonymous and API actors; unknown addresses are (none)', async () => {
    const anon = new Client(app);
    await anon.get('/tra-cuu?ma=000.00.00.H00-260101-0001');
    await anon.get('/khong-co-trang-nay/123');
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const { token } = await issueApiClient(database.db, await actorFor(database, 'admin.sct'), clerk.id, { name: 'Phần mềm thử' });
    const id = '00000000-0000-4000-8000-000000000001';
    const apiRes = await app.request(`http://localhost/api/v1/dossiers/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(apiRes.status).toBe(404);
    const [lookup, unknown, api] = requestLines();
    expect(lookup).toMatchObject({ route: '/tra-cuu', actor: 'anonymous', status: 200 });
    expect(lookup!.actorId).toBeUndefined();
    expect(unknown).toMatchObject({ route: '(none)', status: 404 });
    expect(api).toMatchObject({ route: '/api/v1/dossiers/:id', actor: 'api', actorId: clerk.id, status: 404 });
    expect(JSON.stringify(lines)).not.toContain(id);
    expect(JSON.stringify(lines)).not.toContain('H00-260101');
  });
});

describe('the request id', () => {
  it('keeps a safe client id and replaces an unsafe or long one', async () => {
    const id = async (value: string) =>
      (await app.request('http://localhost/healthz', { headers: { 'x-request-id': value } })).headers.get('x-request-id');
    expect(await id('abc-123_OK')).toBe('abc-123_OK');
    for (const bad of ['<script>', 'x'.repeat(500), 'a b', 'id\u00e9']) {
      const got = await id(bad);
      expect(got).not.toBe(bad);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await app.request('http://localhost/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('errors', () => {
  it("a 500 shows its request id's short code for support, and the log has the code and the full id with the error", async () => {
    const id = '3f2a9c1b-5d6e-4f70-8a9b-0c1d2e3f4a5b';
    const res = await app.request('http://localhost/test-only/boom?ho-ten=Tr%E1%BA%A7n', { headers: { 'x-request-id': id } });
    expect(res.status).toBe(500);
    const page = await res.text();
    expect(page).toContain('<p class="muted support-code">Nếu cần hỗ trợ, vui lòng cung cấp mã: 3F2A9C1B</p>');
    expect(page).not.toContain(id);
    const error = lines.find((l) => l.msg === 'unhandled error')!;
    expect(error).toMatchObject({ requestId: id, ref: '3F2A9C1B', level: 50 });
    expect((error.err as { message: string }).message).toBe('boom');
    expect(requestLines()[0]).toMatchObject({ route: '/test-only/boom', status: 500, requestId: id });
    expect(JSON.stringify(lines)).not.toContain('Trần');
  });

  it('a failed query is logged with its SQL text, never its parameters or the values in the database message', async () => {
    const res = await app.request('http://localhost/test-only/failed-query', {
      headers: { 'x-request-id': 'ref-500-b', accept: 'application/json' },
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { requestId: string } }).error.requestId).toBe('ref-500-b');
    const error = lines.find((l) => l.msg === 'unhandled error')!;
    expect(error.requestId).toBe('ref-500-b');
    const err = error.err as { message: string; cause?: { code?: string } };
    expect(err.message).toContain('select $1::int');
    expect(err.cause?.code).toBe('22P02');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('Bí Mật');
    expect(text).not.toContain('params');
  });

  it('a refusal (4xx) is logged at debug by its code only; its page shows no code for support', async () => {
    const res = await app.request('http://localhost/api/v1/procedures', { headers: { authorization: 'Bearer mc_x.nope' } });
    expect(res.status).toBe(401);
    expect(lines.find((l) => l.msg === 'request refused')).toMatchObject({ level: 20, code: 'invalid_token', status: 401 });
    expect(JSON.stringify(lines)).not.toContain('mc_x.nope');
    const page = await new Client(app).request('GET', '/khong-co-trang-nay', undefined, { 'x-request-id': 'ref-404-a' });
    expect(page.status).toBe(404);
    expect(page.text).not.toMatch(/cung cấp mã|REF-404-|ref-404-a/);
  });
});

describe('GET /metrics', () => {
  it('is the ordinary 404 without METRICS_TOKEN, without the token and with a wrong one', async () => {
    // The same page as any unknown address (a 404 shows no per-request code).
    const cookieNames = (h: Headers) => h.getSetCookie().map((c) => c.split('=')[0]);
    const notFound = await new Client(app).get('/khong-co-trang-nay');
    for (const res of [
      await metrics(),
      await metrics(`Bearer ${TOKEN.slice(0, -1)}x`),
      await metrics(`Bearer ${TOKEN}x`),
      await metrics(TOKEN),
      await metrics('Bearer '),
    ]) {
      expect(res.status).toBe(404);
      expect(res.text).toBe(notFound.text);
      expect(cookieNames(res.headers)).toEqual(cookieNames(notFound.headers));
    }
    const off = await appWithoutMetrics.request('http://localhost/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(off.status).toBe(404);
    expect(await off.text()).toContain('Không tìm thấy trang bạn yêu cầu.');
  });

  it('answers the token: request durations by route and status, logins by method and outcome', async () => {
    const client = new Client(app);
    expect((await client.login(sctClerkUsername(), 'wrong-password')).status).toBe(401);
    expect((await client.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    await client.get('/tiepnhan/ho-so');
    const res = await metrics(`Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(res.text).toContain('# TYPE motcua_http_request_duration_seconds histogram');
    expect(res.text).toMatch(/motcua_http_request_duration_seconds_count\{method="GET",route="\/tiepnhan\/ho-so",status="200"\} [1-9]/);
    expect(res.text).toMatch(
      /motcua_http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/tiepnhan\/dang-nhap",status="303"\}/,
    );
    expect(res.text).toMatch(/motcua_logins_total\{method="password",outcome="success"\} [1-9]/);
    expect(res.text).toMatch(/motcua_logins_total\{method="password",outcome="invalid_credentials"\} [1-9]/);
    // Process metrics; the database pool only where there is one (PGlite has none).
    expect(res.text).toContain('motcua_process_resident_memory_bytes');
    if (database.kind === 'postgres') expect(res.text).toMatch(/motcua_db_pool_connections \d+/);
    else expect(res.text).not.toContain('motcua_db_pool');
    expect(res.text).not.toContain(sctClerkUsername());
  });
});

describe('METRICS_TOKEN', () => {
  it('is refused when shorter than 32 characters', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 32 characters/);
    expect(loadConfig({ NODE_ENV: 'test', METRICS_TOKEN: TOKEN }).metricsToken).toBe(TOKEN);
    expect(loadConfig({ NODE_ENV: 'test' }).metricsToken).toBeNull();
  });
});
