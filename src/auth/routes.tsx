import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { REMEMBER_COOKIE, SESSION_COOKIE, clearCookie, readCookie, writeCookie } from '../web/cookies.js';
import { csrfToken } from '../web/csrf.js';
import { CSRF_COOKIE } from '../web/cookies.js';
import { Layout, CsrfField, FieldError, Flash } from '../web/layout.js';
import { formData, pageProps, requireLogin, siteName, actorOf, type Ctx } from '../web/http.js';
import { safeRedirect } from '../web/safe-redirect.js';
import { endPendingLoginOf } from './link-routes.js';
import { formatDate } from '../shared/dates.js';
import { anyUnitCutoff, passwordOpen, provinceCutoff } from './cutoff.js';
import { AppError } from '../shared/errors.js';
import { countLogin, loginOutcome } from '../shared/metrics.js';
import { logoutOfficial } from './logout.js';
import { LoginPage } from './login-page.js';
import { loginWithPassword } from './login-with-password.js';
import { refusedLoginCounter } from './refused-logins.js';
import { captchaLevel } from './captcha.js';
import { captchaLevelForName } from './throttle.js';
import { changePassword } from './change-password.js';
import { destroySession } from './sessions.js';
import { takeLoginError } from './login-error-flash.js';

export const authRoutes = new Hono<AppEnv>();

/** A CAPTCHA challenge; `muc` asks for a higher level (more work), which the login page asks for a name under attack. */
authRoutes.get('/captcha', async (c) => {
  const challenge = await c.get('deps').captcha.challenge(captchaLevel(c.req.query('muc')));
  return c.json(challenge, 200, { 'Cache-Control': 'no-store' });
});

/** What the login page says about the VNeID-only cutoff. */
async function cutoffProps(c: Ctx) {
  const { db, now } = c.get('deps');
  const province = await provinceCutoff(db);
  const anyUnit = await anyUnitCutoff(db);
  const notice = province
    ? passwordOpen(province, now())
      ? `Từ ngày ${formatDate(province)}, cán bộ chỉ đăng nhập bằng tài khoản VNeID. Vui lòng gắn và xác thực số CCCD trước ngày này.`
      : `Từ ngày ${formatDate(province)}, cán bộ chỉ đăng nhập bằng tài khoản VNeID.`
    : undefined;
  // Folded behind "Tài khoản khẩn cấp" for everyone alike: the page never tells which names are break-glass.
  return { cutoffNotice: notice, totp: province || anyUnit ? ('folded' as const) : undefined };
}

/** Refusals after which the TOTP field is asked for (open): the break-glass second step, and a paused name. */
const TOTP_ASKED = new Set(['totp_required', 'totp_invalid', 'password_login_paused']);

authRoutes.get('/dang-nhap', async (c) => {
  if (c.get('account')) return c.redirect(safeRedirect(c.req.query('tiep'), 'official'), 303);
  const remembered = readCookie(c, REMEMBER_COOKIE) ?? '';
  return c.html(
    <LoginPage
      siteName={await siteName(c)}
      csrfToken={c.get('csrfToken')}
      username={remembered}
      remember={!!remembered}
      next={safeRedirect(c.req.query('tiep'), 'official')}
      info={c.req.query('da-dang-xuat') ? 'Bạn đã đăng xuất.' : undefined}
      {...(await cutoffProps(c))}
      captchaLevel={await captchaLevelForName(c.get('deps').db, remembered, c.get('deps').now())}
    />,
  );
});

/** A refused VNeID / SSO login, on a clean address (login-error-flash.ts); nothing to show → the login page. */
authRoutes.get('/dang-nhap/loi', async (c) => {
  const err = takeLoginError(c);
  if (!err) return c.redirect('/tiepnhan/dang-nhap', 303);
  const remembered = readCookie(c, REMEMBER_COOKIE) ?? '';
  return c.html(
    <LoginPage
      siteName={await siteName(c)}
      csrfToken={c.get('csrfToken')}
      username={remembered}
      remember={!!remembered}
      next="/tiepnhan"
      error={{ code: err.code, message: err.message }}
      {...(await cutoffProps(c))}
      captchaLevel={await captchaLevelForName(c.get('deps').db, remembered, c.get('deps').now())}
    />,
    err.status as 400,
  );
});

