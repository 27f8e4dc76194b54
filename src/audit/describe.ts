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
  'cutover.break_glass_enrolled': 'Thiết lập mã xác thực khẩn cấp',
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
  'payment.refunded': 'Ghi nhận đã hoàn trả lệ phí',
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
  // Dossiers (receive, submit, act, assign, results, payments, notifications).
  code: 'Mã hồ sơ',
  procedure: 'Thủ tục',
  version: 'Phiên bản thủ tục',
  channel: 'Hình thức',
  components: 'Số thành phần hồ sơ',
  digitised: 'Đã số hóa',
  declarationAnswers: 'Số câu trả lời tờ khai',
  onBehalf: 'Nộp thay',
  files: 'Số tệp',
  file: 'Tệp',
  size: 'Dung lượng (byte)',
  sha256: 'Mã băm SHA-256',
  step: 'Bước',
  score: 'Điểm đánh giá',
  dossierId: 'Hồ sơ',
  transactionId: 'Mã giao dịch',
  late: 'Xác nhận muộn',
  afterFailure: 'Sau giao dịch báo thất bại',
  message: 'Thông báo',
  event: 'Sự kiện',
  resentAs: 'Gửi lại qua',
  // Logins (auth.*, portal.*, sso.login, identity.*).
  issuer: 'Bên cấp định danh',
  loa: 'Mức định danh',
  accountType: 'Loại tài khoản',
  firstLogin: 'Lần đăng nhập đầu tiên',
  how: 'Cách liên kết',
  cutoff: 'Ngày chỉ đăng nhập bằng VNeID',
  lockedNow: 'Khóa đăng nhập từ lần này',
  pausedNow: 'Tạm dừng đăng nhập từ lần này',
  totp: 'Mã xác thực (TOTP)',
  client: 'Ứng dụng',
  sessionsEnded: 'Số phiên đã kết thúc',
  // API keys and SSO applications.
  clientId: 'Mã ứng dụng',
  expiresAt: 'Hết hạn lúc',
  redirectUris: 'Địa chỉ chuyển hướng',
  postLogoutRedirectUris: 'Địa chỉ sau đăng xuất',
  backchannelLogoutUri: 'Địa chỉ nhận thông báo đăng xuất',
  scopes: 'Phạm vi thông tin',
  confidential: 'Ứng dụng có khóa bí mật',
  subjectType: 'Kiểu định danh người dùng',
  unitIds: 'Đơn vị được dùng',
  accessTokenTtl: 'Thời hạn access token (giây)',
  refreshTokenTtl: 'Thời hạn refresh token (giây)',
  idTokenTtl: 'Thời hạn ID token (giây)',
  replacedRevoked: 'Thay khóa đã thu hồi',
  changes: 'Thay đổi',
  demo: 'Dữ liệu mẫu',
  // Roles, delegation, units, imports and exports.
  added: 'Thêm',
  removed: 'Bỏ',
  delegate: 'Người nhận ủy quyền',
  scope: 'Phạm vi',
  sectorIds: 'Lĩnh vực',
  procedureIds: 'Thủ tục',
  startsAt: 'Bắt đầu',
  endsAt: 'Kết thúc',
  before: 'Kết thúc trước hạn',
  byDelegator: 'Do người ủy quyền kết thúc',
  parentId: 'Đơn vị cấp trên',
  agencyCode: 'Mã định danh điện tử',
  province: 'Tỉnh',
  admin: 'Quản trị tỉnh',
  rootUnitId: 'Đơn vị gốc',
  source: 'Nguồn',
  target: 'Đơn vị nhận',
  movedUnits: 'Số đơn vị chuyển',
  movedAccounts: 'Số tài khoản chuyển',
  movedGrants: 'Số quyền chuyển',
  rows: 'Số dòng',
  created: 'Thêm mới',
  updated: 'Cập nhật',
  unchanged: 'Không đổi',
  refused: 'Bị từ chối',
  refusedLines: 'Các dòng bị từ chối',
  format: 'Định dạng',
  q: 'Từ khóa',
  count: 'Số bản ghi',
  units: 'Đơn vị',
  accounts: 'Số tài khoản',
  grants: 'Số quyền',
  bytes: 'Dung lượng (byte)',
  missingFiles: 'Số tệp không còn',
  document: 'Giấy tờ',
  // Calendar and jobs.
  recomputed: 'Số hồ sơ tính lại hạn',
  foldedDayEntries: 'Số ngày đã gộp',
  year: 'Năm',
  kind: 'Loại',
  state: 'Trạng thái',
  attempts: 'Số lần chạy',
};

