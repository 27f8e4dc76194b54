import { formatDateTime } from '../shared/dates.js';

export type IdentityState = {
  verifiedAt: Date | null;
  declinedAt: Date | null;
  /** When the person, logged in with VNeID, accepted the account (accounts.person_linked_at). */
  linkedAt: Date | null;
};

/** The one wording of an account's VNeID binding, for administrators and for the official. */
export function identityStatus(s: IdentityState): { ok: boolean; text: string } {
  if (s.linkedAt) return { ok: true, text: `Đã liên kết VNeID: chủ tài khoản đã đồng ý lúc ${formatDateTime(s.linkedAt)}` };
  if (s.declinedAt)
    return { ok: false, text: `Chủ định danh đã từ chối liên kết lúc ${formatDateTime(s.declinedAt)}. Kiểm tra lại thông tin xác thực.` };
  if (s.verifiedAt) {
    return {
      ok: true,
      text: `Đã xác thực VNeID lúc ${formatDateTime(s.verifiedAt)} — chờ chủ tài khoản đồng ý liên kết khi đăng nhập bằng VNeID`,
    };
  }
  return { ok: false, text: 'Chưa xác thực VNeID' };
}
