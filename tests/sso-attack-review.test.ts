/**
 * The provincial SSO attacked (security review of issue 13's registry, sessions and logout): each test is an
 * attack that used to work, next to the use that must keep working.
 */
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { accounts, auditLog } from '../src/db/schema/index.js';
import { Client } from './support/app.js';
import { testDatabase } from './support/db.js';
import { actorFor, freshDemo } from './support/fixtures.js';
import { APP_CALLBACK, Browser, registerTestClient, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';
import { nextAuthorization, oauthError, ssoLogin } from './support/sso-flow.js';
import { updateSsoClient } from '../src/sso/update-sso-client.js';
import { loginCitizen } from '../src/portal/login-citizen.js';
import type { ExternalIdentity } from '../src/auth/oidc/claims.js';

let database: Database;
let server: SsoServer;
let unitIds: Record<string, string>;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  unitIds = (await freshDemo(database)).unitIds;
  server = await startSsoServer(database);
});
afterEach(async () => {
  await server.close();
});

const idOf = async (username: string) =>
  (await database.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.usernameLower, username)))[0]!.id;

describe('a provider session on a shared counter PC', () => {
  it('is not handed to whoever uses the browser after the official who made it closed it (the one-stop session still live, its cookie gone)', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const first = await ssoLogin(server, rp, { username: 'admin.sct' });
    expect(first.tokens.claims()!.sub).toBe(await idOf('admin.sct'));
    // The use: the same official, same browser, is logged in at once.
    expect(await nextAuthorization(server, rp, first.browser)).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);

    // The browser is closed: its session cookie (motcua_sid) is gone, the provider's persistent cookie stays, and the
    // one-stop session is still live on the server (not idle yet). The next person opens the application.
    first.browser.cookies.delete('motcua_sid');
    expect(await nextAuthorization(server, rp, first.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);

    // Another official logs in on that browser: the application receives them, not the previous one.
    const second = await ssoLogin(server, rp, { username: 'hoadk.sct', browser: first.browser });
    expect(second.tokens.claims()!.sub).toBe(await idOf('hoadk.sct'));
  });
});