/** Values of a field said in words, where the log stores a code. */
const VALUES: Record<string, Record<string, string>> = {
  method: { password: 'mật khẩu', vneid: 'VNeID', sso: 'Hệ thống xác thực tập trung' },
  channel: { '1': 'Trực tiếp', '2': 'Trực tuyến', '3': 'Bưu chính công ích', zns: 'Zalo', sms: 'SMS', email: 'Thư điện tử' },
  resentAs: { zns: 'Zalo', sms: 'SMS', email: 'Thư điện tử' },
  loa: { '1': 'Mức 1', '2': 'Mức 2' },
  how: { confirmed: 'Chủ định danh xác nhận', first_login: 'Lần đăng nhập đầu tiên' },
  totp: { locked: 'bị khóa do nhập sai nhiều lần', invalid: 'không đúng' },
  subjectType: { public: 'Chung', pairwise: 'Riêng cho từng ứng dụng' },
  source: { upload: 'Tải lên', issued: 'Kết quả được cấp', import: 'Nhập từ tệp' },
  reason: {
    suspended: 'Tài khoản đang bị tạm đình chỉ',
    paused: 'Đang tạm dừng đăng nhập do nhập sai nhiều lần',
    bad_credentials: 'Sai tên tài khoản hoặc mật khẩu',
    password_closed: 'Đơn vị đã chỉ đăng nhập bằng VNeID',
    totp_missing: 'Thiếu mã xác thực của tài khoản khẩn cấp',
    totp_invalid: 'Mã xác thực không đúng',
    not_bound: 'Định danh chưa gắn với tài khoản cán bộ nào',
    loa_too_low: 'Mức định danh chưa đủ',
    cccd_format: 'Số định danh không đúng định dạng',
    cccd_province: 'Số định danh không thuộc tỉnh',
    organisation_identity: 'Tài khoản định danh của tổ chức',
    unit_not_allowed: 'Đơn vị không được dùng ứng dụng này',
    citizen_not_allowed: 'Ứng dụng không dành cho công dân',
  },
};

const RESULTS: Record<string, string> = {
  match: 'khớp với Cơ sở dữ liệu quốc gia về dân cư',
  mismatch: 'chưa khớp với Cơ sở dữ liệu quốc gia về dân cư',
  rate_limited: 'bị từ chối vì gửi quá nhiều yêu cầu trong một giờ',
  unavailable: 'không thực hiện được vì Cơ sở dữ liệu quốc gia về dân cư không phản hồi',
};

function value(v: unknown, field?: string): string {
  const said = field !== undefined && (typeof v === 'string' || typeof v === 'number') ? VALUES[field]?.[String(v)] : undefined;
  if (said !== undefined) return said;
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
  if (Array.isArray(v)) return v.map((x) => value(x, field)).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${FIELDS[k] ?? k}: ${value(x, k)}`)
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
  // A shortened id ends in "…": no full stop after it.
  let sentence = `${who}: ${label}${target ? ` — ${target}` : ''}${target.endsWith('…') ? '' : '.'}`;
  if (row.action === 'identity.verify' && typeof data.result === 'string') {
    sentence = `${who} xác thực tài khoản VNEID${target ? ` (${target})` : ''}: thông tin số CCCD ${String(data.cccd ?? '')} ${RESULTS[data.result] ?? data.result}${data.saved === false ? '; không lưu thay đổi nào' : ''}.`;
  }
  const details: AuditView['details'] = [];
  const old = (data.old ?? {}) as Record<string, unknown>;
  const neu = (data.new ?? {}) as Record<string, unknown>;
  for (const k of new Set([...Object.keys(old), ...Object.keys(neu)])) {
    details.push({ field: FIELDS[k] ?? k, text: k in old ? `${value(old[k], k)} → ${value(neu[k], k)}` : value(neu[k], k) });
  }
  for (const [k, v] of Object.entries(data)) {
    if (k === 'old' || k === 'new' || (row.action === 'identity.verify' && (k === 'result' || k === 'cccd'))) continue;
    details.push({ field: FIELDS[k] ?? k, text: value(v, k) });
  }
  return { label, sentence, details };
}
