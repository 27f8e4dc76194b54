import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, inArray, isNotNull, like } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Database } from '../src/db/client.js';
import { accounts, auditLog, citizens, persons, sessions, ssoClients, ssoKeys } from '../src/db/schema/index.js';
import { createCitizenSession, createSession, tokenHash } from '../src/auth/sessions.js';
import { switchAccount } from '../src/auth/switch-account.js';
import { freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { APP_CALLBACK, Browser, registerTestClient, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';

let database: Database;
let server: SsoServer;
let unitIds: Record<string, string>;

beforeAll(async () => {
  database = await testDatabase();
});
// A new server (and provider) per test: emptying the database between tests also empties the signing keys, which
// a provider built in an earlier test would still hold for up to its key-set check interval.
beforeEach(async () => {
  unitIds = (await freshDemo(database)).unitIds;
  server = await startSsoServer(database);
});
afterEach(async () => {
  await server.close();
});

/** The OAuth error openid-client reports for a refused request. */
async function oauthError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    // A refused client authentication comes as a WWW-Authenticate challenge, the error among its parameters.
    const challenge = (err as { cause?: Array<{ parameters?: { error?: string } }> }).cause;
    if (Array.isArray(challenge) && challenge[0]?.parameters?.error) return challenge[0].parameters.error;
    return String((err as { error?: string }).error ?? (err as Error).message);
  }
  throw new Error('expected the request to be refused');
}

/**
 * Up to the application's callback: authorize → the provider's login step → the one-stop system's login page →
 * (log in) → back to the login step → the callback with a code.
 */
async function codeFlow(rp: oidc.Configuration, params: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: APP_CALLBACK,
    scope: 'openid profile official',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...params,
  });
  const browser = new Browser();
  const toLogin = await browser.follow(url.href, server.origin);
  return { verifier, state, browser, toLogin };
}

async function loginAndReturn(browser: Browser, loginPageUrl: string, username = 'quantri1') {
  const tiep = new URL(loginPageUrl).searchParams.get('tiep')!;
  expect(tiep).toMatch(/^\/sso\/interaction\/[\w-]+$/);
  // The existing login page (password + CAPTCHA), as a browser fills it in.
  const staff = new Client(server.app);
  const res = await staff.login(username, TEST_PASSWORD, { tiep });
  expect(res.location).toBe(tiep);
  browser.cookies.set('motcua_sid', staff.cookies.get('motcua_sid')!);
  return browser.follow(`${server.origin}${tiep}`, server.origin);
}

/** A person (proved by a VNeID login of level 2) owning the demo's two accounts of one official. */
async function personWithTwoAccounts() {
  const [second] = await database.db.select().from(accounts).where(like(accounts.usernameLower, '%.motcua'));
  const [first] = await database.db
    .select()
    .from(accounts)
    .where(eq(accounts.usernameLower, second!.usernameLower.replace(/\.motcua$/, '')));
  const [person] = await database.db.insert(persons).values({ cccd: '001090000123', fullName: 'Người Thử' }).returning();
  await database.db
    .update(accounts)
    .set({ personId: person!.id })
    .where(inArray(accounts.id, [first!.id, second!.id]));
  return { first: first!, second: second!, proof: { method: 'vneid' as const, personId: person!.id, loa: 2 } };
}

/** The login step with the browser's session: Chọn tài khoản answered with `accountId` if asked; where it ends. */
async function finishAs(flow: Awaited<ReturnType<typeof codeFlow>>, accountId: string) {
  const here = `${server.origin}${new URL(flow.toLogin.url).searchParams.get('tiep')}`;
  const page = await flow.browser.get(here);
  if (page.status !== 200) return flow.browser.follow(page.location!, server.origin);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
  const chosen = await flow.browser.get(here, { _csrf: csrf, taiKhoan: accountId });
  return flow.browser.follow(chosen.location!, server.origin);
}

