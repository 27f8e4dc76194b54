/**
 * The citizen portal's whole story in a real browser, with the officials in a second browser context of the same
 * Chromium. A demo citizen logs in with VNeID (the OTP read from the simulator's SMS outbox), keeps a file in Quản lý
 * tập tin cá nhân, finds "Cấp Giấy phép bán lẻ sản phẩm rượu" by a name typed without diacritics and submits it —
 * two documents uploaded, one reused from the personal files — and sees Hồ sơ đã nộp (1). The Sở Công Thương desk
 * clerk finds it under "Chờ tiếp nhận (trực tuyến)" with its files, accepts it and asks for a supplement; the
 * citizen sees Hồ sơ chờ bổ sung (1) and sends it. The clerk hands over, the expert (sct-qltm) attaches the result
 * and hands over, the director (sct-ld) approves, the clerk returns the result online. The citizen pays the fee on
 * the payment platform's stand-in, downloads the receipt, finds the result in Quản lý tập tin cá nhân marked as
 * issued by the agency (the very bytes the expert attached) and rates the dossier.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Download, Locator, Page } from 'playwright-core';
import { extractText } from 'unpdf';
import type { SimPerson } from '../../sim/population-types.js';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  ROOT,
  attrOf,
  countOf,
  eventually,
  isVisible,
  loginCitizenWithVneid,
  logout,
  recordResultOnPage,
  textOf,
  urlOf,
  useE2E,
  demoOfficial,
  loginOfficial,
  type Who,
} from './support.js';

// ---------------------------------------------------------------------------------------------
// Who and what (sim/data/population.json, src/demo/officials.ts, src/demo/procedures.ts).

const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const PERSON = POPULATION.find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1 && p.soDienThoai);
if (!PERSON) throw new Error('the simulator has no citizen with a phone');

/** Văn phòng Sở Công Thương: reception and result. */
const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.roles.some((r) => r.role === 'reception'), 'a reception clerk at sct-vp');
/** Quản lý Thương mại: processing. */
const EXPERT = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
/** Lãnh đạo SCT: approval. */
const DIRECTOR = demoOfficial((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc', 'Giám đốc at sct-ld');

const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
const TYPED = 'giay phep ban le san pham ruou';
const AGENCY = 'Sở Công Thương';
const FEE = '1.200.000 đồng';
const SUPPLEMENT = {
  reason: 'Hợp đồng thuê địa điểm kinh doanh đã hết hạn.',
  items: ['Bản sao hợp đồng thuê địa điểm kinh doanh còn hiệu lực', 'Bản vẽ sơ đồ địa điểm kinh doanh'],
};

const pdfFile = (name: string, text: string) => ({
  name,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
});
const REUSED = pdfFile('dang-ky-kinh-doanh.pdf', 'giấy chứng nhận đăng ký doanh nghiệp');
const SUPPLIED = pdfFile('hop-dong-thue-moi.pdf', 'hợp đồng thuê còn hiệu lực');
const RESULT = pdfFile('giay-phep-ban-le-ruou.pdf', 'Giấy phép bán lẻ sản phẩm rượu số 01/GP-SCT');

// ---------------------------------------------------------------------------------------------

const e2e = useE2E();
/** The citizen's page (the file's main context). */
let page: Page;
/** The officials' context and page: the same browser, its own cookies. */
let desk: BrowserContext;
let staff: Page;

/** Shared across the steps below (they run in order). */
let dossierId = '';
let dossierCode = '';

beforeAll(async () => {
  page = e2e.page;
  const browser = e2e.context.browser();
  if (!browser) throw new Error('the citizen’s context has no browser');
  desk = await browser.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
  desk.setDefaultTimeout(15_000);
  staff = await desk.newPage();
  staff.on('pageerror', (err) => e2e.browserErrors.push(`${staff.url()}: ${err.message}`));
  staff.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      e2e.browserErrors.push(`${staff.url()}: ${msg.text()}`);
  });
});

afterAll(async () => {
  await desk?.close().catch(() => undefined);
});

// ---------------------------------------------------------------------------------------------
// The citizen's steps.

