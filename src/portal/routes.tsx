import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { clearCookie, readCookie, writeCookie } from '../web/cookies.js';
import { SESSION_ENDED_FLAG, siteName, type Ctx } from '../web/http.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../shared/errors.js';
import { redirectToLoginError, takeLoginError } from '../auth/login-error-flash.js';
import { queryOf } from '../web/params.js';
import { START_PAGE, safeRedirect } from '../web/safe-redirect.js';
import { param } from '../shared/validate.js';
import { finishLogin, startLogin } from '../auth/oidc/flow.js';
import { endBrowserSession } from '../sso/end-sessions.js';
import { PORTAL_COOKIE, currentCitizen, sessionPolicyOf } from './citizen-context.js';
import { PortalPage } from './layout.js';
import { loginCitizen } from './login-citizen.js';
import { countLogin, loginOutcome } from '../shared/metrics.js';
import { logoutCitizen } from './logout-citizen.js';
import { lookupDossier } from '../dossiers/public-lookup.js';
import { presentLookupResult } from '../dossiers/presenters.js';
import { formatDateTime } from '../shared/dates.js';
import { sendHtml } from '../web/send-html.js';
import { Flash } from '../web/layout.js';

export const portalRoutes = new Hono<AppEnv>();

/** Cổng Dịch vụ công: the citizens' portal home. */
/**
 * `?tb=da-dang-xuat`: the home page says the logout happened (the only notice it shows). Anything else in `tb` is
 * ignored: the home page is where people land from anywhere, and an old or mistyped link must still show it.
 */
const HomeQuery = z.object({ tb: z.string().optional().catch(undefined) });

portalRoutes.get('/', async (c) => {
  const citizen = await currentCitizen(c);
  const name = await siteName(c);
  const loggedOut = !citizen && queryOf(c, HomeQuery).tb === 'da-dang-xuat';
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Trang chủ',
      <>
        <h1>Cổng Dịch vụ công {name}</h1>
        {loggedOut ? <Flash kind="ok">Bạn đã đăng xuất. Hẹn gặp lại!</Flash> : null}
        <p>Hệ thống thông tin giải quyết thủ tục hành chính của {name}.</p>
        <p>
          {citizen ? (
            <a class="button primary" href="/ca-nhan">
              Trang cá nhân
            </a>
          ) : (
            <a class="button primary" href="/dang-nhap">
              Đăng nhập để nộp hồ sơ trực tuyến
            </a>
          )}
        </p>
        <p>
          <a href="/thu-tuc">Thủ tục hành chính</a> · <a href="/tra-cuu">Tra cứu hồ sơ</a> ·{' '}
          <a href="/tiepnhan">Dành cho cán bộ: Hệ thống một cửa điện tử</a>
        </p>
      </>,
    ),
  );
});

/** Bước 2 (seed 000 §2): choose the national electronic identity. */
/** `het-phien=1` (SESSION_ENDED_FLAG, as for officials): a form was posted after the session ended (portal/citizen-context.ts): say that it was not kept. */
const LoginQuery = z.object({ tiep: param.text(512, 'Địa chỉ quay lại không hợp lệ.'), [SESSION_ENDED_FLAG]: param.flag() });

/**
 * The choice of VNeID, and above it the refusal of the last attempt when there is one (a clean error page), or the
 * notice that a post was not kept because the session had ended.
 */
async function loginPage(c: Ctx, returnTo: string, error?: AppError, postLost = false) {
  const start = returnTo === START_PAGE.citizen ? '/dang-nhap/vneid' : `/dang-nhap/vneid?tiep=${encodeURIComponent(returnTo)}`;
  return PortalPage(
    c,
    error ? 'Đăng nhập không thành công' : 'Đăng nhập',
    <>
      <h1>Đăng nhập</h1>
      {error ? (
        <p class="flash flash-error" role="alert" data-error-code={error.code}>
          {error.message}
        </p>
      ) : postLost ? (
        <Flash kind="info">
          Phiên đăng nhập đã hết hạn nên nội dung vừa gửi (kể cả tệp đã chọn) chưa được lưu. Vui lòng đăng nhập lại, hệ thống sẽ đưa bạn về
          trang đang làm để gửi lại.
        </Flash>
      ) : null}
      <a class="button wide vneid" href={start}>
        {error ? 'Đăng nhập lại bằng ' : ''}Tài khoản Định danh điện tử cấp bởi Bộ Công an
      </a>
      <p class="muted">
        Dành cho Công dân, Tổ chức, Doanh nghiệp. Bạn sẽ đăng nhập bằng số định danh cá nhân, mật khẩu VNeID và mã OTP gửi qua SMS.
      </p>
    </>,
  );
}

portalRoutes.get('/dang-nhap', async (c) => {
  const q = queryOf(c, LoginQuery);
  const returnTo = safeRedirect(q.tiep, 'citizen');
  if (await currentCitizen(c)) return c.redirect(returnTo, 303);
  return sendHtml(c, await loginPage(c, returnTo, undefined, q[SESSION_ENDED_FLAG]));
});

