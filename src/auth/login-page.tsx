/**
 * HỆ THỐNG MỘT CỬA ĐIỆN TỬ — ĐĂNG NHẬP HỆ THỐNG (seed 000, Bước 4), and its second step for break-glass accounts
 * after the VNeID cutoff: the 6-digit TOTP code alone (the password stays with step 1, never in the page).
 */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { ADDRESS_META, FORMS_SCRIPT } from '../web/post-answer.js';
export type LoginPageProps = {
  siteName: string;
  csrfToken: string;
  username: string;
  remember: boolean;
  next: string;
  error?: { code: string; message: string } | undefined;
  info?: string | undefined;
  /** When a VNeID-only cutoff is set somewhere: the notice. */
  cutoffNotice?: string | undefined;
  /** The CAPTCHA level the typed name needs (docs/decisions/0009); 0 or absent = the usual work. */
  captchaLevel?: number;
  /** At the provincial SSO's login step for an application that accepts VNeID level 2 only: no password form. */
  vneidOnly?: boolean;
  /** A refusal answering the post: where a GET shows the page again (web/post-answer.ts). */
  address?: string | undefined;
};

/** The page around either step: the site, the refusal, the cutoff notice, the other ways in. */
function LoginShell(p: {
  siteName: string;
  error?: { code: string; message: string } | undefined;
  info?: string | undefined;
  cutoffNotice?: string | undefined;
  /** Where the login goes on to (?tiep=): the VNeID and SSO buttons carry it too. */
  next?: string | undefined;
  /** No other way in above the VNeID button (no "Hoặc" before it). */
  vneidOnly?: boolean;
  address?: string | undefined;
  children: Child;
}) {
  const tiep = p.next && p.next !== '/tiepnhan' ? `?tiep=${encodeURIComponent(p.next)}` : '';
  // The provincial SSO's own login step came here: its button would start a login at the SSO inside it.
  const atSsoLoginStep = p.next?.startsWith('/sso/interaction/') ?? false;
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Đăng nhập hệ thống — {p.siteName}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <link rel="stylesheet" href="/static/altcha/altcha.css" />
          <script type="module" src="/static/login.js"></script>
          {p.address ? (
            <>
              <meta name={ADDRESS_META} content={p.address} />
              <script type="module" src={FORMS_SCRIPT}></script>
            </>
          ) : null}
        </head>
        <body class="login-body">
          <main id="main" class="login-card">
            <p class="login-province">{p.siteName.toUpperCase()}</p>
            <h1>HỆ THỐNG MỘT CỬA ĐIỆN TỬ</h1>
            <h2>ĐĂNG NHẬP HỆ THỐNG</h2>
            {p.error ? (
              <p class="flash flash-error" role="alert" data-error-code={p.error.code}>
                {p.error.message}
              </p>
            ) : null}
            {p.cutoffNotice ? (
              <p class="flash flash-info" role="note">
                {p.cutoffNotice}
              </p>
            ) : null}
            {p.info ? (
              <p class="flash flash-info" role="status">
                {p.info}
              </p>
            ) : null}
            {p.children}
            {p.vneidOnly ? null : <p class="or">Hoặc</p>}
            <a class="button wide vneid" href={`/tiepnhan/dang-nhap/vneid${tiep}`}>
              Đăng nhập bằng tài khoản VNEID
            </a>
            {atSsoLoginStep ? null : (
              <>
                <p class="or">Hoặc</p>
                <a class="button wide sso" href={`/tiepnhan/dang-nhap/sso${tiep}`}>
                  Đăng nhập qua Hệ thống xác thực tập trung
                </a>
              </>
            )}
          </main>
        </body>
      </html>
    </>
  );
}

/** Bước 1: name, password, CAPTCHA. */
export function LoginPage(p: LoginPageProps) {
  if (p.vneidOnly)
    return (
      <LoginShell siteName={p.siteName} error={p.error} info={p.info} next={p.next} vneidOnly>
        <p class="flash flash-info" role="note">
          Ứng dụng bạn đang mở chỉ chấp nhận đăng nhập bằng tài khoản định danh điện tử VNeID mức độ 2.
        </p>
      </LoginShell>
    );
  return (
    <LoginShell siteName={p.siteName} error={p.error} info={p.info} cutoffNotice={p.cutoffNotice} next={p.next} address={p.address}>
      <form method="post" action="/tiepnhan/dang-nhap" class="login-form">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        <input type="hidden" name="tiep" value={p.next} />
        <label for="username">Tên tài khoản</label>
        <input
          id="username"
          name="username"
          autocomplete="username"
          required
          value={p.username}
          autofocus={!p.username}
          autocapitalize="none"
          spellcheck={false}
        />
        <label for="password">Mật khẩu</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required autofocus={!!p.username} />
        <label class="check">
          <input type="checkbox" name="remember" value="1" checked={p.remember} /> Nhớ tài khoản
        </label>
        <div class="captcha">
          <altcha-widget
            challenge={p.captchaLevel ? `/tiepnhan/captcha?muc=${p.captchaLevel}` : '/tiepnhan/captcha'}
            name="altcha"
            language="vi"
            auto="onfocus"
          ></altcha-widget>
          <noscript>
            <p class="flash flash-error">Vui lòng bật JavaScript để xác nhận "Tôi không phải là người máy".</p>
          </noscript>
        </div>
        <button type="submit" class="primary wide">
          Đăng nhập
        </button>
      </form>
    </LoginShell>
  );
}

/**
 * Bước 2 of a break-glass account: only the code. The pending login (its cookie) knows the account; the page
 * carries nothing of step 1 but the CSRF token.
 */
export function CodeStepPage(p: {
  siteName: string;
  csrfToken: string;
  error?: { code: string; message: string } | undefined;
  address?: string | undefined;
}) {
  return (
    <LoginShell siteName={p.siteName} error={p.error} address={p.address}>
      <form method="post" action="/tiepnhan/dang-nhap/ma-xac-thuc" class="login-form">
        <input type="hidden" name="_csrf" value={p.csrfToken} />
        <p>Tài khoản khẩn cấp: nhập mã xác thực 6 chữ số đang hiện trong ứng dụng xác thực của bạn.</p>
        <label for="code">Mã xác thực</label>
        <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength={6} pattern="[0-9]{6}" required autofocus />
        <button type="submit" class="primary wide">
          Xác nhận
        </button>
        <p>
          <a href="/tiepnhan/dang-nhap">Đăng nhập lại</a>
        </p>
      </form>
    </LoginShell>
  );
}
