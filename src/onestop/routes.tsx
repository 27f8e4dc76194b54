import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { pageProps, requireLogin } from '../web/http.js';
import { persons, roleGrants, units } from '../db/schema/index.js';
import { ROLE_LABELS } from '../accounts/set-roles.js';
import { genderLabel } from '../accounts/official-columns.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import type { Role } from '../db/schema/index.js';

export const onestopRoutes = new Hono<AppEnv>();
onestopRoutes.use('/', requireLogin);
onestopRoutes.use('/tai-khoan', requireLogin);
onestopRoutes.use('/ho-tro', requireLogin);

/** CÁ NHÂN: the official's start page. */
onestopRoutes.get('/', async (c) => {
  const { db } = c.get('deps');
  const account = c.get('account')!;
  const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, account.unitId));
  const grants = await db
    .select({ role: roleGrants.role, unitName: units.name })
    .from(roleGrants)
    .innerJoin(units, eq(units.id, roleGrants.unitId))
    .where(eq(roleGrants.accountId, account.id));
  const props = await pageProps(c);
  return c.html(
    <Layout title="Trang cá nhân" section="personal" {...props}>
      <section>
        <h1>
          Xin chào, {account.middleName} {account.givenName}
        </h1>
        <p>
          Đơn vị: <strong>{unit?.name}</strong>
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
                {ROLE_LABELS[g.role as Role]} — {g.unitName}
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted">Tài khoản chưa được phân quyền. Vui lòng liên hệ quản trị đơn vị.</p>
        )}
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

/** Thông tin tài khoản: what the system holds about the official. */
onestopRoutes.get('/tai-khoan', async (c) => {
  const { db } = c.get('deps');
  const a = c.get('account')!;
  const [person] = a.personId ? await db.select().from(persons).where(eq(persons.id, a.personId)) : [];
  const [unit] = await db.select({ name: units.name }).from(units).where(eq(units.id, a.unitId));
  const props = await pageProps(c);
  const rows: Array<[string, string]> = [
    ['Tên tài khoản', a.username],
    ['Họ và tên', `${a.middleName} ${a.givenName}`],
    ['Đơn vị/Phòng ban', unit?.name ?? ''],
    ['Chức vụ', a.position ?? ''],
    ['Số di động', a.mobile ?? ''],
    ['Email', a.emails ?? ''],
    ['Họ và tên trên thẻ CCCD', person?.fullName ?? ''],
    ['Ngày sinh', formatDate(person?.dateOfBirth)],
    ['Giới tính', genderLabel(person?.gender)],
    ['Số CCCD', person?.cccd ?? ''],
    ['Ngày cấp', formatDate(person?.issueDate)],
    ['Nơi cấp', person?.issuePlace ?? ''],
    ['Xác thực VNeID', person?.verifiedAt ? `Đã xác thực lúc ${formatDateTime(person.verifiedAt)}` : 'Chưa xác thực'],
    ['Lần đăng nhập gần nhất', a.lastLoginAt ? formatDateTime(a.lastLoginAt) : ''],
  ];
  return c.html(
    <Layout title="Thông tin tài khoản" section="personal" {...props}>
      <section class="narrow">
        <h1>Thông tin tài khoản</h1>
        <dl class="facts">
          {rows.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v || '—'}</dd>
            </>
          ))}
        </dl>
        <p class="muted">Để sửa thông tin, vui lòng liên hệ quản trị đơn vị.</p>
      </section>
    </Layout>,
  );
});

onestopRoutes.get('/ho-tro', async (c) => {
  const props = await pageProps(c);
  return c.html(
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
