/**
 * Nhật ký hệ thống in Vietnamese: one label per action code recorded anywhere (grep recordAudit), a sentence
 * per row with its key data read out, and the data's fields named. The raw JSON stays for the auditor, folded.
 * A code missing here shows as "Thao tác khác" with its code; tests/admin-screens.test.ts keeps the list whole.
 */
import { ACTION_LABELS as DOSSIER_ACTIONS, ACTIONS as DOSSIER_ACTION_CODES } from '../dossiers/transitions.js';
import { formatDate, formatDateTime } from '../shared/dates.js';

const LABELS: Record<string, string> = {
  'account.create': 'Thêm mới cán bộ',
  'account.update': 'Cập nhật thông tin cán bộ',
  'account.update_own': 'Cán bộ tự cập nhật thông tin tài khoản',
  'account.suspend': 'Tạm đình chỉ tài khoản',
  'account.unsuspend': 'Bỏ tạm đình chỉ tài khoản',
  'account.delete': 'Xóa cán bộ',
  'account.roles': 'Phân quyền sử dụng',
  'account.password_reset': 'Đặt lại mật khẩu',
  'account.password_change': 'Đổi mật khẩu',
  'account.import': 'Nhập cán bộ từ tệp',
  'account.export': 'Xuất danh sách cán bộ',
  'account.end_sessions': 'Kết thúc mọi phiên đăng nhập của tài khoản',
  'api_client.issue': 'Cấp khóa API',
  'api_client.revoke': 'Thu hồi khóa API',
  'auth.login': 'Đăng nhập',
  'auth.login_failed': 'Đăng nhập không thành công',
  'auth.logout': 'Đăng xuất',
  'auth.session_end': 'Kết thúc một phiên đăng nhập của mình',
  'auth.session_cutoff': 'Kết thúc phiên đăng nhập bằng mật khẩu: đơn vị đã chỉ đăng nhập bằng VNeID',
  'auth.switch_account': 'Chuyển tài khoản',
  'calendar.day': 'Cập nhật ngày trong lịch làm việc',
  'calendar.office_hours': 'Cập nhật giờ làm việc',
  'calendar.confirm_year': 'Xác nhận lịch nghỉ Tết và ngày làm bù của năm',
  'calendar.confirm_reminder': 'Nhắc xác nhận lịch làm việc năm sau',
  'calendar.recurring_holiday': 'Thêm ngày lễ hằng năm',
  'citizen.data_export': 'Công dân tải về dữ liệu của mình',
  'cutover.break_glass_on': 'Chỉ định tài khoản khẩn cấp',
  'cutover.break_glass_off': 'Bỏ tài khoản khẩn cấp',
  'cutover.province_cutoff': 'Đặt ngày chỉ đăng nhập bằng VNeID (toàn tỉnh)',
  'cutover.unit_cutoff': 'Đặt ngày chỉ đăng nhập bằng VNeID của đơn vị',
  'delegation.create': 'Ủy quyền giải quyết DVC',
  'delegation.end': 'Kết thúc ủy quyền giải quyết DVC',
  'delegation.expire': 'Ủy quyền giải quyết DVC hết hạn',
  'demo.seed_units': 'Tạo dữ liệu mẫu: đơn vị',
  'demo.seed_officials': 'Tạo dữ liệu mẫu: cán bộ',
  'setup.province': 'Khởi tạo hệ thống: tỉnh, đơn vị gốc và quản trị tỉnh',
  'dossier.receive': 'Tiếp nhận hồ sơ',
  'dossier.submit': 'Nộp hồ sơ trực tuyến',
  'dossier.attach_result': 'Đính kèm kết quả giải quyết',
  'dossier.rate': 'Công dân đánh giá việc giải quyết hồ sơ',
  'dossier.assign': 'Hồ sơ: Giao người xử lý',
  'dossier.record_result': 'Hồ sơ: Ghi nhận kết quả giải quyết',
  'dossier_register.download': 'Tải Sổ theo dõi hồ sơ (Mẫu 07)',
  'identity.verify': 'Xác thực tài khoản VNEID',
  'identity.link_confirmed': 'Chủ định danh đồng ý liên kết tài khoản',
  'identity.link_declined': 'Chủ định danh từ chối liên kết tài khoản',
  'identity.link_removed': 'Gỡ liên kết VNeID của tài khoản',
  'job.retry': 'Chạy lại công việc trong hàng đợi',
  'notification.resend': 'Gửi lại thông báo không gửi được',
  'notify.preferences': 'Thay đổi cài đặt nhận thông báo (Zalo, SMS, thư điện tử)',
  'notify.template_saved': 'Sửa mẫu thông báo',
  'notify.template_reset': 'Khôi phục mẫu thông báo mặc định',
  'payment.started': 'Bắt đầu thanh toán trực tuyến',
  'payment.resumed': 'Tiếp tục thanh toán trực tuyến',
  'payment.paid': 'Thanh toán thành công',
  'payment.failed': 'Thanh toán không thành công',
  'payment.abandoned': 'Bỏ dở thanh toán',
  'payment.confirmation_refused': 'Từ chối xác nhận thanh toán không hợp lệ',
  'personal_file.upload': 'Tải giấy tờ lên kho dữ liệu cá nhân',
  'personal_file.rename': 'Đổi tên giấy tờ trong kho dữ liệu cá nhân',
  'personal_file.delete': 'Xóa giấy tờ khỏi kho dữ liệu cá nhân',
  'portal.login': 'Công dân đăng nhập Cổng dịch vụ công',
  'portal.login_failed': 'Công dân đăng nhập Cổng dịch vụ công không thành công',
  'portal.logout': 'Công dân đăng xuất Cổng dịch vụ công',
  'procedure.create': 'Thêm thủ tục hành chính',
  'procedure.new_version': 'Lưu phiên bản mới của thủ tục hành chính',
  'procedure.import': 'Nhập danh mục thủ tục hành chính từ tệp',
  'procedure.template_upload': 'Tải lên mẫu văn bản của thủ tục',
  'procedure.template_replace': 'Thay mẫu văn bản của thủ tục',
  'procedure.template_remove': 'Gỡ mẫu văn bản của thủ tục',
  'sso.login': 'Đăng nhập ứng dụng qua Hệ thống xác thực tập trung',
  'sso.login_refused': 'Từ chối đăng nhập ứng dụng qua Hệ thống xác thực tập trung',
  'sso.logout': 'Đăng xuất khỏi Hệ thống xác thực tập trung',
  'sso_client.register': 'Đăng ký ứng dụng kết nối SSO',
  'sso_client.update': 'Sửa ứng dụng kết nối SSO',
  'sso_client.rotate_secret': 'Cấp khóa bí mật mới cho ứng dụng kết nối SSO',
  'sso_client.revoke_secret': 'Thu hồi khóa bí mật của ứng dụng kết nối SSO',
  'sso_client.disable': 'Tạm dừng ứng dụng kết nối SSO',
  'sso_client.enable': 'Cho ứng dụng kết nối SSO hoạt động lại',
  'unit.create': 'Thêm đơn vị',
  'unit.update': 'Cập nhật đơn vị',
  'unit.move': 'Chuyển đơn vị sang đơn vị cấp trên khác',
  'unit.merge': 'Sáp nhập đơn vị',
  'unit.activate': 'Kích hoạt đơn vị',
  'unit.deactivate': 'Ngừng hoạt động đơn vị',
  'unit.import': 'Nhập cây đơn vị từ tệp',
  'sector.create': 'Thêm lĩnh vực thủ tục hành chính',
  // Every step of the processing cycle, recorded as dossier.<action> (dossiers/act-on-dossier.ts).
  ...Object.fromEntries(DOSSIER_ACTION_CODES.map((a) => [`dossier.${a}`, `Hồ sơ: ${DOSSIER_ACTIONS[a]}`])),
};