const main = (p: Page) => p.locator('main');
/** One of the portal dossier's particulars by its term. */
const portalFact = (term: string) =>
  page.locator('#dossier-facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const notice = (p: Page) => p.locator('.flash-ok');

/** TRANG CÁ NHÂN, by its address (as a person would from a bookmark). */
async function openPersonalPage() {
  await page.goto('/ca-nhan');
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TRANG CÁ NHÂN' }))).toBe(true);
}

/** The count of one group on TRANG CÁ NHÂN, as its link says. */
const groupCount = (label: string) => async () => {
  const text = await textOf(
    page.getByRole('navigation', { name: 'Hồ sơ của tôi' }).getByRole('link', { name: new RegExp(`^${label} \\(`) }),
  )();
  return Number(/\((\d+)\)$/.exec(text)?.[1] ?? Number.NaN);
};

/** Open the dossier from its group's list. */
async function openMyDossier(groupLabel: string) {
  await page
    .getByRole('navigation', { name: 'Hồ sơ của tôi' })
    .getByRole('link', { name: new RegExp(`^${groupLabel} \\(`) })
    .click();
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: groupLabel }))).toBe(true);
  await page.locator('ul.dossier-list li', { hasText: dossierCode }).getByRole('link', { name: PROCEDURE }).click();
  await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/ca-nhan/ho-so/${dossierId}`);
  await eventually(textOf(portalFact('Mã hồ sơ'))).toBe(dossierCode);
}

/** Click what starts a download and wait for it; its bytes. */
async function download(p: Page, click: () => Promise<void>): Promise<{ file: Download; bytes: Buffer }> {
  const [file] = await Promise.all([p.waitForEvent('download'), click()]);
  expect(await file.failure()).toBeNull();
  const saved = await file.path();
  return { file, bytes: fs.readFileSync(saved) };
}

async function pdfText(bytes: Buffer) {
  expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const { text } = await extractText(new Uint8Array(bytes), { mergePages: true });
  return (text as string).normalize('NFC').replace(/\s+/g, ' ');
}

// ---------------------------------------------------------------------------------------------
// The officials' steps (as in onestop.test.ts, on the officials' page).

const mainMenu = () => staff.getByRole('navigation', { name: 'Menu chính' });
const statusLine = () => staff.locator('#status');
const historyRows = () => staff.locator('table#history tbody tr');
const actionForm = (action: string) => staff.locator(`form.action-form[data-action="${action}"]`);
const actionForms = () => staff.locator('form.action-form');
const inboxRow = () => staff.locator('table#inbox tbody tr', { has: staff.getByRole('link', { name: dossierCode, exact: true }) });
const tab = (label: string) =>
  staff
    .getByRole('navigation', { name: 'Trạng thái' })
    .getByRole('link', { name: new RegExp(`^${label.replace(/[()]/g, '\\$&')} \\(\\d+\\)$`) });
const actionsOffered = () => actionForms().evaluateAll((fs) => fs.map((f) => f.getAttribute('data-action')));

const loginAs = (who: Who) => loginOfficial(staff, who);

/** HỒ SƠ → a tab → the dossier's row → its page. */
async function openFromInbox(tabLabel: string) {
  await mainMenu().getByRole('link', { name: 'HỒ SƠ', exact: true }).click();
  await eventually(urlOf(staff)).toMatch(/\/tiepnhan\/ho-so$/);
  await eventually(isVisible(staff.getByRole('heading', { level: 1, name: 'HỒ SƠ CẦN XỬ LÝ' }))).toBe(true);
  // The online tab also receives the national-portal stand-in's two dossiers for Sở Công Thương whenever the
  // five-minute pull runs during this file: there, only this dossier's row is asserted.
  if (tabLabel === 'Chờ tiếp nhận (trực tuyến)') await eventually(textOf(tab(tabLabel))).toMatch(/ \([1-9]\d*\)$/);
  else await eventually(textOf(tab(tabLabel))).toBe(`${tabLabel} (1)`);
  await tab(tabLabel).click();
  await eventually(attrOf(tab(tabLabel), 'aria-current')).toBe('page');
  await eventually(countOf(inboxRow())).toBe(1);
  await inboxRow().getByRole('link', { name: dossierCode, exact: true }).click();
  await eventually(urlOf(staff)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}`);
  await eventually(textOf(staff.getByRole('heading', { level: 1 }))).toBe(`Hồ sơ ${dossierCode}`);
}

