/**
 * Thống kê, báo cáo in a real browser (issue 15): a leader opens the situation report, drills into the overdue number,
 * downloads the XLSX and the PDF.
 *
 * The Sở Công Thương clerk receives three dossiers at the counter. The Sở's Giám đốc (Xem thống kê at the Sở, demo data)
 * finds THỐNG KÊ, BÁO CÁO in the menu, asks for the Sở's report over the last three weeks (Từ ngày – đến ngày), reads
 * Biểu 06 (Tổng cộng: the three received in person, in progress, two of them overdue) and the three charts drawn as
 * SVG, clicks the overdue figure and lands on the list of exactly those two dossiers; the back link returns to the
 * report; the XLSX (read with exceljs: the same overdue figure in TỔNG CỘNG) and the PDF download under the form's name.
 * Chỉ số phục vụ shows each indicator's formula. A reception clerk has no menu entry, and the very addresses the Giám đốc
 * opened (the report, its drill-down, its downloads) answer 404. axe-core (WCAG 2.1 AA) on each statistics page;
 * every header cell of Biểu 06 has a scope and every field of the form a label.
 *
 * Overdue needs a due date in the past, and the server has no clock a test can move: as tests/e2e/notifications.test.ts
 * does, with TEST_DATABASE_URL the server runs on a PostgreSQL database of its own and, as data set-up, two of the
 * dossiers are moved back (received twelve days ago, due three days ago; the counters follow by their triggers). On
 * PGlite (the server holds its directory) that set-up is skipped: the three are in progress within their deadline and
 * the drill-down opens that figure instead.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Download, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { inArray } from 'drizzle-orm';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';
import { dossiers } from '../../src/db/schema/index.js';
import { formatDate, todayInVietnam } from '../../src/shared/dates.js';
import { addDays } from '../../src/statistics/periods.js';
import {
  AXE_SCRIPT,
  attrOf,
  countOf,
  demoOfficial,
  eventually,
  expectAccessible,
  isVisible,
  loginOfficial,
  logout,
  receiveDossier,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.roles.some((r) => r.role === 'reception'), 'a reception clerk at sct-vp');
const LEADER = demoOfficial((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc', 'the Giám đốc of sct');
const AGENCY = 'Sở Công Thương';
const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
/** Made up walk-in applicants (070 Bình Phước, then sex/century, year, six digits). */
const APPLICANTS = [
  { fullName: 'Hoàng Văn Đúng Hẹn', cccd: '070089231456', phone: '0912345671', address: 'Số 3 đường Phú Riềng Đỏ, Đồng Xoài' },
  { fullName: 'Phạm Thị Trễ Hạn', cccd: '070190345612', phone: '0912345672', address: 'Số 5 đường Hùng Vương, Đồng Xoài' },
  { fullName: 'Vũ Văn Quá Hạn', cccd: '070087456123', phone: '0912345673', address: 'Số 7 đường Trần Hưng Đạo, Đồng Xoài' },
];
const REPORT = '/tiepnhan/thong-ke/tinh-hinh-giai-quyet';

// ---------------------------------------------------------------------------------------------
// The server: with TEST_DATABASE_URL, its own PostgreSQL database (created before the server starts, dropped after it
// stopped: vitest runs beforeAll hooks in order and afterAll hooks in reverse).

