/**
 * Demo procedure catalog: realistic provincial procedures across sectors of the demo units.
 * Codes are synthetic; names, time limits and documents follow common published procedures.
 */
import type { Db } from '../db/client.js';
import { procedureVersions, procedures, sectors, type ProcessStep, type ProcedureDocument } from '../db/schema/index.js';
import { foldVietnamese } from '../shared/text.js';
import { parseDeclarationText } from '../procedures/declaration-form.js';
import { seedTemplates } from './templates.js';

type Demo = {
  code: string;
  name: string;
  sector: string;
  agency: string;
  days?: number;
  hours?: number;
  /** "Trong ngày làm việc" (procedures/time-limit.ts): due at the close of the reception day. */
  sameDay?: true;
  after1500?: boolean;
  fee?: number;
  feeNote?: string;
  level: 'toan_trinh' | 'mot_phan';
  docs: Array<string | [string, false]>;
  /** Unit keys for reception, processing, approval and result. */
  flow: [string, string, string, string];
  /** The tờ khai in the administrators' syntax (src/procedures/declaration-form.ts), one field per line. */
  declaration?: string[];
};

const SECTORS: Array<[string, string]> = [
  ['LTHH', 'Lưu thông hàng hóa trong nước'],
  ['DIEN', 'Điện'],
  ['HOACHAT', 'Hóa chất'],
  ['DKKD', 'Thành lập và hoạt động doanh nghiệp'],
  ['DAUTU', 'Đầu tư tại Việt Nam'],
  ['DUONGBO', 'Đường bộ'],
  ['VANBANG', 'Văn bằng, chứng chỉ'],
  ['THIDUA', 'Thi đua, khen thưởng'],
  ['VIECLAM', 'Việc làm'],
  ['HOTICH', 'Hộ tịch'],
  ['CHUNGTHUC', 'Chứng thực'],
];

const SCT: [string, string, string, string] = ['sct-vp', 'sct-qltm', 'sct-ld', 'sct-vp'];
const SCT_CN: [string, string, string, string] = ['sct-vp', 'sct-qlcn', 'sct-ld', 'sct-vp'];
const SCT_NL: [string, string, string, string] = ['sct-vp', 'sct-qlnl', 'sct-ld', 'sct-vp'];
const KHDT: [string, string, string, string] = ['skhdt', 'skhdt', 'skhdt', 'skhdt'];
const GTVT: [string, string, string, string] = ['sgtvt', 'sgtvt', 'sgtvt', 'sgtvt'];
const GD: [string, string, string, string] = ['sgd', 'sgd', 'sgd', 'sgd'];
const NV: [string, string, string, string] = ['snv-vp', 'snv-tcbc', 'snv-tcbc', 'snv-vp'];
const LD: [string, string, string, string] = ['sldtbxh', 'sldtbxh', 'sldtbxh', 'sldtbxh'];
const XA: [string, string, string, string] = ['dx-tanphu', 'dx-tanphu', 'dx-tanphu', 'dx-tanphu'];
const XA2: [string, string, string, string] = ['bd-minhhung', 'bd-minhhung', 'bd-minhhung', 'bd-minhhung'];

/**
 * What each demo procedure results in (Kết quả thực hiện), and when the result may be no document: a certification
 * is stamped on the applicant's own paper and entered in the register, nothing separate is issued.
 */
