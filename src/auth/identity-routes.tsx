import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { SESSION_COOKIE, clearCookie, writeCookie } from '../web/cookies.js';
import { actorOf, requireLogin } from '../web/http.js';
import { safeRedirect } from '../web/safe-redirect.js';
import { idParam } from '../web/params.js';
import { AppError } from '../shared/errors.js';
import { endBrowserSession } from '../sso/end-sessions.js';
import { finishLogin, startLogin } from './oidc/flow.js';
import { loginOfficialWithIdentity, type IdentityLoginResult } from './login-with-identity.js';
import { countLogin, loginOutcome } from '../shared/metrics.js';
import { switchAccount } from './switch-account.js';
import { LINK_PATH, endPendingLoginOf, startPendingChoice } from './link-routes.js';
import type { ProviderKey } from './oidc/transactions.js';
import { redirectToLoginError } from './login-error-flash.js';

/** Officials' logins at VNeID and at the provincial SSO, and Chuyển tài khoản. */
export const identityRoutes = new Hono<AppEnv>();

function rpFor(c: { get: (k: 'deps') => AppEnv['Variables']['deps'] }, key: ProviderKey) {
  const rp = c.get('deps').rps[key];
  if (!rp) {
    throw new AppError(
      'provider_not_configured',
      'Đăng nhập qua Hệ thống xác thực tập trung chưa được cấu hình trên hệ thống này. Vui lòng đăng nhập bằng tài khoản VNeID hoặc liên hệ quản trị hệ thống.',
      503,
    );
  }
  return rp;
}

for (const key of ['vneid', 'sso'] as const) {
  identityRoutes.get(`/dang-nhap/${key}`, async (c) => {
    try {
      return await startLogin(c, rpFor(c, key), key, 'official', safeRedirect(c.req.query('tiep'), 'official'));
    } catch (err) {
      if (err instanceof AppError) return redirectToLoginError(c, 'official', err);
      throw err;
    }
  });

  identityRoutes.get(`/dang-nhap/${key}/callback`, async (c) => {
    const deps = c.get('deps');
    const rp = rpFor(c, key);
    let returnTo: string | null;
    let result: IdentityLoginResult;
    try {
      const finished = await finishLogin(c, rp, key, 'official');
      returnTo = finished.returnTo;
      result = await loginOfficialWithIdentity(
        deps.db,
        {
          sessions: { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs },
          minLoa: rp.settings.minLoa,
          now: deps.now,
        },
        { key, issuer: rp.settings.issuer },
        finished.identity,
        c.get('meta'),
        returnTo,
      );
    } catch (err) {
      // Failures of the OpenID flow (state, provider, signature) count as well as refusals of the account.
      countLogin(key, loginOutcome(err));
      // Shown on a clean page with the login chrome: no `code`/`state` left in the address or the history.
      // A malformed address (invalid_query) is no provider's answer: refused where it is, as any bad query.
      if (err instanceof AppError && err.code !== 'invalid_query') return redirectToLoginError(c, 'official', err);
      throw err;
    }
    countLogin(key, result.kind === 'choose' ? 'pending_choice' : 'success');
    const old = c.get('sessionToken');
    if (old) await endBrowserSession(deps.db, old);
    await endPendingLoginOf(c);
    if (result.kind === 'choose') {
      clearCookie(c, SESSION_COOKIE);
      return startPendingChoice(c, result.pendingToken);
    }
    writeCookie(c, SESSION_COOKIE, result.token);
    // Accounts that name this person wait for their Đồng ý / Từ chối before anything else.
    const next = safeRedirect(returnTo, 'official');
    return c.redirect(result.pendingLinks > 0 ? `${LINK_PATH}?tiep=${encodeURIComponent(next)}` : next, 303);
  });
}

identityRoutes.post('/chuyen-tai-khoan/:id', requireLogin, async (c) => {
  const deps = c.get('deps');
  const proof = c.get('identityProof');
  const { token } = await switchAccount(
    deps.db,
    actorOf(c),
    proof,
    c.get('sessionToken')!,
    idParam(c, 'Tài khoản'),
    {
      sessions: { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs },
      minLoa: proof ? (deps.rps[proof.method]?.settings.minLoa ?? 2) : 2,
    },
    deps.now(),
  );
  writeCookie(c, SESSION_COOKIE, token);
  return c.redirect('/tiepnhan', 303);
});
