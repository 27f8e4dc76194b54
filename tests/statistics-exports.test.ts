import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { extractText, getDocumentProxy } from 'unpdf';
import { sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { statisticsScenario, vn, who } from './support/statistics.js';
import { counts } from '../src/statistics/export-layout.js';
import { situationPdf } from '../src/statistics/export-pdf.js';
import { XLSX_HEADER_ROW } from '../src/statistics/export-xlsx.js';
import type { SituationFigures, SituationReport } from '../src/statistics/report-types.js';
import { readSituationReport } from '../src/statistics/situation-report.js';
import { documentBuilds } from '../src/shared/slots.js';

const t = useDemoApp();
const NOW = vn('2026-12-01T08:00');
const REPORT = '/tiepnhan/thong-ke/tinh-hinh-giai-quyet';

/**
 * September 2026 at Sở Công Thương, procedure 2.000633 (10 working days): E received 28/8 and settled on its due day
 * 16/9 (carried over, on time); A received 7/9, settled 9/9 (early); C online 8/9, asked to supplement, still open;
 * D received 9/9 and refused after reception.
 */
async function september() {
  const { procedureId, clerk, director, act, receive, settle } = await statisticsScenario(t.database, 'Trịnh Thị Xuất');
  const e = await receive('1', '2026-08-28T09:00');
  const a = await receive('1', '2026-09-07T09:00');
  const c = await receive('2', '2026-09-08T09:00');
  await act(clerk, c.id, 'accept', '2026-09-08T09:30');
  await act(clerk, c.id, 'request_supplement', '2026-09-09T10:00', { note: 'Thiếu hợp đồng', items: 'Hợp đồng thuê' });
  await act(clerk, c.id, 'supplement_received', '2026-09-10T10:00');
  const d = await receive('1', '2026-09-09T09:00');
  await act(clerk, d.id, 'refuse', '2026-09-09T10:00', { note: 'Không thuộc thẩm quyền' });
  await settle(a.id, '2026-09-09T10:00');
  await settle(e.id, '2026-09-16T16:00');
  return { procedureId, director };
}

/** A client logged in as a demo official, on an app whose clock reads NOW. */
async function loggedIn(app: App, username: string) {
  const c = new Client(app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** The raw answer (bytes kept: Client reads text). */
async function download(app: App, c: Client, path: string) {
  const res = await app.request(`http://localhost${path}`, { headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/**
 * The values a formula's cell stores beside its formula (<f>…</f><v>n</v>), read from the sheet's XML: exceljs reads a
 * stored 0 back as no value, and a viewer that does not calculate shows what is stored.
 */
function storedResults(xlsx: Uint8Array, row: number): Map<string, { formula: string; value: string }> {
  const xml = strFromU8(unzipSync(xlsx)['xl/worksheets/sheet1.xml']!);
  const out = new Map<string, { formula: string; value: string }>();
  for (const m of xml.matchAll(new RegExp(`<c r="([A-Z]+)${row}"[^>]*><f>([^<]*)</f><v>([^<]*)</v></c>`, 'g')))
    out.set(m[1]!, { formula: m[2]!, value: m[3]! });
  return out;
}

const cellValue = (v: ExcelJS.CellValue) => (v !== null && typeof v === 'object' && 'formula' in v ? v.result : v);

describe('the situation report as XLSX', () => {
  it('lays out Biểu 06 with merged headers, the report’s figures, SUM totals and number formats', async () => {
    const { director } = await september();
    const app = buildApp(t.database, {}, { now: () => NOW });
    const report = await readSituationReport(
      t.database.db,
      director,
      { unit: t.unitIds.sct!, groupBy: 'unit', from: '2026-09-01', to: '2026-09-30' },
      NOW,
    );
    // The hand-made set, as the report reads it.
    expect(report.total).toMatchObject({
      received: { total: 4, online: 1, direct: 2, carriedOver: 1 },
      settled: { total: 2, early: 1, onTime: 1, late: 0 },
      refused: 1,
      supplementRequests: 1,
      onTimeRate: 1,
    });
    expect(report.total.inProgress.total).toBe(1);

    const c = await loggedIn(app, who('sct-ld', 'Giám đốc'));
    const res = await download(app, c, `${REPORT}.xlsx?unit=${t.unitIds.sct}&groupBy=unit&from=01/09/2026&to=30/09/2026`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const disposition = res.headers.get('content-disposition')!;
    expect(disposition).toMatch(
      /^attachment; filename="Bieu 06 - Tinh hinh giai quyet TTHC - So Cong Thuong - 2026-09-01 den 2026-09-30\.xlsx"; filename\*=UTF-8''/,
    );
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe(
      'Biểu 06 - Tình hình giải quyết TTHC - Sở Công Thương - 2026-09-01 đến 2026-09-30.xlsx',
    );

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.bytes.buffer as ArrayBuffer);
    const ws = wb.getWorksheet('Biểu 06')!;
    const text = (ref: string) => String(cellValue(ws.getCell(ref).value) ?? '');
    expect(text('A1')).toBe('BIỂU SỐ 06/VPCP/KSTT');
    expect(text('A3')).toBe('TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH');
    expect(text('A4')).toBe('Đơn vị: Sở Công Thương');
    expect(text('A5')).toBe('Kỳ báo cáo: từ ngày 01/09/2026 đến ngày 30/09/2026');
    expect(text('A6')).toBe('Số liệu tính đến ngày 01/12/2026');

    // The header: three rows of merged cells, as the form has them.
    const h = XLSX_HEADER_ROW;
    expect(h).toBe(8);
    expect(ws.model.merges).toEqual(
      expect.arrayContaining([
        'A8:A10',
        'B8:B10',
        'C8:F8',
        'C9:C10',
        'D9:E9',
        'F9:F10',
        'G8:J8',
        'H9:H10',
        'K8:N8',
        'M9:M10',
        'N9:N10',
        'O8:O10',
        'S8:S10',
      ]),
    );
    expect([text('C8'), text('C9'), text('D9'), text('D10'), text('E10'), text('F9')]).toEqual([
      'Số hồ sơ nhận giải quyết',
      'Tổng số',
      'Trong kỳ',
      'Trực tuyến',
      'Trực tiếp, dịch vụ bưu chính',
      'Từ kỳ trước chuyển sang',
    ]);
    expect([text('G8'), text('K8'), text('L9'), text('M9'), text('N9'), text('O8'), text('R8'), text('S8')]).toEqual([
      'Số hồ sơ đã giải quyết',
      'Số hồ sơ đang giải quyết',
      'Trong hạn',
      'Quá hạn',
      'Tạm dừng tính hạn',
      'Rút hồ sơ',
      'Yêu cầu bổ sung',
      'Tỷ lệ đúng hạn',
    ]);
    expect([text('A11'), text('B11'), text('C11'), text('S11')]).toEqual(['A', 'B', '(1)', '(17)']);

    // One row per unit row of the report, its figures as they are; the rate a formula with the report's value.
    const first = 12;
    const figures = (row: number) => Array.from({ length: 16 }, (_, i) => cellValue(ws.getRow(row).getCell(3 + i).value));
    report.rows.forEach((r, i) => {
      expect(ws.getCell(first + i, 1).value).toBe(i + 1);
      expect(ws.getCell(first + i, 2).value).toBe(r.label);
      expect(figures(first + i)).toEqual(counts(r.figures));
      const rate = ws.getCell(first + i, 19).value as ExcelJS.CellFormulaValue;
      expect(rate.formula).toBe(`IF(G${first + i}=0,"",(H${first + i}+I${first + i})/G${first + i})`);
      if (r.figures.onTimeRate !== null) expect(rate.result).toBe(r.figures.onTimeRate);
    });
    expect(report.rows.some((r) => r.figures.received.total > 0)).toBe(true);
    const total = first + report.rows.length;
    expect(ws.model.merges).toContain(`A${total}:B${total}`);
    expect(text(`A${total}`)).toBe('TỔNG CỘNG');
    expect((ws.getCell(`C${total}`).value as ExcelJS.CellFormulaValue).formula).toBe(`SUM(C${first}:C${total - 1})`);
    const stored = storedResults(res.bytes, total);
    const letters = 'CDEFGHIJKLMNOPQR'.split('');
    expect(letters.map((l) => stored.get(l)?.formula)).toEqual(letters.map((l) => `SUM(${l}${first}:${l}${total - 1})`));
    expect(letters.map((l) => Number(stored.get(l)?.value))).toEqual(counts(report.total));
    expect(stored.get('S')?.value).toBe('1');
    // The stored totals are the sums of the rows, as Excel will recalculate them.
    const sums = Array.from({ length: 16 }, (_, i) => report.rows.reduce((s, r) => s + counts(r.figures)[i]!, 0));
    expect(sums).toEqual(counts(report.total));

    expect(ws.getCell(`C${first}`).numFmt).toBe('#,##0');
    expect(ws.getCell(`R${total}`).numFmt).toBe('#,##0');
    expect(ws.getCell(`S${first}`).numFmt).toBe('0.0%');
    expect(ws.getCell(`S${total}`).numFmt).toBe('0.0%');
    expect(ws.getCell(`C${first}`).border?.left?.style).toBe('thin');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 11 });
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
    expect(ws.pageSetup.printTitlesRow).toBe('8:11');
    expect(ws.getColumn(2).width).toBeGreaterThan(30);
  });
});

/** A synthetic report by procedure of `n` rows: the PDF's layout is a pure function of the report. */
function longReport(n: number): SituationReport {
  const f = (k: number): SituationFigures => ({
    received: { total: 1000 * k + 35, online: 1000 * k, direct: 20, carriedOver: 15 },
    settled: { total: 30, early: 10, onTime: 15, late: 5 },
    inProgress: { total: 1000 * k + 5, withinDeadline: 1000 * k - 2, late: 5, paused: 2 },
    withdrawn: 0,
    stopped: 0,
    refused: 0,
    supplementRequests: k,
    onTimeRate: 25 / 30,
  });
  const rows = Array.from({ length: n }, (_, i) => ({ key: `p${i + 1}`, label: `Thủ tục thứ ${i + 1} về cấp phép`, figures: f(i + 1) }));
  return {
    unit: { id: 'u', name: 'Ủy ban nhân dân tỉnh' },
    groupBy: 'procedure',
    period: { from: '2026-01-01', to: '2026-12-31' },
    asOf: '2026-12-01',
    rows,
    total: f(1),
  };
}

describe('the situation report as PDF', () => {
  it('runs a long report over several pages, the header repeated, each row once, numbered at the foot', async () => {
    const bytes = new Uint8Array(await situationPdf({ report: longReport(60), sector: null, procedure: null }));
    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
    const pdf = await getDocumentProxy(bytes);
    // 60 one-line rows and TỔNG CỘNG: about 17 under the title block, about 23 on each following page.
    expect(pdf.numPages).toBe(3);
    const { text } = await extractText(pdf, { mergePages: false });
    const pages = (text as string[]).map((p) => p.normalize('NFC').replace(/\s+/g, ' '));
    expect(pages[0]).toContain('TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH');
    expect(pages[0]).toContain('BIỂU SỐ 06/VPCP/KSTT');
    expect(pages[0]).toContain('Kỳ báo cáo: từ ngày 01/01/2026 đến ngày 31/12/2026');
    expect(pages[0]).toContain('Đơn vị báo cáo: Ủy ban nhân dân tỉnh');
    pages.forEach((p, i) => {
      expect(p).toContain('Số hồ sơ nhận giải quyết');
      expect(p).toContain('Trực tiếp, dịch vụ bưu chính');
      expect(p).toContain(`Trang ${i + 1}/3`);
    });
    expect(pages[1]).not.toContain('TÌNH HÌNH, KẾT QUẢ');
    // Every row exactly once, in order; the total on the last page; figures in vi-VN digits, the rate with a comma.
    const all = pages.join(' ');
    for (let i = 1; i <= 60; i++) expect(all.split(`Thủ tục thứ ${i} về cấp phép`).length - 1).toBe(1);
    expect(pages[2]).toContain('TỔNG CỘNG');
    expect(all).toContain('60.035');
    expect(all).toContain('83,3%');
  });
});

describe('the download routes', () => {
  it('give the report on the page as PDF, with what it was narrowed to', async () => {
    const { procedureId } = await september();
    const app = buildApp(t.database, {}, { now: () => NOW });
    const c = await loggedIn(app, who('sct-ld', 'Giám đốc'));
    const res = await download(
      app,
      c,
      `${REPORT}.pdf?unit=${t.unitIds.sct}&groupBy=procedure&from=2026-09-01&to=2026-09-30&procedure=${procedureId}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="Bieu 06 - .*\.pdf"; filename\*=UTF-8''/);
    const { text } = await extractText(res.bytes, { mergePages: true });
    const page = (text as string).normalize('NFC').replace(/\s+/g, ' ');
    expect(page).toContain('TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH');
    expect(page).toContain('Thủ tục: Cấp Giấy phép bán lẻ sản phẩm rượu');
    expect(page).toContain('Số liệu tính đến ngày 01/12/2026');
    expect(page).toContain('Trang 1/1');
    // The period as a preset reads the same as its days.
    const preset = await download(app, c, `${REPORT}.xlsx?unit=${t.unitIds.sct}&period=month&year=2026&n=9`);
    expect(preset.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(preset.bytes.buffer as ArrayBuffer);
    expect(wb.worksheets[0]!.getCell('A5').value).toBe('Kỳ báo cáo: từ ngày 01/09/2026 đến ngày 30/09/2026');
    // A report by procedure with no dossier at all: TỔNG CỘNG of zeros, and the sheet and the page say why.
    const empty = `${REPORT}.xlsx?unit=${t.unitIds.sct}&groupBy=procedure&from=01/01/2025&to=31/01/2025`;
    const none = await download(app, c, empty);
    expect(none.status).toBe(200);
    const nwb = new ExcelJS.Workbook();
    await nwb.xlsx.load(none.bytes.buffer as ArrayBuffer);
    const ws = nwb.worksheets[0]!;
    expect([ws.getCell('A12').value, ws.getCell('C12').value, ws.getCell('A13').value]).toEqual([
      'TỔNG CỘNG',
      0,
      'Không có hồ sơ trong kỳ báo cáo.',
    ]);
    const nonePdf = await download(app, c, empty.replace('.xlsx', '.pdf'));
    const { text: noneText } = await extractText(nonePdf.bytes, { mergePages: true });
    expect((noneText as string).normalize('NFC')).toContain('Không có hồ sơ trong kỳ báo cáo.');
  });

  it("share the process's few document builds with Mẫu 07: while they are all held, 503 with Retry-After, then 200", async () => {
    const app = buildApp(t.database, {}, { now: () => NOW });
    const c = await loggedIn(app, who('sct-ld', 'Giám đốc'));
    const path = `${REPORT}.pdf?unit=${t.unitIds.sct}&from=01/09/2026&to=30/09/2026`;
    const held = [documentBuilds.take(), documentBuilds.take()];
    try {
      expect(held.every(Boolean)).toBe(true);
      for (const ext of ['pdf', 'xlsx']) {
        const busy = await c.get(path.replace('.pdf', `.${ext}`));
        expect(busy.status, ext).toBe(503);
        expect(busy.headers.get('retry-after')).toBe('10');
        expect(busy.text).toContain('Hệ thống đang bận lập tài liệu khác. Vui lòng thử lại sau 10 giây.');
      }
    } finally {
      for (const release of held) release?.();
    }
    expect((await download(app, c, path)).status).toBe(200);
  });

  it('answer 404 for a unit one does not read and 400 with a Vietnamese message for a malformed parameter', async () => {
    const app = buildApp(t.database, {}, { now: () => NOW });
    const sct = t.unitIds.sct!;
    const query = `unit=${sct}&from=01/09/2026&to=30/09/2026`;
    // Another Sở's leader, a division's head under the Sở, a clerk: not found, for either format.
    for (const username of [who('sgd', 'Phó Giám đốc'), who('sct-qlcn', 'Trưởng phòng'), sctClerkUsername()]) {
      const c = await loggedIn(app, username);
      for (const ext of ['xlsx', 'pdf']) {
        const res = await c.get(`${REPORT}.${ext}?${query}`);
        expect(res.status, `${username} .${ext}`).toBe(404);
        expect(res.text).toContain('không tồn tại hoặc bạn không có quyền xem');
      }
    }
    const anonymous = await new Client(app).get(`${REPORT}.xlsx?${query}`);
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toMatch(/^\/tiepnhan\/dang-nhap\?tiep=/);

    const director = await loggedIn(app, who('sct-ld', 'Giám đốc'));
    const bad: Array<[string, string]> = [
      [`unit=${sct}&from=31/02/2026&to=30/09/2026`, 'Từ ngày không hợp lệ'],
      [`unit=${sct}&from=01/10/2026&to=30/09/2026`, 'Đến ngày phải cùng ngày hoặc sau từ ngày'],
      [`unit=${sct}&groupBy=nguoi-nop&${query}`, 'Cách nhóm báo cáo không hợp lệ'],
      [`unit=not-a-unit&from=01/09/2026&to=30/09/2026`, 'Đơn vị không hợp lệ'],
      [`${query}&sector=1' or 1=1`, 'Lĩnh vực không hợp lệ'],
      [`${query}&period=month&n=13`, 'Số thứ tự của kỳ không hợp lệ'],
      [`unit=${sct}&from=${encodeURIComponent('01/09/2026\u0000')}&to=30/09/2026`, 'không hợp lệ'],
    ];
    for (const [q, message] of bad) {
      for (const ext of ['xlsx', 'pdf']) {
        const res = await director.get(`${REPORT}.${ext}?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.headers.get('content-type')).toMatch(/^text\/html/);
        expect(res.text.normalize('NFC'), q).toContain(message);
      }
    }
    // A sector or procedure that does not exist: not found, rather than an empty report under a name it does not have.
    const missing = await director.get(`${REPORT}.pdf?${query}&procedure=00000000-0000-4000-8000-000000000001`);
    expect(missing.status).toBe(404);
  });
});
