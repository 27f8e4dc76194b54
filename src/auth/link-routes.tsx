/**
 * Liên kết tài khoản: the person a VNeID login proved accepts (Đồng ý) or refuses (Từ chối) each account
 * whose registry-verified data name them. Reached right after the login — in a session when the person
 * already has an account, or through a ten-minute pending login when they have none yet.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { CsrfField, Layout } from '../web/layout.js';
import { SESSION_COOKIE, clearCookie, readCookie, writeCookie } from '../web/cookies.js';
import { formData, pageProps, type Ctx } from '../web/http.js';
import { safeRedirect } from '../web/safe-redirect.js';
import { isId } from '../shared/validate.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDateTime } from '../shared/dates.js';
import { decideLink, linkRequestsOf, type IdentityProof, type LinkDecision } from './person-accounts.js';
import { PENDING_CODE_MS, endPendingLogin, readPendingLogin } from './pending-logins.js';
import { decideAtLogin, identityErrors } from './login-with-identity.js';
import { countLogin } from '../shared/metrics.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

const PENDING_COOKIE = 'motcua_pending';
export const LINK_PATH = '/tiepnhan/lien-ket-tai-khoan';
/** Đăng nhập, bước 2: the TOTP code of a break-glass account (routes.tsx). */
const CODE_PATH = '/tiepnhan/dang-nhap/ma-xac-thuc';

export const linkRoutes = new Hono<AppEnv>();

type Mode = { proof: IdentityProof; pendingToken: string | null; returnTo: string | null };

/** Who decides: the session's proven person, else a live pending login. Anyone else is sent to log in. */
async function modeOf(c: Ctx): Promise<Mode | null> {
  const proof = c.get('identityProof');
  if (proof) return { proof, pendingToken: null, returnTo: c.req.query('tiep') ?? null };
  if (c.get('account')) return null;
  const token = readCookie(c, PENDING_COOKIE);
  if (!token) return null;
  const pending = await readPendingLogin(c.get('deps').db, token, c.get('deps').now());
  if (!pending) return null;
  const { returnTo, ...p } = pending;
  return { proof: p, pendingToken: token, returnTo };
}