const RESULTS: Record<string, [name: string, withoutDocument?: string]> = {
  '2.000633': ['Giấy phép bán lẻ sản phẩm rượu'],
  '2.000620': ['Giấy phép bán lẻ sản phẩm rượu (sửa đổi, bổ sung)'],
  '2.000190': ['Giấy phép kinh doanh sản phẩm thuốc lá'],
  '2.000181': ['Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu'],
  '2.000003': ['Giấy phép hoạt động điện lực'],
  '2.000176': ['Thẻ Kiểm tra viên điện lực'],
  '2.000405': ['Giấy chứng nhận đủ điều kiện sản xuất hóa chất'],
  '1.001612': ['Giấy chứng nhận đăng ký doanh nghiệp'],
  '2.001610': ['Giấy chứng nhận đăng ký doanh nghiệp'],
  '1.005121': [
    'Giấy chứng nhận đăng ký doanh nghiệp (cấp lại theo địa chỉ mới)',
    'Khi chỉ cập nhật thông tin vào Cơ sở dữ liệu quốc gia về đăng ký doanh nghiệp, không cấp lại giấy chứng nhận',
  ],
  '1.009645': ['Quyết định chấp thuận chủ trương đầu tư'],
  '1.002809': ['Giấy phép lái xe'],
  '1.002835': ['Phù hiệu xe ô tô kinh doanh vận tải'],
  '1.005092': ['Bản sao văn bằng, chứng chỉ từ sổ gốc'],
  '1.005088': ['Quyết định chỉnh sửa văn bằng, chứng chỉ'],
  '1.000775': ['Quyết định tặng Bằng khen của Chủ tịch UBND tỉnh'],
  '1.000843': ['Quyết định tặng Cờ thi đua của UBND tỉnh'],
  '1.000459': ['Giấy phép lao động'],
  '1.001193': ['Giấy khai sinh'],
  '1.001022': ['Giấy chứng nhận kết hôn'],
  '2.000884': [
    'Bản sao được chứng thực từ bản chính',
    'Lời chứng được đóng dấu trên bản sao của người yêu cầu và ghi vào sổ chứng thực; không ban hành văn bản riêng',
  ],
  '2.000908': [
    'Giấy tờ, văn bản được chứng thực chữ ký',
    'Lời chứng được ghi trên giấy tờ của người yêu cầu và vào sổ chứng thực; không ban hành văn bản riêng',
  ],
};

