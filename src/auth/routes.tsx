import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { REMEMBER_COOKIE, SESSION_COOKIE, clearCookie, readCookie, writeCookie } from '../web/cookies.js';
import { csrfToken } from '../web/csrf.js';
import { CSRF_COOKIE } from '../web/cookies.js';
import { Layout, CsrfField, FieldError, Flash } from '../web/layout.js';
import { formData, pageProps, requireLogin, siteName, actorOf, PASSWORD_CLOSED_FLAG, SESSION_ENDED_FLAG, type Ctx } from '../web/http.js';
import { safeRedirect } from '../web/safe-redirect.js';
import { endPendingLoginOf, pendingTokenOf, startPendingCode } from './link-routes.js';
import { formatDate } from '../shared/dates.js';
import { passwordOpen, provinceCutoff } from './cutoff.js';
import { AppError } from '../shared/errors.js';
import { countLogin, loginOutcome } from '../shared/metrics.js';
import { logoutOfficial } from './logout.js';
import { CodeStepPage, LoginPage } from './login-page.js';
import { loginWithPassword } from './login-with-password.js';
import { codeStepErrors, codeStepOf, loginWithCode } from './login-with-code.js';
import { throttleErrors } from './throttle.js';
import { refusedLoginCounter } from './refused-logins.js';
import { captchaLevel } from './captcha.js';
import { captchaLevelForName } from './throttle.js';
import { changePassword } from './change-password.js';
import { endBrowserSession } from '../sso/end-sessions.js';
import { takeLoginError } from './login-error-flash.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

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
  const notice = province
    ? passwordOpen(province, now())
      ? `Từ ngày ${formatDate(province)}, cán bộ chỉ đăng nhập bằng tài khoản VNeID. Vui lòng gắn và xác thực số CCCD trước ngày này.`
      : `Từ ngày ${formatDate(province)}, cán bộ chỉ đăng nhập bằng tài khoản VNeID.`
    : undefined;
  return { cutoffNotice: notice };
}

/** What the login page says above the form: a logout done, or a password session the VNeID-only cutoff ended. */
function loginInfo(c: Ctx): string | undefined {
  if (c.req.query(PASSWORD_CLOSED_FLAG))
    return 'Đơn vị của bạn đã chuyển sang chỉ đăng nhập bằng tài khoản VNeID, nên phiên đăng nhập bằng mật khẩu đã kết thúc. Vui lòng bấm "Đăng nhập bằng tài khoản VNEID" để đăng nhập lại.';
  if (c.req.query('da-dang-xuat')) return 'Bạn đã đăng xuất.';
  const ended = c.req.query(SESSION_ENDED_FLAG);
  if (ended === 'gui')
    return 'Phiên đăng nhập đã kết thúc nên nội dung vừa gửi chưa được lưu. Vui lòng đăng nhập lại; hệ thống sẽ đưa bạn về trang đang làm.';
  if (ended)
    return 'Phiên đăng nhập đã kết thúc (hết thời gian, đã đăng xuất ở nơi khác hoặc tài khoản vừa được quản trị thay đổi). Vui lòng đăng nhập lại.';
  return undefined;
}

authRoutes.get('/dang-nhap', async (c) => {
  if (c.get('account')) return c.redirect(safeRedirect(c.req.query('tiep'), 'official'), 303);
  const remembered = readCookie(c, REMEMBER_COOKIE) ?? '';
  return sendHtml(
    c,
    <LoginPage
      siteName={await siteName(c)}
      csrfToken={c.get('csrfToken')}
      username={remembered}
      remember={!!remembered}
      next={safeRedirect(c.req.query('tiep'), 'official')}
      vneidOnly={c.req.query('chi-vneid') === '1' && safeRedirect(c.req.query('tiep'), 'official').startsWith('/sso/interaction/')}
      info={loginInfo(c)}
      {...(await cutoffProps(c))}
      captchaLevel={await captchaLevelForName(c.get('deps').db, remembered, c.get('deps').now())}
    />,
  );
});

