/**
 * The texts sent when no administrator has saved a template of their own (Quản trị → Mẫu thông báo overrides one
 * event × channel at a time). Written to be read on a phone: SMS short and plain, e-mail polite and complete, the
 * in-app notice a title and one sentence. No Zalo ZNS text here: ZNS sends only templates Zalo has approved, so an
 * event goes by ZNS only once an administrator enters the approved template's id and its parameters.
 *
 * The supplement request names no deadline: the workflow sets none (transitions.ts 'request_supplement' records the
 * note only), so {han_bo_sung} stays out of the default text rather than printing an empty date.
 */
import type { NotifyEvent } from './events.js';

export type DefaultTemplate = {
  sms: string;
  email: { subject: string; body: string };
  inapp: { subject: string; body: string };
};

const SIGN = '\n\nTrân trọng,\n{co_quan}';
const DEAR = 'Kính gửi Ông/Bà,\n\n';
const OFFICIAL_SIGN = '\n\nHệ thống thông tin giải quyết thủ tục hành chính của tỉnh.';

export const DEFAULT_TEMPLATES: Record<NotifyEvent, DefaultTemplate> = {
  'dossier.received': {
    sms: 'Hồ sơ {ma_ho_so} đã được {co_quan} tiếp nhận. Hẹn trả kết quả ngày {ngay_hen_tra}. Mã tra cứu: {ma_tra_cuu}.',
    email: {
      subject: 'Hồ sơ {ma_ho_so} đã được tiếp nhận',
      body: `${DEAR}{co_quan} đã tiếp nhận hồ sơ {ma_ho_so} của Ông/Bà về thủ tục "{thu_tuc}".\nNgày hẹn trả kết quả: {ngay_hen_tra}.\nMã tra cứu: {ma_tra_cuu}. Ông/Bà dùng mã hồ sơ và mã tra cứu này để theo dõi hồ sơ trên Cổng dịch vụ công của tỉnh.${SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ đã được tiếp nhận',
      body: 'Hồ sơ {ma_ho_so} đã được tiếp nhận, hẹn trả kết quả ngày {ngay_hen_tra}.',
    },
  },
  'dossier.supplement_requested': {
    sms: 'Hồ sơ {ma_ho_so} cần bổ sung: {noi_dung}. Đề nghị Ông/Bà bổ sung để hồ sơ tiếp tục được giải quyết.',
    email: {
      subject: 'Đề nghị bổ sung hồ sơ {ma_ho_so}',
      body: `${DEAR}Để tiếp tục giải quyết hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}"), {co_quan} đề nghị Ông/Bà bổ sung:\n{noi_dung}\n\nÔng/Bà có thể nộp bổ sung trên Cổng dịch vụ công hoặc tại Bộ phận Một cửa. Thời hạn giải quyết được tính lại từ khi nhận đủ hồ sơ bổ sung.${SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ cần bổ sung',
      body: 'Hồ sơ {ma_ho_so} cần bổ sung: {noi_dung}',
    },
  },
  'dossier.refused': {
    sms: 'Hồ sơ {ma_ho_so} không được tiếp nhận hoặc giải quyết. Lý do: {ly_do}.',
    email: {
      subject: 'Hồ sơ {ma_ho_so} không được tiếp nhận hoặc giải quyết',
      body: `${DEAR}{co_quan} rất tiếc thông báo hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") không được tiếp nhận hoặc không được giải quyết.\nLý do: {ly_do}.\n\nNếu cần thêm thông tin, Ông/Bà vui lòng liên hệ Bộ phận Một cửa nơi nộp hồ sơ.${SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ bị từ chối',
      body: 'Hồ sơ {ma_ho_so} không được tiếp nhận hoặc giải quyết. Lý do: {ly_do}.',
    },
  },
  'dossier.stopped': {
    sms: 'Hồ sơ {ma_ho_so} đã dừng giải quyết. Lý do: {ly_do}.',
    email: {
      subject: 'Dừng giải quyết hồ sơ {ma_ho_so}',
      body: `${DEAR}{co_quan} thông báo đã dừng giải quyết hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}").\nLý do: {ly_do}.${SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ đã dừng giải quyết',
      body: 'Hồ sơ {ma_ho_so} đã dừng giải quyết. Lý do: {ly_do}.',
    },
  },
  'dossier.extended': {
    sms: 'Xin lỗi Ông/Bà: hồ sơ {ma_ho_so} được hẹn lại ngày trả kết quả {ngay_hen_moi}. Lý do: {ly_do}.',
    email: {
      subject: 'Gia hạn giải quyết hồ sơ {ma_ho_so}',
      body: `${DEAR}{co_quan} chân thành xin lỗi Ông/Bà: hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") chưa giải quyết xong đúng hẹn.\nLý do: {ly_do}.\nNgày hẹn trả kết quả mới: {ngay_hen_moi}.\n\nPhiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04) được gửi kèm hồ sơ của Ông/Bà.${SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ được hẹn lại ngày trả',
      body: 'Hồ sơ {ma_ho_so} được hẹn trả kết quả ngày {ngay_hen_moi}. Lý do: {ly_do}.',
    },
  },
  'dossier.fee_due': {
    sms: 'Hồ sơ {ma_ho_so}: đề nghị Ông/Bà nộp phí, lệ phí {so_tien} đồng trên Cổng dịch vụ công hoặc tại Bộ phận Một cửa.',
    email: {
      subject: 'Đề nghị nộp phí, lệ phí hồ sơ {ma_ho_so}',
      body: `${DEAR}Hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") có phí, lệ phí phải nộp: {so_tien} đồng.\nÔng/Bà có thể thanh toán trực tuyến trên Cổng dịch vụ công hoặc nộp tại Bộ phận Một cửa.${SIGN}`,
    },
    inapp: {
      subject: 'Đề nghị nộp phí, lệ phí',
      body: 'Hồ sơ {ma_ho_so} có phí, lệ phí {so_tien} đồng cần nộp.',
    },
  },
  'dossier.fee_refunded': {
    sms: 'Hồ sơ {ma_ho_so}: {co_quan} đã hoàn trả khoản thanh toán {so_tien} đồng không phải nộp (ngày {ngay_hoan_tra}).',
    email: {
      subject: 'Hoàn trả khoản thanh toán của hồ sơ {ma_ho_so}',
      body: `${DEAR}Khoản thanh toán {so_tien} đồng của hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") không phải nộp đã được {co_quan} hoàn trả, ghi nhận ngày {ngay_hoan_tra}.\nNếu Ông/Bà chưa nhận được tiền, vui lòng liên hệ Bộ phận Một cửa.${SIGN}`,
    },
    inapp: {
      subject: 'Đã hoàn trả khoản thanh toán',
      body: 'Khoản thanh toán {so_tien} đồng của hồ sơ {ma_ho_so} đã được hoàn trả ngày {ngay_hoan_tra}.',
    },
  },
  'dossier.result_ready': {
    sms: 'Hồ sơ {ma_ho_so} đã có kết quả. {noi_nhan}',
    email: {
      subject: 'Hồ sơ {ma_ho_so} đã có kết quả',
      body: `${DEAR}Hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") đã có kết quả giải quyết.\n{noi_nhan}${SIGN}`,
    },
    inapp: {
      subject: 'Đã có kết quả',
      body: 'Hồ sơ {ma_ho_so} đã có kết quả. {noi_nhan}',
    },
  },
  'dossier.withdrawn': {
    sms: 'Hồ sơ {ma_ho_so} đã được rút theo đề nghị của Ông/Bà.',
    email: {
      subject: 'Hồ sơ {ma_ho_so} đã được rút',
      body: `${DEAR}Theo đề nghị của Ông/Bà, hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") đã được rút và không tiếp tục giải quyết.${SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ đã được rút',
      body: 'Hồ sơ {ma_ho_so} đã được rút theo đề nghị của Ông/Bà.',
    },
  },
  'official.dossier_arrived': {
    sms: 'Hồ sơ {ma_ho_so} ({thu_tuc}) đã đến bước "{buoc}" của anh/chị, hạn xử lý {han_buoc}.',
    email: {
      subject: 'Hồ sơ {ma_ho_so} chuyển đến bước {buoc}',
      body: `Hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") đã chuyển đến bước "{buoc}" của anh/chị.\nHạn xử lý của bước: {han_buoc}.${OFFICIAL_SIGN}`,
    },
    inapp: {
      subject: 'Có hồ sơ chuyển đến',
      body: 'Hồ sơ {ma_ho_so} đã đến bước "{buoc}", hạn {han_buoc}.',
    },
  },
  'official.due_tomorrow': {
    sms: 'Hồ sơ {ma_ho_so} ({thu_tuc}) đến hạn trả kết quả ngày mai, {ngay_hen_tra}.',
    email: {
      subject: 'Hồ sơ {ma_ho_so} đến hạn ngày mai',
      body: `Hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") đến hạn trả kết quả vào ngày mai, {ngay_hen_tra}.${OFFICIAL_SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ đến hạn ngày mai',
      body: 'Hồ sơ {ma_ho_so} đến hạn trả kết quả ngày {ngay_hen_tra}.',
    },
  },
  'official.overdue': {
    sms: 'Hồ sơ {ma_ho_so} ({thu_tuc}) đã quá hạn {so_ngay_qua_han} ngày làm việc (hẹn trả {ngay_hen_tra}).',
    email: {
      subject: 'Hồ sơ {ma_ho_so} đã quá hạn',
      body: `Hồ sơ {ma_ho_so} (thủ tục "{thu_tuc}") đã quá hạn {so_ngay_qua_han} ngày làm việc (ngày hẹn trả: {ngay_hen_tra}).\nĐề nghị anh/chị khẩn trương xử lý hoặc thực hiện gia hạn, xin lỗi người nộp theo quy định.${OFFICIAL_SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ quá hạn',
      body: 'Hồ sơ {ma_ho_so} đã quá hạn {so_ngay_qua_han} ngày làm việc.',
    },
  },
  'official.overdue_digest': {
    sms: '{don_vi} có {so_ho_so} hồ sơ quá hạn: {danh_sach}.',
    email: {
      subject: '{don_vi}: {so_ho_so} hồ sơ quá hạn',
      body: `Tổng hợp hằng ngày: {don_vi} đang có {so_ho_so} hồ sơ quá hạn.\nDanh sách: {danh_sach}.${OFFICIAL_SIGN}`,
    },
    inapp: {
      subject: 'Hồ sơ quá hạn của đơn vị',
      body: '{don_vi} có {so_ho_so} hồ sơ quá hạn: {danh_sach}.',
    },
  },
  'official.vneid_cutoff_reminder': {
    sms: 'Từ ngày {ngay_chi_vneid}, cán bộ chỉ đăng nhập bằng VNeID. Còn {con_lai} ngày, đề nghị {ho_ten} liên kết tài khoản VNeID.',
    email: {
      subject: 'Còn {con_lai} ngày để liên kết tài khoản VNeID',
      body: `Kính gửi {ho_ten},\n\nTừ ngày {ngay_chi_vneid}, cán bộ chỉ đăng nhập hệ thống bằng tài khoản VNeID. Tài khoản của anh/chị chưa được liên kết với VNeID (còn {con_lai} ngày).\nĐề nghị anh/chị đăng nhập, vào Tài khoản của tôi và chọn "Liên kết tài khoản VNeID".${OFFICIAL_SIGN}`,
    },
    inapp: {
      subject: 'Liên kết tài khoản VNeID',
      body: 'Từ ngày {ngay_chi_vneid} chỉ đăng nhập bằng VNeID. Còn {con_lai} ngày để liên kết tài khoản.',
    },
  },
};