const DEMO: Demo[] = [
  {
    code: '2.000633',
    name: 'Cấp Giấy phép bán lẻ sản phẩm rượu',
    sector: 'LTHH',
    agency: 'sct',
    days: 10,
    fee: 1_200_000,
    level: 'toan_trinh',
    docs: [
      'Đơn đề nghị cấp Giấy phép bán lẻ sản phẩm rượu',
      'Bản sao Giấy chứng nhận đăng ký doanh nghiệp',
      'Bản sao hợp đồng thuê địa điểm kinh doanh',
    ],
    flow: SCT,
  },
  {
    code: '2.000620',
    name: 'Cấp sửa đổi, bổ sung Giấy phép bán lẻ sản phẩm rượu',
    sector: 'LTHH',
    agency: 'sct',
    days: 7,
    fee: 600_000,
    level: 'toan_trinh',
    docs: ['Đơn đề nghị sửa đổi, bổ sung', 'Bản sao Giấy phép đã được cấp'],
    flow: SCT,
  },
  {
    code: '2.000190',
    name: 'Cấp Giấy phép kinh doanh sản phẩm thuốc lá',
    sector: 'LTHH',
    agency: 'sct',
    days: 15,
    fee: 1_100_000,
    level: 'mot_phan',
    docs: ['Đơn đề nghị cấp Giấy phép', 'Bản sao Giấy chứng nhận đăng ký doanh nghiệp', ['Hợp đồng mua bán với nhà cung cấp', false]],
    flow: SCT,
  },
  {
    code: '2.000181',
    name: 'Cấp Giấy chứng nhận đủ điều kiện cửa hàng bán lẻ xăng dầu',
    sector: 'LTHH',
    agency: 'sct',
    days: 15,
    fee: 1_200_000,
    level: 'mot_phan',
    docs: ['Đơn đề nghị', 'Bản vẽ thiết kế cửa hàng', 'Giấy chứng nhận thẩm duyệt phòng cháy chữa cháy'],
    flow: SCT,
  },
  {
    code: '2.000003',
    name: 'Cấp Giấy phép hoạt động phân phối điện đến cấp điện áp 35 kV',
    sector: 'DIEN',
    agency: 'sct',
    days: 15,
    fee: 2_100_000,
    level: 'mot_phan',
    docs: ['Văn bản đề nghị cấp giấy phép', 'Danh sách cán bộ quản lý, kỹ thuật', 'Bản sao Giấy chứng nhận đăng ký doanh nghiệp'],
    flow: SCT_NL,
  },
  {
    code: '2.000176',
    name: 'Cấp thẻ Kiểm tra viên điện lực',
    sector: 'DIEN',
    agency: 'sct',
    days: 5,
    level: 'toan_trinh',
    docs: ['Giấy đề nghị cấp thẻ', ['Ảnh 3x4', false]],
    flow: SCT_NL,
  },
  {
    code: '2.000405',
    name: 'Cấp Giấy chứng nhận đủ điều kiện sản xuất hóa chất sản xuất, kinh doanh có điều kiện',
    sector: 'HOACHAT',
    agency: 'sct',
    days: 12,
    fee: 1_200_000,
    level: 'mot_phan',
    docs: ['Văn bản đề nghị', 'Bản kê khai địa điểm, nhà xưởng', 'Phiếu an toàn hóa chất'],
    flow: SCT_CN,
  },
  {
    code: '1.001612',
    name: 'Đăng ký thành lập doanh nghiệp tư nhân',
    sector: 'DKKD',
    agency: 'skhdt',
    days: 3,
    fee: 50_000,
    level: 'toan_trinh',
    docs: ['Giấy đề nghị đăng ký doanh nghiệp', 'Bản sao giấy tờ pháp lý của chủ doanh nghiệp'],
    flow: KHDT,
  },
  {
    code: '2.001610',
    name: 'Đăng ký thành lập công ty TNHH hai thành viên trở lên',
    sector: 'DKKD',
    agency: 'skhdt',
    days: 3,
    fee: 50_000,
    level: 'toan_trinh',
    docs: ['Giấy đề nghị đăng ký doanh nghiệp', 'Điều lệ công ty', 'Danh sách thành viên'],
    flow: KHDT,
  },
  {
    code: '1.005121',
    name: 'Đăng ký thay đổi địa chỉ trụ sở chính của doanh nghiệp',
    sector: 'DKKD',
    agency: 'skhdt',
    days: 3,
    fee: 50_000,
    level: 'toan_trinh',
    docs: ['Thông báo thay đổi nội dung đăng ký doanh nghiệp'],
    flow: KHDT,
  },
  {
    code: '1.009645',
    name: 'Quyết định chủ trương đầu tư của UBND cấp tỉnh',
    sector: 'DAUTU',
    agency: 'skhdt',
    days: 35,
    level: 'mot_phan',
    docs: ['Văn bản đề nghị thực hiện dự án đầu tư', 'Đề xuất dự án đầu tư', 'Tài liệu về tư cách pháp lý của nhà đầu tư'],
    flow: KHDT,
  },
  {
    code: '1.002809',
    name: 'Đổi Giấy phép lái xe do ngành Giao thông vận tải cấp',
    sector: 'DUONGBO',
    agency: 'sgtvt',
    days: 5,
    fee: 135_000,
    level: 'toan_trinh',
    docs: ['Đơn đề nghị đổi giấy phép lái xe', 'Giấy khám sức khỏe của người lái xe', ['Bản sao giấy phép lái xe', false]],
    flow: GTVT,
  },
  {
    code: '1.002835',
    name: 'Cấp phù hiệu xe ô tô kinh doanh vận tải',
    sector: 'DUONGBO',
    agency: 'sgtvt',
    days: 2,
    level: 'toan_trinh',
    docs: ['Giấy đề nghị cấp phù hiệu', 'Bản sao Giấy đăng ký xe'],
    flow: GTVT,
  },
  {
    code: '1.005092',
    name: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc',
    sector: 'VANBANG',
    agency: 'sgd',
    hours: 8,
    after1500: true,
    level: 'toan_trinh',
    docs: ['Đơn đề nghị cấp bản sao', 'Bản sao căn cước công dân'],
    flow: GD,
  },
  {
    code: '1.005088',
    name: 'Chỉnh sửa nội dung văn bằng, chứng chỉ',
    sector: 'VANBANG',
    agency: 'sgd',
    days: 5,
    level: 'mot_phan',
    docs: ['Đơn đề nghị chỉnh sửa', 'Văn bằng, chứng chỉ đề nghị chỉnh sửa', 'Giấy tờ làm căn cứ chỉnh sửa'],
    flow: GD,
  },
  {
    code: '1.000775',
    name: 'Tặng Bằng khen của Chủ tịch UBND cấp tỉnh',
    sector: 'THIDUA',
    agency: 'snv',
    days: 20,
    level: 'mot_phan',
    docs: ['Tờ trình đề nghị khen thưởng', 'Báo cáo thành tích'],
    flow: NV,
  },
  {
    code: '1.000843',
    name: 'Tặng Cờ thi đua của UBND cấp tỉnh',
    sector: 'THIDUA',
    agency: 'snv',
    days: 20,
    level: 'mot_phan',
    docs: ['Tờ trình đề nghị', 'Báo cáo thành tích', 'Biên bản bình xét thi đua'],
    flow: NV,
  },
  {
    code: '1.000459',
    name: 'Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam',
    sector: 'VIECLAM',
    agency: 'sldtbxh',
    days: 5,
    fee: 600_000,
    level: 'toan_trinh',
    docs: ['Văn bản đề nghị cấp giấy phép lao động', 'Giấy chứng nhận sức khỏe', 'Phiếu lý lịch tư pháp', 'Hộ chiếu'],
    flow: LD,
  },
  {
    code: '1.001193',
    name: 'Đăng ký khai sinh',
    sector: 'HOTICH',
    agency: 'dx-tanphu',
    hours: 4,
    after1500: true,
    level: 'toan_trinh',
    docs: ['Tờ khai đăng ký khai sinh', 'Giấy chứng sinh'],
    flow: XA,
    declaration: [
      'ho_ten_tre | Họ, chữ đệm và tên của trẻ | văn bản | bắt buộc | tối đa 100',
      'ngay_sinh_tre | Ngày sinh của trẻ | ngày | bắt buộc | không sau hôm nay',
      'gioi_tinh_tre | Giới tính của trẻ | lựa chọn: Nam; Nữ | bắt buộc',
      'noi_sinh | Nơi sinh | lựa chọn: Cơ sở khám bệnh, chữa bệnh; Tại nhà; Nơi khác | bắt buộc',
      'ho_ten_me | Họ, chữ đệm và tên người mẹ | văn bản | bắt buộc | tối đa 100',
      'ho_ten_cha | Họ, chữ đệm và tên người cha | văn bản | tối đa 100',
      'sinh_doi | Trẻ sinh đôi, sinh ba? | có/không | bắt buộc',
      'ghi_chu | Ghi chú thêm | đoạn văn | tối đa 1000',
    ],
  },
  {
    code: '1.001022',
    name: 'Đăng ký kết hôn',
    sector: 'HOTICH',
    agency: 'dx-tanphu',
    hours: 4,
    after1500: true,
    level: 'mot_phan',
    docs: ['Tờ khai đăng ký kết hôn', ['Giấy xác nhận tình trạng hôn nhân', false]],
    flow: XA,
    declaration: [
      'ho_ten_ben_kia | Họ, chữ đệm và tên của bên kia | văn bản | bắt buộc | tối đa 100',
      'ngay_sinh_ben_kia | Ngày sinh của bên kia | ngày | bắt buộc | không sau hôm nay',
      'so_dinh_danh_ben_kia | Số định danh cá nhân của bên kia | văn bản | bắt buộc | tối đa 12',
      'lan_ket_hon | Kết hôn lần thứ mấy | số | bắt buộc',
      'da_ly_hon | Đã từng ly hôn? | có/không',
    ],
  },
  {
    code: '2.000884',
    name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản',
    sector: 'CHUNGTHUC',
    agency: 'bd-minhhung',
    sameDay: true,
    after1500: true,
    fee: 2_000,
    feeNote: '2.000 đồng/trang',
    level: 'mot_phan',
    docs: ['Bản chính giấy tờ', 'Bản sao cần chứng thực'],
    flow: XA2,
  },
  {
    code: '2.000908',
    name: 'Chứng thực chữ ký trong các giấy tờ, văn bản',
    sector: 'CHUNGTHUC',
    agency: 'bd-minhhung',
    hours: 4,
    after1500: true,
    fee: 10_000,
    level: 'mot_phan',
    docs: ['Giấy tờ cần chứng thực chữ ký', 'Căn cước công dân'],
    flow: XA2,
  },
];