describe('the provincial SSO provider at /sso', () => {
  it('publishes its discovery document and its current signing key', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const meta = rp.serverMetadata();
    expect(meta.issuer).toBe(server.issuer);
    expect(meta.token_endpoint).toBe(`${server.issuer}/token`);
    expect(meta.code_challenge_methods_supported).toEqual(['S256']);
    expect([...(meta.token_endpoint_auth_methods_supported ?? [])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
    expect(meta.backchannel_logout_supported).toBe(true);
    expect(meta.end_session_endpoint).toBe(`${server.issuer}/session/end`);
    expect(meta.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'cccd', 'official', 'citizen']));
    const jwks = (await (await fetch(meta.jwks_uri!)).json()) as { keys: Array<{ kid: string; alg: string; d?: string }> };
    const [current] = await database.db.select().from(ssoKeys).where(eq(ssoKeys.state, 'current'));
    expect(jwks.keys.map((k) => [k.kid, k.alg])).toEqual([[current!.kid, 'RS256']]);
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  it('code flow with PKCE through the one-stop login: tokens, claims, userinfo, refresh rotation and reuse detection', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { verifier, state, browser, toLogin } = await codeFlow(rp);
    expect(toLogin.url).toMatch(new RegExp(`^${server.origin}/tiepnhan/dang-nhap\\?tiep=`));
    const back = await loginAndReturn(browser, toLogin.url);
    expect(back.url.startsWith(`${APP_CALLBACK}?`)).toBe(true);

    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
    const [admin] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    const idClaims = tokens.claims()!;
    expect(idClaims.sub).toBe(admin!.id);
    expect(idClaims.iss).toBe(server.issuer);
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, admin!.id);
    expect(info).toMatchObject({ sub: admin!.id, username: 'quantri1', name: `${admin!.middleName} ${admin!.givenName}` });
    expect(info.roles).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'admin' })]));
    expect(Array.isArray(info.unit_path)).toBe(true);
    // Not asked for, not allowed: no CCCD.
    expect(info.cccd).toBeUndefined();
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login'));
    expect(audit.map((a) => a.targetId)).toEqual([clientId]);

    // Refresh rotates: a new refresh token each time; using a spent one revokes the whole family.
    const first = tokens.refresh_token!;
    expect(first).toBeTruthy();
    const second = await oidc.refreshTokenGrant(rp, first);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first);
    expect(await oauthError(oidc.refreshTokenGrant(rp, first))).toBe('invalid_grant');
    expect(await oauthError(oidc.refreshTokenGrant(rp, second.refresh_token!))).toBe('invalid_grant');
    expect((await oidc.tokenIntrospection(rp, second.access_token)).active).toBe(false);
  });

  it('refuses a wrong or missing PKCE verifier, and a reused code (revoking what its first use issued)', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const run = async () => {
      const flow = await codeFlow(rp);
      const back = await loginAndReturn(flow.browser, flow.toLogin.url);
      return { ...flow, callback: new URL(back.url) };
    };
    const wrong = await run();
    expect(
      await oauthError(
        oidc.authorizationCodeGrant(rp, wrong.callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: wrong.state }),
      ),
    ).toBe('invalid_grant');

    const missing = await run();
    const code = missing.callback.searchParams.get('code')!;
    const res = await fetch(rp.serverMetadata().token_endpoint!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: APP_CALLBACK }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_grant');

    const reused = await run();
    const tokens = await oidc.authorizationCodeGrant(rp, reused.callback, {
      pkceCodeVerifier: reused.verifier,
      expectedState: reused.state,
    });
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(true);
    expect(
      await oauthError(
        oidc.authorizationCodeGrant(rp, reused.callback, { pkceCodeVerifier: reused.verifier, expectedState: reused.state }),
      ),
    ).toBe('invalid_grant');
    expect((await oidc.tokenIntrospection(rp, tokens.access_token)).active).toBe(false);
  });

  it('an official of a unit the client is not open to is sent back with access_denied (and the refusal audited)', async () => {
    const { clientId, clientSecret } = await registerTestClient(database, { unitIds: [unitIds['sct']!] });
    const rp = await relyingParty(server, clientId, clientSecret);
    const { browser, toLogin } = await codeFlow(rp);
    // quantri1 works at the province, above Sở Công Thương: not inside it.
    const back = new URL((await loginAndReturn(browser, toLogin.url)).url);
    expect(back.origin + back.pathname).toBe(APP_CALLBACK);
    expect(back.searchParams.get('error')).toBe('access_denied');
    const refused = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login_refused'));
    expect(refused.map((a) => a.targetId)).toEqual([clientId]);
  });

  it("a citizen's portal session is access_denied at an application not registered for citizens (open to some units only)", async () => {
    const { clientId, clientSecret } = await registerTestClient(database, { unitIds: [unitIds['sct']!] });
    const rp = await relyingParty(server, clientId, clientSecret);
    const { browser, toLogin } = await codeFlow(rp);
    const [citizen] = await database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: 'sso-cd-1', cccd: '001090000123', fullName: 'Công dân Thử', loa: 2 })
      .returning();
    browser.cookies.set(
      'motcua_portal',
      await createCitizenSession(database.db, citizen!.id, { idleMs: 1_800_000, absoluteMs: 3_600_000 }, new Date()),
    );
    const back = new URL(
      (
        await browser.follow(
          toLogin.url.replace(/^.*[?&]tiep=([^&]+).*$/, (_, t) => server.origin + decodeURIComponent(t)),
          server.origin,
        )
      ).url,
    );
    expect(back.origin + back.pathname).toBe(APP_CALLBACK);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login'))).toEqual([]);
  });

  it('prompt=login: a session from before the request is login_required; a login made during it is accepted', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    // A login during this request (the browser had no session): accepted, and auth_time is that login.
    const fresh = await codeFlow(rp, { prompt: 'login' });
    const back = await loginAndReturn(fresh.browser, fresh.toLogin.url);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), {
      pkceCodeVerifier: fresh.verifier,
      expectedState: fresh.state,
    });
    const [session] = await database.db.select().from(sessions).where(isNotNull(sessions.accountId));
    expect(tokens.claims()!.auth_time).toBe(Math.floor(session!.authenticatedAt.getTime() / 1000));

    // The same browser's session, logged in before the next request (a minute ago): the application asked for a new login.
    await database.db.update(sessions).set({ authenticatedAt: new Date(Date.now() - 60_000) });
    const again = await codeFlow(rp, { prompt: 'login' });
    again.browser.cookies.set('motcua_sid', fresh.browser.cookies.get('motcua_sid')!);
    const tiep = new URL(again.toLogin.url).searchParams.get('tiep')!;
    const refused = new URL((await again.browser.follow(`${server.origin}${tiep}`, server.origin)).url);
    expect(refused.searchParams.get('error')).toBe('login_required');
  });

  it('Chuyển tài khoản is no new login: it meets neither prompt=login nor max_age, and auth_time stays the real login', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { first, second, proof } = await personWithTwoAccounts();
    // The VNeID login happened an hour ago.
    const hourAgo = new Date(Date.now() - 3_600_000);
    const policy = { idleMs: 8 * 3_600_000, absoluteMs: 8 * 3_600_000 };
    const token = await createSession(database.db, first.id, policy, hourAgo, { ip: null, userAgent: null }, proof);
    // Whoever sits at the open session switches accounts: no credential is asked.
    const actor = { kind: 'official' as const, accountId: first.id, label: first.username, meta: { ip: null, requestId: null } };
    const switched = await switchAccount(database.db, actor, proof, token, second.id, { sessions: policy, minLoa: 2 }, new Date());
    const [row] = await database.db
      .select()
      .from(sessions)
      .where(eq(sessions.idHash, tokenHash(switched.token)));
    expect(row!.authenticatedAt.getTime()).toBe(hourAgo.getTime());

    // The application demands a login made during this request, or one no older than 60 s: the switch is neither.
    const demands: Array<Record<string, string>> = [{ prompt: 'login' }, { max_age: '60' }];
    for (const demand of demands) {
      const flow = await codeFlow(rp, demand);
      flow.browser.cookies.set('motcua_sid', switched.token);
      const back = await finishAs(flow, second.id);
      expect(new URL(back.url).searchParams.get('error')).toBe('login_required');
    }
    // A max_age the real login meets lets it through, and the ID token names that login, not the switch.
    const flow = await codeFlow(rp, { max_age: '7200' });
    flow.browser.cookies.set('motcua_sid', switched.token);
    const back = await finishAs(flow, second.id);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    expect(tokens.claims()).toMatchObject({ sub: second.id, auth_time: Math.floor(hourAgo.getTime() / 1000) });
  });

  it('a real new login in the same browser meets max_age, and auth_time moves to it', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const [admin] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    const hourAgo = new Date(Date.now() - 3_600_000);
    const policy = { idleMs: 8 * 3_600_000, absoluteMs: 8 * 3_600_000 };
    const old = await createSession(database.db, admin!.id, policy, hourAgo, { ip: null, userAgent: null });
    // In use until now (not idle): only its login is old.
    await database.db
      .update(sessions)
      .set({ lastSeenAt: new Date() })
      .where(eq(sessions.idHash, tokenHash(old)));
    const stale = await codeFlow(rp, { max_age: '60' });
    stale.browser.cookies.set('motcua_sid', old);
    const refused = await finishAs(stale, admin!.id);
    expect(new URL(refused.url).searchParams.get('error')).toBe('login_required');

    // The official logs in again with the password (the login page the application's request leads to).
    const flow = await codeFlow(rp, { max_age: '60' });
    flow.browser.cookies.set('motcua_sid', old);
    const startedAt = Math.floor(Date.now() / 1000);
    const back = await loginAndReturn(flow.browser, flow.toLogin.url);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    expect(tokens.claims()!.auth_time).toBeGreaterThanOrEqual(startedAt);
    expect(tokens.claims()!.auth_time).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('an official whose VNeID login proved several accounts chooses the one the application receives; not a stranger’s', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { first, second, proof } = await personWithTwoAccounts();
    const token = await createSession(
      database.db,
      first.id,
      { idleMs: 3_600_000, absoluteMs: 3_600_000 },
      new Date(),
      { ip: null, userAgent: null },
      proof,
    );
    // acr_values: the ID token then carries the level this login proved.
    const flow = await codeFlow(rp, { acr_values: 'LoA2 LoA1' });
    flow.browser.cookies.set('motcua_sid', token);
    const here = `${server.origin}${new URL(flow.toLogin.url).searchParams.get('tiep')}`;
    const page = await flow.browser.get(here);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Chọn tài khoản đăng nhập');
    expect(page.text).toContain(first.username);
    expect(page.text).toContain(second.username);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;

    // Another official's account is not theirs to hand over.
    const [stranger] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    expect((await flow.browser.get(here, { _csrf: csrf, taiKhoan: stranger!.id })).status).toBe(404);

    const chosen = await flow.browser.get(here, { _csrf: csrf, taiKhoan: second.id });
    const back = await flow.browser.follow(chosen.location!, server.origin);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: flow.verifier, expectedState: flow.state });
    expect(tokens.claims()).toMatchObject({ sub: second.id, acr: 'LoA2' });
  });

  it('a login step without its interaction (expired, finished, another browser) is a clear 400 page', async () => {
    const res = await new Browser().get(`${server.origin}/sso/interaction/abcdefghijklmnop`);
    expect(res.status).toBe(400);
    expect(res.text).toContain('Phiên đăng nhập đã hết hạn');
  });

  it('an application that accepts VNeID level 2 only (acr_values=LoA2) gets a login page with VNeID alone', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { toLogin } = await codeFlow(rp, { acr_values: 'LoA2' });
    const login = new URL(toLogin.url);
    expect(login.pathname).toBe('/tiepnhan/dang-nhap');
    expect(login.searchParams.get('chi-vneid')).toBe('1');
    const tiep = login.searchParams.get('tiep')!;
    expect(toLogin.text).not.toContain('name="password"');
    expect(toLogin.text).toContain('chỉ chấp nhận đăng nhập bằng tài khoản định danh điện tử VNeID mức độ 2');
    expect(toLogin.text).toContain(`href="/tiepnhan/dang-nhap/vneid?tiep=${encodeURIComponent(tiep)}"`);
    // Level 1 accepted too: the password form stays (no acr, the application decides).
    expect((await codeFlow(rp, { acr_values: 'LoA1 LoA2' })).toLogin.text).toContain('name="password"');
    // The flag alone, outside the SSO's login step, changes nothing.
    const plain = await new Browser().get(`${server.origin}/tiepnhan/dang-nhap?chi-vneid=1`);
    expect(plain.text).toContain('name="password"');
  });

  it('an authorization request without PKCE is sent back with invalid_request', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const url = oidc.buildAuthorizationUrl(rp, { redirect_uri: APP_CALLBACK, scope: 'openid', state: 's' });
    const res = await new Browser().follow(url.href, server.origin);
    const back = new URL(res.url);
    expect(back.origin + back.pathname).toBe(APP_CALLBACK);
    expect(back.searchParams.get('error')).toBe('invalid_request');
  });

  it('a redirect URI differing by one character is refused on the provider (never redirected to)', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { toLogin } = await codeFlow(rp, { redirect_uri: APP_CALLBACK.replace('callback', 'callbacK') });
    expect(toLogin.status).toBe(400);
    expect(toLogin.url.startsWith(server.origin)).toBe(true);
    expect(toLogin.text).toContain('invalid_redirect_uri');
    expect(toLogin.text).toContain('không khớp');
  });

  it('a scope the client is not allowed is refused with invalid_scope, at the authorization and the token endpoint', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { toLogin } = await codeFlow(rp, { scope: 'openid cccd' });
    const back = new URL(toLogin.url);
    expect(back.origin + back.pathname).toBe(APP_CALLBACK);
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(await oauthError(oidc.clientCredentialsGrant(rp, { scope: 'cccd' }))).toBe('invalid_scope');
  });

  it('client credentials with the right secret; a wrong secret or a disabled client is invalid_client', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const [row] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, clientId));
    // Only the hash is stored.
    expect(row!.secretHash).not.toContain(clientSecret!);
    expect(row!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    const rp = await relyingParty(server, clientId, clientSecret);
    const token = await oidc.clientCredentialsGrant(rp, { scope: 'profile' });
    expect(token.access_token).toBeTruthy();
    const wrong = await relyingParty(server, clientId, `${clientSecret}x`);
    expect(await oauthError(oidc.clientCredentialsGrant(wrong))).toBe('invalid_client');

    await database.db.update(ssoClients).set({ disabledAt: new Date() }).where(eq(ssoClients.clientId, clientId));
    expect(await oauthError(oidc.clientCredentialsGrant(rp))).toBe('invalid_client');
    const { toLogin } = await codeFlow(rp);
    expect(toLogin.status).toBe(400);
    expect(toLogin.text).toContain('invalid_client');
  });
});
