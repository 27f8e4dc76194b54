import type { IdentityState } from '../accounts/identity-status.js';
import type { UnitNode } from '../org/tree.js';
import { CsrfField, Flash } from '../web/layout.js';
import { OfficialForm, type OfficialFormValues } from './official-form.js';
import { UnitTree } from './unit-tree.js';

type OfficialRow = {
  id: string;
  username: string;
  middleName: string;
  givenName: string;
  position: string | null;
  suspended: boolean;
  unitName: string;
  cccd: string | null;
  verifiedAt: Date | null;
};

const NOTICES: Record<string, string> = {
  saved: 'Đã lưu thông tin cán bộ.',
  suspended: 'Đã tạm đình chỉ tài khoản.',
  unsuspended: 'Đã bỏ tạm đình chỉ tài khoản.',
  deleted: 'Đã xóa cán bộ. Lịch sử của tài khoản vẫn được lưu.',
  roles: 'Đã lưu phân quyền sử dụng.',
};

export type UsersPageProps = {
  csrfToken: string;
  forest: UnitNode[];
  flat: Array<UnitNode & { depth: number }>;
  unitId: string | undefined;
  unitName: string | undefined;
  q: string;
  rows: OfficialRow[];
  total: number;
  notice?: string | undefined;
  secret?: { username: string; password: string } | undefined;
  error?: string | undefined;
  form?: {
    action: string;
    values: OfficialFormValues;
    errors?: Record<string, string> | undefined;
    isNew: boolean;
    accountId?: string | undefined;
    suspended?: boolean;
    identity?: IdentityState;
    /** Tách từ tài khoản X: the shared account this one was split from. */
    splitFrom?: { id: string; username: string } | null;
  };
  /** Result of Xác thực tài khoản VNEID. */
  verification?: { verified: boolean; message: string } | undefined;
};

function hrefWith(base: Record<string, string | undefined>) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(base)) if (v) params.set(k, v);
  const s = params.toString();
  return `/tiepnhan/quan-tri/nguoi-dung${s ? `?${s}` : ''}`;
}

