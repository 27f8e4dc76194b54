import { readdirSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import {
  apologyPdf,
  controlSlipPdf,
  refusalPdf,
  receiptPdf,
  registerPdf,
  stopNoticePdf,
  supplementRequestPdf,
  type FormAgency,
  type FormDossier,
  type FormHandover,
  type FormOfficial,
  type FormRegisterRow,
} from './index.js';
import { fmtDate, fmtDateTime, placeDateLine } from './format.js';

const agency: FormAgency = {
  name: 'Bộ phận Tiếp nhận và Trả kết quả - Trung tâm Phục vụ hành chính công tỉnh',
  parentName: 'Ủy ban nhân dân tỉnh Bình Phước',
  place: 'Bình Phước',
};
const CODE = '000.00.13.H10-261123-0001';
const dossier: FormDossier = {
  code: CODE,
  lookupCode: 'K7M2PQ9XZA',
  procedureName: 'Cấp giấy phép xây dựng nhà ở riêng lẻ',
  receivedAt: new Date('2026-11-23T02:35:00Z'), // 09:35 in Vietnam
  dueAt: new Date('2026-12-07T09:00:00Z'), // 16:00 in Vietnam
  channelLabel: 'Trực tiếp',
  applicant: {
    fullName: 'Nguyễn Thị Thử Nghiệm',
    cccd: '070301000123',
    phone: '0912345678',
    email: 'thu.nghiem@example.vn',
    address: 'Số 12, đường Trần Hưng Đạo, phường Tân Phú, thành phố Đồng Xoài',
  },
  documents: [
    { name: 'Đơn đề nghị cấp giấy phép xây dựng', originals: 1 },
    { name: 'Bản sao giấy chứng nhận quyền sử dụng đất', originals: 1, copies: 2 },
  ],
  fee: 'Không mất phí',
  timeLimit: '15 ngày làm việc',
};
const official: FormOfficial = { name: 'Trần Văn Tiếp Nhận', position: 'Phó Giám đốc' };
const issuedAt = new Date('2026-11-23T03:00:00Z');

/** Text of each page, whitespace collapsed: a line break inside a phrase must not fail a match. */
async function pagesOf(pdf: Buffer): Promise<string[]> {
  const doc = await getDocumentProxy(new Uint8Array(pdf));
  const { text } = await extractText(doc, { mergePages: false });
  return text.map((t) => t.replace(/\s+/g, ' '));
}
async function textOf(pdf: Buffer): Promise<string> {
  return (await pagesOf(pdf)).join(' ');
}

function expectCommon(pdf: Buffer, text: string, title: string): void {
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
  expect(text).toContain('ỦY BAN NHÂN DÂN TỈNH BÌNH PHƯỚC');
  expect(text).toContain(title);
  expect(text).toContain(CODE);
}

/**
 * A notice the agency issues (Mẫu 04, 05) is signed and stamped by its head or the person authorised, as the forms
 * of Thông tư 01/2018/TT-VPCP print it — never by the official who prepared it under their own position.
 */
function expectHeadSignature(text: string): void {
  expect(text).toContain('THỦ TRƯỞNG CƠ QUAN / NGƯỜI ĐƯỢC ỦY QUYỀN');
  expect(text).toContain('(Ký, ghi rõ họ tên và đóng dấu)');
  expect(text).not.toContain('CHUYÊN VIÊN');
  expect(text).not.toContain(official.name);
}

/** The forms signed by a person as such (Mẫu 02: who guides; Mẫu 03: who received): their role, not a stamp. */
function expectPersonSignature(text: string, role: string): void {
  expect(text).toContain(role);
  expect(text).toContain('(Ký và ghi rõ họ tên)');
  expect(text).not.toContain('đóng dấu');
}

describe('one-stop forms', () => {
  it('Mẫu 01: receipt with codes, times in Vietnam time, QR code and both signatures', async () => {
    const pdf = await receiptPdf({ agency, dossier, official, lookupUrl: 'https://motcua.example.vn/tra-cuu/K7M2PQ9XZA', issuedAt });
    const text = await textOf(pdf);
    expectCommon(pdf, text, 'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(text).toContain('Nguyễn Thị Thử Nghiệm');
    expect(text).toContain('Mã tra cứu: K7M2PQ9XZA');
    expect(text).toContain('09 giờ 35 phút, ngày 23/11/2026');
    expect(text).toContain('16 giờ 00 phút, ngày 07/12/2026');
    expect(text).toContain('Đơn đề nghị cấp giấy phép xây dựng (01 bản chính)');
    expect(text).toContain('Bản sao giấy chứng nhận quyền sử dụng đất (01 bản chính, 02 bản sao)');
    expect(text).toContain('Thời hạn giải quyết: 15 ngày làm việc');
    expect(text).toContain('Phí, lệ phí: Không mất phí');
    expect(text).toContain('Bình Phước, ngày 23 tháng 11 năm 2026');
    expect(text).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ');
    expect(text).toContain('Trần Văn Tiếp Nhận');
    // The QR code is the only image on the page.
    expect(pdf.toString('latin1')).toMatch(/\/Subtype \/Image/);
  });

  it('Mẫu 02: supplement request lists the items and the reason', async () => {
    const pdf = await supplementRequestPdf({
      agency,
      dossier,
      official,
      items: ['Bản vẽ mặt bằng móng có chữ ký của đơn vị thiết kế', 'Bản sao chứng thực sổ hộ khẩu'],
      reason: 'Hồ sơ chưa đủ thành phần theo quy định.',
      issuedAt,
    });
    const text = await textOf(pdf);
    expectCommon(pdf, text, 'PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(text).toContain('Nguyễn Thị Thử Nghiệm');
    expect(text).toContain('1. Bản vẽ mặt bằng móng có chữ ký của đơn vị thiết kế');
    expect(text).toContain('2. Bản sao chứng thực sổ hộ khẩu');
    expect(text).toContain('Lý do: Hồ sơ chưa đủ thành phần theo quy định.');
    expectPersonSignature(text, 'NGƯỜI HƯỚNG DẪN');
  });

  it('Mẫu 03: refusal gives the reason', async () => {
    const pdf = await refusalPdf({ agency, dossier, official, reason: 'Không thuộc thẩm quyền giải quyết.', issuedAt });
    const text = await textOf(pdf);
    expectCommon(pdf, text, 'PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain('Nguyễn Thị Thử Nghiệm');
    expect(text).toContain('Không thuộc thẩm quyền giải quyết.');
    expectPersonSignature(text, 'NGƯỜI TIẾP NHẬN HỒ SƠ');
  });

  it('Mẫu 04: apology shows the old and the new due date and the reason', async () => {
    const pdf = await apologyPdf({
      agency,
      dossier,
      reason: 'Cần lấy ý kiến của Sở Xây dựng.',
      newDueAt: new Date('2026-12-14T01:00:00Z'),
      issuedAt,
    });
    const text = await textOf(pdf);
    expectCommon(pdf, text, 'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    expect(text).toContain('Kính gửi: Ông/Bà Nguyễn Thị Thử Nghiệm');
    expect(text).toContain('16 giờ 00 phút, ngày 07/12/2026');
    expect(text).toContain('08 giờ 00 phút, ngày 14/12/2026');
    expect(text).toContain('Lý do: Cần lấy ý kiến của Sở Xây dựng.');
    expectHeadSignature(text);
  });

  it('Mẫu 05: stop notice gives the reason', async () => {
    const pdf = await stopNoticePdf({ agency, dossier, reason: 'Người nộp hồ sơ đề nghị rút hồ sơ.', issuedAt });
    const text = await textOf(pdf);
    expectCommon(pdf, text, 'THÔNG BÁO');
    expect(text).toContain('Về việc dừng giải quyết hồ sơ');
    expect(text).toContain('Nguyễn Thị Thử Nghiệm');
    expect(text).toContain('Lý do: Người nộp hồ sơ đề nghị rút hồ sơ.');
    expectHeadSignature(text);
  });

  it('Mẫu 06: control slip has one row per hand-over and repeats its header on every page', async () => {
    const handovers: FormHandover[] = Array.from({ length: 40 }, (_, i) => ({
      step: `Bước ${i + 1}: thẩm định hồ sơ và trình lãnh đạo phê duyệt`,
      fromName: 'Trần Văn Tiếp Nhận',
      toName: `Lê Thị Chuyên Viên ${i + 1}`,
      unitName: 'Phòng Quản lý xây dựng',
      givenAt: new Date('2026-11-23T03:00:00Z'),
      receivedAt: i === 39 ? null : new Date('2026-11-23T04:10:00Z'),
      result: i % 3 === 0 ? 'Quá hạn' : 'Đúng hạn',
      note: i === 5 ? 'Trả lại do thiếu chữ ký của chủ đầu tư trên bản vẽ thiết kế' : null,
    }));
    const pdf = await controlSlipPdf({ agency, dossier, handovers });
    const pages = await pagesOf(pdf);
    const text = pages.join(' ');
    expectCommon(pdf, text, 'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain('Nguyễn Thị Thử Nghiệm');
    expect(text).toContain('Lê Thị Chuyên Viên 40');
    expect(text).toContain('Quá hạn');
    expect(text).toContain('11 giờ 10 phút, ngày 23/11/2026');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page).toContain('Người giao');
  });

  it('Mẫu 07: a register of 120 dossiers runs over several landscape pages, header repeated', async () => {
    const rows: FormRegisterRow[] = Array.from({ length: 120 }, (_, i) => ({
      code: `000.00.13.H10-261123-${String(i + 1).padStart(4, '0')}`,
      procedureName: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất',
      applicant: 'Nguyễn Thị Thử Nghiệm',
      receivedAt: new Date('2026-11-23T02:35:00Z'),
      dueAt: new Date('2026-12-07T09:00:00Z'),
      finishedAt: i % 2 ? new Date('2026-12-01T09:00:00Z') : null,
      returnedAt: null,
      status: 'Đang xử lý',
      timeliness: 'Trong hạn',
    }));
    const pdf = await registerPdf({ agency, from: new Date('2026-10-31T17:00:00Z'), to: new Date('2026-11-30T16:59:59Z'), rows });
    const pages = await pagesOf(pdf);
    const text = pages.join(' ');
    expectCommon(pdf, text, 'SỔ THEO DÕI HỒ SƠ');
    expect(text).toContain('Từ ngày 01/11/2026 đến ngày 30/11/2026');
    expect(text).toContain('000.00.13.H10-261123-0120');
    expect(text).toContain('Tổng số: 120 hồ sơ.');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) expect(page).toContain('Thủ tục hành chính');
    // Every row made it onto some page, none lost at a page break.
    for (let i = 1; i <= 120; i++) expect(text).toContain(`-261123-${String(i).padStart(4, '0')}`);
    // The first page is landscape: wider than tall.
    const first = await (await getDocumentProxy(new Uint8Array(pdf))).getPage(1);
    const [, , w, h] = first.view;
    expect(w!).toBeGreaterThan(h!);
  });

  it('composes decomposed (NFD) input and copes with missing optional particulars', async () => {
    const nfd = 'Nguyễn Thị Thử Nghiệm'.normalize('NFD');
    const pdf = await refusalPdf({
      agency: { name: 'UBND xã Tân Thành', place: 'Bình Phước' },
      dossier: { ...dossier, documents: [], applicant: { fullName: nfd } },
      official: { name: 'Trần Văn Tiếp Nhận' },
      reason: 'Hồ sơ không hợp lệ.'.normalize('NFD'),
      issuedAt,
    });
    const text = await textOf(pdf);
    expect(text).toContain('Nguyễn Thị Thử Nghiệm'.normalize('NFC'));
    expect(text).toContain('Hồ sơ không hợp lệ.');
    expect(text).toContain('UBND XÃ TÂN THÀNH');
    expect(text).not.toContain('Số điện thoại');
  });

  it('cuts a table cell longer than a page instead of looping over pages', async () => {
    const huge = 'Rất dài '.repeat(3000);
    const pdf = await registerPdf({
      agency,
      from: issuedAt,
      to: issuedAt,
      rows: [
        {
          code: CODE,
          procedureName: huge,
          applicant: 'A',
          receivedAt: issuedAt,
          dueAt: issuedAt,
          finishedAt: null,
          returnedAt: null,
          status: '',
          timeliness: '',
        },
      ],
    });
    const pages = await pagesOf(pdf);
    // Heading, the one (cut) row on a page of its own, the total: no page is spent on overflow.
    expect(pages.length).toBeLessThanOrEqual(3);
    const text = pages.join(' ');
    expect(text).toContain(CODE);
    expect(text.split('Rất dài').length - 1).toBeLessThan(3000);
  });
});

describe('form formatting', () => {
  it('shows times in Vietnam time, across the UTC date line', () => {
    const d = new Date('2026-11-22T17:30:00Z'); // 00:30 on 23/11 in Vietnam
    expect(fmtDate(d)).toBe('23/11/2026');
    expect(fmtDateTime(d)).toBe('00 giờ 30 phút, ngày 23/11/2026');
    expect(fmtDate(null)).toBe('');
  });

  it('writes the place and date line with the zero padding of Nghị định 30/2020', () => {
    expect(placeDateLine('Bình Phước', new Date('2026-02-04T03:00:00Z'))).toBe('Bình Phước, ngày 04 tháng 02 năm 2026');
    expect(placeDateLine('Bình Phước', new Date('2026-03-15T03:00:00Z'))).toBe('Bình Phước, ngày 15 tháng 3 năm 2026');
    expect(placeDateLine('Bình Phước', new Date('2026-11-23T03:00:00Z'))).toBe('Bình Phước, ngày 23 tháng 11 năm 2026');
  });

  it('keeps its own Vietnamese text composed (NFC)', () => {
    const dir = new URL('./', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(new URL(file, dir), 'utf8');
      expect(src === src.normalize('NFC'), file).toBe(true);
    }
  });
});
