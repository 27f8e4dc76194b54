/**
 * VNeID-like screens (seed 000 Bước 5–6, seed 002 §II): choose "Tài khoản Định danh điện tử cấp
 * bởi Bộ Công an", enter số định danh cá nhân and password, receive an OTP by SMS, enter it, Xác nhận.
 */
import { Hono, type Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import type { HttpBindings } from '@hono/node-server';
import type Provider from 'oidc-provider';
import type { SimState } from './state.js';

type Env = { Bindings: HttpBindings };

function Page(p: { title: string; children: Child }) {
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{p.title} — VNeID (mô phỏng)</title>
          <link rel="stylesheet" href="/sim.css" />
        </head>
        <body>
          <header>
            <strong>VNeID</strong> <span>Định danh điện tử — Bộ Công an</span> <em>(hệ thống mô phỏng)</em>
          </header>
          <main>{p.children}</main>
        </body>
      </html>
    </>
  );
}

const Err = (p: { msg?: string | undefined }) =>
  p.msg ? (
    <p class="error" role="alert">
      {p.msg}
    </p>
  ) : null;

export function screenRoutes(provider: Provider, state: SimState) {
  const app = new Hono<Env>();
  const details = (c: Context<Env>) => provider.interactionDetails(c.env.incoming, c.env.outgoing);
  const finish = async (c: Context<Env>, result: Record<string, unknown>) =>
    c.redirect(await provider.interactionResult(c.env.incoming, c.env.outgoing, result, { mergeWithLastSubmission: false }), 303);

  app.get('/interaction/:uid', async (c) => {
    const d = await details(c);
    return c.html(
      <Page title="Chọn tài khoản đăng nhập">
        <h1>Đăng nhập</h1>
        <p>Chọn loại tài khoản để đăng nhập vào {String(d.params.client_id)}:</p>
        <a class="choice" href={`/interaction/${d.uid}/vneid`}>
          Tài khoản Định danh điện tử cấp bởi Bộ Công an
          <small>dành cho Công dân, Tổ chức, Doanh nghiệp</small>
        </a>
        <form method="post" action={`/interaction/${d.uid}/huy`}>
          <button type="submit" class="link">
            Hủy đăng nhập
          </button>
        </form>
      </Page>,
    );
  });

  const loginForm = (uid: string, msg?: string, number = '') => (
    <Page title="Đăng nhập VNeID">
      <h1>Đăng nhập bằng tài khoản định danh điện tử</h1>
      <Err msg={msg} />
      <form method="post" action={`/interaction/${uid}/vneid`}>
        <label for="soDinhDanh">Số định danh cá nhân</label>
        <input id="soDinhDanh" name="soDinhDanh" inputmode="numeric" autocomplete="username" value={number} required />
        <label for="password">Mật khẩu</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit">Đăng nhập</button>
      </form>
    </Page>
  );

  app.get('/interaction/:uid/vneid', async (c) => {
    const d = await details(c);
    return c.html(loginForm(d.uid));
  });

  app.post('/interaction/:uid/vneid', async (c) => {
    const d = await details(c);
    const body = await c.req.parseBody();
    const number = String(body.soDinhDanh ?? '').trim();
    const person = state.person(number);
    if (!person || person.password !== String(body.password ?? '')) {
      return c.html(loginForm(d.uid, 'Số định danh cá nhân hoặc mật khẩu không đúng.', number), 401);
    }
    const sent = state.issueOtp(d.uid, person);
    if (!sent.ok) return c.redirect(`/interaction/${d.uid}/otp`, 303);
    return c.redirect(`/interaction/${d.uid}/otp`, 303);
  });

  const otpForm = (uid: string, phone: string, msg?: string, info?: string) => (
    <Page title="Xác thực OTP">
      <h1>Nhập mã OTP</h1>
      <p>
        Mã OTP đã được gửi đến số điện thoại {phone.slice(0, 3)}****{phone.slice(-3)}.
      </p>
      <Err msg={msg} />
      {info ? <p class="info">{info}</p> : null}
      <form method="post" action={`/interaction/${uid}/otp`}>
        <label for="otp">Mã OTP (6 chữ số)</label>
        <input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" maxlength={6} required />
        <button type="submit">Xác nhận</button>
      </form>
      <form method="post" action={`/interaction/${uid}/gui-lai`}>
        <button type="submit" class="link">
          Gửi lại mã OTP
        </button>
      </form>
    </Page>
  );

  app.get('/interaction/:uid/otp', async (c) => {
    const d = await details(c);
    const person = state.pendingOtpPerson(d.uid);
    if (!person) return c.redirect(`/interaction/${d.uid}/vneid`, 303);
    return c.html(otpForm(d.uid, person.soDienThoai));
  });

  app.post('/interaction/:uid/gui-lai', async (c) => {
    const d = await details(c);
    const person = state.pendingOtpPerson(d.uid);
    if (!person) return c.redirect(`/interaction/${d.uid}/vneid`, 303);
    const sent = state.issueOtp(d.uid, person);
    return c.html(
      otpForm(
        d.uid,
        person.soDienThoai,
        sent.ok ? undefined : `Vui lòng chờ ${sent.waitSeconds} giây trước khi gửi lại mã.`,
        sent.ok ? 'Đã gửi lại mã OTP.' : undefined,
      ),
      sent.ok ? 200 : 429,
    );
  });

  app.post('/interaction/:uid/otp', async (c) => {
    const d = await details(c);
    const body = await c.req.parseBody();
    const person = state.pendingOtpPerson(d.uid);
    if (!person) return c.redirect(`/interaction/${d.uid}/vneid`, 303);
    const check = state.checkOtp(d.uid, String(body.otp ?? '').trim());
    if (!check.ok) {
      const msg =
        check.reason === 'expired'
          ? 'Mã OTP đã hết hạn. Vui lòng bấm "Gửi lại mã OTP".'
          : check.reason === 'too_many'
            ? 'Bạn đã nhập sai mã OTP quá 5 lần. Vui lòng bấm "Gửi lại mã OTP".'
            : check.reason === 'missing'
              ? 'Mã OTP không còn hiệu lực. Vui lòng bấm "Gửi lại mã OTP".'
              : `Mã OTP không đúng. Bạn còn ${check.triesLeft} lần thử.`;
      return c.html(otpForm(d.uid, person.soDienThoai, msg), 400);
    }
    return finish(c, {
      login: { accountId: check.person.techId, acr: check.person.loa === 2 ? 'LoA2' : 'LoA1', amr: ['pwd', 'otp'] },
    });
  });

  app.post('/interaction/:uid/huy', async (c) => {
    await details(c);
    return finish(c, { error: 'access_denied', error_description: 'Người dùng đã hủy đăng nhập.' });
  });

  app.get('/sim.css', (c) =>
    c.body(
      'body{font-family:system-ui,Arial,sans-serif;margin:0;background:#f5f5f5;color:#222}header{background:#c8102e;color:#fff;padding:12px 16px}main{max-width:420px;margin:24px auto;background:#fff;padding:20px;border-radius:8px}label{display:block;font-weight:600;margin-top:10px}input{width:100%;box-sizing:border-box;padding:10px;font-size:1rem;margin-top:4px}button{margin-top:14px;padding:10px 16px;font-size:1rem;background:#c8102e;color:#fff;border:0;border-radius:6px;width:100%}button.link{background:none;color:#c8102e;width:auto}.choice{display:block;padding:14px;border:2px solid #c8102e;border-radius:8px;color:#c8102e;text-decoration:none;font-weight:600}.choice small{display:block;color:#555;font-weight:400}.error{color:#b3261e;background:#fdecea;padding:8px;border-radius:6px}.info{color:#1b6e3a}',
      200,
      { 'Content-Type': 'text/css; charset=utf-8' },
    ),
  );
  return app;
}
