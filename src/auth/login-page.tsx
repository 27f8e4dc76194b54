/** HỆ THỐNG MỘT CỬA ĐIỆN TỬ — ĐĂNG NHẬP HỆ THỐNG (seed 000, Bước 4). */
import { raw } from 'hono/html';
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
  /**
   * The TOTP field of break-glass accounts: 'asked' when the server asks for it (the second step, after the right
   * password of such an account, or while a name's password login is paused), 'folded' behind the closed
   * "Tài khoản khẩn cấp" disclosure once a cutoff is set, absent otherwise. Nobody sees it unasked.
   */
  totp?: 'asked' | 'folded' | undefined;
  /** The CAPTCHA level the typed name needs (docs/decisions/0009); 0 or absent = the usual work. */
  captchaLevel?: number;
};

export function LoginPage(p: LoginPageProps) {
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
              {p.totp ? (
                <details class="break-glass" open={p.totp === 'asked'}>
                  <summary>Tài khoản khẩn cấp</summary>
                  <label for="totp">Mã xác thực (chỉ dành cho tài khoản khẩn cấp)</label>
                  <input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength={6} pattern="[0-9]{6}" />
                </details>
              ) : null}
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
            <p class="or">Hoặc</p>
            <a class="button wide vneid" href="/tiepnhan/dang-nhap/vneid">
              Đăng nhập bằng tài khoản VNEID
            </a>
            <p class="or">Hoặc</p>
            <a class="button wide sso" href="/tiepnhan/dang-nhap/sso">
              Đăng nhập qua Hệ thống xác thực tập trung
            </a>
          </main>
        </body>
      </html>
    </>
  );
}
