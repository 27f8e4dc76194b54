import type { Child } from 'hono/jsx';
import { formatDate } from '../shared/dates.js';
import type { EffectivePermissions } from './effective-permissions.js';

/**
 * QUYỀN SỬ DỤNG of one account: its state, its grants with what each allows, and the delegations.
 * The same screen for the official themself and for an administrator (who sees only their subtree's grants).
 */
export function PermissionsView(p: {
  perm: EffectivePermissions;
  /** An administrator's view: links back to the account in Quản lý người dùng. */
  adminView: boolean;
  /**
   * The delegations this account received and gave, rendered by src/delegation/pages.tsx (AccountDelegations).
   */
  delegations?: Child;
}) {
  const { account: a, grants } = p.perm;
  return (
    <section class="narrow wide-ok" id="permissions">
      <h1>Quyền sử dụng</h1>
      <p>
        Tài khoản <strong>{a.username}</strong> — {a.middleName} {a.givenName}
        {a.position ? ` (${a.position})` : ''}, thuộc <strong>{a.unitName}</strong>.
      </p>
      {p.perm.splitFrom ? (
        <p id="split-from">
          Tách từ tài khoản <strong>{p.perm.splitFrom.username}</strong> (tài khoản dùng chung).
        </p>
      ) : null}
      <h2>Trạng thái</h2>
      <ul id="account-state">
        <li>
          {a.suspended ? <strong class="badge warn">Tạm đình chỉ — mọi quyền dưới đây đang không có hiệu lực.</strong> : 'Đang hoạt động.'}
        </li>
        <li>
          {p.perm.passwordLoginOpen
            ? p.perm.cutoff
              ? `Đăng nhập bằng mật khẩu hoặc VNeID; từ ngày ${formatDate(p.perm.cutoff)} chỉ đăng nhập bằng VNeID.`
              : 'Đăng nhập bằng mật khẩu hoặc VNeID.'
            : a.breakGlass
              ? `Đã chuyển sang đăng nhập VNeID từ ${formatDate(p.perm.cutoff)}; tài khoản phá kính vẫn đăng nhập bằng mật khẩu kèm mã TOTP.`
              : `Đã chuyển sang đăng nhập VNeID từ ${formatDate(p.perm.cutoff)}: không đăng nhập bằng mật khẩu được nữa.`}
        </li>
        <li>{a.linkedToPerson ? 'Đã liên kết với tài khoản VNeID của cán bộ.' : 'Chưa liên kết với tài khoản VNeID.'}</li>
      </ul>
      <h2>Vai trò được phân quyền</h2>
      <p class="muted">Một vai trò tại một đơn vị có hiệu lực cho đơn vị đó và mọi đơn vị trực thuộc.</p>
      {grants.length === 0 ? (
        <p class="muted" id="no-grants">
          Chưa có vai trò nào{p.adminView ? '' : '. Vui lòng liên hệ quản trị đơn vị.'}
        </p>
      ) : (
        <table class="list" id="grants">
          <thead>
            <tr>
              <th scope="col">Vai trò</th>
              <th scope="col">Tại đơn vị</th>
              <th scope="col">Phạm vi</th>
              <th scope="col">Được làm gì</th>
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr>
                <td>{g.label}</td>
                <td>
                  {g.unitName}
                  {g.unitActive ? '' : ' (đã ngừng hoạt động)'}
                </td>
                <td>{g.coveredUnits > 1 ? `Đơn vị và ${g.coveredUnits - 1} đơn vị trực thuộc` : 'Chỉ đơn vị này'}</td>
                <td>{g.allows}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.perm.hiddenGrants > 0 ? (
        <p class="muted">Tài khoản còn {p.perm.hiddenGrants} vai trò tại đơn vị ngoài phạm vi bạn quản trị (không hiển thị).</p>
      ) : null}
      <h2>Ủy quyền giải quyết DVC</h2>
      <div id="delegations">{p.delegations ?? <p class="muted">Không có ủy quyền nào đã nhận hoặc đã giao.</p>}</div>
      <p>
        {p.adminView ? (
          <>
            <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung/${a.id}/phan-quyen`}>
              Phân quyền sử dụng
            </a>{' '}
            <a class="button" href={`/tiepnhan/quan-tri/nguoi-dung?donvi=${a.unitId}&tk=${a.id}`}>
              Quay lại
            </a>
          </>
        ) : (
          <a class="button" href="/tiepnhan/tai-khoan">
            Thông tin tài khoản
          </a>
        )}
      </p>
    </section>
  );
}
