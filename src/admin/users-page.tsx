import type { IdentityState } from '../accounts/identity-status.js';
import type { SameIdentity } from '../accounts/same-identity.js';
import { SameIdentityNotice } from './same-identity-notice.js';
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

const VERIFIED = 'Thông tin số CCCD chính xác. Đã lưu thông tin cán bộ và kết quả xác thực.';

const NOTICES: Record<string, string> = {
  saved: 'Đã lưu thông tin cán bộ.',
  reset: 'Đã đặt lại mật khẩu.',
  created: 'Đã lưu thông tin cán bộ.',
  // The landing reloaded (or typed): the receipt, and the password it carried, are gone.
  'created-shown': 'Đã lưu thông tin cán bộ. Mật khẩu tạm thời chỉ hiển thị một lần; nếu chưa ghi lại, hãy Đặt lại mật khẩu.',
  'reset-shown': 'Đã đặt lại mật khẩu. Mật khẩu tạm thời chỉ hiển thị một lần; nếu chưa ghi lại, hãy Đặt lại mật khẩu lần nữa.',
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
  /** Bao gồm đơn vị trực thuộc, at a unit with units under it (undefined elsewhere). */
  subtree?: boolean | undefined;
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
  /** After a save: the other accounts carrying the same số định danh, as the administrator may learn of them. */
  sameIdentity?: SameIdentity | null | undefined;
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
  // After a verification that matched, the page is a fresh read (redirect after post): its result shows here.
  const verification = p.verification ?? (p.notice === 'verified' ? { verified: true, message: VERIFIED } : undefined);
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
      </aside>
      <section class="content">
        <h1>QUẢN LÝ PHÒNG BAN - CÁN BỘ</h1>
        {p.notice && NOTICES[p.notice] ? <Flash kind="ok">{NOTICES[p.notice]}</Flash> : null}
        {p.error ? <Flash kind="error">{p.error}</Flash> : null}
        {verification ? (
          <div class={`flash ${verification.verified ? 'flash-ok' : 'flash-error'}`} role="status" id="verification-result">
            {verification.message}
          </div>
        ) : null}
        {p.sameIdentity ? <SameIdentityNotice s={p.sameIdentity} /> : null}
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
              <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/dat-lai-mat-khau`}>
                Đặt lại mật khẩu
              </a>
              {p.form?.suspended ? (
                <form method="post" action={`/tiepnhan/quan-tri/nguoi-dung/${sel}/tam-dinh-chi`} class="inline">
                  <CsrfField token={p.csrfToken} />
                  <input type="hidden" name="value" value="0" />
                  <button type="submit">Bỏ tạm đình chỉ</button>
                </form>
              ) : (
                <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/tam-dinh-chi`}>
                  Tạm đình chỉ
                </a>
              )}
              <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/khoa-api`}>
                Khóa API
              </a>
              <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${sel}/ket-thuc-phien`}>
                Kết thúc mọi phiên đăng nhập
              </a>
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
        <h2 id="officials-heading">
          {p.unitName ?? 'Tất cả đơn vị quản trị'}
          {p.subtree && !p.q ? ' và đơn vị trực thuộc' : ''}
          {p.q ? ` — kết quả tìm "${p.q}"` : ''} (<span id="officials-total">{p.total}</span>)
        </h2>
        {p.subtree !== undefined && !p.q ? (
          <nav class="toggle" aria-label="Phạm vi danh sách">
            <a href={hrefWith({ donvi: p.unitId, con: '1' })} aria-current={p.subtree ? 'true' : undefined}>
              Bao gồm đơn vị trực thuộc
            </a>
            <a href={hrefWith({ donvi: p.unitId, con: '0' })} aria-current={p.subtree ? undefined : 'true'}>
              Chỉ cán bộ trực tiếp của đơn vị
            </a>
          </nav>
        ) : null}
        {p.rows.length < p.total ? (
          <p class="muted">
            Hiển thị {p.rows.length} trên {p.total} cán bộ; tìm kiếm hoặc chọn đơn vị con để thu hẹp danh sách.
          </p>
        ) : null}
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
                  <a
                    href={hrefWith({
                      donvi: p.unitId,
                      con: p.subtree === false ? '0' : undefined,
                      q: p.q || undefined,
                      tk: r.id,
                    })}
                  >
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
                  {p.q
                    ? 'Không tìm thấy cán bộ phù hợp.'
                    : p.subtree
                      ? 'Chưa có cán bộ trong đơn vị này và các đơn vị trực thuộc.'
                      : 'Chưa có cán bộ trong đơn vị này.'}
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
