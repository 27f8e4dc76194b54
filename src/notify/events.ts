/**
 * WHAT IS SENT AND TO WHOM — the events that cause a notification, who receives each and the placeholders its
 * templates may use (docs/decisions/0023). A use case that causes one calls notify(tx, …) (enqueue.ts) with the
 * event and every placeholder's value, in the transaction of its change. The templates (templates.ts) are checked
 * against these placeholders on save.
 */

type EventDef = {
  label: string;
  /** applicant: the dossier's applicant (their portal account and the contact on the dossier); official: an account. */
  audience: 'applicant' | 'official';
  /** Placeholder → what it holds (shown beside the template editor). Every value is a string, already formatted. */
  placeholders: Readonly<Record<string, string>>;
};

const DOSSIER = { ma_ho_so: 'Mã hồ sơ', thu_tuc: 'Tên thủ tục', co_quan: 'Cơ quan giải quyết' } as const;

export const NOTIFY_EVENTS = {
  'dossier.received': {
    label: 'Hồ sơ đã được tiếp nhận',
    audience: 'applicant',
    placeholders: { ...DOSSIER, ma_tra_cuu: 'Mã tra cứu', ngay_hen_tra: 'Ngày hẹn trả kết quả (dd/mm/yyyy)' },
  },
  'dossier.supplement_requested': {
    label: 'Yêu cầu bổ sung hồ sơ',
    audience: 'applicant',
    placeholders: { ...DOSSIER, noi_dung: 'Nội dung cần bổ sung', han_bo_sung: 'Hạn nộp bổ sung (dd/mm/yyyy)' },
  },
  'dossier.refused': {
    label: 'Hồ sơ không được tiếp nhận hoặc bị từ chối giải quyết',
    audience: 'applicant',
    placeholders: { ...DOSSIER, ly_do: 'Lý do' },
  },
  'dossier.stopped': {
    label: 'Dừng giải quyết hồ sơ',
    audience: 'applicant',
    placeholders: { ...DOSSIER, ly_do: 'Lý do' },
  },
  'dossier.extended': {
    label: 'Gia hạn giải quyết (Mẫu 04)',
    audience: 'applicant',
    placeholders: { ...DOSSIER, ngay_hen_moi: 'Ngày hẹn trả mới (dd/mm/yyyy)', ly_do: 'Lý do' },
  },
  'dossier.fee_due': {
    label: 'Đề nghị nộp phí, lệ phí',
    audience: 'applicant',
    placeholders: { ...DOSSIER, so_tien: 'Số tiền (đồng)' },
  },
  'dossier.fee_refunded': {
    label: 'Đã hoàn trả khoản phí, lệ phí không phải nộp',
    audience: 'applicant',
    placeholders: { ...DOSSIER, so_tien: 'Số tiền (đồng)', ngay_hoan_tra: 'Ngày ghi nhận hoàn trả (dd/mm/yyyy)' },
  },
  'dossier.result_ready': {
    label: 'Đã có kết quả giải quyết',
    audience: 'applicant',
    placeholders: { ...DOSSIER, noi_nhan: 'Nơi nhận hoặc cách tải kết quả' },
  },
  'dossier.withdrawn': {
    label: 'Hồ sơ đã được rút',
    audience: 'applicant',
    placeholders: { ...DOSSIER },
  },
  'official.dossier_arrived': {
    label: 'Có hồ sơ chuyển đến bước của tôi',
    audience: 'official',
    placeholders: { ...DOSSIER, buoc: 'Bước xử lý', han_buoc: 'Hạn xử lý của bước (dd/mm/yyyy)' },
  },
  'official.due_tomorrow': {
    label: 'Hồ sơ đến hạn vào ngày mai',
    audience: 'official',
    placeholders: { ...DOSSIER, ngay_hen_tra: 'Ngày hẹn trả kết quả (dd/mm/yyyy)' },
  },
  'official.overdue': {
    label: 'Hồ sơ đã quá hạn',
    audience: 'official',
    placeholders: { ...DOSSIER, ngay_hen_tra: 'Ngày hẹn trả kết quả (dd/mm/yyyy)', so_ngay_qua_han: 'Số ngày làm việc quá hạn' },
  },
  'official.overdue_digest': {
    label: 'Tổng hợp hồ sơ quá hạn của đơn vị (gửi lãnh đạo hằng ngày)',
    audience: 'official',
    placeholders: { don_vi: 'Đơn vị', so_ho_so: 'Số hồ sơ quá hạn', danh_sach: 'Danh sách mã hồ sơ (tối đa 20)' },
  },
  'official.vneid_cutoff_reminder': {
    label: 'Nhắc liên kết tài khoản VNeID trước ngày chỉ đăng nhập bằng VNeID',
    audience: 'official',
    placeholders: { ho_ten: 'Họ và tên', ngay_chi_vneid: 'Ngày chỉ đăng nhập bằng VNeID (dd/mm/yyyy)', con_lai: 'Số ngày còn lại' },
  },
} as const satisfies Record<string, EventDef>;

export type NotifyEvent = keyof typeof NOTIFY_EVENTS;
export const NOTIFY_EVENT_KEYS = Object.keys(NOTIFY_EVENTS) as [NotifyEvent, ...NotifyEvent[]];
export type NotifyData<E extends NotifyEvent> = { [P in keyof (typeof NOTIFY_EVENTS)[E]['placeholders']]: string };

export function isNotifyEvent(name: string): name is NotifyEvent {
  return Object.hasOwn(NOTIFY_EVENTS, name);
}
