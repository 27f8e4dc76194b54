/**
 * For every placeholder: an example value (the template preview) and the realistic longest value a message carries,
 * which an SMS template must fit within SMS_MAX_SEGMENTS when saved. "Realistic", not "largest possible": a
 * procedure's name runs to 250 characters, but renderMessage shortens long values at send time; the check is that
 * the administrator's fixed wording leaves room for ordinary values. Lengths in characters.
 */
export const PLACEHOLDER_SAMPLES: Readonly<Record<string, { sample: string; maxLength: number }>> = {
  ma_ho_so: { sample: '000.00.12.H22-261203-0001', maxLength: 25 },
  thu_tuc: { sample: 'Cấp giấy phép xây dựng nhà ở riêng lẻ', maxLength: 60 },
  co_quan: { sample: 'Sở Xây dựng tỉnh', maxLength: 40 },
  ma_tra_cuu: { sample: 'K7Q2M9', maxLength: 8 },
  ngay_hen_tra: { sample: '18/12/2026', maxLength: 10 },
  noi_dung: { sample: 'Bản vẽ thiết kế có chữ ký của chủ đầu tư', maxLength: 60 },
  han_bo_sung: { sample: '10/12/2026', maxLength: 10 },
  ly_do: { sample: 'Hồ sơ không thuộc thẩm quyền giải quyết', maxLength: 60 },
  ngay_hen_moi: { sample: '25/12/2026', maxLength: 10 },
  ngay_hoan_tra: { sample: '20/12/2026', maxLength: 10 },
  so_tien: { sample: '150.000', maxLength: 12 },
  noi_nhan: { sample: 'Ông/Bà nhận kết quả tại Bộ phận Một cửa Sở Xây dựng tỉnh.', maxLength: 80 },
  buoc: { sample: 'Thẩm định hồ sơ', maxLength: 30 },
  han_buoc: { sample: '08/12/2026', maxLength: 10 },
  so_ngay_qua_han: { sample: '2', maxLength: 3 },
  don_vi: { sample: 'Phòng Quản lý xây dựng', maxLength: 40 },
  so_ho_so: { sample: '3', maxLength: 4 },
  danh_sach: { sample: '000.00.12.H22-261201-0004, 000.00.12.H22-261202-0011', maxLength: 60 },
  ho_ten: { sample: 'Nguyễn Văn An', maxLength: 30 },
  ngay_chi_vneid: { sample: '01/01/2027', maxLength: 10 },
  con_lai: { sample: '7', maxLength: 2 },
};