/** The Vietnamese name of an action code, or undefined for a code this list does not know. */
export function auditActionLabel(code: string): string | undefined {
  return LABELS[code];
}

/** Codes and names for the filter, by name. */
export function auditActionOptions(): Array<{ code: string; label: string }> {
  return Object.entries(LABELS)
    .map(([code, label]) => ({ code, label }))
    .sort((a, b) => a.label.localeCompare(b.label, 'vi'));
}

const TARGETS: Record<string, string> = {
  account: 'Tài khoản',
  unit: 'Đơn vị',
  dossier: 'Hồ sơ',
  setting: 'Cài đặt',
  procedure: 'Thủ tục hành chính',
  payment: 'Thanh toán',
  delegation: 'Ủy quyền',
  job: 'Công việc trong hàng đợi',
  personal_file: 'Giấy tờ cá nhân',
  api_client: 'Khóa API',
  person: 'Chủ định danh',
  citizen: 'Công dân',
  sso_client: 'Ứng dụng kết nối SSO',
  sso_session: 'Phiên của Hệ thống xác thực tập trung',
};

function auditTargetLabel(type: string | null, id: string | null): string {
  if (!type) return '';
  return `${TARGETS[type] ?? type}${id ? ` ${id.length > 12 ? `${id.slice(0, 8)}…` : id}` : ''}`;
}

