/** The screens of QUẢN TRỊ HỆ THỐNG, as its sub-menu under the main menu on every administration page. */
const ADMIN_SCREENS: Array<{ href: string; label: string }> = [
  { href: '/tiepnhan/quan-tri/nguoi-dung', label: 'Phòng ban - Cán bộ' },
  { href: '/tiepnhan/quan-tri/don-vi', label: 'Quản lý đơn vị' },
  { href: '/tiepnhan/quan-tri/don-vi/nhap', label: 'Nhập đơn vị từ tệp' },
  { href: '/tiepnhan/quan-tri/chuyen-doi-vneid', label: 'Chuyển đổi đăng nhập VNeID' },
  { href: '/tiepnhan/quan-tri/uy-quyen', label: 'Ủy quyền giải quyết DVC' },
  { href: '/tiepnhan/quan-tri/thu-tuc', label: 'Thủ tục hành chính' },
  { href: '/tiepnhan/quan-tri/thu-tuc/nhap', label: 'Nhập thủ tục từ tệp' },
  { href: '/tiepnhan/quan-tri/lich-lam-viec', label: 'Lịch làm việc' },
  { href: '/tiepnhan/quan-tri/mau-thong-bao', label: 'Mẫu thông báo' },
  { href: '/tiepnhan/quan-tri/thong-bao', label: 'Thông báo' },
  { href: '/tiepnhan/quan-tri/nhat-ky', label: 'Nhật ký hệ thống' },
  { href: '/tiepnhan/quan-tri/hang-doi', label: 'Hàng đợi' },
  { href: '/tiepnhan/quan-tri/ung-dung-sso', label: 'Ứng dụng kết nối SSO' },
  { href: '/tiepnhan/quan-tri/cong-dvc-quoc-gia', label: 'Hồ sơ từ Cổng DVC quốc gia' },
];

export function AdminNav() {
  return (
    <nav class="adminnav" aria-label="Quản trị hệ thống">
      <ul>
        {ADMIN_SCREENS.map((s) => (
          <li>
            <a href={s.href}>{s.label}</a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
