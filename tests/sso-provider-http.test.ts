/**
 * The provincial SSO provider as an HTTP citizen of the app: oidc-provider writes its answers on the raw Node
 * response, so the app's security headers, its request log and its body limit are wired to it by hand
 * (src/sso/routes.ts, src/web/security-headers.ts, src/web/observability.ts, app.tsx). Here: its pages and
 * answers carry the headers (and its form_post script is allowed by hash, not by 'unsafe-inline'), the log line
 * names the endpoint and the status the provider sent, and its bodies reach it whole however they are sent.
 */
import { once } from 'node:events';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { accounts } from '../src/db/schema/index.js';
import { buildDeps } from '../src/deps.js';
import { testDatabase } from './support/db.js';
import { freshDemo } from './support/fixtures.js';
import { APP_CALLBACK, registerTestClient } from './support/sso.js';

type LogLine = { msg?: string; method?: string; route?: string; status?: number };

let database: Database;
let origin = '';
let lines: LogLine[] = [];
let close: () => Promise<void> = async () => undefined;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
  lines = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n')) if (l.startsWith('{')) lines.push(JSON.parse(l) as LogLine);
      done();
    },
  });
  let app: ReturnType<typeof createApp> | null = null;
  const server = serve({ fetch: (req, env) => app!.fetch(req, env), port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '3999',
    PUBLIC_URL: origin,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
  });
  app = createApp(buildDeps(config, database, pino({ level: 'info' }, sink)));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(async () => {
  await close();
});

/** The request log line of a route, once written (just after the answer). */
async function logged(route: string, method = 'GET') {
  await expect.poll(() => lines.some((l) => l.msg === 'request' && l.route === route && l.method === method)).toBe(true);
  return lines.filter((l) => l.msg === 'request' && l.route === route && l.method === method);
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Our security headers, as the app's own pages have them. */
function expectSecurityHeaders(h: Headers) {
  expect(h.get('x-content-type-options')).toBe('nosniff');
  expect(h.get('x-frame-options')).toBe('DENY');
  expect(h.get('referrer-policy')).toBe('same-origin');
  expect(h.get('cache-control')).toBe('no-store');
  const csp = h.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toContain("object-src 'none'");
}

describe("the provider's answers in the app", () => {
  it('carry the security headers: discovery, JWKS, an error page, the token endpoint', async () => {
    const discovery = await fetch(`${origin}/sso/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expectSecurityHeaders(discovery.headers);
    expectSecurityHeaders((await fetch(`${origin}/sso/jwks`)).headers);

    // An error the provider cannot send back to the application: its own HTML page.
    const { clientId, clientSecret } = await registerTestClient(database);
    const page = await fetch(
      `${origin}/sso/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: 'https://elsewhere.example/cb' })}`,
    );
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expectSecurityHeaders(page.headers);
    expect(await page.text()).toContain('không khớp');
    // No form-action on the provider: its logout form and form_post end at an application's address.
    expect(page.headers.get('content-security-policy')).not.toContain('form-action');

    const token = await fetch(`${origin}/sso/token`, {
      method: 'POST',
      headers: { authorization: basic(clientId, clientSecret!), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'profile' }),
    });
    expect(token.status).toBe(200);
    expectSecurityHeaders(token.headers);

    // The app's own pages keep form-action 'self'.
    expect((await fetch(`${origin}/tiepnhan/dang-nhap`)).headers.get('content-security-policy')).toContain("form-action 'self'");
  });

  it("response_mode=form_post: the provider's one inline script is allowed by its hash in our CSP", async () => {
    const { clientId } = await registerTestClient(database);
    const [admin] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    const cookies = new Map([
      [
        'motcua_sid',
        await createSession(database.db, admin!.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 }, new Date(), {
          ip: null,
          userAgent: null,
        }),
      ],
    ]);
    const verifier = crypto.randomBytes(32).toString('base64url');
    let at = `${origin}/sso/auth?${new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      response_mode: 'form_post',
      scope: 'openid',
      redirect_uri: APP_CALLBACK,
      state: 'form-post-state',
      code_challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    })}`;
    let res: Response;
    for (let i = 0; ; i++) {
      res = await fetch(at, { redirect: 'manual', headers: { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const sc of res.headers.getSetCookie()) {
        const [pair] = sc.split(';');
        const [name, value] = [pair!.slice(0, pair!.indexOf('=')), pair!.slice(pair!.indexOf('=') + 1)];
        if (value) cookies.set(name, value);
      }
      const location = res.headers.get('location');
      if (!location || i > 5) break;
      at = new URL(location, at).href;
    }
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="${APP_CALLBACK}"`);
    const script = /<script[^>]*>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain(`'sha256-${crypto.createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('the request log line names the endpoint and the status the provider sent', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    await fetch(`${origin}/sso/jwks`);
    expect((await logged('/sso/jwks')).map((l) => l.status)).toEqual([200]);

    await fetch(
      `${origin}/sso/auth?${new URLSearchParams({ client_id: clientId, response_type: 'code', scope: 'openid', redirect_uri: 'https://x.example/' })}`,
    );
    expect((await logged('/sso/auth')).map((l) => l.status)).toEqual([400]);

    const wrong = await fetch(`${origin}/sso/token`, {
      method: 'POST',
      headers: { authorization: basic(clientId, `${clientSecret}x`), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(wrong.status).toBe(401);
    expect((await logged('/sso/token', 'POST')).map((l) => l.status)).toEqual([401]);

    expect((await fetch(`${origin}/sso/no-such-endpoint`)).status).toBe(404);
    expect((await logged('/sso/*')).map((l) => l.status)).toEqual([404]);
    // The login step is still the app's own route, with its own status.
    expect((await fetch(`${origin}/sso/interaction/abcdefghijklmnop`, { redirect: 'manual' })).status).toBe(400);
    expect((await logged('/sso/interaction/:uid')).map((l) => l.status)).toEqual([400]);
  });

  it('token requests reach the provider whole: a chunked body, and many at once', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    // Without Content-Length (chunked): the app's body limit must not have started reading the stream.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const u = new URL(`${origin}/sso/token`);
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: { authorization: basic(clientId, clientSecret!), 'content-type': 'application/x-www-form-urlencoded' },
        },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write('grant_type=client_');
      setTimeout(() => req.end('credentials&scope=profile'), 20);
    });
    expect(answer.status, answer.body).toBe(200);
    expect((JSON.parse(answer.body) as { access_token?: string }).access_token).toBeTruthy();

    const many = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${origin}/sso/token`, {
          method: 'POST',
          headers: { authorization: basic(clientId, clientSecret!), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        }).then((r) => r.status),
      ),
    );
    expect(many).toEqual(Array(30).fill(200));
  });
});