describe('an application narrowed in the registry', () => {
  const FORM = {
    name: 'Văn bản điều hành (thử nghiệm)',
    redirectUris: [APP_CALLBACK],
    scopes: ['openid', 'profile', 'official'],
  };

  it('no longer refreshes what it may no longer have: a scope taken away, or a unit the official is not under', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const admin = await actorFor(database, 'quantri1');
    const first = await ssoLogin(server, rp, { username: 'quantri1' });
    const sub = first.tokens.claims()!.sub;
    expect((await oidc.fetchUserInfo(rp, first.tokens.access_token, sub)).name).toBeTruthy();
    // The use: an edit that takes nothing away (the name) leaves the application's tokens alone.
    await updateSsoClient(database.db, admin, clientId, { ...FORM, name: 'Văn bản điều hành' }, { production: false });
    const kept = await oidc.refreshTokenGrant(rp, first.tokens.refresh_token!);
    expect((await oidc.fetchUserInfo(rp, kept.access_token, sub)).name).toBeTruthy();

    // profile taken away: the refresh token minted with it no longer gives the name.
    await updateSsoClient(database.db, admin, clientId, { ...FORM, scopes: ['openid', 'official'] }, { production: false });
    expect(await oauthError(oidc.refreshTokenGrant(rp, kept.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(oidc.fetchUserInfo(rp, kept.access_token, sub))).toBe('invalid_token');

    // Open to the Sở Công Thương only: quantri1 (the province) logged in before is refused its refresh at once.
    await updateSsoClient(database.db, admin, clientId, { ...FORM, scopes: ['openid', 'official'] }, { production: false });
    const again = await ssoLogin(server, rp, { browser: first.browser, scope: 'openid official' });
    await updateSsoClient(
      database.db,
      admin,
      clientId,
      { ...FORM, scopes: ['openid', 'official'], unitIds: [unitIds.sct!] },
      { production: false },
    );
    expect(await oauthError(oidc.refreshTokenGrant(rp, again.tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(oidc.fetchUserInfo(rp, again.tokens.access_token, sub))).toBe('invalid_token');
  });
});

describe("a citizen's acr at the SSO", () => {
  const identity = (loa: 1 | 2): ExternalIdentity => ({
    subject: 'citizen-attack-review',
    techId: null,
    cccd: '001099012345',
    fullName: 'Trần Thị Thử',
    dateOfBirth: null,
    gender: null,
    address: null,
    phone: null,
    email: null,
    accountType: 1,
    taxCode: null,
    businessName: null,
    loa,
  });
  const policy = { idleMs: 1_800_000, absoluteMs: 3_600_000 };
  const meta = { ip: '192.0.2.9', requestId: null, userAgent: null };

  /** A whole authorization with the portal session `token`: the ID token's acr. */
  async function acrWith(token: string) {
    const { clientId, clientSecret } = await registerTestClient(database, { scopes: ['openid', 'citizen'] });
    const rp = await relyingParty(server, clientId, clientSecret);
    const browser = new Browser();
    browser.cookies.set('motcua_portal', token);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: APP_CALLBACK,
      scope: 'openid citizen',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      acr_values: 'LoA2',
    });
    const back = await browser.follow(url.href, server.origin);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
    return tokens.claims()!.acr;
  }

  it('is the level of the login that opened this portal session, not of their latest login elsewhere', async () => {
    const weak = await loginCitizen(database.db, policy, 'https://vneid.example', identity(1), {}, meta, new Date());
    // The same citizen later logs in at level 2 on another device (their profile now says LoA2).
    const strong = await loginCitizen(database.db, policy, 'https://vneid.example', identity(2), {}, meta, new Date());
    expect(await acrWith(strong.token)).toBe('LoA2');
    expect(await acrWith(weak.token)).toBe('LoA1');
  });
});

describe('an official moved out of the units an application is open to', () => {
  it('loses it at once: the refresh token and access token minted before the move stop working', async () => {
    const { clientId, clientSecret } = await registerTestClient(database, { unitIds: [unitIds.sct!] });
    const rp = await relyingParty(server, clientId, clientSecret);
    const login = await ssoLogin(server, rp, { username: 'admin.sct' });
    const sub = login.tokens.claims()!.sub;
    // The use: inside the Sở Công Thương, the tokens work.
    const refreshed = await oidc.refreshTokenGrant(rp, login.tokens.refresh_token!);
    expect((await oidc.fetchUserInfo(rp, refreshed.access_token, sub)).username).toBe('admin.sct');

    await database.db.update(accounts).set({ unitId: unitIds.tinh! }).where(eq(accounts.id, sub));
    expect(await oauthError(oidc.refreshTokenGrant(rp, refreshed.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(oidc.fetchUserInfo(rp, refreshed.access_token, sub))).toBe('invalid_token');
  });
});

describe("the login page's CSP", () => {
  const formAction = (csp: string | null) => (csp ?? '').split('; ').find((x) => x.startsWith('form-action')) ?? null;

  it("drops form-action only where the login continues to the SSO's login step, a refused password included", async () => {
    // The use: a refused password at the SSO's login step shows the form again, still bound for the application.
    const atStep = await new Client(server.app).login('quantri1', 'sai-mat-khau', { tiep: '/sso/interaction/abcDEF123' });
    expect(atStep.text).toContain('value="/sso/interaction/abcDEF123"');
    expect(formAction(atStep.headers.get('content-security-policy'))).toBeNull();
    // Any other refused password: the page where officials type their password keeps form-action 'self'.
    for (const extra of [{}, { tiep: '/tiepnhan/ho-so' }] as Array<Record<string, string>>) {
      const page = await new Client(server.app).login('quantri1', 'sai-mat-khau', extra);
      expect(page.text).toContain('name="password"');
      expect(formAction(page.headers.get('content-security-policy')), JSON.stringify(extra)).toBe("form-action 'self'");
    }
  });
});

describe('prompt=consent (this provider has no consent screen: the registry decides what an application may ask)', () => {
  it('is answered with a code once, not a redirect loop that any site could start for a logged-in official', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const first = await ssoLogin(server, rp, { username: 'quantri1' });
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: APP_CALLBACK,
      scope: 'openid profile',
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    });
    const back = await first.browser.follow(url.href, server.origin);
    expect(back.url).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);
    // One login to the application recorded for the first trip, one for this one: not one per lap of a loop.
    const logins = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login'));
    expect(logins).toHaveLength(2);
  });
});
