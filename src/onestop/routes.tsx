import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { CsrfField, FieldError, GenderSelect, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { AppError } from '../shared/errors.js';
import { updateOwnProfile } from '../accounts/update-official.js';
import { verifyIdentity } from '../accounts/verify-identity.js';
import { ownUnitAndGrants, unitNameOf } from '../accounts/own-account.js';
import { loadOfficialDetail } from '../accounts/list-officials.js';
import { identityStatus } from '../accounts/identity-status.js';
import { ownPermissions } from '../accounts/effective-permissions.js';
import { delegationsOfAccount } from '../delegation/list-delegations.js';
import { AccountDelegations } from '../delegation/pages.js';
import { PermissionsView } from '../accounts/permissions-page.js';
import { formatDate } from '../shared/dates.js';
import { breakGlassCodeOpens } from '../auth/totp.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

export const onestopRoutes = new Hono<AppEnv>();
onestopRoutes.use('/', requireLogin);
onestopRoutes.use('/tai-khoan', requireLogin);
onestopRoutes.use('/tai-khoan/*', requireLogin);
onestopRoutes.use('/ho-tro', requireLogin);

/** CÁ NHÂN: the official's start page. */
onestopRoutes.get('/', async (c) => {
  const { db } = c.get('deps');
  const account = c.get('account')!;
  const { unitName, grants } = await ownUnitAndGrants(db, account);
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Trang cá nhân" section="personal" {...props}>
      <section>
        <h1>
          Xin chào, {account.middleName} {account.givenName}
        </h1>
        <p>
          Đơn vị: <strong>{unitName}</strong>
          {account.position ? (
            <>
              {' '}
              — Chức vụ: <strong>{account.position}</strong>
            </>
          ) : null}
        </p>
        <h2>Quyền sử dụng</h2>
        {grants.length ? (
          <ul>
            {grants.map((g) => (
              <li>
                {g.label} — {g.unitName}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">Tài khoản chưa được phân quyền. Vui lòng liên hệ quản trị đơn vị.</p>
        )}
        <p>
          <a href="/tiepnhan/tai-khoan/quyen">Xem quyền sử dụng của tài khoản</a>
        </p>
        {props.isAdmin ? (
          <p>
            <a class="button primary" href="/tiepnhan/quan-tri/nguoi-dung">
              Quản trị hệ thống → Quản lý người dùng
            </a>
          </p>
        ) : null}
      </section>
    </Layout>,
  );
});

/** Thông tin tài khoản (seed 002 §I): the official's own data; identity data editable, then Xác thực tài khoản VNEID. */
async function renderProfile(
  c: Ctx,
  s: { values?: Record<string, string>; errors?: Record<string, string> | undefined; notice?: { ok: boolean; message: string } } = {},
  status: 200 | 400 | 409 | 503 = 200,
) {
  const { db } = c.get('deps');
  const a = c.get('account')!;
  const person = (await loadOfficialDetail(db, a.id))?.person ?? null;
  const binding = identityStatus({
    verifiedAt: person?.verifiedAt ?? null,
    declinedAt: person?.declinedAt ?? null,
    linkedAt: a.personId ? a.personLinkedAt : null,
  });
  const unitName = await unitNameOf(db, a.unitId);
  const props = await pageProps(c);
  const v: Record<string, string> = s.values ?? {
    mobile: a.mobile ?? '',
    phone: a.phone ?? '',
    emails: a.emails ?? '',
    cardName: person?.fullName ?? '',
    dateOfBirth: formatDate(person?.dateOfBirth),
    gender: person?.gender ?? '',
    cccd: person?.cccd ?? '',
    issueDate: formatDate(person?.issueDate),
    issuePlace: person?.issuePlace ?? '',
    address: person?.address ?? '',
  };
  const field = (name: string, label: string, extra: Record<string, string> = {}) => (
    <div class="field">
      <label for={`p-${name}`}>{label}</label>
      <input id={`p-${name}`} name={name} value={v[name] ?? ''} {...extra} aria-invalid={s.errors?.[name] ? 'true' : undefined} />
      <FieldError errors={s.errors} name={name} />
    </div>
  );
  return sendHtml(
    c,
    <Layout title="Thông tin tài khoản" section="personal" {...props} address={postAnswerAddress(c, '/tiepnhan/tai-khoan')}>
      <section class="narrow">
        <h1>Thông tin tài khoản</h1>
        {s.notice ? (
          <div class={`flash ${s.notice.ok ? 'flash-ok' : 'flash-error'}`} role="status" id="verification-result">
            {s.notice.message}
          </div>
        ) : null}
        <dl class="facts">
          <dt>Tên tài khoản</dt>
          <dd>{a.username}</dd>
          <dt>Họ và tên</dt>
          <dd>
            {a.middleName} {a.givenName}
          </dd>
          <dt>Đơn vị/Phòng ban</dt>
          <dd>{unitName}</dd>
          <dt>Chức vụ</dt>
          <dd>{a.position || '—'}</dd>
          <dt>Xác thực VNeID</dt>
          <dd id="verify-status">{binding.text}</dd>
          <dt>Quyền sử dụng</dt>
          <dd>
            <a href="/tiepnhan/tai-khoan/quyen">Xem vai trò, đơn vị và những việc được làm</a>
          </dd>
          <dt>Khóa API</dt>
          <dd>
            <a href="/tiepnhan/tai-khoan/khoa-api">Xem và thu hồi khóa API của tài khoản</a>
          </dd>
          <dt>Phiên đăng nhập</dt>
          <dd>
            <a href="/tiepnhan/tai-khoan/phien-dang-nhap">Xem các thiết bị và ứng dụng đang đăng nhập, kết thúc phiên</a>
          </dd>
          {a.breakGlass ? (
            <>
              <dt>Tài khoản khẩn cấp</dt>
              <dd>
                <a href="/tiepnhan/tai-khoan/ma-khan-cap">
                  {breakGlassCodeOpens(a)
                    ? 'Mã xác thực đã thiết lập — thiết lập lại'
                    : 'Thiết lập mã xác thực khẩn cấp (cần đăng nhập bằng VNeID)'}
                </a>
              </dd>
            </>
          ) : null}
          <dt>Cài đặt thông báo</dt>
          <dd>
            <a href="/tiepnhan/tai-khoan/thong-bao">Chọn nhận thông báo qua Zalo, SMS, thư điện tử</a>
          </dd>
        </dl>
        <form method="post" action="/tiepnhan/tai-khoan" class="stack official-form">
          <CsrfField token={props.csrfToken} />
          <fieldset>
            <legend>THÔNG TIN XÁC THỰC</legend>
            {field('cardName', 'Họ và tên trên thẻ CCCD')}
            {field('dateOfBirth', 'Ngày sinh', { placeholder: 'dd/mm/yyyy', inputmode: 'numeric' })}
            <div class="field">
              <label for="p-gender">Giới tính</label>
              <GenderSelect id="p-gender" value={v.gender} />
              <FieldError errors={s.errors} name="gender" />
            </div>
            {field('cccd', 'Số CCCD (12 số)', { inputmode: 'numeric' })}
            {field('issueDate', 'Ngày cấp', { placeholder: 'dd/mm/yyyy', inputmode: 'numeric' })}
            {field('issuePlace', 'Nơi cấp')}
            {field('address', 'Địa chỉ')}
          </fieldset>
          <fieldset>
            <legend>Liên hệ</legend>
            {field('mobile', 'Số di động (Để liên hệ và gửi SMS)', { type: 'tel' })}
            {field('phone', 'Số điện thoại', { type: 'tel' })}
            {field('emails', 'Email (cách nhau dấu ; nếu sử dụng nhiều email)')}
          </fieldset>
          <div class="form-actions">
            <button type="submit" formaction="/tiepnhan/tai-khoan/xac-thuc-vneid">
              Xác thực tài khoản VNEID
            </button>
            <button type="submit" class="primary">
              Lưu
            </button>
          </div>
        </form>
      </section>
    </Layout>,
    status,
  );
}

onestopRoutes.get('/tai-khoan', (c) =>
  renderProfile(c, c.req.query('tb') ? { notice: { ok: true, message: 'Đã lưu thông tin tài khoản.' } } : {}),
);

onestopRoutes.post('/tai-khoan', async (c) => {
  const form = await formData(c);
  try {
    await updateOwnProfile(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    return c.redirect('/tiepnhan/tai-khoan?tb=saved', 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return renderProfile(c, { values: form, errors: err.fields, notice: { ok: false, message: err.message } }, err.status as 400);
  }
});

onestopRoutes.post('/tai-khoan/xac-thuc-vneid', async (c) => {
  const form = await formData(c);
  const { db, registry } = c.get('deps');
  // One instant for the save and the verification that follows it.
  const now = c.get('deps').now();
  try {
    const saved = await updateOwnProfile(db, actorOf(c), form, now);
    const result = await verifyIdentity(db, registry, actorOf(c), actorOf(c).accountId, now, { asSaved: saved.identitySavedAt });
    return renderProfile(c, { notice: { ok: result.verified, message: result.message } }, result.verified ? 200 : 400);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return renderProfile(c, { values: form, errors: err.fields, notice: { ok: false, message: err.message } }, err.status as 400);
  }
});

/** Quyền sử dụng: the official's own grants, what each allows, the account's state and delegations. */
onestopRoutes.get('/tai-khoan/quyen', async (c) => {
  const { db, now } = c.get('deps');
  const perm = await ownPermissions(db, actorOf(c), now());
  const [props, lent] = await Promise.all([pageProps(c), delegationsOfAccount(db, perm.account.id, now())]);
  return sendHtml(
    c,
    <Layout title="Quyền sử dụng" section="personal" {...props}>
      <PermissionsView perm={perm} adminView={false} delegations={<AccountDelegations {...lent} manageHref="/tiepnhan/uy-quyen" />} />
    </Layout>,
  );
});

onestopRoutes.get('/ho-tro', async (c) => {
  const props = await pageProps(c);
  return sendHtml(
    c,
    <Layout title="Hỗ trợ" {...props}>
      <section class="narrow">
        <h1>Hỗ trợ</h1>
        <ul>
          <li>Quên mật khẩu: liên hệ quản trị hệ thống của đơn vị để được đặt lại mật khẩu.</li>
          <li>Tài khoản bị khóa tạm thời do nhập sai nhiều lần: chờ 15 phút rồi thử lại.</li>
          <li>Tài khoản bị tạm đình chỉ: liên hệ quản trị đơn vị.</li>
        </ul>
      </section>
    </Layout>,
  );
});
