/**
 * A citizen at an application of the provincial SSO: with no portal session, the provider's login step sends the
 * browser to the portal's login (/dang-nhap?tiep=/sso/interaction/<uid>), the citizen logs in with VNeID (the
 * simulator: password, then the SMS code), and comes back to the login step, which finishes at once — the
 * application receives the citizen, with the VNeID level of this login as acr. A citizen never gets an officials'
 * application, and the return address cannot be bent to another site.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Database } from '../src/db/client.js';
import { auditLog, citizens } from '../src/db/schema/index.js';
import { loadPopulation } from '../sim/state.js';
import { freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { latestOtp, SimBrowser, startTestSimulator } from './support/vneid.js';
import { APP_CALLBACK, Browser, registerTestClient, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';

let database: Database;
let server: SsoServer;
let sim: Awaited<ReturnType<typeof startTestSimulator>> | null = null;
const citizen = loadPopulation().find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1)!;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
  server = await startSsoServer(database, async (origin) => {
    sim = await startTestSimulator([`${origin}/dang-nhap/vneid/callback`]);
    return sim.env;
  });
});
afterEach(async () => {
  await server.close();
  await sim?.close();
});

/** The citizen's VNeID login at the simulator, from the portal's redirect to the portal's callback. */
async function vneidAtSimulator(toSimulator: string): Promise<string> {
  const at = new SimBrowser(sim!.url);
  const page = await at.follow(toSimulator);
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)?.[1];
  expect(uid).toBeTruthy();
  expect(
    (await at.request('POST', `/interaction/${uid}/vneid`, { soDinhDanh: citizen.soDinhDanh, password: citizen.password })).status,
  ).toBe(303);
  const otp = await latestOtp(sim!.url, citizen.soDienThoai);
  const confirmed = await at.request('POST', `/interaction/${uid}/otp`, { otp: otp! });
  const back = await at.follow(confirmed.location!);
  expect(back.url.startsWith(`${server.origin}/dang-nhap/vneid/callback?`)).toBe(true);
  return back.url;
}

async function authorize(rp: oidc.Configuration, scope: string) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: APP_CALLBACK,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    acr_values: 'LoA2',
  });
  const browser = new Browser();
  return { verifier, state, browser, toLogin: await browser.follow(url.href, server.origin) };
}

describe('a citizen logs in to an application of the provincial SSO with VNeID', () => {
  it("through the portal's login and back to the application, which receives the citizen with acr LoA2", async () => {
    const { clientId, clientSecret } = await registerTestClient(database, {
      name: 'Cổng dịch vụ công tỉnh (thử nghiệm)',
      scopes: ['openid', 'profile', 'citizen'],
    });
    const rp = await relyingParty(server, clientId, clientSecret);
    const { verifier, state, browser, toLogin } = await authorize(rp, 'openid profile citizen');
    // The provider's login step sends a citizens' application to the portal's login, returning to itself.
    const login = new URL(toLogin.url);
    expect(login.origin + login.pathname).toBe(`${server.origin}/dang-nhap`);
    const tiep = login.searchParams.get('tiep')!;
    expect(tiep).toMatch(/^\/sso\/interaction\/[\w-]+$/);
    expect(toLogin.status).toBe(200);

    // The portal's "Đăng nhập bằng VNeID" carries the return address through the VNeID login.
    const start = await browser.get(`${server.origin}/dang-nhap/vneid?tiep=${encodeURIComponent(tiep)}`);
    expect(start.status).toBe(303);
    const callback = await vneidAtSimulator(start.location!);
    const landed = await browser.get(callback);
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`${server.origin}${tiep}`);
    expect(browser.cookies.get('motcua_portal')).toBeTruthy();

    const back = await browser.follow(landed.location!, server.origin);
    expect(back.url.startsWith(`${APP_CALLBACK}?`)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
    const [row] = await database.db.select().from(citizens).where(eq(citizens.cccd, citizen.soDinhDanh));
    const id = tokens.claims()!;
    expect(id.sub).toBe(row!.id);
    expect(id.acr).toBe('LoA2');
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, row!.id);
    expect(info).toMatchObject({ sub: row!.id, name: citizen.hoVaTen.normalize('NFC'), citizen_type: 'individual' });
    // Not asked for and not allowed: no CCCD.
    expect(info.cccd).toBeUndefined();
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login'));
    expect(audit.map((a) => [a.targetId, (a.data as { acr?: string }).acr])).toEqual([[clientId, 'LoA2']]);

    // One provider session serves the next application request without another VNeID login.
    const sameBrowser = await browser.follow(
      oidc
        .buildAuthorizationUrl(rp, {
          redirect_uri: APP_CALLBACK,
          scope: 'openid citizen',
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        })
        .toString(),
      server.origin,
    );
    expect(sameBrowser.url.startsWith(`${APP_CALLBACK}?code=`)).toBe(true);
    // That login made without the login step is in the audit too (the registry lists every login to the application).
    const after = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login')).orderBy(auditLog.id);
    expect(after.map((a) => [a.actorId, a.targetId, a.data])).toEqual([
      [row!.id, clientId, { client: 'Cổng dịch vụ công tỉnh (thử nghiệm)', acr: 'LoA2' }],
      [row!.id, clientId, { client: 'Cổng dịch vụ công tỉnh (thử nghiệm)', acr: 'LoA2', reused: true }],
    ]);
  });

  it('the return address is only ever the login step of this site: another site or path goes to TRANG CÁ NHÂN', async () => {
    for (const bad of ['https://evil.example/sso/interaction/x', '//evil.example/sso/interaction/x', '/sso/../admin', '/sso/token']) {
      const browser = new Browser();
      const start = await browser.get(`${server.origin}/dang-nhap/vneid?tiep=${encodeURIComponent(bad)}`);
      expect(start.status).toBe(303);
      const callback = await vneidAtSimulator(start.location!);
      const landed = await browser.get(callback);
      expect(landed.location).toBe(`${server.origin}/ca-nhan`);
    }
  });

  it("a citizen who comes with a portal session to an officials' application is refused, never given an account", async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const { browser, toLogin } = await authorize(rp, 'openid profile official');
    // An officials' application sends the browser to the one-stop system's login, not the portal's.
    expect(new URL(toLogin.url).pathname).toBe('/tiepnhan/dang-nhap');
    const tiep = new URL(toLogin.url).searchParams.get('tiep')!;
    const start = await browser.get(`${server.origin}/dang-nhap/vneid?tiep=${encodeURIComponent(tiep)}`);
    const landed = await browser.get(await vneidAtSimulator(start.location!));
    const back = new URL((await browser.follow(landed.location!, server.origin)).url);
    expect(back.origin + back.pathname).toBe(APP_CALLBACK);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login'))).toEqual([]);
  });
});
