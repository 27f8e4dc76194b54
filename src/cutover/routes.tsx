import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { CsrfField, Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { idParam, queryOf } from '../web/params.js';
import { param, parseInput } from '../shared/validate.js';
import { formatDate, formatDateTime, parseDate, todayInVietnam } from '../shared/dates.js';
import { isProvinceAdministrator, requireAdministerUnit, requireAdministrator } from '../accounts/policies.js';
import { AppError, errors } from '../shared/errors.js';
import { loadUnit } from '../org/unit-queries.js';
import { CONFIRM_FIELD, ConfirmStep, isConfirmed, notConfirmed } from '../admin/confirm-page.js';
import { provinceCutoff } from '../auth/cutoff.js';
import { breakGlassAccounts, lockedOutOn, readiness, recentBreakGlassLogins } from './readiness.js';
import { setProvinceCutoff, setUnitCutoff } from './set-cutoff.js';
import { setBreakGlass, setBreakGlassByUsername } from './set-break-glass.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';

/** Chuyển đổi đăng nhập VNeID: the cutover control centre. */
export const cutoverRoutes = new Hono<AppEnv>();
cutoverRoutes.use('*', requireLogin);
cutoverRoutes.use('*', async (c, next) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
});

const CUTOVER_PATH = '/tiepnhan/quan-tri/chuyen-doi-vneid';

type State = { notice?: string; error?: string; dryRunDate?: string };

