import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { SESSION_COOKIE, writeCookie } from '../web/cookies.js';
import { actorOf, requireLogin, safeNext } from '../web/http.js';
import { idParam } from '../web/params.js';
import { AppError } from '../shared/errors.js';
import { destroySession } from './sessions.js';
import { finishLogin, startLogin } from './oidc/flow.js';
import { loginOfficialWithIdentity } from './login-with-identity.js';
import { switchAccount } from './switch-account.js';
import type { ProviderKey } from './oidc/transactions.js';

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
  identityRoutes.get(`/dang-nhap/${key}`, (c) => startLogin(c, rpFor(c, key), key, 'official', safeNext(c.req.query('tiep'))));

  identityRoutes.get(`/dang-nhap/${key}/callback`, async (c) => {
    const deps = c.get('deps');
    const rp = rpFor(c, key);
    const { identity, returnTo } = await finishLogin(c, rp, key, 'official');
    const { token } = await loginOfficialWithIdentity(
      deps.db,
      { sessions: { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs }, minLoa: rp.settings.minLoa },
      { key, issuer: rp.settings.issuer },
      identity,
      c.get('meta'),
    );
    const old = c.get('sessionToken');
    if (old) await destroySession(deps.db, old);
    writeCookie(c, SESSION_COOKIE, token);
    return c.redirect(safeNext(returnTo ?? undefined), 303);
  });
}

identityRoutes.post('/chuyen-tai-khoan/:id', requireLogin, async (c) => {
  const deps = c.get('deps');
  const { token } = await switchAccount(deps.db, actorOf(c), c.get('sessionToken')!, idParam(c, 'Tài khoản'), {
    idleMs: deps.config.sessionIdleMs,
    absoluteMs: deps.config.sessionAbsoluteMs,
  });
  writeCookie(c, SESSION_COOKIE, token);
  return c.redirect('/tiepnhan', 303);
});