/** Fill and submit one action form, then wait for the page that follows ("Đã cập nhật hồ sơ.", one more history row). */
async function act(action: string, button: string, fill: (form: Locator) => Promise<void> = async () => undefined) {
  const before = await historyRows().count();
  const form = actionForm(action);
  await eventually(countOf(form)).toBe(1);
  // An action the step does not expect is folded under "Thao tác khác".
  if (!(await form.isVisible())) await staff.locator('details.more-actions > summary').click();
  await fill(form);
  await form.getByRole('button', { name: button, exact: true }).click();
  await eventually(urlOf(staff)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}?tb=done`);
  await eventually(countOf(historyRows())).toBe(before + 1);
  await eventually(textOf(staff.getByRole('status').filter({ hasText: 'Đã cập nhật hồ sơ.' }))).toBe('Đã cập nhật hồ sơ.');
  await eventually(countOf(staff.locator('.flash-error, .field-error'))).toBe(0);
}

// ---------------------------------------------------------------------------------------------

describe('the citizen portal is done: submit, supplement, result, fee, personal files, rating', { shuffle: false }, () => {
  test('the demo officials hold the roles of the steps', () => {
    const at = (username: string) =>
      (demoOfficials().find((o) => o.username === username)?.roles ?? []).map((r) => `${r.role}@${r.unitKey}`);
    expect(at(CLERK.username)).toEqual(expect.arrayContaining(['reception@sct-vp', 'result@sct-vp']));
    expect(at(EXPERT.username)).toEqual(['processing@sct-qltm']);
    // Lãnh đạo SCT approves; as the Sở's director he also reads its statistics (Xem thống kê at Sở Công Thương).
    expect(at(DIRECTOR.username)).toEqual(['approval@sct-ld', 'statistics@sct']);
  });

  test('a demo citizen logs in with VNeID, the OTP read from the simulator’s SMS outbox', async () => {
    const person = PERSON;
    await loginCitizenWithVneid(page, e2e.simUrl, person);
    await eventually(textOf(page.locator('dl.facts'))).toContain(person.soDinhDanh);
    await eventually(groupCount('Hồ sơ đã nộp')).toBe(0);
  });

  test('keeps a file in Quản lý tập tin cá nhân', async () => {
    await page.getByRole('link', { name: 'Quản lý tập tin cá nhân' }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/tap-tin$/);
    await page.getByLabel(/^Chọn tệp/).setInputFiles(REUSED);
    await page.getByRole('button', { name: 'Tải lên', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/tap-tin\?tb=tai-len$/);
    await eventually(textOf(notice(page))).toBe('Đã tải lên tệp.');
    await eventually(textOf(page.locator('ul.file-list li', { hasText: REUSED.name }))).toContain('Tải lên từ máy của bạn');
  });

  test('finds the procedure by a name typed without diacritics and submits it, one document reused: Hồ sơ đã nộp (1)', async () => {
    await page.goto('/thu-tuc');
    await page.getByLabel('Tìm thủ tục').fill(TYPED);
    await page.getByLabel('Tìm thủ tục').press('Enter');
    await eventually(urlOf(page)).toMatch(/\/thu-tuc\?.*q=giay\+phep/);
    await page.getByRole('link', { name: PROCEDURE, exact: true }).first().click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: PROCEDURE }))).toBe(true);
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Nộp hồ sơ trực tuyến' }))).toBe(true);
    await page.getByLabel('Số điện thoại', { exact: true }).fill('0912345678');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 5 đường Thử Nghiệm, phường Tân Phú');
    await page.locator('#doc0').setInputFiles(pdfFile('don-de-nghi.pdf', 'đơn đề nghị'));
    await page.locator('#pick1').selectOption({ label: REUSED.name });
    await page.locator('#doc2').setInputFiles(pdfFile('hop-dong-thue.pdf', 'hợp đồng thuê'));
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();

    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/ho-so\/[0-9a-f-]{36}\?tb=da-nop$/);
    dossierId = /\/ho-so\/([0-9a-f-]{36})\?/.exec(page.url())?.[1] ?? '';
    await eventually(textOf(portalFact('Trạng thái'))).toBe('Mới đăng ký');
    await eventually(textOf(portalFact('Mã hồ sơ'))).toMatch(/^000\.00\.13\.H10-\d{6}-\d{4}$/);
    dossierCode = await textOf(portalFact('Mã hồ sơ'))();
    await eventually(textOf(portalFact('Cơ quan tiếp nhận'))).toBe(AGENCY);
    await eventually(textOf(portalFact('Lệ phí'))).toBe(FEE);
    for (const name of ['don-de-nghi.pdf', REUSED.name, 'hop-dong-thue.pdf']) {
      await eventually(countOf(main(page).getByRole('link', { name, exact: true }))).toBe(1);
    }
    await openPersonalPage();
    await eventually(groupCount('Hồ sơ đã nộp')).toBe(1);
    await eventually(groupCount('Hồ sơ chờ xác nhận')).toBe(1);
    await eventually(groupCount('Hồ sơ chờ thanh toán lệ phí')).toBe(1);
    await eventually(groupCount('Hồ sơ chờ bổ sung')).toBe(0);
  });

  test('the desk clerk finds it under "Chờ tiếp nhận (trực tuyến)" with its files, accepts it and asks for a supplement', async () => {
    await loginAs(CLERK);
    await openFromInbox('Chờ tiếp nhận (trực tuyến)');
    await eventually(textOf(statusLine())).toBe('Mới đăng ký (mã 1)');
    await eventually(isVisible(staff.getByRole('heading', { level: 2, name: 'Hồ sơ nộp trực tuyến' }))).toBe(true);
    const submitted = staff.locator('#submitted-files');
    for (const name of ['don-de-nghi.pdf', REUSED.name, 'hop-dong-thue.pdf']) {
      await eventually(countOf(submitted.getByRole('link', { name, exact: true }))).toBe(1);
    }
    await eventually(actionsOffered).toContain('accept');

    await act('accept', 'Tiếp nhận hồ sơ trực tuyến');
    await eventually(textOf(statusLine())).toBe('Được tiếp nhận (mã 2)');
    await eventually(actionsOffered).toEqual(['handover', 'request_supplement', 'refuse']);

    await act('request_supplement', 'Yêu cầu bổ sung hồ sơ', async (f) => {
      await f.getByLabel('Lý do / nội dung').fill(SUPPLEMENT.reason);
      await f.getByLabel('Giấy tờ cần bổ sung (mỗi dòng một mục)').fill(SUPPLEMENT.items.join('\n'));
    });
    await eventually(textOf(statusLine())).toMatch(/^Yêu cầu bổ sung giấy tờ \(mã 5\) — tạm dừng tính thời gian từ /);
  });

  test('the citizen sees Hồ sơ chờ bổ sung (1), reads what to bring and sends it', async () => {
    await openPersonalPage();
    await eventually(groupCount('Hồ sơ chờ bổ sung')).toBe(1);
    await eventually(groupCount('Hồ sơ chờ xác nhận')).toBe(0);
    await openMyDossier('Hồ sơ chờ bổ sung');
    await eventually(textOf(portalFact('Trạng thái'))).toBe('Yêu cầu bổ sung giấy tờ');
    const history = page.locator('ol.history');
    await eventually(textOf(history)).toContain(SUPPLEMENT.reason);
    for (const item of SUPPLEMENT.items) await eventually(textOf(history)).toContain(item);
    await eventually(attrOf(page.getByRole('link', { name: 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)' }), 'href')).toBe(
      `/ca-nhan/ho-so/${dossierId}/mau/02`,
    );

    const form = page.getByRole('region', { name: 'Bổ sung hồ sơ' });
    await form.getByLabel('Tệp bổ sung').setInputFiles(SUPPLIED);
    await form.getByLabel('Ghi chú').fill('Gửi hợp đồng thuê mới.');
    await form.getByRole('button', { name: 'Gửi hồ sơ bổ sung', exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/ca-nhan/ho-so/${dossierId}?tb=bo-sung`);
    await eventually(textOf(notice(page))).toBe('Đã gửi hồ sơ bổ sung. Thời hạn giải quyết được tính tiếp.');
    await eventually(textOf(portalFact('Trạng thái'))).toBe('Được tiếp nhận');
    await eventually(countOf(main(page).getByRole('link', { name: SUPPLIED.name, exact: true }))).toBe(1);
    await eventually(countOf(page.getByRole('region', { name: 'Bổ sung hồ sơ' }))).toBe(0);
    await openPersonalPage();
    await eventually(groupCount('Hồ sơ chờ bổ sung')).toBe(0);
  });

  test('the clerk sees the supplement among the submitted files and hands over', async () => {
    await openFromInbox('Chờ xử lý');
    await eventually(textOf(statusLine())).toBe('Được tiếp nhận (mã 2)');
    await eventually(textOf(staff.locator('#submitted-files li', { hasText: SUPPLIED.name }))).toMatch(/^Bổ sung: /);
    await act('handover', 'Chuyển bước tiếp theo', (f) => f.getByLabel('Ghi chú').fill('Đủ thành phần, chuyển phòng Quản lý Thương mại.'));
    await eventually(textOf(statusLine())).toBe('Đang xử lý (mã 4)');
    await logout(staff);
  });

  test('the expert attaches the result PDF and hands over', async () => {
    await loginAs(EXPERT);
    await openFromInbox('Chờ xử lý');
    await staff.getByLabel(/^Đính kèm kết quả/).setInputFiles(RESULT);
    await staff.getByRole('button', { name: 'Đính kèm', exact: true }).click();
    await eventually(urlOf(staff)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}?tb=attached`);
    await eventually(textOf(staff.getByRole('status').filter({ hasText: 'Đã đính kèm' }))).toBe('Đã đính kèm tệp kết quả.');
    await eventually(countOf(staff.locator('#result-files').getByRole('link', { name: RESULT.name, exact: true }))).toBe(1);
    await recordResultOnPage(staff, { number: '01/GP-SCT', summary: 'Cấp Giấy phép bán lẻ sản phẩm rượu' });
    await act('handover', 'Chuyển bước tiếp theo', (f) => f.getByLabel('Ghi chú').fill('Đủ điều kiện cấp phép, trình lãnh đạo Sở.'));
    await eventually(countOf(actionForms())).toBe(0);
    await logout(staff);
  });

  test('the director approves', async () => {
    await loginAs(DIRECTOR);
    await openFromInbox('Chờ xử lý');
    await act('approve', 'Phê duyệt', (f) => f.getByLabel('Ghi chú').fill('Đồng ý cấp phép.'));
    await eventually(textOf(statusLine())).toBe('Đã xử lý xong (mã 9)');
    await logout(staff);
  });

  test('the clerk returns the result online (Hình thức trả kết quả: Trực tuyến)', async () => {
    await loginAs(CLERK);
    await openFromInbox('Chờ trả kết quả');
    await act('return_result', 'Trả kết quả', async (f) => {
      await f.getByLabel('Hình thức trả kết quả').selectOption('2');
      await eventually(textOf(f.getByLabel('Hình thức trả kết quả').locator('option:checked'))).toBe('Trực tuyến');
      await f.getByLabel('Ghi chú').fill('Trả kết quả trực tuyến vào tập tin cá nhân của người nộp.');
    });
    await eventually(textOf(statusLine())).toBe('Đã trả kết quả (mã 10)');
    await eventually(countOf(actionForms())).toBe(0);
    await staff.screenshot({ path: e2e.screenshotPath('journey-desk-returned.png'), fullPage: true });
    await logout(staff);
  });

  test('the citizen pays the fee on the payment platform and downloads the receipt', async () => {
    await openPersonalPage();
    await eventually(groupCount('Hồ sơ chờ thanh toán lệ phí')).toBe(1);
    await openMyDossier('Hồ sơ đã nộp');
    await eventually(textOf(portalFact('Trạng thái'))).toBe('Đã trả kết quả');
    await eventually(countOf(main(page).getByRole('link', { name: RESULT.name, exact: true }))).toBe(1);

    await page.getByRole('button', { name: 'Thanh toán lệ phí trực tuyến', exact: true }).click();
    await eventually(urlOf(page)).toMatch(new RegExp(`^${e2e.simUrl.replace(/[.]/g, '\\.')}/sim-payment/pay\\?`));
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Thanh toán trực tuyến' }))).toBe(true);
    await eventually(textOf(main(page))).toContain(FEE);
    await eventually(textOf(main(page))).toContain(dossierCode);
    await page.getByRole('button', { name: 'Thanh toán', exact: true }).click();

    await eventually(urlOf(page)).toMatch(new RegExp(`^${e2e.baseUrl}/ca-nhan/thanh-toan/[0-9a-f-]{36}/ket-qua\\?`));
    await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe('Thanh toán thành công');
    await eventually(textOf(page.getByRole('status').filter({ hasText: 'Lệ phí của hồ sơ' }))).toContain(
      'Lệ phí của hồ sơ đã được thanh toán.',
    );
    await eventually(textOf(main(page))).toContain(dossierCode);

    const receipt = await download(page, () => page.getByRole('link', { name: 'Tải biên lai thu phí, lệ phí' }).click());
    expect(receipt.file.suggestedFilename()).toBe(`bien-lai-le-phi-${dossierCode}.pdf`);
    const text = await pdfText(receipt.bytes);
    expect(text).toContain('BIÊN LAI THU PHÍ, LỆ PHÍ');
    expect(text).toContain(dossierCode);
    expect(text).toContain('1.200.000 đồng');

    await page.getByRole('link', { name: 'Quay lại hồ sơ' }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/ca-nhan/ho-so/${dossierId}`);
    await eventually(textOf(portalFact('Lệ phí'))).toBe(`${FEE} — đã thanh toán`);
    await eventually(countOf(page.getByRole('button', { name: 'Thanh toán lệ phí trực tuyến' }))).toBe(0);
    await openPersonalPage();
    await eventually(groupCount('Hồ sơ chờ thanh toán lệ phí')).toBe(0);
  });

  test('Quản lý tập tin cá nhân holds the result, issued by the agency, the very file the expert attached', async () => {
    await page.getByRole('link', { name: 'Quản lý tập tin cá nhân' }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/tap-tin$/);
    const item = page.locator('ul.file-list li', { has: page.getByRole('link', { name: RESULT.name, exact: true }) });
    await eventually(countOf(item)).toBe(1);
    await eventually(textOf(item)).toContain(`Do cơ quan cấp: ${AGENCY}`);
    const got = await download(page, () => item.getByRole('link', { name: `Tải về ${RESULT.name}` }).click());
    expect(got.file.suggestedFilename()).toBe(RESULT.name);
    expect(got.bytes.equals(RESULT.buffer)).toBe(true);
    // The file kept earlier is still the citizen's own upload.
    await eventually(textOf(page.locator('ul.file-list li', { hasText: REUSED.name }))).toContain('Tải lên từ máy của bạn');
    await page.screenshot({ path: e2e.screenshotPath('journey-personal-files.png'), fullPage: true });
  });

  test('the dossier page asks "Đánh giá mức độ hài lòng"; the citizen rates it 5 and is thanked', async () => {
    await page.goto(`/ca-nhan/ho-so/${dossierId}`);
    const form = page.getByRole('region', { name: 'Đánh giá mức độ hài lòng' });
    await eventually(isVisible(form)).toBe(true);
    await form.getByRole('radio', { name: '5', exact: true }).check();
    await form.getByLabel('Góp ý').fill('Cán bộ hướng dẫn rõ ràng, giải quyết đúng hẹn.');
    await form.getByRole('button', { name: 'Gửi đánh giá', exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/ca-nhan/ho-so/${dossierId}?tb=danh-gia`);
    await eventually(textOf(notice(page))).toBe('Cảm ơn bạn đã đánh giá.');
    await eventually(textOf(main(page))).toContain('Bạn đã đánh giá: 5/5.');
    await eventually(countOf(page.getByRole('region', { name: 'Đánh giá mức độ hài lòng' }))).toBe(0);
    await page.screenshot({ path: e2e.screenshotPath('journey-rated.png'), fullPage: true });
  });

  test('the browsers reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
