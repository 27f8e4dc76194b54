import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { Layout } from '../web/layout.js';
import { actorOf, pageProps, requireLogin } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { listAuditEntries } from '../audit/list.js';
import { formatDateTime } from '../shared/dates.js';

export const adminAuditRoutes = new Hono<AppEnv>();
adminAuditRoutes.use('*', requireLogin);

const ACTION_LABELS: Record<string, string> = {
  'auth.login': 'Đăng nhập',
  'auth.login_failed': 'Đăng nhập không thành công',
  'auth.logout': 'Đăng xuất',
  'account.create': 'Thêm mới cán bộ',
  'account.update': 'Cập nhật cán bộ',
  'account.suspend': 'Tạm đình chỉ',
  'account.unsuspend': 'Bỏ tạm đình chỉ',
  'account.delete': 'Xóa cán bộ',
  'account.roles': 'Phân quyền sử dụng',
  'account.password_reset': 'Đặt lại mật khẩu',
  'account.password_change': 'Đổi mật khẩu',
  'account.import': 'Nhập cán bộ từ tệp',
  'account.export': 'Xuất danh sách cán bộ',
  'unit.create': 'Thêm đơn vị',
  'unit.update': 'Cập nhật đơn vị',
  'unit.move': 'Chuyển đơn vị',
  'unit.merge': 'Sáp nhập đơn vị',
  'unit.activate': 'Kích hoạt đơn vị',
  'unit.deactivate': 'Ngừng hoạt động đơn vị',
};

const PAGE = 100;

/** ?truoc= the id of the last entry seen: the page continues with older entries. */
const AuditQuery = z.object({ truoc: param.int(1, Number.MAX_SAFE_INTEGER, 'Số thứ tự bản ghi phải là số nguyên dương.') });

/** Nhật ký hệ thống: administrators read the entries that concern units of their subtree. Newest first, keyset pages. */
adminAuditRoutes.get('/', async (c) => {
  const { truoc: before } = queryOf(c, AuditQuery);
  const rows = await listAuditEntries(c.get('deps').db, actorOf(c), before, PAGE);
  const props = await pageProps(c);
  const last = rows[rows.length - 1];
  return c.html(
    <Layout title="Nhật ký hệ thống" section="admin" {...props}>
      <section>
        <h1>NHẬT KÝ HỆ THỐNG</h1>
        <p class="muted">Mỗi bản ghi được nối chuỗi băm với bản ghi trước; lệnh kiểm tra: npm run audit:verify.</p>
        <table class="list" id="audit">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Thời gian</th>
              <th scope="col">Người thực hiện</th>
              <th scope="col">Thao tác</th>
              <th scope="col">Đối tượng</th>
              <th scope="col">Địa chỉ IP</th>
              <th scope="col">Chi tiết</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>{r.id}</td>
                <td>{formatDateTime(r.at)}</td>
                <td>{r.actorLabel ?? ''}</td>
                <td>{ACTION_LABELS[r.action] ?? r.action}</td>
                <td>{r.targetType ? `${r.targetType}:${r.targetId ?? ''}` : ''}</td>
                <td>{r.ip ?? ''}</td>
                <td>
                  <code class="json">{JSON.stringify(r.data)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === PAGE && last ? (
          <p>
            <a href={`/tiepnhan/quan-tri/nhat-ky?truoc=${last.id}`}>Cũ hơn →</a>
          </p>
        ) : null}
      </section>
    </Layout>,
  );
});