async function render(c: Ctx, s: State = {}, status: 200 | 400 | 403 = 200) {
  const { db, now } = c.get('deps');
  const actor = actorOf(c);
  const props = await pageProps(c);
  const province = await provinceCutoff(db);
  const isProvinceAdmin = await isProvinceAdministrator(db, actor);
  const units = await readiness(db, actor);
  const dryDate = s.dryRunDate ?? province ?? todayInVietnam(now());
  const locked = await lockedOutOn(db, actor, dryDate);
  const breakGlass = await breakGlassAccounts(db, actor);
  const bgLogins = await recentBreakGlassLogins(db, actor);
  const total = units.reduce((n, u) => n + u.total, 0);
  const verified = units.reduce((n, u) => n + u.verified, 0);
  return sendHtml(
    c,
    <Layout title="Chuyển đổi đăng nhập VNeID" section="admin" {...props} address={postAnswerAddress(c, CUTOVER_PATH)}>
      <section>
        <h1>CHUYỂN ĐỔI ĐĂNG NHẬP BẰNG VNEID</h1>
        {s.notice ? <Flash kind="ok">{s.notice}</Flash> : null}
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        <p>
          Toàn bộ phạm vi quản trị: <strong>{verified}</strong>/{total} tài khoản đã gắn và xác thực VNeID.
        </p>
        <h2>Ngày chỉ đăng nhập bằng VNeID (toàn tỉnh)</h2>
        <p>{province ? `Từ ngày ${formatDate(province)}, đăng nhập bằng mật khẩu bị khóa.` : 'Chưa đặt ngày.'}</p>
        {isProvinceAdmin ? (
          <form method="post" action="/tiepnhan/quan-tri/chuyen-doi-vneid/ngay-tinh" class="inline-form">
            <CsrfField token={props.csrfToken} />
            <label for="province-date">Ngày bắt đầu chỉ dùng VNeID</label>
            <input id="province-date" name="date" placeholder="dd/mm/yyyy" value={formatDate(province)} inputmode="numeric" />
            <button type="submit">Lưu</button>
          </form>
        ) : null}
        <h2>Mức độ sẵn sàng theo đơn vị</h2>
        <table class="list" id="readiness">
          <thead>
            <tr>
              <th scope="col">Đơn vị</th>
              <th scope="col">Ngày chỉ dùng VNeID</th>
              <th scope="col">Tài khoản</th>
              <th scope="col">Đã gắn CCCD</th>
              <th scope="col">Đã xác thực</th>
              <th scope="col">Chưa sẵn sàng</th>
              <th scope="col">Ngày riêng của đơn vị</th>
            </tr>
          </thead>
          <tbody>
            {units.map((u) => (
              <tr>
                <td>{u.unitName}</td>
                <td>{u.cutoff ? formatDate(u.cutoff) : '—'}</td>
                <td>{u.total}</td>
                <td>{u.bound}</td>
                <td>
                  {u.verified} ({u.total ? Math.round((u.verified / u.total) * 100) : 0}%)
                </td>
                <td>
                  {u.notReady.map((a) => (
                    <div>
                      <a href={`/tiepnhan/quan-tri/nguoi-dung?tk=${a.id}`}>{a.username}</a>{' '}
                      {a.bound ? '(chưa xác thực)' : '(chưa gắn CCCD)'}
                    </div>
                  ))}
                </td>
                <td>
                  <form method="post" action={`/tiepnhan/quan-tri/chuyen-doi-vneid/don-vi/${u.unitId}`} class="inline-form">
                    <CsrfField token={props.csrfToken} />
                    <input name="date" placeholder="dd/mm/yyyy" aria-label={`Ngày riêng của ${u.unitName}`} inputmode="numeric" />
                    <button type="submit">Lưu</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Chạy thử: ai sẽ không đăng nhập được?</h2>
        <form method="get" action="/tiepnhan/quan-tri/chuyen-doi-vneid" class="inline-form">
          <label for="dry-date">Vào ngày</label>
          <input id="dry-date" name="ngay" placeholder="dd/mm/yyyy" value={formatDate(dryDate)} inputmode="numeric" />
          <button type="submit">Chạy thử</button>
        </form>
        <p id="dry-run-summary">
          Ngày {formatDate(dryDate)}: <strong>{locked.length}</strong> tài khoản sẽ không đăng nhập được (đã quá ngày chỉ dùng VNeID, chưa
          xác thực VNeID, không phải tài khoản khẩn cấp).
        </p>
        <ul id="dry-run">
          {locked.map((a) => (
            <li data-username={a.username}>
              {a.username} — {a.name} — {a.unitName} (từ {formatDate(a.cutoff)})
            </li>
          ))}
        </ul>
        <h2>Tài khoản khẩn cấp (mật khẩu + mã xác thực)</h2>
        <p class="muted">
          Người dùng được chỉ định tự thiết lập mã xác thực trên điện thoại của mình: đăng nhập bằng VNeID, vào Thông tin tài khoản → Mã xác
          thực khẩn cấp. Quản trị viên không nhận được khóa xác thực của người khác.
        </p>
        <ul id="break-glass-accounts">
          {breakGlass.map((a) => (
            <li data-username={a.username}>
              {a.username} — {a.middleName} {a.givenName} —{' '}
              {a.setUp ? 'đã thiết lập mã xác thực' : <strong>chưa thiết lập mã xác thực (chưa đăng nhập khẩn cấp được)</strong>}
              {isProvinceAdmin ? (
                <form method="post" action={`/tiepnhan/quan-tri/chuyen-doi-vneid/khan-cap/${a.id}`} class="inline">
                  <CsrfField token={props.csrfToken} />
                  <input type="hidden" name="on" value="0" />
                  <button type="submit">Bỏ</button>
                </form>
              ) : null}
            </li>
          ))}
        </ul>
        {isProvinceAdmin ? (
          <form method="post" action="/tiepnhan/quan-tri/chuyen-doi-vneid/khan-cap" class="inline-form">
            <CsrfField token={props.csrfToken} />
            <label for="bg-username">Chỉ định tài khoản khẩn cấp (tên tài khoản)</label>
            <input id="bg-username" name="username" />
            <button type="submit">Chỉ định</button>
          </form>
        ) : null}
        <h2>Các lần đăng nhập khẩn cấp gần đây</h2>
        <ul id="break-glass-logins">
          {bgLogins.map((e) => (
            <li>
              {formatDateTime(e.at)} — {e.actorLabel} — IP {e.ip ?? '?'}
            </li>
          ))}
          {bgLogins.length === 0 ? <li class="muted">Chưa có.</li> : null}
        </ul>
      </section>
    </Layout>,
    status,
  );
}

/** Chạy thử: ?ngay= the day (dd/mm/yyyy) to try. */
const DryRunQuery = z.object({ ngay: param.text(20, 'Ngày chạy thử không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.') });

/** Chỉ định tài khoản khẩn cấp: the account's name as typed. */
const BreakGlassInput = z.object({ username: z.string().max(100, 'Tên tài khoản tối đa 100 ký tự.').optional() });

cutoverRoutes.get('/', async (c) => {
  const q = queryOf(c, DryRunQuery).ngay;
  const iso = q ? parseDate(q) : null;
  if (q && !iso) return render(c, { error: 'Ngày chạy thử không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.' }, 400);
  return render(c, iso ? { dryRunDate: iso } : {});
});

async function act(c: Ctx, run: () => Promise<State>) {
  try {
    return render(c, await run());
  } catch (err) {
    if (!(err instanceof AppError) || err.status === 404) throw err;
    const msg = err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message;
    return render(c, { error: msg }, err.status as 400);
  }
}

/** A date of today or earlier stops password logins at once: it takes the confirmation step (src/admin/confirm-page.tsx). */
function needsConfirmation(c: Ctx, form: Record<string, string>) {
  const iso = form.date ? parseDate(form.date) : null;
  return !!iso && iso <= todayInVietnam(c.get('deps').now()) && !isConfirmed(form);
}

async function renderCutoffConfirm(c: Ctx, action: string, date: string, where: string, refused: boolean) {
  const props = await pageProps(c);
  const day = formatDate(parseDate(date));
  return sendHtml(
    c,
    // No GET shows this step (it is only ever a post's answer): its history entry becomes the page the date was typed on.
    <Layout title="Xác nhận ngày chỉ đăng nhập bằng VNeID" section="admin" {...props} address={postAnswerAddress(c, CUTOVER_PATH)}>
      <ConfirmStep
        title="Xác nhận ngày chỉ đăng nhập bằng VNeID"
        csrfToken={props.csrfToken}
        action={action}
        hidden={{ date }}
        statement={`Tôi xác nhận áp dụng ngày ${day} cho ${where}.`}
        button="Áp dụng ngay"
        danger
        cancelHref="/tiepnhan/quan-tri/chuyen-doi-vneid"
        error={refused ? notConfirmed().message : undefined}
      >
        <p>
          Ngày {day} là hôm nay hoặc đã qua: ngay khi lưu, mọi tài khoản của {where} chưa xác thực VNeID (trừ tài khoản khẩn cấp) không đăng
          nhập được bằng mật khẩu nữa. Xem trước danh sách ở mục Chạy thử của trang Chuyển đổi đăng nhập VNeID.
        </p>
      </ConfirmStep>
    </Layout>,
    400,
  );
}

cutoverRoutes.post('/ngay-tinh', async (c) => {
  const form = await formData(c);
  if (needsConfirmation(c, form) && (await isProvinceAdministrator(c.get('deps').db, actorOf(c))))
    return renderCutoffConfirm(c, '/tiepnhan/quan-tri/chuyen-doi-vneid/ngay-tinh', form.date!, 'toàn tỉnh', CONFIRM_FIELD in form);
  return act(c, async () => {
    const d = await setProvinceCutoff(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    return { notice: d ? `Đã đặt ngày chỉ đăng nhập bằng VNeID: ${formatDate(d)}.` : 'Đã bỏ ngày chỉ đăng nhập bằng VNeID.' };
  });
});

cutoverRoutes.post('/don-vi/:id', async (c) => {
  const id = idParam(c, 'Đơn vị');
  const form = await formData(c);
  if (needsConfirmation(c, form)) {
    const { db } = c.get('deps');
    await requireAdministerUnit(db, actorOf(c), id);
    const unit = await loadUnit(db, id);
    if (!unit) throw errors.notFound('Đơn vị');
    return renderCutoffConfirm(c, `/tiepnhan/quan-tri/chuyen-doi-vneid/don-vi/${id}`, form.date!, unit.name, CONFIRM_FIELD in form);
  }
  return act(c, async () => {
    const d = await setUnitCutoff(c.get('deps').db, actorOf(c), id, form, c.get('deps').now());
    return { notice: d ? `Đã đặt ngày riêng cho đơn vị: ${formatDate(d)}.` : 'Đơn vị theo ngày của cấp trên.' };
  });
});

cutoverRoutes.post('/khan-cap', async (c) => {
  const form = await formData(c);
  const { db } = c.get('deps');
  return act(c, async () => {
    const { username } = parseInput(BreakGlassInput, form);
    const res = await setBreakGlassByUsername(db, actorOf(c), username ?? '', c.get('deps').now());
    return {
      notice: `Đã chỉ định ${res.account.username} là tài khoản khẩn cấp. Người dùng cần đăng nhập bằng VNeID và thiết lập mã xác thực tại Thông tin tài khoản → Mã xác thực khẩn cấp; đến khi đó tài khoản chưa đăng nhập khẩn cấp được.`,
    };
  });
});

cutoverRoutes.post('/khan-cap/:id', async (c) => {
  const id = idParam(c, 'Tài khoản');
  return act(c, async () => {
    const res = await setBreakGlass(c.get('deps').db, actorOf(c), id, false, c.get('deps').now());
    return { notice: `Đã bỏ tài khoản khẩn cấp ${res.account.username}.` };
  });
});