/** A refused VNeID / SSO login, on a clean address (login-error-flash.ts); nothing to show → the login page. */
authRoutes.get('/dang-nhap/loi', async (c) => {
  const err = takeLoginError(c, 'official');
  if (!err) return c.redirect('/tiepnhan/dang-nhap', 303);
  const remembered = readCookie(c, REMEMBER_COOKIE) ?? '';
  return sendHtml(
    c,
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

/** Where a login ends: a fresh session id (the old one, if any, is gone) and no pending login left behind. */
async function startSession(c: Ctx, token: string, next: string) {
  const old = c.get('sessionToken');
  if (old) await endBrowserSession(c.get('deps').db, old);
  await endPendingLoginOf(c);
  writeCookie(c, SESSION_COOKIE, token);
  countLogin('password', 'success');
  return c.redirect(next, 303);
}

/** The login page's address going on to `next` (what a GET of a refused login shows again). */
const loginAddress = (next: string) => `/tiepnhan/dang-nhap${next !== '/tiepnhan' ? `?tiep=${encodeURIComponent(next)}` : ''}`;

/** The CSRF token for a page rendered in answer to a POST (the middleware's is for the request's own form). */
function freshCsrf(c: Ctx) {
  return csrfToken(c.get('deps').config.sessionSecret, readCookie(c, CSRF_COOKIE) ?? '', c.get('sessionToken'));
}

authRoutes.post('/dang-nhap', async (c) => {
  const deps = c.get('deps');
  const form = await formData(c);
  const username = (form.username ?? '').trim();
  const remember = form.remember === '1';
  const next = safeRedirect(form.tiep, 'official');
  try {
    const result = await loginWithPassword(
      deps.db,
      {
        captcha: deps.captcha,
        sessions: { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs },
        now: deps.now,
        refused: refusedLoginCounter(deps.logger),
      },
      { username, password: form.password ?? '', captcha: form.altcha, returnTo: next },
      c.get('meta'),
    );
    if (remember) writeCookie(c, REMEMBER_COOKIE, username, 365 * 24 * 3600);
    else clearCookie(c, REMEMBER_COOKIE);
    if (result.kind === 'code') {
      // One pending login per browser: a VNeID choice left open is replaced by this code step.
      await endPendingLoginOf(c);
      return startPendingCode(c, result.pendingToken);
    }
    return startSession(c, result.token, next);
  } catch (err) {
    countLogin('password', loginOutcome(err));
    if (!(err instanceof AppError)) throw err;
    return sendHtml(
      c,
      <LoginPage
        siteName={await siteName(c)}
        csrfToken={freshCsrf(c)}
        username={username}
        remember={remember}
        next={next}
        error={{ code: err.code, message: err.message }}
        {...(await cutoffProps(c))}
        captchaLevel={await captchaLevelForName(deps.db, username, deps.now())}
        address={postAnswerAddress(c, loginAddress(next))}
      />,
      err.status as 400,
    );
  }
});

/** Đăng nhập, bước 2 (break-glass): the code alone; without a live pending login in this browser, back to step 1. */
async function codeStepPage(c: Ctx, csrf: string, err?: AppError) {
  const deps = c.get('deps');
  const step = await codeStepOf(deps.db, pendingTokenOf(c), deps.now());
  if (!step) {
    await endPendingLoginOf(c);
    const shown = err && err.code !== 'validation_failed' && err.code !== 'totp_invalid' ? err : codeStepErrors.expired();
    const remembered = readCookie(c, REMEMBER_COOKIE) ?? '';
    return sendHtml(
      c,
      <LoginPage
        siteName={await siteName(c)}
        csrfToken={csrf}
        username={remembered}
        remember={!!remembered}
        next="/tiepnhan"
        error={{ code: shown.code, message: shown.message }}
        {...(await cutoffProps(c))}
        captchaLevel={await captchaLevelForName(deps.db, remembered, deps.now())}
        address={postAnswerAddress(c, loginAddress('/tiepnhan'))}
      />,
      shown.status as 400,
    );
  }
  // Started while the name was paused: the pause is all this page says, whatever step 1 found.
  const shown = err ?? (step.pausedMs > 0 ? throttleErrors.passwordLoginPaused(Math.ceil(step.pausedMs / 60_000)) : undefined);
  return sendHtml(
    c,
    <CodeStepPage
      siteName={await siteName(c)}
      csrfToken={csrf}
      error={shown ? { code: shown.code, message: shown.fields?.code ?? shown.message } : undefined}
      address={postAnswerAddress(c, '/tiepnhan/dang-nhap/ma-xac-thuc')}
    />,
    (err?.status ?? 200) as 200,
  );
}

authRoutes.get('/dang-nhap/ma-xac-thuc', async (c) => {
  if (c.get('account')) return c.redirect('/tiepnhan', 303);
  // Never opened from step 1 in this browser: simply the login page.
  if (!pendingTokenOf(c)) return c.redirect('/tiepnhan/dang-nhap', 303);
  return codeStepPage(c, c.get('csrfToken'));
});

authRoutes.post('/dang-nhap/ma-xac-thuc', async (c) => {
  const deps = c.get('deps');
  const form = await formData(c);
  try {
    const { token, returnTo } = await loginWithCode(
      deps.db,
      { sessions: { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs }, now: deps.now() },
      { pendingToken: pendingTokenOf(c), code: form.code },
      c.get('meta'),
    );
    return startSession(c, token, safeRedirect(returnTo, 'official'));
  } catch (err) {
    countLogin('password', loginOutcome(err));
    if (!(err instanceof AppError)) throw err;
    return codeStepPage(c, freshCsrf(c), err);
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

function ChangePasswordPage(p: { errors?: Record<string, string>; forced: boolean; done?: boolean; csrfToken: string; action: string }) {
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
      <form method="post" action={p.action} class="stack">
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

/**
 * Where the official was going when the temporary password held them here (an application's login at the provincial
 * SSO: src/sso/routes.ts), checked as every such target is; null when nowhere.
 */
const continueTo = (c: Ctx) => (c.req.query('tiep') ? safeRedirect(c.req.query('tiep'), 'official') : null);
const changePasswordAction = (c: Ctx) => {
  const next = continueTo(c);
  return next ? `/tiepnhan/doi-mat-khau?tiep=${encodeURIComponent(next)}` : '/tiepnhan/doi-mat-khau';
};

authRoutes.get('/doi-mat-khau', async (c) => {
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Đổi mật khẩu" {...props}>
      <ChangePasswordPage
        forced={!!c.get('account')?.mustChangePassword}
        done={!!c.req.query('xong')}
        csrfToken={props.csrfToken}
        action={changePasswordAction(c)}
      />
    </Layout>,
  );
});

authRoutes.post('/doi-mat-khau', async (c) => {
  const form = await formData(c);
  try {
    await changePassword(c.get('deps').db, actorOf(c), c.get('sessionToken')!, form, c.get('deps').now());
    return c.redirect(continueTo(c) ?? '/tiepnhan/doi-mat-khau?xong=1', 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const props = await pageProps(c);
    return sendHtml(
      c,
      <Layout title="Đổi mật khẩu" {...props} address={postAnswerAddress(c, '/tiepnhan/doi-mat-khau')}>
        <ChangePasswordPage
          forced={!!c.get('account')?.mustChangePassword}
          errors={err.fields ?? { _: err.message }}
          csrfToken={props.csrfToken}
          action={changePasswordAction(c)}
        />
      </Layout>,
      err.status as 400,
    );
  }
});
