import type { SameIdentity } from '../accounts/same-identity.js';

/**
 * The other accounts with the same số định danh: those within the administrator's units named and linked, the
 * others only counted (accounts/same-identity.ts says when and why). The one wording, after Thêm mới, Lưu, Xác thực
 * tài khoản VNEID, Tách tài khoản dùng chung and on each row of Nhập từ tệp's report.
 */
export function SameIdentityNotice(p: { s: SameIdentity; id?: string }) {
  const { visible, outside } = p.s;
  const elsewhere = outside ? `${outside} tài khoản ở đơn vị ngoài phạm vi quản lý của bạn` : '';
  return (
    <div class="flash flash-info" role="status" id={p.id ?? 'same-identity'}>
      {visible.length === 0 ? (
        <>Số định danh này còn có trên {outside} tài khoản khác, ở đơn vị ngoài phạm vi quản lý của bạn.</>
      ) : (
        <>
          Số định danh này còn có trên {visible.length + (outside ?? 0)} tài khoản khác
          {outside === null ? ' trong phạm vi quản lý của bạn' : ''}:{' '}
          {visible.map((a, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={`/tiepnhan/quan-tri/nguoi-dung?donvi=${a.unitId}&tk=${a.id}`}>{a.username}</a> ({a.unitName}
              {a.suspended ? ', đang tạm đình chỉ' : ''})
            </>
          ))}
          {elsewhere ? ` và ${elsewhere}` : ''}.
          {outside === null
            ? ' Tài khoản ở đơn vị ngoài phạm vi quản lý của bạn (nếu có) chỉ được cho biết sau khi Xác thực tài khoản VNEID.'
            : ''}
        </>
      )}{' '}
      Một người có thể dùng nhiều tài khoản (Chuyển tài khoản); vui lòng kiểm tra để không tạo trùng tài khoản.
    </div>
  );
}