/** QUẢN LÝ PHÒNG BAN - CÁN BỘ: tree, list, and the selected official's form. */
export function UsersPage(p: UsersPageProps) {
  const sel = p.form?.accountId;
  return (
    <div class="admin-users">
      <aside class="sidebar">
        {/* biome-ignore lint/a11y/useSemanticElements: a form with role=search is what screen readers announce; <search> is too new */}
        <form method="get" action="/tiepnhan/quan-tri/nguoi-dung" role="search" class="search">
          {p.unitId ? <input type="hidden" name="donvi" value={p.unitId} /> : null}
          <label for="q" class="visually-hidden">
            Tìm kiếm cán bộ
          </label>
          <input id="q" name="q" type="search" placeholder="Tìm kiếm..." value={p.q} />
          <button type="submit">Tìm</button>
        </form>
        <UnitTree forest={p.forest} selected={p.unitId} hrefFor={(id) => hrefWith({ donvi: id })} />
        <p class="sidebar-links">
          <a href="/tiepnhan/quan-tri/don-vi">Quản lý đơn vị</a> ·{' '}
          <a href="/tiepnhan/quan-tri/chuyen-doi-vneid">Chuyển đổi đăng nhập VNeID</a> ·{' '}
          <a href="/tiepnhan/quan-tri/thu-tuc">Thủ tục hành chính</a> · <a href="/tiepnhan/quan-tri/lich-lam-viec">Lịch làm việc</a> ·{' '}
          <a href="/tiepnhan/quan-tri/nhat-ky">Nhật ký hệ thống</a> · <a href="/tiepnhan/quan-tri/hang-doi">Hàng đợi</a> ·{' '}
          <a href="/tiepnhan/quan-tri/uy-quyen">Ủy quyền giải quyết DVC</a>
        </p>
      </aside>
      <section class="content">
        <h1>QUẢN LÝ PHÒNG BAN - CÁN BỘ</h1>
        {p.notice && NOTICES[p.notice] ? <Flash kind="ok">{NOTICES[p.notice]}</Flash> : null}
        {p.error ? <Flash kind="error">{p.error}</Flash> : null}
        {p.verification ? (
          <div class={`flash ${p.verification.verified ? 'flash-ok' : 'flash-error'}`} role="status" id="verification-result">
            {p.verification.message}
          </div>
        ) : null}
        {p.secret ? (
          <div class="flash flash-ok secret" role="status">
            Mật khẩu tạm thời của tài khoản <strong>{p.secret.username}</strong>:{' '}
            <code data-testid="temporary-password">{p.secret.password}</code>
            <br />
            Mật khẩu chỉ hiển thị một lần. Cán bộ phải đổi mật khẩu ở lần đăng nhập tiếp theo.
          </div>
        ) : null}
        <div class="toolbar">
          {p.unitId ? (
            <a class="button" href={hrefWith({ donvi: p.unitId, moi: '1' })}>
              Thêm mới cán bộ
            </a>
          ) : null}
          {sel ? (
            <>
              <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/phan-quyen`}>
                Phân quyền sử dụng
              </a>
              <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/quyen`}>
                Quyền sử dụng
              </a>
              <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/tach`}>
                Tách tài khoản dùng chung
              </a>
              <form method="post" action={`/tiepnhan/quan-tri/nguoi-dung/${sel}/dat-lai-mat-khau`} class="inline">
                <CsrfField token={p.csrfToken} />
                <button type="submit">Đặt lại mật khẩu</button>
              </form>
              <form method="post" action={`/tiepnhan/quan-tri/nguoi-dung/${sel}/tam-dinh-chi`} class="inline">
                <CsrfField token={p.csrfToken} />
                <input type="hidden" name="value" value={p.form?.suspended ? '0' : '1'} />
                <button type="submit">{p.form?.suspended ? 'Bỏ tạm đình chỉ' : 'Tạm đình chỉ'}</button>
              </form>
              <form method="post" action={`/tiepnhan/quan-tri/nguoi-dung/${sel}/khoa-api`} class="inline">
                <CsrfField token={p.csrfToken} />
                <input name="name" placeholder="Tên hệ thống dùng khóa" aria-label="Tên hệ thống dùng khóa API" class="short" />
                <button type="submit">Cấp khóa API</button>
              </form>
              <a class="button danger" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/xoa`}>
                Xóa cán bộ
              </a>
            </>
          ) : null}
          <a class="button" href="/tiepnhan/quan-tri/nguoi-dung/nhap">
            Nhập từ tệp
          </a>
          <a
            class="button"
            href={`/tiepnhan/quan-tri/nguoi-dung/xuat?${new URLSearchParams({ ...(p.unitId ? { donvi: p.unitId } : {}), ...(p.q ? { q: p.q } : {}) })}`}
          >
            Xuất Excel
          </a>
        </div>
        <h2>
          {p.unitName ?? 'Tất cả đơn vị quản trị'}
          {p.q ? ` — kết quả tìm "${p.q}"` : ''} ({p.total})
        </h2>
        <table class="list" id="officials">
          <thead>
            <tr>
              <th scope="col">Họ và tên</th>
              <th scope="col">Tên tài khoản</th>
              <th scope="col">Chức vụ</th>
              <th scope="col">Đơn vị</th>
              <th scope="col">CCCD</th>
              <th scope="col">Trạng thái</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((r) => (
              <tr class={r.id === sel ? 'selected' : undefined}>
                <td>
                  <a href={hrefWith({ donvi: p.unitId, q: p.q || undefined, tk: r.id })}>
                    {r.middleName} {r.givenName}
                  </a>
                </td>
                <td>{r.username}</td>
                <td>{r.position ?? ''}</td>
                <td>{r.unitName}</td>
                <td>{r.cccd ? (r.verifiedAt ? `${r.cccd} ✓` : r.cccd) : ''}</td>
                <td>{r.suspended ? <span class="badge warn">Tạm đình chỉ</span> : <span class="badge ok">Hoạt động</span>}</td>
              </tr>
            ))}
            {p.rows.length === 0 ? (
              <tr>
                <td colspan={6} class="muted">
                  {p.q ? 'Không tìm thấy cán bộ phù hợp.' : 'Chưa có cán bộ trong đơn vị này.'}
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {p.form?.splitFrom ? (
          <p id="split-from">
            Tách từ tài khoản <strong>{p.form.splitFrom.username}</strong> (tài khoản dùng chung).
          </p>
        ) : null}
        {p.form ? (
          <OfficialForm
            action={p.form.action}
            csrfToken={p.csrfToken}
            values={p.form.values}
            errors={p.form.errors}
            units={p.flat}
            isNew={p.form.isNew}
            verifyAction={p.form.accountId ? `/tiepnhan/quan-tri/nguoi-dung/${p.form.accountId}/xac-thuc-vneid` : undefined}
            identity={p.form.identity}
          />
        ) : null}
      </section>
    </div>
  );
}