const FIELDS: Record<string, string> = {
  username: 'Tên tài khoản',
  middleName: 'Họ và tên đệm',
  givenName: 'Tên',
  fullName: 'Họ và tên trên thẻ CCCD',
  cardName: 'Họ và tên trên thẻ CCCD',
  dateOfBirth: 'Ngày sinh',
  gender: 'Giới tính',
  cccd: 'Số CCCD',
  issueDate: 'Ngày cấp',
  issuePlace: 'Nơi cấp',
  address: 'Địa chỉ',
  phone: 'Số điện thoại',
  mobile: 'Số di động',
  emails: 'Email',
  unitId: 'Đơn vị',
  position: 'Chức vụ',
  suspended: 'Tạm đình chỉ',
  date: 'Ngày',
  name: 'Tên',
  verified: 'Đã xác thực',
  verifiedAt: 'Thời điểm xác thực',
  byAdmin: 'Do quản trị xác thực',
  mustChangePassword: 'Phải đổi mật khẩu',
  personId: 'Liên kết chủ định danh',
  person: 'Thông tin xác thực',
  roles: 'Vai trò',
  reason: 'Lý do',
  method: 'Cách đăng nhập',
  result: 'Kết quả',
  mismatched: 'Trường chưa khớp',
  saved: 'Đã lưu',
  note: 'Ghi chú',
  amount: 'Số tiền',
  status: 'Trạng thái',
  taxCode: 'Mã số thuế',
  bankCode: 'Mã ngân hàng thụ hưởng',
  agencyAddress: 'Địa chỉ cơ quan',
  returnAddress: 'Địa chỉ trả hồ sơ',
  receptionPlace: 'Nơi tiếp nhận hồ sơ',
  beneficiaryAccount: 'Mã tài khoản thụ hưởng',
  receivingUnitPhone: 'Số điện thoại đơn vị tiếp nhận',
  unitRepresentative: 'Đại diện phòng có số riêng/đơn vị',
  divisionRepresentative: 'Đại diện phòng ban',
  breakGlass: 'Tài khoản khẩn cấp',
  fromUnitId: 'Từ đơn vị',
  delegation: 'Ủy quyền',
  // Ending sessions (auth.session_end, account.end_sessions, sso.logout).
  device: 'Thiết bị',
  ip: 'Địa chỉ IP',
  current: 'Phiên đang dùng',
  sessions: 'Số phiên đăng nhập',
  browserSessions: 'Số phiên đăng nhập',
  providerSessions: 'Số phiên của Hệ thống xác thực tập trung',
  notices: 'Số ứng dụng được báo đăng xuất',
  clients: 'Ứng dụng',
  revokedTokens: 'Số mã và token đã thu hồi',
  // sso.login made on an existing provider session (src/sso/record-reused-login.ts).
  reused: 'Dùng phiên đăng nhập sẵn có',
  // Sổ theo dõi hồ sơ (dossier_register.download): its period and how many dossiers it listed; `dossiers` is
  // also the count of citizen.data_export.
  periodFrom: 'Từ ngày',
  periodTo: 'Đến ngày',
  dossiers: 'Số hồ sơ',
  // Mẫu thông báo (notify.template_saved / _reset).
  subject: 'Tiêu đề',
  body: 'Nội dung',
  znsTemplateId: 'Mã mẫu ZNS',
  znsParams: 'Tham số mẫu ZNS',
  // Cài đặt thông báo (notify.preferences): whether each channel is received.
  zns: 'Nhận qua Zalo',
  sms: 'Nhận qua SMS',
  email: 'Nhận qua thư điện tử',
};

const RESULTS: Record<string, string> = {
  match: 'khớp với Cơ sở dữ liệu quốc gia về dân cư',
  mismatch: 'chưa khớp với Cơ sở dữ liệu quốc gia về dân cư',
  rate_limited: 'bị từ chối vì gửi quá nhiều yêu cầu trong một giờ',
  unavailable: 'không thực hiện được vì Cơ sở dữ liệu quốc gia về dân cư không phản hồi',
};

function value(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(trống)';
  if (v === true) return 'Có';
  if (v === false) return 'Không';
  if (typeof v === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T/.test(v)) return formatDateTime(new Date(v));
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
    if (v === 'male') return 'Nam';
    if (v === 'female') return 'Nữ';
    return v;
  }
  if (Array.isArray(v)) return v.map(value).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${FIELDS[k] ?? k}: ${value(x)}`)
      .join('; ');
  }
  return String(v);
}

export type AuditView = { label: string; sentence: string; details: Array<{ field: string; text: string }> };

/** One row of the log read out: what happened, to what, and the data that matter, each field named. */
export function describeAudit(row: {
  action: string;
  actorLabel: string | null;
  targetType: string | null;
  targetId: string | null;
  data: unknown;
}): AuditView {
  const label = LABELS[row.action] ?? `Thao tác khác (${row.action})`;
  const data = (row.data && typeof row.data === 'object' ? row.data : {}) as Record<string, unknown>;
  const who = row.actorLabel ?? 'Hệ thống';
  const target = auditTargetLabel(row.targetType, row.targetId);
  let sentence = `${who}: ${label}${target ? ` — ${target}` : ''}.`;
  if (row.action === 'identity.verify' && typeof data.result === 'string') {
    sentence = `${who} xác thực tài khoản VNEID${target ? ` (${target})` : ''}: thông tin số CCCD ${String(data.cccd ?? '')} ${RESULTS[data.result] ?? data.result}${data.saved === false ? '; không lưu thay đổi nào' : ''}.`;
  }
  const details: AuditView['details'] = [];
  const old = (data.old ?? {}) as Record<string, unknown>;
  const neu = (data.new ?? {}) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(old), ...Object.keys(neu)])) {
    details.push({ field: FIELDS[k] ?? k, text: k in old ? `${value(old[k])} → ${value(neu[k])}` : value(neu[k]) });
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === 'old' || k === 'new' || (row.action === 'identity.verify' && (k === 'result' || k === 'cccd'))) continue;
    details.push({ field: FIELDS[k] ?? k, text: value(v) });
  }
  return { label, sentence, details };
}