/** A demo tờ khai, parsed as the administration page parses it (a mistake here fails the seed, not a citizen). */
function declarationOf(d: Demo) {
  const parsed = parseDeclarationText((d.declaration ?? []).join('\n'));
  if (!parsed.ok) throw new Error(`demo procedure ${d.code}: ${parsed.messages.join(' ')}`);
  return parsed.fields;
}

function stepsFor(d: Demo, unitIds: Record<string, string>): ProcessStep[] {
  // A same-day procedure's steps share working hours: half a day of them here.
  const total = d.days ?? d.hours ?? (d.sameDay ? 4 : 1);
  const quarter = Math.max(total * 0.1, d.days ? 0.5 : 0.5);
  const [rec, proc, appr, res] = d.flow;
  return [
    {
      name: 'Tiếp nhận hồ sơ',
      unitId: unitIds[rec]!,
      role: 'reception',
      share: quarter,
      actions: ['accept', 'handover', 'request_supplement', 'refuse'],
    },
    {
      name: 'Thẩm định, xử lý hồ sơ',
      unitId: unitIds[proc]!,
      role: 'processing',
      share: Math.max(total - 3 * quarter, quarter),
      actions: ['handover', 'return', 'request_supplement', 'refuse', 'extend', 'stop'],
    },
    { name: 'Phê duyệt', unitId: unitIds[appr]!, role: 'approval', share: quarter, actions: ['approve', 'return', 'refuse'] },
    { name: 'Trả kết quả', unitId: unitIds[res]!, role: 'result', share: quarter, actions: ['return_result'] },
  ];
}

