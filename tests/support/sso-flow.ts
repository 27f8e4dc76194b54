/**
 * An official's trip through the provincial SSO, as a browser makes it: the application's authorization request,
 * the provider's login step, the one-stop login page (password + CAPTCHA), back to the application's callback —
 * and the tokens openid-client gets for the code. The one-stop session (a Client) and the browser (provider
 * cookies) are returned, to log out or authorize again with them.
 */
import { expect } from 'vitest';
import * as oidc from 'openid-client';
import { Client, TEST_PASSWORD } from './app.js';
import { APP_CALLBACK, Browser, type SsoServer } from './sso.js';

export type SsoLogin = {
  browser: Browser;
  staff: Client;
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
};

/** authorize → (login if the browser has no session) → callback → code exchange. */
export async function ssoLogin(
  server: SsoServer,
  rp: oidc.Configuration,
  opts: { username?: string; browser?: Browser; staff?: Client; scope?: string; prompt?: string } = {},
): Promise<SsoLogin> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: APP_CALLBACK,
    scope: opts.scope ?? 'openid profile official',
    ...(opts.prompt ? { prompt: opts.prompt } : {}),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  });
  const browser = opts.browser ?? new Browser();
  let staff = opts.staff ?? new Client(server.app);
  let back = await browser.follow(url.href, server.origin);
  if (back.url.startsWith(`${server.origin}/tiepnhan/dang-nhap`)) {
    const tiep = new URL(back.url).searchParams.get('tiep')!;
    staff = new Client(server.app);
    const res = await staff.login(opts.username ?? 'quantri1', TEST_PASSWORD, { tiep });
    expect(res.location).toBe(tiep);
    browser.cookies.set('motcua_sid', staff.cookies.get('motcua_sid')!);
    back = await browser.follow(`${server.origin}${tiep}`, server.origin);
  }
  expect(back.url.startsWith(`${APP_CALLBACK}?`), `ended at ${back.url}: ${back.status} ${back.text.slice(0, 3000)}`).toBe(true);
  const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
  return { browser, staff, tokens };
}

/** An authorization request of the test application with a fresh PKCE verifier (S256): its URL and the verifier. */
export async function pkceAuthorization(rp: oidc.Configuration, params: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(rp, {
    redirect_uri: APP_CALLBACK,
    scope: 'openid profile official',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...params,
  });
  return { url, verifier };
}

/** Where the next authorization request of this browser goes first: the callback (logged in) or a login page. */
export async function nextAuthorization(server: SsoServer, rp: oidc.Configuration, browser: Browser): Promise<string> {
  const { url } = await pkceAuthorization(rp, { scope: 'openid', state: oidc.randomState() });
  return (await browser.follow(url.href, server.origin)).url;
}

/** The OAuth error of a refused request (openid-client's error, or a WWW-Authenticate challenge). */
export async function oauthError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const challenge = (err as { cause?: Array<{ parameters?: { error?: string } }> }).cause;
    if (Array.isArray(challenge) && challenge[0]?.parameters?.error) return challenge[0].parameters.error;
    return String((err as { error?: string }).error ?? (err as Error).message);
  }
  throw new Error('expected the request to be refused');
}