/** A refused VNeID login, on a clean address (auth/login-error-flash.ts); nothing to show → the login page. */
portalRoutes.get('/dang-nhap/loi', async (c) => {
  const err = takeLoginError(c, 'citizen');
  if (!err) return c.redirect('/dang-nhap', 303);
  return sendHtml(c, await loginPage(c, START_PAGE.citizen, err), err.status as ContentfulStatusCode);
});

// The target is checked again when the login finishes (flow.ts keeps only a safe one). A provider that cannot be
// reached is said on the clean error page, as every refusal of the login.
portalRoutes.get('/dang-nhap/vneid', async (c) => {
  try {
    return await startLogin(c, c.get('deps').rps.vneid, 'vneid', 'citizen', safeRedirect(queryOf(c, LoginQuery).tiep, 'citizen'));
  } catch (err) {
    if (err instanceof AppError && err.code !== 'invalid_query') return redirectToLoginError(c, 'citizen', err);
    throw err;
  }
});

portalRoutes.get('/dang-nhap/vneid/callback', async (c) => {
  const deps = c.get('deps');
  const rp = deps.rps.vneid;
  let login: { token: string; returnTo: string };
  try {
    const { identity, claims, returnTo } = await finishLogin(c, rp, 'vneid', 'citizen');
    login = {
      token: (await loginCitizen(deps.db, sessionPolicyOf(c), rp.settings.issuer, identity, claims, c.get('meta'), deps.now())).token,
      returnTo,
    };
  } catch (err) {
    countLogin('portal_vneid', loginOutcome(err));
    // Refused, cancelled, expired or unreachable: 303 to a clean page, no `code`/`state` left in the address or the
    // history. A malformed address (invalid_query) is no provider's answer: refused where it is, as any bad query.
    if (err instanceof AppError && err.code !== 'invalid_query') return redirectToLoginError(c, 'citizen', err);
    throw err;
  }
  countLogin('portal_vneid', 'success');
  const { token, returnTo } = login;
  const old = readCookie(c, PORTAL_COOKIE);
  if (old) await endBrowserSession(deps.db, old);
  writeCookie(c, PORTAL_COOKIE, token);
  return c.redirect(returnTo, 303);
});

portalRoutes.post('/dang-xuat', async (c) => {
  const deps = c.get('deps');
  await logoutCitizen(deps.db, readCookie(c, PORTAL_COOKIE) ?? null, await currentCitizen(c), c.get('meta'));
  clearCookie(c, PORTAL_COOKIE);
  return c.redirect('/?tb=da-dang-xuat', 303);
});

/** Tra cứu hồ sơ: public lookup by the dossier code and the lookup code printed on the receipt (QR). */
const LookupQuery = z.object({
  ma: param.text(60, 'Mã hồ sơ tối đa 60 ký tự.'),
  matracuu: param.text(20, 'Mã tra cứu tối đa 20 ký tự.'),
});

portalRoutes.get('/tra-cuu', async (c) => {
  const { ma: code = '', matracuu: lookup = '' } = queryOf(c, LookupQuery);
  const asked = !!(code || lookup);
  const row = asked ? await lookupDossier(c.get('deps').db, code, lookup) : null;
  // What the page shows is what GET /api/v1/lookup answers.
  const found = row ? presentLookupResult(row) : null;
  return sendHtml(
    c,
    await PortalPage(
      c,
      'Tra cứu hồ sơ',
      <>
        <h1>Tra cứu hồ sơ</h1>
        <form method="get" action="/tra-cuu" class="stack">
          <label for="ma">Mã hồ sơ</label>
          <input id="ma" name="ma" value={code} placeholder="000.00.13.H10-261123-0001" />
          <label for="matracuu">Mã tra cứu (trên giấy tiếp nhận)</label>
          <input id="matracuu" name="matracuu" value={lookup} autocomplete="off" />
          <button type="submit" class="primary">
            Tra cứu
          </button>
        </form>
        {asked && !found ? (
          <p class="flash flash-error" role="alert">
            Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu đã nhập. Vui lòng kiểm tra lại trên giấy tiếp nhận.
          </p>
        ) : null}
        {found ? (
          <dl class="facts" id="lookup-result">
            <dt>Mã hồ sơ</dt>
            <dd>{found.code}</dd>
            <dt>Thủ tục</dt>
            <dd>{found.procedureName}</dd>
            <dt>Cơ quan tiếp nhận</dt>
            <dd>{found.agencyName}</dd>
            <dt>Người nộp</dt>
            <dd>{found.applicant}</dd>
            <dt>Ngày tiếp nhận</dt>
            <dd>{formatDateTime(found.receivedAt)}</dd>
            <dt>Hẹn trả kết quả</dt>
            <dd>{formatDateTime(found.dueAt)}</dd>
            <dt>Trạng thái</dt>
            <dd>{found.statusLabel}</dd>
          </dl>
        ) : null}
      </>,
    ),
  );
});