const PG_URL = process.env.TEST_DATABASE_URL;
const DB_NAME = `motcua_e2e_stats_${Date.now()}_${crypto.randomBytes(3).toString('hex')}`;
const serverDbUrl = (() => {
  if (!PG_URL) return null;
  const u = new URL(PG_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();
let database: Database | null = null;

async function adminQuery(text: string) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  if (PG_URL) await adminQuery(`create database "${DB_NAME}"`);
});
afterAll(async () => {
  await database?.close();
  if (PG_URL) await adminQuery(`drop database if exists "${DB_NAME}" with (force)`);
});

const e2e = useE2E({ env: serverDbUrl ? { DATABASE_URL: serverDbUrl } : {} });
let page: Page;

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

// ---------------------------------------------------------------------------------------------
// The scenario's dossiers and what the report must say of them.

const received: Array<{ id: string; code: string }> = [];
/** The addresses the Giám đốc opened: the report and the overdue figure's dossiers (path and query). */
let reportUrl = '';
let drillUrl = '';
/** Moved back by the data set-up (PostgreSQL only): in progress and overdue. */
const overdue = () => (PG_URL ? received.slice(1) : []);
const today = todayInVietnam();
const FROM = addDays(today, -20);

/** Tổng cộng of Biểu 06 as the page prints it: the 16 counts (1)…(16) and the on-time rate (17); none waits for a supplement. */
const expectedTotal = () => {
  const late = overdue().length;
  return ['3', '0', '3', '0', '0', '0', '0', '0', '3', String(3 - late), String(late), '0', '0', '0', '0', '0', '—'];
};
/** Column (11), Đang giải quyết – Quá hạn, among the figures of a row (0-based). */
const IN_PROGRESS_LATE = 10;

const pathOf = (p: Page) => {
  const u = new URL(p.url());
  return u.pathname + u.search;
};
const form = (p: Page) => p.locator('form.stats-form');
const dayBox = (p: Page, label: string) => form(p).getByRole('textbox', { name: label, exact: true });
const mainMenu = (p: Page) => p.getByRole('navigation', { name: 'Menu chính' });
const statsLink = (p: Page) => mainMenu(p).getByRole('link', { name: 'THỐNG KÊ, BÁO CÁO', exact: true });
const reportTable = (p: Page) => p.locator('table#bao-cao');
const totalFigures = (p: Page) => async () => p.locator('table#bao-cao tfoot tr td.num').allInnerTexts();

/** Click what starts a download and wait for it: the file and its bytes. */
async function download(p: Page, click: () => Promise<void>): Promise<{ file: Download; bytes: Buffer }> {
  const [file] = await Promise.all([p.waitForEvent('download'), click()]);
  const where = await file.path();
  return { file, bytes: fs.readFileSync(where) };
}

/** Every header cell of the table has a scope (col, colgroup, row, rowgroup). */
async function headersWithoutScope(p: Page, table: string): Promise<string[]> {
  return p
    .locator(`${table} th`)
    .evaluateAll((ths) =>
      ths.filter((th) => !/^(col|colgroup|row|rowgroup)$/.test(th.getAttribute('scope') ?? '')).map((th) => th.textContent ?? ''),
    );
}

/** The form's fields (select, input) that have no accessible label. */
async function unlabelledFields(p: Page, form: string): Promise<string[]> {
  return p
    .locator(`${form} select, ${form} input:not([type="hidden"])`)
    .evaluateAll((els) =>
      els
        .filter(
          (el) => (el as HTMLInputElement).labels?.length === 0 && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'),
        )
        .map((el) => el.getAttribute('name') ?? el.outerHTML.slice(0, 60)),
    );
}

describe('Thống kê, báo cáo in the browser: the report, its overdue dossiers, the XLSX and the PDF', { shuffle: false }, () => {
  test('the clerk receives three dossiers at the counter', async () => {
    await loginOfficial(page, CLERK);
    for (const applicant of APPLICANTS) received.push(await receiveDossier(page, { sector: SECTOR, procedure: PROCEDURE, applicant }));
    expect(new Set(received.map((d) => d.code)).size).toBe(3);
    await eventually(countOf(statsLink(page))).toBe(0);
    await logout(page);
  });

  test.skipIf(!PG_URL)('data set-up: two of the dossiers were received twelve days ago and are three days overdue', async () => {
    database = await openDatabase({ url: serverDbUrl ?? '', poolSize: 2 });
    const now = Date.now();
    const receivedAt = new Date(now - 12 * 86_400_000);
    const due = new Date(now - 3 * 86_400_000);
    const ids = overdue().map((d) => d.id);
    const moved = await database.db
      .update(dossiers)
      .set({ receivedAt, dueAt: due, stepDueAt: due })
      .where(inArray(dossiers.id, ids))
      .returning({ id: dossiers.id });
    expect(moved.map((m) => m.id).sort()).toEqual([...ids].sort());
  });

  test('the Giám đốc finds THỐNG KÊ, BÁO CÁO and asks for the Sở’s report over the last three weeks', async () => {
    await loginOfficial(page, LEADER);
    await statsLink(page).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}${REPORT}`);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH' }))).toBe(
      true,
    );
    await eventually(attrOf(statsLink(page), 'aria-current')).toBe('page');

    // A list's name is its label and the option it shows: the label begins it.
    await form(page)
      .getByRole('combobox', { name: /^Đơn vị/ })
      .selectOption({ label: AGENCY });
    await form(page)
      .getByRole('combobox', { name: /^Báo cáo theo/ })
      .selectOption({ label: 'Đơn vị' });
    await form(page)
      .getByRole('combobox', { name: /^Kỳ báo cáo/ })
      .selectOption({ label: 'Từ ngày – đến ngày' });
    await dayBox(page, 'Từ ngày').fill(formatDate(FROM));
    await dayBox(page, 'Đến ngày').fill(formatDate(today));
    await page.getByRole('button', { name: 'Xem báo cáo', exact: true }).click();
    await eventually(urlOf(page)).toContain('period=custom');
    reportUrl = pathOf(page);
    await eventually(textOf(page.locator('p.report-head'))).toBe(
      `Đơn vị: ${AGENCY}. Kỳ báo cáo: từ ngày ${formatDate(FROM)} đến ngày ${formatDate(today)}. Số liệu tính đến ngày ${formatDate(today)}.`,
    );
    // The values it was read with stay in the form.
    expect(await dayBox(page, 'Từ ngày').inputValue()).toBe(formatDate(FROM));
    expect(await dayBox(page, 'Đến ngày').inputValue()).toBe(formatDate(today));
  });

  test('Biểu 06: Tổng cộng and the Sở’s own row say three received in person, in progress, the overdue ones apart', async () => {
    await eventually(isVisible(reportTable(page))).toBe(true);
    await eventually(totalFigures(page)).toEqual(expectedTotal());
    // The dossiers were received by the Sở itself (its Văn phòng's counter): the first row, the rows add up.
    const own = reportTable(page).locator('tbody tr').first();
    await eventually(textOf(own.locator('th'))).toBe(`${AGENCY} (trực tiếp tiếp nhận)`);
    const rows = await reportTable(page).locator('tbody tr').all();
    const sums = Array.from({ length: 15 }, () => 0);
    for (const row of rows) {
      const figures = await row.locator('td.num').allInnerTexts();
      figures.slice(1, 16).forEach((f, i) => {
        sums[i] = (sums[i] ?? 0) + Number(f.replace(/\./g, ''));
      });
    }
    expect(sums.map(String)).toEqual(expectedTotal().slice(0, 15));
    // The merged header of the form: Tổng số, Trong hạn, Quá hạn, Tạm dừng tính hạn.
    await eventually(countOf(reportTable(page).getByRole('columnheader', { name: 'Số hồ sơ đang giải quyết', exact: true }))).toBe(1);
    expect(await attrOf(reportTable(page).getByRole('columnheader', { name: 'Số hồ sơ đang giải quyết', exact: true }), 'colspan')()).toBe(
      '4',
    );
  });

  test('the three charts are drawn as SVG, with their numbers as tables', async () => {
    const charts = page.locator('figure.chart');
    await eventually(countOf(charts)).toBe(3);
    for (const id of ['bieu-do-dung-han', 'bieu-do-kenh', 'bieu-do-dang-giai-quyet']) {
      await eventually(countOf(page.locator(`figure#${id} svg`))).toBe(1);
      expect(await page.locator(`figure#${id} [role="img"]`).getAttribute('aria-label')).toMatch(/Số liệu trong bảng ngay sau biểu đồ\.$/);
    }
    // Overdue by unit: the Sở's own row in the chart's table.
    const chart = page.locator('figure#bieu-do-dang-giai-quyet');
    await chart.locator('summary').click();
    const row = chart.locator('tbody tr', { has: page.getByRole('rowheader', { name: `${AGENCY} (trực tiếp tiếp nhận)`, exact: true }) });
    await eventually(async () => row.locator('td').allInnerTexts()).toEqual([
      '3',
      String(3 - overdue().length),
      String(overdue().length),
      '0',
    ]);
  });

  test('the report page is accessible: axe, a scope on every header, a label on every field', async () => {
    await expectAccessible(page, 'Báo cáo tình hình giải quyết TTHC');
    expect(await headersWithoutScope(page, 'table#bao-cao')).toEqual([]);
    expect(await headersWithoutScope(page, 'figure.chart table')).toEqual([]);
    expect(await unlabelledFields(page, 'form.stats-form')).toEqual([]);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).count()).toBe(1);
  });

  test('a click on Đang giải quyết – Quá hạn opens exactly its dossiers', async () => {
    // On PGlite no dossier is overdue (see the header): the figure is 0, not a link, and the within-deadline one opens.
    const cell = PG_URL ? 'in_progress_late' : 'in_progress_within';
    const listed = PG_URL ? overdue() : received;
    const total = page.locator('table#bao-cao tfoot tr td.num');
    if (!PG_URL) {
      expect(await total.nth(IN_PROGRESS_LATE).textContent()).toBe('0');
      expect(await total.nth(IN_PROGRESS_LATE).locator('a').count()).toBe(0);
    }
    const link = total.nth(PG_URL ? IN_PROGRESS_LATE : IN_PROGRESS_LATE - 1).getByRole('link');
    expect(await link.textContent()).toBe(String(listed.length));
    await link.click();
    await eventually(urlOf(page)).toContain(`${REPORT}/ho-so?`);
    expect(new URL(page.url()).searchParams.get('cell')).toBe(cell);
    drillUrl = pathOf(page);
    const title = PG_URL ? 'DANH SÁCH HỒ SƠ: ĐANG GIẢI QUYẾT QUÁ HẠN' : 'DANH SÁCH HỒ SƠ: ĐANG GIẢI QUYẾT TRONG HẠN';
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: title }))).toBe(true);
    const codes = async () => (await page.locator('table#ho-so-so-lieu tbody tr td:first-child a').allInnerTexts()).sort();
    await eventually(codes).toEqual(listed.map((d) => d.code).sort());
    // Each row opens its dossier.
    for (const d of listed) {
      const row = page.locator('table#ho-so-so-lieu tbody tr', { has: page.getByRole('link', { name: d.code, exact: true }) });
      expect(await row.locator('td').nth(6).textContent()).not.toBe('');
      expect(await row.getByRole('link', { name: d.code, exact: true }).getAttribute('href')).toBe(`/tiepnhan/ho-so/${d.id}`);
    }
    await expectAccessible(page, 'Danh sách hồ sơ của số liệu');
    expect(await headersWithoutScope(page, 'table#ho-so-so-lieu')).toEqual([]);

    // A made-up cell in the address is named, not guessed.
    const bad = new URL(page.url());
    bad.searchParams.set('cell', 'khong-co');
    const res = await page.goto(bad.pathname + bad.search);
    expect(res?.status()).toBe(400);
    await page.goBack();
    await eventually(urlOf(page)).toContain(`cell=${cell}`);

    await page.getByRole('link', { name: '← Quay lại báo cáo' }).click();
    await eventually(urlOf(page)).toMatch(new RegExp(`${REPORT}\\?`));
    await eventually(totalFigures(page)).toEqual(expectedTotal());
  });

  test('Tải về Excel: Biểu 06 under the form’s name, TỔNG CỘNG with the same overdue figure', async () => {
    const { file, bytes } = await download(page, () => page.getByRole('link', { name: 'Tải về Excel (XLSX)' }).click());
    expect(file.suggestedFilename()).toBe(`Biểu 06 - Tình hình giải quyết TTHC - ${AGENCY} - ${FROM} đến ${today}.xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const ws = wb.worksheets[0];
    if (!ws) throw new Error('the workbook has no sheet');
    // A formula's stored result; exceljs reads a stored 0 back as no result (tests/statistics-exports.test.ts reads the XML).
    const value = (v: ExcelJS.CellValue) => (v !== null && typeof v === 'object' && 'formula' in v ? (v.result ?? 0) : v);
    const firstColumn: string[] = [];
    ws.eachRow({ includeEmpty: true }, (row) => firstColumn.push(String(value(row.getCell(1).value) ?? '')));
    expect(firstColumn).toContain(`Kỳ báo cáo: từ ngày ${formatDate(FROM)} đến ngày ${formatDate(today)}`);
    // The rows of the units lie between the row numbering the columns (A, B, (1)…) and TỔNG CỘNG.
    const first = firstColumn.indexOf('A') + 2;
    const total = firstColumn.indexOf('TỔNG CỘNG') + 1;
    expect(first).toBeGreaterThan(1);
    expect(total).toBeGreaterThan(first);
    // Columns C… hold (1)…(16): (11), Đang giải quyết – Quá hạn, is column M.
    const figures = (row: number) => Array.from({ length: 16 }, (_, i) => value(ws.getRow(row).getCell(3 + i).value));
    expect(figures(total)).toEqual(expectedTotal().slice(0, 16).map(Number));
    const overdueCell = ws.getCell(`M${total}`).value as ExcelJS.CellFormulaValue;
    expect(overdueCell.formula).toBe(`SUM(M${first}:M${total - 1})`);
    expect(overdueCell.result ?? 0).toBe(overdue().length);
    let unitsOverdue = 0;
    for (let r = first; r < total; r++) unitsOverdue += Number(ws.getCell(`M${r}`).value);
    expect(unitsOverdue).toBe(overdue().length);
  });

  test('Tải về PDF: the same report as a PDF file', async () => {
    const { file, bytes } = await download(page, () => page.getByRole('link', { name: 'Tải về PDF' }).click());
    expect(file.suggestedFilename()).toBe(`Biểu 06 - Tình hình giải quyết TTHC - ${AGENCY} - ${FROM} đến ${today}.pdf`);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.byteLength).toBeGreaterThan(5_000);
    expect(bytes.subarray(-1024).toString('latin1')).toContain('%%EOF');
  });

  test('Chỉ số phục vụ: each indicator with its formula, accessible', async () => {
    const res = await page.goto('/tiepnhan/thong-ke/chi-so-phuc-vu');
    expect(res?.status()).toBe(200);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP' }))).toBe(true);
    const onTime = page.locator('table#chi-so tr#chi-so-on_time');
    await eventually(textOf(onTime.getByRole('rowheader'))).toContain(
      'Cách tính: Số hồ sơ giải quyết đúng hạn ÷ số hồ sơ đã giải quyết trong kỳ. Thời gian công dân bổ sung hồ sơ không tính; hồ sơ yêu cầu bổ sung quá 1 lần tính là trễ hạn.',
    );
    await eventually(textOf(page.locator('table#chi-so tr#chi-so-online_e_result'))).toContain(
      'Cách tính: Số hồ sơ nộp trực tuyến có kết quả điện tử ÷ tổng số hồ sơ tiếp nhận trong kỳ. Đạt điểm tối đa khi ≥ 50%.',
    );
    await expectAccessible(page, 'Chỉ số phục vụ');
    expect(await headersWithoutScope(page, 'table#chi-so')).toEqual([]);
    await page.goto('/tiepnhan');
    await logout(page);
  });

  test('the clerk reads no statistics: no menu entry; the leader’s report, its dossiers and downloads are not found', async () => {
    await loginOfficial(page, CLERK);
    await eventually(countOf(mainMenu(page).getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }))).toBe(1);
    await eventually(countOf(statsLink(page))).toBe(0);
    // The very addresses the Giám đốc opened, and the pages' own addresses without a query.
    for (const path of [REPORT, reportUrl, drillUrl, '/tiepnhan/thong-ke/chi-so-phuc-vu']) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(404);
      await eventually(attrOf(page.getByRole('alert'), 'data-error-code')).toBe('not_found');
      const body = await textOf(page.locator('body'))();
      for (const d of received) expect(body).not.toContain(d.code);
    }
    for (const ext of ['xlsx', 'pdf']) {
      const res = await e2e.context.request.get(reportUrl.replace(REPORT, `${REPORT}.${ext}`), { maxRedirects: 0 });
      expect(res.status(), ext).toBe(404);
      expect(res.headers()['content-disposition']).toBeUndefined();
    }
    await page.goto('/tiepnhan');
    await logout(page);
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
