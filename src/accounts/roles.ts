/**
 * The roles as officials read them (Phân quyền sử dụng): one label and one plain sentence of what a grant
 * allows. Only words live here; who may do what is decided in accounts/policies.ts (administration),
 * dossiers/access.ts (dossiers) and statistics/policy.ts (statistics).
 */
import type { Role } from '../db/schema/index.js';

/** The label of a role without its unit. Administration reads "Quản trị tỉnh" at a root unit (see grantLabel). */
export const ROLE_LABELS: Record<Role, string> = {
  reception: 'Cán bộ tiếp nhận',
  processing: 'Cán bộ xử lý',
  approval: 'Lãnh đạo (phê duyệt)',
  result: 'Văn thư / trả kết quả',
  admin: 'Quản trị đơn vị',
  statistics: 'Xem thống kê',
};

const PROVINCE_ADMIN = 'Quản trị tỉnh';

/** What a grant allows, in the order of the role list (the subtree is said once, by the page). */
const ALLOWS: Record<Role, string> = {
  reception:
    'Tiếp nhận hồ sơ (trực tiếp, bưu chính công ích, trực tuyến), yêu cầu bổ sung hoặc từ chối tiếp nhận, in giấy tiếp nhận và hẹn trả kết quả.',
  processing: 'Thẩm định, xử lý hồ sơ ở các bước được giao cho đơn vị; chuyển bước tiếp theo hoặc trả lại.',
  approval: 'Phê duyệt, trả lại hoặc từ chối hồ sơ ở bước lãnh đạo; xem thống kê của đơn vị.',
  result: 'Vào sổ theo dõi, trả kết quả cho người nộp (tại quầy, qua bưu chính hoặc trực tuyến).',
  admin:
    'Quản lý cán bộ và đơn vị trực thuộc: thêm mới, sửa, tạm đình chỉ, xóa cán bộ, đặt lại mật khẩu, phân quyền sử dụng, tách tài khoản dùng chung; thủ tục hành chính của đơn vị; xem nhật ký của đơn vị. Không tự xử lý hồ sơ.',
  statistics: 'Xem số liệu thống kê hồ sơ của đơn vị. Không xem, không xử lý từng hồ sơ.',
};

const PROVINCE_ALLOWS =
  'Quản trị toàn tỉnh: mọi việc của quản trị đơn vị ở tất cả đơn vị, cùng lịch làm việc, ngày chuyển sang đăng nhập VNeID, tài khoản phá kính, hàng đợi công việc; xem thống kê toàn tỉnh. Không tự xử lý hồ sơ.';

/** "Quản trị tỉnh" for administration at a root unit, the role's label otherwise. */
export function grantLabel(role: Role, atRootUnit: boolean): string {
  return role === 'admin' && atRootUnit ? PROVINCE_ADMIN : ROLE_LABELS[role];
}

export function grantAllows(role: Role, atRootUnit: boolean): string {
  return role === 'admin' && atRootUnit ? PROVINCE_ALLOWS : ALLOWS[role];
}