async function render(c: Ctx, mode: Mode, notice?: string) {
  const { db } = c.get('deps');
  const { person, candidates: list, confirmed } = await linkRequestsOf(db, mode.proof.personId);
  const props = await pageProps(c);
  // The form's own address, which a GET shows again (a decision's answer included): the onward page made safe.
  const action = mode.returnTo ? `${LINK_PATH}?tiep=${encodeURIComponent(safeRedirect(mode.returnTo, 'official'))}` : LINK_PATH;
  const decide = (accountId: string, buttons: Array<{ value: string; label: string; primary?: boolean }>) => (
    <form method="post" action={action} class="form-actions">
      <CsrfField token={props.csrfToken} />
      <input type="hidden" name="taiKhoan" value={accountId} />
      {buttons.map((b) => (
        <button type="submit" name="quyetDinh" value={b.value} class={b.primary ? 'primary' : undefined}>
          {b.label}
        </button>
      ))}
    </form>
  );
  return sendHtml(
    c,
    <Layout title="Liên kết tài khoản" {...props} address={postAnswerAddress(c, action)}>
      <section class="narrow">
        <h1>Liên kết tài khoản với định danh điện tử</h1>
        {notice ? (
          <div class="flash flash-ok" role="status">
            {notice}
          </div>
        ) : null}
        <p>
          Bạn đã đăng nhập bằng VNeID với tên <strong>{person?.fullName}</strong>. Chỉ đồng ý những tài khoản do chính bạn sử dụng; tài
          khoản bạn đồng ý sẽ có trong mục Chuyển tài khoản.
        </p>
        {list.length === 0 ? (
          <p class="muted">Không còn tài khoản nào chờ bạn xác nhận.</p>
        ) : (
          <ul class="link-requests">
            {list.map((a) => (
              <li class="card" id={`lien-ket-${a.username}`}>
                <p>
                  Tài khoản <strong>{a.username}</strong> ({a.name}
                  {a.position ? `, ${a.position}` : ''}) thuộc đơn vị <strong>{a.unitName}</strong> đề nghị liên kết với định danh của bạn.
                </p>
                <p class="muted">
                  Tạo bởi {a.createdBy ?? 'không rõ'} lúc {formatDateTime(a.createdAt)}; thông tin CCCD được xác thực
                  {a.verifiedBy ? ` bởi ${a.verifiedBy}` : ''} lúc {formatDateTime(a.verifiedAt)}.
                </p>
                {decide(a.id, [
                  { value: 'dong-y', label: 'Đồng ý', primary: true },
                  { value: 'tu-choi', label: 'Từ chối' },
                ])}
              </li>
            ))}
          </ul>
        )}
        {confirmed.length ? (
          <>
            <h2>Tài khoản đã liên kết</h2>
            <ul class="link-requests">
              {confirmed.map((a) => (
                <li class="card" id={`da-lien-ket-${a.username}`}>
                  <p>
                    Tài khoản <strong>{a.username}</strong> ({a.name}
                    {a.position ? `, ${a.position}` : ''}) thuộc đơn vị <strong>{a.unitName}</strong>
                    {a.linkedHow === 'first_login'
                      ? ` — liên kết tự động khi bạn đăng nhập VNeID lần đầu lúc ${a.linkedAt ? formatDateTime(a.linkedAt) : ''}, vì quản trị đơn vị đã xác thực.`
                      : ` — bạn đồng ý lúc ${a.linkedAt ? formatDateTime(a.linkedAt) : ''}.`}
                  </p>
                  <p class="muted">Nếu đây không phải tài khoản của bạn, hãy gỡ liên kết và báo quản trị đơn vị.</p>
                  {decide(a.id, [{ value: 'go-lien-ket', label: 'Gỡ liên kết' }])}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {mode.pendingToken ? (
          <form method="post" action={action}>
            <CsrfField token={props.csrfToken} />
            <button type="submit" name="quyetDinh" value="huy">
              Hủy đăng nhập
            </button>
          </form>
        ) : (
          <p>
            <a href={safeRedirect(mode.returnTo, 'official')}>Tiếp tục</a>
          </p>
        )}
      </section>
    </Layout>,
  );
}

const DECISIONS: Record<string, LinkDecision> = { 'dong-y': 'accept', 'tu-choi': 'decline', 'go-lien-ket': 'unlink' };
const DONE: Record<LinkDecision, string> = {
  accept: 'Đã liên kết tài khoản',
  decline: 'Đã từ chối liên kết tài khoản',
  unlink: 'Đã gỡ liên kết tài khoản',
};

linkRoutes.get('/lien-ket-tai-khoan', async (c) => {
  const mode = await modeOf(c);
  if (!mode) return c.redirect('/tiepnhan/dang-nhap', 303);
  return render(c, mode);
});

linkRoutes.post('/lien-ket-tai-khoan', async (c) => {
  const deps = c.get('deps');
  const mode = await modeOf(c);
  if (!mode) throw new AppError('link_expired', 'Phiên xác nhận liên kết đã hết hạn. Vui lòng đăng nhập lại bằng VNeID.', 401);
  const form = await formData(c);
  if (form.quyetDinh === 'huy' && mode.pendingToken) {
    await endPendingLoginOf(c);
    return c.redirect('/tiepnhan/dang-nhap', 303);
  }
  const decision = DECISIONS[form.quyetDinh ?? ''];
  const accountId = form.taiKhoan ?? '';
  if (!decision || !isId(accountId)) throw errors.notFound('Tài khoản');
  if (!mode.pendingToken) {
    const account = await decideLink(deps.db, mode.proof, accountId, decision, c.get('meta'), deps.now());
    return render(c, mode, `${DONE[decision]} ${account.username}.`);
  }
  // No session yet: accepting an account logs the person into it, if its own rules allow.
  if (decision === 'unlink') throw errors.notFound('Tài khoản');
  const minLoa = deps.rps[mode.proof.method]?.settings.minLoa ?? 2;
  const policy = { idleMs: deps.config.sessionIdleMs, absoluteMs: deps.config.sessionAbsoluteMs };
  const r = await decideAtLogin(deps.db, { sessions: policy, minLoa }, mode.proof, accountId, decision, c.get('meta'), deps.now());
  if (r.token) {
    countLogin(mode.proof.method, 'success');
    await endPendingLoginOf(c);
    writeCookie(c, SESSION_COOKIE, r.token);
    const next = safeRedirect(mode.returnTo, 'official');
    return c.redirect(`${LINK_PATH}?tiep=${encodeURIComponent(next)}`, 303);
  }
  if (r.remaining > 0) return render(c, mode, `${DONE[decision]} ${r.account.username}.`);
  await endPendingLoginOf(c);
  const refusal = decision === 'accept' ? identityErrors.suspended() : identityErrors.notBound();
  countLogin(mode.proof.method, refusal.code);
  throw refusal;
});

/** Ends this browser's pending login, if any: on Hủy, once decided, at logout and at any login. */
export async function endPendingLoginOf(c: Ctx) {
  const token = readCookie(c, PENDING_COOKIE);
  if (!token) return;
  await endPendingLogin(c.get('deps').db, token);
  clearCookie(c, PENDING_COOKIE);
}

/** This browser's pending login token (pending-logins.ts), if its cookie is there. */
export function pendingTokenOf(c: Ctx): string | undefined {
  return readCookie(c, PENDING_COOKIE);
}

/** After the right password of a break-glass account: its code step waits behind the same short-lived cookie. */
export function startPendingCode(c: Ctx, pendingToken: string) {
  writeCookie(c, PENDING_COOKIE, pendingToken, PENDING_CODE_MS / 1000);
  return c.redirect(CODE_PATH, 303);
}

/** After the callback: a pending login waits behind a short-lived cookie. */
export function startPendingChoice(c: Ctx, pendingToken: string) {
  writeCookie(c, PENDING_COOKIE, pendingToken, 10 * 60);
  return c.redirect(LINK_PATH, 303);
}