authRoutes.post('/dang-nhap', async (c) => {
  const deps = c.get('deps');
  const form = await formData(c);
  const username = (form.username ?? '').trim();
  const remember = form.remember === '1';
  const next = safeRedirect(form.tiep, 'official');
  try {
    const { token } = await loginWithPassword(
      deps.db,
      {
        captcha: deps.captcha,
        sessions: { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs },
        now: deps.now,
        refused: refusedLoginCounter(deps.logger),
      },
      { username, password: form.password ?? '', captcha: form.altcha, totp: form.totp || undefined },
      c.get('meta'),
    );
    // A fresh session id at login; the old one (if any) is gone.
    const old = c.get('sessionToken');
    if (old) await destroySession(deps.db, old);
    await endPendingLoginOf(c);
    writeCookie(c, SESSION_COOKIE, token);
    if (remember) writeCookie(c, REMEMBER_COOKIE, username, 365 * 24 * 3600);
    else clearCookie(c, REMEMBER_COOKIE);
    countLogin('password', 'success');
    return c.redirect(next, 303);
  } catch (err) {
    countLogin('password', loginOutcome(err));
    if (!(err instanceof AppError)) throw err;
    const csrfCookie = readCookie(c, CSRF_COOKIE) ?? '';
    return c.html(
      <LoginPage
        siteName={await siteName(c)}
        csrfToken={csrfToken(deps.config.sessionSecret, csrfCookie, c.get('sessionToken'))}
        username={username}
        remember={remember}
        next={next}
        error={{ code: err.code, message: err.message }}
        {...(await cutoffProps(c))}
        {...(TOTP_ASKED.has(err.code) ? { totp: 'asked' as const } : {})}
        captchaLevel={await captchaLevelForName(deps.db, username, deps.now())}
      />,
      err.status as 400,
    );
  }
});

authRoutes.post('/dang-xuat', async (c) => {
  const deps = c.get('deps');
  await logoutOfficial(deps.db, c.get('sessionToken'), c.get('account'), c.get('meta'));
  clearCookie(c, SESSION_COOKIE);
  // A shared counter PC: nobody after this person may finish their VNeID login.
  await endPendingLoginOf(c);
  return c.redirect('/tiepnhan/dang-nhap?da-dang-xuat=1', 303);
});

authRoutes.use('/doi-mat-khau', requireLogin);

function ChangePasswordPage(p: { errors?: Record<string, string>; forced: boolean; done?: boolean; csrfToken: string }) {
  return (
    <section class="narrow">
      <h1>Đổi mật khẩu</h1>
      {p.forced ? (
        <Flash kind="info">
          Bạn đang dùng mật khẩu tạm thời do quản trị viên cấp (tài khoản mới hoặc vừa được đặt lại mật khẩu). Vui lòng đặt mật khẩu mới
          trước khi tiếp tục.
        </Flash>
      ) : null}
      {p.done ? <Flash kind="ok">Đã đổi mật khẩu.</Flash> : null}
      {p.errors?._ ? <Flash kind="error">{p.errors._}</Flash> : null}
      <form method="post" class="stack">
        <CsrfField token={p.csrfToken} />
        <label for="current">{p.forced ? 'Mật khẩu tạm thời' : 'Mật khẩu hiện tại'}</label>
        <input id="current" name="current" type="password" autocomplete="current-password" required />
        <FieldError errors={p.errors} name="current" />
        <label for="next">Mật khẩu mới (ít nhất 12 ký tự)</label>
        <input id="next" name="next" type="password" autocomplete="new-password" required minlength={12} />
        <FieldError errors={p.errors} name="next" />
        <label for="confirm">Nhập lại mật khẩu mới</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
        <FieldError errors={p.errors} name="confirm" />
        <button type="submit" class="primary">
          Lưu
        </button>
      </form>
    </section>
  );
}

authRoutes.get('/doi-mat-khau', async (c) => {
  const props = await pageProps(c);
  return c.html(
    <Layout title="Đổi mật khẩu" {...props}>
      <ChangePasswordPage forced={!!c.get('account')?.mustChangePassword} done={!!c.req.query('xong')} csrfToken={props.csrfToken} />
    </Layout>,
  );
});

authRoutes.post('/doi-mat-khau', async (c) => {
  const form = await formData(c);
  try {
    await changePassword(c.get('deps').db, actorOf(c), c.get('sessionToken')!, form);
    return c.redirect('/tiepnhan/doi-mat-khau?xong=1', 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const props = await pageProps(c);
    return c.html(
      <Layout title="Đổi mật khẩu" {...props}>
        <ChangePasswordPage
          forced={!!c.get('account')?.mustChangePassword}
          errors={err.fields ?? { _: err.message }}
          csrfToken={props.csrfToken}
        />
      </Layout>,
      err.status as 400,
    );
  }
});
