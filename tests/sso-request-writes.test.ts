/**
 * The provider's writes of a request go to the database together, before its answer (src/sso/request-writes.ts),
 * and the registry's metadata is kept a few seconds per process (src/sso/clients.ts). What must hold:
 * - a code (or refresh token) presented twice at the same instant gives tokens once; the other request gets
 *   invalid_grant, writes nothing, and the grant is revoked (RFC 6749 §4.1.2);
 * - an answer never leaves without its writes: if they fail, no tokens (or no code in a redirect), and nothing of the
 *   request is half-written — the code is still unspent;
 * - a client disabled by anyone, anywhere, is refused once the change has reached this process.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { and, eq, sql } from 'drizzle-orm';
import type { AdapterPayload } from 'oidc-provider';
import * as oidc from 'openid-client';
import pino from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { ssoClients, ssoModels } from '../src/db/schema/index.js';
import { buildDeps } from '../src/deps.js';
import { postgresAdapter } from '../src/sso/adapter.js';
import { sendRequestWrites, withProviderRequest } from '../src/sso/provider-request.js';
import { SessionEnded, SpentGrant } from '../src/sso/request-writes.js';
import { testDatabase } from './support/db.js';
import { freshDemo } from './support/fixtures.js';
import { APP_CALLBACK, type Browser, registerTestClient, relyingParty, type SsoServer } from './support/sso.js';
import { oauthError, pkceAuthorization, ssoLogin } from './support/sso-flow.js';

let database: Database;
let deps: ReturnType<typeof buildDeps>;
let server: SsoServer;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
  await database.db.execute(sql`drop trigger if exists test_refuse_write on sso_models`);
  let app: ReturnType<typeof createApp> | null = null;
  const http = serve({ fetch: (req, env) => app!.fetch(req, env), port: 0, hostname: '127.0.0.1' });
  await once(http, 'listening');
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '3999',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
    PUBLIC_URL: origin,
    SESSION_CACHE_MS: '60000',
  });
  deps = buildDeps(config, database, pino({ level: 'silent' }), { captcha: { counterMin: 10, counterMax: 50, cost: 1 } });
  app = createApp(deps);
  server = { origin, issuer: `${origin}/sso`, app, close: () => new Promise<void>((resolve) => http.close(() => resolve())) };
  await deps.changes.settled();
});
afterEach(async () => {
  await database.db.execute(sql`drop trigger if exists test_refuse_write on sso_models`);
  await server.close();
});

/** A browser already logged in at the provider, and the code of its next authorization (not yet exchanged). */
async function nextCode(rp: oidc.Configuration, browser: Browser) {
  const { url, verifier } = await pkceAuthorization(rp);
  const back = await browser.follow(url.href, server.origin);
  const code = new URL(back.url).searchParams.get('code');
  expect(code, `ended at ${back.url}`).toBeTruthy();
  return { code: code!, verifier };
}