export async function seedProcedures(db: Db, unitIds: Record<string, string>) {
  const sectorIds: Record<string, string> = {};
  for (const [code, name] of SECTORS) {
    const [s] = await db.insert(sectors).values({ code, name }).returning({ id: sectors.id });
    sectorIds[code] = s!.id;
  }
  const templates = await seedTemplates(db);
  for (const d of DEMO) {
    const [p] = await db.insert(procedures).values({ code: d.code }).returning({ id: procedures.id });
    const docs: ProcedureDocument[] = d.docs.map((x) => {
      const doc: ProcedureDocument =
        typeof x === 'string' ? { name: x, required: true, copies: 1 } : { name: x[0], required: false, copies: 1 };
      const template = templates.get(`${d.code}|${doc.name}`);
      return template ? { ...doc, template } : doc;
    });
    await db.insert(procedureVersions).values({
      procedureId: p!.id,
      version: 1,
      name: d.name,
      nameFolded: foldVietnamese(d.name),
      sectorId: sectorIds[d.sector]!,
      unitIds: [unitIds[d.agency]!],
      workingDays: d.sameDay ? 0 : (d.days ?? null),
      workingHours: d.hours ?? null,
      after1500NextDay: d.after1500 ?? false,
      fee: d.fee ?? 0,
      feeNote: d.feeNote ?? null,
      onlineLevel: d.level,
      documents: docs,
      steps: stepsFor(d, unitIds),
      declaration: declarationOf(d),
      resultName: RESULTS[d.code]?.[0] ?? '',
      resultWithoutDocument: RESULTS[d.code]?.[1] ?? null,
    });
  }
  return { procedures: DEMO.length, sectors: SECTORS.length };
}
