/**
 * Thông tin tài khoản → Phiên đăng nhập (mounted at /tiepnhan): the official's live sessions with the applications
 * each logged in to through the provincial SSO, and Kết thúc phiên. Ending the session in use asks first (it logs
 * this browser out). Parse → call listOwnSessions / endOwnSession → render.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { CsrfField, Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { clearCookie, SESSION_COOKIE } from '../web/cookies.js';
import { formatDateTimeMinute } from '../shared/dates.js';
import { AppError } from '../shared/errors.js';
import { ConfirmStep } from '../admin/confirm-page.js';
import { endOwnSession } from './end-own-session.js';
import { listOwnSessions, type OwnSession } from './own-sessions.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

const BASE = '/tiepnhan/tai-khoan/phien-dang-nhap';

const METHOD_WORDS: Record<string, string> = {
  password: 'mật khẩu',
  'password+totp': 'mật khẩu và mã xác thực (tài khoản khẩn cấp)',
  vneid: 'VNeID',
  sso: 'Hệ thống xác thực tập trung',
};

function SessionsPage(p: { sessions: OwnSession[]; csrfToken: string; notice?: string | undefined; error?: string | undefined }) {
  return (
    <section>
      <h1>Phiên đăng nhập</h1>
      <p class="muted">
        Các thiết bị đang đăng nhập tài khoản của bạn, và các ứng dụng đã đăng nhập qua Hệ thống xác thực tập trung trong từng phiên. Kết
        thúc một phiên sẽ đăng xuất thiết bị đó và các ứng dụng đó.
      </p>
      {p.notice ? <Flash kind="ok">{p.notice}</Flash> : null}
      {p.error ? <Flash kind="error">{p.error}</Flash> : null}
      <table class="list" data-testid="sessions">
        <thead>
          <tr>
            <th>Thiết bị</th>
            <th>Địa chỉ</th>
            <th>Bắt đầu</th>
            <th>Dùng gần nhất</th>
            <th>Ứng dụng đã đăng nhập</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {p.sessions.map((s) => (
            <tr data-session={s.id}>
              <td>
                {s.device}
                {s.current ? <strong> (phiên đang dùng)</strong> : null}
                <br />
                <small class="muted">Đăng nhập bằng {METHOD_WORDS[s.method] ?? s.method}</small>
              </td>
              <td>{s.ip ?? '—'}</td>
              <td>{formatDateTimeMinute(s.startedAt)}</td>
              <td>{formatDateTimeMinute(s.lastSeenAt)}</td>
              <td>{s.applications.length ? s.applications.join(', ') : '—'}</td>
              <td>
                {s.current ? (
                  <a class="button" href={`${BASE}/ket-thuc?phien=${s.id}`}>
                    Kết thúc phiên
                  </a>
                ) : (
                  <form method="post" action={`${BASE}/ket-thuc`} class="inline">
                    <CsrfField token={p.csrfToken} />
                    <input type="hidden" name="phien" value={s.id} />
                    <button type="submit">Kết thúc phiên</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a href="/tiepnhan/tai-khoan">Về Thông tin tài khoản</a>
      </p>
    </section>
  );
}

async function render(c: Ctx, flash: { notice?: string; error?: string } = {}, status: 200 | 400 = 200) {
  const { db, now, config } = c.get('deps');
  const policy = { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs };
  const sessions = await listOwnSessions(db, actorOf(c), c.get('sessionToken'), policy, now());
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Phiên đăng nhập" section="personal" {...props} address={postAnswerAddress(c, BASE)}>
      <SessionsPage sessions={sessions} csrfToken={props.csrfToken} notice={flash.notice} error={flash.error} />
    </Layout>,
    status,
  );
}

export const ownSessionRoutes = new Hono<AppEnv>();
ownSessionRoutes.use('/tai-khoan/phien-dang-nhap', requireLogin);
ownSessionRoutes.use('/tai-khoan/phien-dang-nhap/*', requireLogin);

ownSessionRoutes.get('/tai-khoan/phien-dang-nhap', (c) => render(c));

// The session in use: say what happens first (this browser is logged out, with its applications).
ownSessionRoutes.get('/tai-khoan/phien-dang-nhap/ket-thuc', async (c) => {
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Kết thúc phiên đang dùng" section="personal" {...props}>
      <ConfirmStep
        title="Kết thúc phiên đang dùng"
        csrfToken={props.csrfToken}
        action={`${BASE}/ket-thuc`}
        hidden={{ phien: c.req.query('phien') ?? '' }}
        statement="Tôi xác nhận kết thúc phiên đăng nhập đang dùng trên thiết bị này."
        button="Kết thúc phiên"
        danger
        cancelHref={BASE}
      >
        <p>
          Đây là phiên bạn đang dùng: kết thúc phiên sẽ đăng xuất bạn khỏi thiết bị này và khỏi các ứng dụng đã đăng nhập qua phiên này.
        </p>
      </ConfirmStep>
    </Layout>,
  );
});

ownSessionRoutes.post('/tai-khoan/phien-dang-nhap/ket-thuc', async (c) => {
  const form = await formData(c);
  try {
    const { current } = await endOwnSession(c.get('deps').db, actorOf(c), c.get('sessionToken'), form);
    if (current) {
      clearCookie(c, SESSION_COOKIE);
      return c.redirect('/tiepnhan/dang-nhap?da-dang-xuat=1', 303);
    }
    return render(c, { notice: 'Đã kết thúc phiên đăng nhập và đăng xuất các ứng dụng của phiên đó.' });
  } catch (err) {
    if (!(err instanceof AppError) || err.status !== 400) throw err;
    return render(c, { error: err.message }, 400);
  }
});