/** The token endpoint as a client posts to it, without a library in between: the status and the JSON. */
async function exchange(clientId: string, secret: string, c: { code: string; verifier: string }) {
  const res = await fetch(`${server.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: c.code, redirect_uri: APP_CALLBACK, code_verifier: c.verifier }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** Refuses every new row of one model in sso_models, as a database that fails mid-request would. */
async function refuseWritesOf(model: string) {
  await database.db.execute(sql`create or replace function test_refuse_write() returns trigger language plpgsql as $$
    begin if new.model = ${sql.raw(`'${model}'`)} then raise exception 'refused by the test'; end if; return new; end $$`);
  await database.db.execute(
    sql`create trigger test_refuse_write before insert on sso_models for each row execute function test_refuse_write()`,
  );
}

const payload = (p: Record<string, unknown>) => p as unknown as AdapterPayload;

/** Straight through the adapter: grant g1 with its unspent code k1 and an access token it issued earlier ("older"). */
async function grantWithCode() {
  const Adapter = postgresAdapter(database.db);
  const [codes, tokens, grants] = [new Adapter('AuthorizationCode'), new Adapter('AccessToken'), new Adapter('Grant')];
  await grants.upsert('g1', payload({ accountId: 'a1', clientId: 'c1', kind: 'Grant', jti: 'g1' }), 600);
  await codes.upsert('k1', payload({ grantId: 'g1', accountId: 'a1', kind: 'AuthorizationCode', jti: 'k1' }), 60);
  await tokens.upsert('older', payload({ grantId: 'g1', accountId: 'a1', kind: 'AccessToken', jti: 'older' }), 600);
  return { codes, tokens };
}

describe("the provider's writes of a request", () => {
  it('a code presented twice at once gives tokens once; the grant is then revoked', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { browser } = await ssoLogin(server, rp);
    const c = await nextCode(rp, browser);
    const answers = await Promise.all([exchange(clientId, clientSecret!, c), exchange(clientId, clientSecret!, c)]);
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    expect(answers.find((a) => a.status !== 200)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    // Whatever the second request's path (spent before its read, or between its read and its write), the grant went.
    expect(await oauthError(oidc.refreshTokenGrant(rp, won[0]!.body.refresh_token!))).toBe('invalid_grant');
  });

  it('two requests that both read a code unspent: the second to write writes nothing, is told, and revokes the grant', async () => {
    const { codes, tokens } = await grantWithCode();

    // Two requests, interleaved by hand: both read the code unspent, then each consumes it and issues a token.
    const signal = () => {
      let done!: () => void;
      const reached = new Promise<void>((resolve) => (done = resolve));
      return { reached, done };
    };
    const secondRead = signal();
    const firstSent = signal();
    let second: Promise<void> = Promise.resolve();
    await withProviderRequest(database.db, async () => {
      expect((await codes.find('k1'))?.consumed).toBeUndefined();
      second = withProviderRequest(database.db, async () => {
        expect((await codes.find('k1'))?.consumed).toBeUndefined();
        secondRead.done();
        await codes.consume('k1');
        await tokens.upsert('t-second', payload({ grantId: 'g1', kind: 'AccessToken', jti: 't-second' }), 600);
        await firstSent.reached;
        await sendRequestWrites();
      });
      await secondRead.reached;
      await codes.consume('k1');
      await tokens.upsert('t-first', payload({ grantId: 'g1', kind: 'AccessToken', jti: 't-first' }), 600);
      await sendRequestWrites();
      firstSent.done();
    });
    const refused = await second.then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(SpentGrant);
    const left = await database.db.select({ model: ssoModels.model, id: ssoModels.id }).from(ssoModels);
    // The second request's token was never written; the grant and everything issued from it are gone.
    expect(left).toEqual([]);
  });

  it('a code gone (revoked, purged) between the read and the write: invalid_grant, and nothing else is revoked', async () => {
    const { codes, tokens } = await grantWithCode();
    const refused = await withProviderRequest(database.db, async () => {
      expect(await codes.find('k1')).toBeTruthy();
      await codes.consume('k1');
      await tokens.upsert('t-new', payload({ grantId: 'g1', kind: 'AccessToken', jti: 't-new' }), 600);
      await database.db.delete(ssoModels).where(and(eq(ssoModels.model, 'AuthorizationCode'), eq(ssoModels.id, 'k1')));
      await sendRequestWrites();
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(SpentGrant);
    const left = await database.db.select({ id: ssoModels.id }).from(ssoModels).orderBy(ssoModels.id);
    expect(left.map((r) => r.id)).toEqual(['g1', 'older']);
  });

  it('a provider session ended by another request (a logout) after this one read it: no code issued, the session not saved back', async () => {
    const Adapter = postgresAdapter(database.db);
    const [sessions, codes] = [new Adapter('Session'), new Adapter('AuthorizationCode')];
    await sessions.upsert('s1', payload({ uid: 'u1', accountId: 'a1', kind: 'Session', jti: 's1' }), 600);
    const refused = await withProviderRequest(database.db, async () => {
      expect(await sessions.find('s1')).toBeTruthy();
      // The logout, committed by another request between this one's read and its write.
      await database.db.delete(ssoModels).where(and(eq(ssoModels.model, 'Session'), eq(ssoModels.id, 's1')));
      await codes.upsert('k1', payload({ accountId: 'a1', kind: 'AuthorizationCode', jti: 'k1' }), 60);
      await sessions.upsert('s1', payload({ uid: 'u1', accountId: 'a1', kind: 'Session', jti: 's1' }), 600);
      await sendRequestWrites();
    }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(SessionEnded);
    expect(await database.db.select().from(ssoModels)).toEqual([]);

    // A request that ends the session itself and starts another (a new login in the same browser) writes as usual.
    await sessions.upsert('s2', payload({ uid: 'u2', accountId: 'a1', kind: 'Session', jti: 's2' }), 600);
    await withProviderRequest(database.db, async () => {
      expect(await sessions.find('s2')).toBeTruthy();
      await sessions.destroy('s2');
      await sessions.upsert('s3', payload({ uid: 'u3', accountId: 'a2', kind: 'Session', jti: 's3' }), 600);
    });
    const left = await database.db.select({ id: ssoModels.id }).from(ssoModels);
    expect(left).toEqual([{ id: 's3' }]);
  });

  it('a replay record (DPoP proof, client assertion) is written at once, never held for the answer', async () => {
    const replays = new (postgresAdapter(database.db))('ReplayDetection');
    await withProviderRequest(database.db, async () => {
      await replays.upsert('jti-1', { iss: 'c1' } as unknown as AdapterPayload, 60);
      const rows = await database.db.select({ id: ssoModels.id }).from(ssoModels).where(eq(ssoModels.model, 'ReplayDetection'));
      expect(rows).toEqual([{ id: 'jti-1' }]);
    });
  });

  it('an answer never leaves without its writes: no tokens, nothing half-written, the code still unspent', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { browser } = await ssoLogin(server, rp);
    const c = await nextCode(rp, browser);
    const accessTokens = () => database.db.select({ id: ssoModels.id }).from(ssoModels).where(eq(ssoModels.model, 'AccessToken'));
    const issuedBefore = await accessTokens();
    await refuseWritesOf('RefreshToken');
    const failed = await exchange(clientId, clientSecret!, c);
    expect(failed).toEqual({ status: 500, body: { error: 'server_error', error_description: 'oops! something went wrong' } });
    const [code] = await database.db
      .select({ consumedAt: ssoModels.consumedAt })
      .from(ssoModels)
      .where(and(eq(ssoModels.model, 'AuthorizationCode'), eq(ssoModels.id, c.code)));
    expect(code).toEqual({ consumedAt: null });
    // The access token saved in the same request was not written either.
    expect(await accessTokens()).toEqual(issuedBefore);

    // The database is back: the same code is exchanged once.
    await database.db.execute(sql`drop trigger test_refuse_write on sso_models`);
    expect((await exchange(clientId, clientSecret!, c)).status).toBe(200);
    expect((await exchange(clientId, clientSecret!, c)).body.error).toBe('invalid_grant');
  });

  it('an authorization whose code cannot be written answers a page, never a redirect carrying the code', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { browser } = await ssoLogin(server, rp);
    await refuseWritesOf('AuthorizationCode');
    const { url } = await pkceAuthorization(rp, { scope: 'openid' });
    const res = await browser.get(url.href);
    expect(res.status).toBe(500);
    expect(res.location).toBeNull();
    expect(res.text).toContain('Không thể đăng nhập');
  });
});

describe("the registry's metadata kept per process", () => {
  it('serves the token endpoint from memory, and a client disabled elsewhere is refused once the change arrives', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { tokens } = await ssoLogin(server, rp);
    const before = deps.sessionCaches.ssoClients.hits;
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(deps.sessionCaches.ssoClients.hits).toBeGreaterThan(before);

    // Another process (here: straight in the table) disables it; its commit is announced to this one.
    await database.db.update(ssoClients).set({ disabledAt: new Date() }).where(eq(ssoClients.clientId, clientId));
    await deps.changes.settled();
    expect(await oauthError(oidc.refreshTokenGrant(rp, refreshed.refresh_token!))).toBe('invalid_client');

    // Enabled again with a rotated secret: the old secret is refused at once, too.
    await database.db
      .update(ssoClients)
      .set({ disabledAt: null, secretHash: 'f'.repeat(64) })
      .where(eq(ssoClients.clientId, clientId));
    await deps.changes.settled();
    expect(await oauthError(oidc.refreshTokenGrant(rp, refreshed.refresh_token!))).toBe('invalid_client');
  });
});
