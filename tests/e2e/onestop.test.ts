/**
 * End to end, as people would: the real server (`node --import tsx src/main.ts`, demo data on a
 * fresh PGlite directory) and Debian's Chromium driven by playwright-core (set-up in support.ts).
 *
 * The one-stop desk of Sở Công Thương receives a direct dossier for "Cấp Giấy phép bán lẻ sản phẩm
 * rượu" (2.000633) and downloads the receipt (Mẫu 01); the dossier goes through every step of its
 * process — Tiếp nhận (the clerk, sct-vp) → Thẩm định (the expert, sct-qltm, who asks once for a
 * supplement and records it received) → Phê duyệt (the director, sct-ld) → Trả kết quả (the clerk
 * again) — to "Đã trả kết quả", each official logging in with their own password.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { APIResponse, Locator, Page } from 'playwright-core';
import { extractText } from 'unpdf';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  attrOf,
  chooseProcedureAndTickAll,
  countOf,
  eventually,
  field,
  isVisible,
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
// Who and what (src/demo/officials.ts, src/demo/procedures.ts, src/demo/units.ts).

/** Văn phòng Sở Công Thương: reception and result. */
/** How the history and Mẫu 06 name an official: "Họ tên (Chức vụ)". */
const named = (o: { fullName: string; position: string }) => `${o.fullName} (${o.position})`;
const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
/** Quản lý Thương mại: processing. */
const EXPERT = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
/** Lãnh đạo SCT: approval. */
const DIRECTOR = demoOfficial((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc', 'Giám đốc at sct-ld');

const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
/** Mã định danh điện tử of Sở Công Thương. */
const AGENCY_CODE = '000.00.13.H10';
const STEPS = ['Tiếp nhận hồ sơ', 'Thẩm định, xử lý hồ sơ', 'Phê duyệt', 'Trả kết quả'];

/** The applicant: made up for the test (070 Bình Phước; 1 = female born 1900–1999; 86 = 1986). */
const APPLICANT = {
  fullName: 'Trương Thị Ánh Tuyết',
  folded: 'truong thi anh tuyet',
  cccd: '070186503927',
  phone: '0987654321',
  email: 'tuyet.truong@demo.motcua.invalid',
  address: 'Số 12 đường Phú Riềng Đỏ, phường Tân Phú, thành phố Đồng Xoài, tỉnh Bình Phước',
};
const SUPPLEMENT = {
  reason: 'Hợp đồng thuê địa điểm kinh doanh đã hết hạn.',
  items: ['Bản sao hợp đồng thuê địa điểm kinh doanh còn hiệu lực', 'Bản vẽ sơ đồ địa điểm kinh doanh'],
};

const e2e = useE2E();
let page: Page;

/** Shared across the steps below (they run in order, on one page). */
let dossierId = '';
let dossierCode = '';
let lookupCode = '';

beforeAll(() => {
  page = e2e.page;
});

// ---------------------------------------------------------------------------------------------
// Helpers that act through the page as a person would (shared ones in support.ts).

const mainMenu = () => page.getByRole('navigation', { name: 'Menu chính' });
const statusLine = () => page.locator('#status');
/** One of the dossier's particulars (a <dd> of dl.facts) by its term. */
const fact = (term: string) => page.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const currentStep = () => fact('Bước hiện tại');
const historyRows = () => page.locator('table#history tbody tr');
const actionForm = (action: string) => page.locator(`form.action-form[data-action="${action}"]`);
const actionForms = () => page.locator('form.action-form');
const inboxRows = () => page.locator('table#inbox tbody tr');
const inboxRow = (code: string) => page.locator('table#inbox tbody tr', { has: page.getByRole('link', { name: code, exact: true }) });
const tab = (label: string) =>
  page.getByRole('navigation', { name: 'Trạng thái' }).getByRole('link', { name: new RegExp(`^${label} \\(\\d+\\)$`) });

/** YYMMDD of an instant in Vietnam (UTC+7, no daylight saving), as in the dossier code. */
function yymmdd(t: Date) {
  return new Date(t.getTime() + 7 * 3_600_000).toISOString().slice(2, 10).replace(/-/g, '');
}

/** Log in and land on CÁ NHÂN, greeted by name. */
async function loginAs(who: Who) {
  await loginOfficial(page, who);
  await eventually(textOf(page.locator('details.usermenu > summary'))).toBe(`${who.fullName} (${who.position})`);
}

/** Main menu → HỒ SƠ: the inbox on its first tab. */
async function openInbox() {
  await mainMenu().getByRole('link', { name: 'HỒ SƠ', exact: true }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so$/);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'HỒ SƠ CẦN XỬ LÝ' }))).toBe(true);
}

/**
 * The counts on the inbox tabs this direct dossier moves through, e.g. { 'Chờ xử lý': 1, 'Chờ bổ sung': 0,
 * 'Chờ trả kết quả': 0 }. "Chờ tiếp nhận (trực tuyến)" is left out: the national-portal pull (every five minutes)
 * registers the stand-in's two online dossiers for Sở Công Thương whenever this file happens to cross a boundary.
 */
async function tabCounts() {
  const out: Record<string, number> = {};
  for (const t of await page.getByRole('navigation', { name: 'Trạng thái' }).getByRole('link').allTextContents()) {
    const m = /^(.*) \((\d+)\)$/.exec(t.replace(/\s+/g, ' ').trim());
    if (m && m[1] !== 'Chờ tiếp nhận (trực tuyến)') out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** Open the dossier from its row in the inbox. */
async function openFromInbox() {
  await inboxRow(dossierCode).getByRole('link', { name: dossierCode, exact: true }).click();
  await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}`);
  await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe(`Hồ sơ ${dossierCode}`);
}

/**
 * Fill and submit one action form on the dossier page, then wait for the page that follows
 * (one more row in the history, "Đã cập nhật hồ sơ.").
 */
async function act(action: string, button: string, fill: (form: Locator) => Promise<void> = async () => undefined) {
  const before = await historyRows().count();
  const form = actionForm(action);
  await eventually(countOf(form)).toBe(1);
  // An action the step does not expect is folded under "Thao tác khác".
  if (!(await form.isVisible())) await page.locator('details.more-actions > summary').click();
  await fill(form);
  await form.getByRole('button', { name: button, exact: true }).click();
  await eventually(countOf(historyRows())).toBe(before + 1);
  await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}?tb=done`);
  await eventually(textOf(page.getByRole('status').filter({ hasText: 'Đã cập nhật hồ sơ.' }))).toBe('Đã cập nhật hồ sơ.');
  await eventually(countOf(page.locator('.flash-error, .field-error'))).toBe(0);
}

/** The last row of the history: who, which action, the status it led to, the note. */
async function lastHistory() {
  const cells = (await historyRows().last().locator('td').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
  return { actor: cells[1], action: cells[2], status: cells[3], note: cells[4] };
}

/** A dossier PDF fetched with the browser's session (page.request shares its cookies): checked to be a PDF; its text. */
async function pdf(res: APIResponse) {
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toBe('application/pdf');
  const bytes = new Uint8Array(await res.body());
  expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
  const { text } = await extractText(bytes, { mergePages: true });
  return (text as string).normalize('NFC').replace(/\s+/g, ' ');
}

// ---------------------------------------------------------------------------------------------

// One story: its steps run in order, on one page (also under --sequence.shuffle).
describe('a direct dossier through the one-stop desk, from reception to Đã trả kết quả', { shuffle: false }, () => {
  test('the demo officials hold the roles of the steps', () => {
    const at = (username: string) =>
      demoOfficials()
        .find((o) => o.username === username)!
        .roles.map((r) => `${r.role}@${r.unitKey}`);
    expect(at(CLERK.username)).toEqual(expect.arrayContaining(['reception@sct-vp', 'result@sct-vp']));
    expect(at(EXPERT.username)).toEqual(['processing@sct-qltm']);
    // Lãnh đạo SCT approves; as the Sở's director he also reads its statistics (Xem thống kê at Sở Công Thương).
    expect(at(DIRECTOR.username)).toEqual(['approval@sct-ld', 'statistics@sct']);
  });

  test('the clerk of Sở Công Thương logs in and receives a direct dossier', async () => {
    await loginAs(CLERK);
    await mainMenu().getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/tiep-nhan$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);

    // Picking the sector narrows the procedures to its own.
    await page.getByLabel('Lĩnh vực dịch vụ công').selectOption({ label: SECTOR });
    await page.getByRole('button', { name: 'Chọn', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/tiep-nhan\?linhvuc=[0-9a-f-]{36}(&procedureId=)?$/);
    await eventually(textOf(page.getByLabel('Lĩnh vực dịch vụ công').locator('option:checked'))).toBe(SECTOR);
    const procedure = field(page, 'Thủ tục hành chính');
    const offered = (await procedure.locator('option').allTextContents()).map((s) => s.trim());
    expect(offered).toContain(PROCEDURE);
    expect(offered).not.toContain('Đăng ký khai sinh');

    await chooseProcedureAndTickAll(page, PROCEDURE);
    await page.getByRole('radio', { name: 'Trực tiếp' }).check();
    await field(page, 'Họ tên').fill(APPLICANT.fullName);
    await field(page, 'Số CMND/CCCD').fill(APPLICANT.cccd);
    await field(page, 'Số điện thoại').fill(APPLICANT.phone);
    await field(page, 'Thư điện tử').fill(APPLICANT.email);
    await field(page, 'Địa chỉ').fill(APPLICANT.address);
    // A number that is no CCCD is refused by the server, beside its field; the refusal's history entry is the form's
    // address (sector and procedure), not the post.
    await field(page, 'Số CMND/CCCD').fill('12345');
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
    await eventually(textOf(page.locator('#err-cccd'))).not.toBe('');
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/tiep-nhan\?linhvuc=[0-9a-f-]{36}&procedureId=[0-9a-f-]{36}$/);
    const refusedAt = page.url();
    await field(page, 'Số CMND/CCCD').fill(APPLICANT.cccd);
    const start = new Date();
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();

    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so\/[0-9a-f-]{36}\?tb=received$/);
    const end = new Date();
    const receivedAt = page.url();
    // Back from the new dossier reads the form again by GET, not Chromium's "Confirm Form Resubmission" page.
    const back = await page.goBack();
    expect(back?.status()).toBe(200);
    expect(back?.request().method()).toBe('GET');
    expect(page.url()).toBe(refusedAt);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);
    await page.goto(receivedAt);
    dossierId = /\/ho-so\/([0-9a-f-]{36})\?/.exec(page.url())![1]!;
    await eventually(textOf(page.getByRole('status'))).toContain('Đã tiếp nhận hồ sơ');
    const heading = textOf(page.getByRole('heading', { level: 1 }));
    await eventually(heading).toMatch(/^Hồ sơ \S+$/);
    dossierCode = (await heading()).replace(/^Hồ sơ /, '');
    // The first dossier of Sở Công Thương today (the demo data holds none).
    expect([`${AGENCY_CODE}-${yymmdd(start)}-0001`, `${AGENCY_CODE}-${yymmdd(end)}-0001`]).toContain(dossierCode);
    expect(dossierCode).toMatch(/^000\.00\.13\.H10-\d{6}-0001$/);

    await eventually(textOf(fact('Thủ tục'))).toMatch(new RegExp(`^${PROCEDURE} \\(phiên bản \\d+\\)$`));
    await eventually(textOf(fact('Lĩnh vực'))).toBe(SECTOR);
    await eventually(textOf(fact('Cơ quan tiếp nhận'))).toBe('Sở Công Thương');
    await eventually(textOf(fact('Hình thức tiếp nhận'))).toBe('Trực tiếp');
    await eventually(textOf(fact('Người nộp'))).toBe(`${APPLICANT.fullName} — ${APPLICANT.phone}`);
    await eventually(textOf(fact('Hẹn trả kết quả'))).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2} Còn hạn$/);
    await eventually(textOf(statusLine())).toBe('Được tiếp nhận (mã 2)');
    await eventually(textOf(currentStep())).toMatch(new RegExp(`^1/4: ${STEPS[0]} \\(hạn bước: `));
    const lookup = textOf(fact('Mã tra cứu'));
    await eventually(lookup).toMatch(/^[A-Z2-9]{10}$/);
    lookupCode = await lookup();

    await eventually(countOf(historyRows())).toBe(1);
    expect(await lastHistory()).toEqual({ actor: named(CLERK), action: 'Tiếp nhận hồ sơ', status: 'Được tiếp nhận', note: '' });
    // At reception the clerk may hand over, ask for a supplement or refuse.
    await eventually(async () => await actionForms().evaluateAll((fs) => fs.map((f) => f.getAttribute('data-action')))).toEqual([
      'handover',
      'request_supplement',
      'refuse',
    ]);
    await page.screenshot({ path: e2e.screenshotPath('onestop-received.png'), fullPage: true });
  });

  test('the receipt (Mẫu 01) opens as a PDF naming the applicant and the code', async () => {
    const link = page.getByRole('link', { name: 'Giấy tiếp nhận (Mẫu 01)', exact: true });
    await eventually(attrOf(link, 'href')).toBe(`/tiepnhan/ho-so/${dossierId}/mau-01.pdf`);

    // Clicking the link: the PDF is served inline and Chromium shows it in its viewer (whose page
    // stands in for the body the browser received, so the bytes are read below with the same session).
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/tiepnhan/ho-so/${dossierId}/mau-01.pdf`),
      link.click(),
    ]);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('application/pdf');
    expect(response.headers()['content-disposition']).toBe(
      `inline; filename="mau-01-${dossierCode}.pdf"; filename*=UTF-8''mau-01-${dossierCode}.pdf`,
    );
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}/mau-01.pdf`);
    await page.waitForLoadState('load');
    await page.screenshot({ path: e2e.screenshotPath('onestop-receipt.png') });
    await page.goBack();
    await eventually(urlOf(page)).toMatch(new RegExp(`/tiepnhan/ho-so/${dossierId}\\?tb=received$`));
    await eventually(textOf(statusLine())).toBe('Được tiếp nhận (mã 2)');

    // The same URL with the browser's session (its cookies): the receipt itself.
    const text = await pdf(await page.request.get(`/tiepnhan/ho-so/${dossierId}/mau-01.pdf`));
    expect(text).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(text).toContain(APPLICANT.fullName);
    expect(text).toContain(dossierCode);
    expect(text).toContain(lookupCode);
    expect(text).toContain(PROCEDURE);
    expect(text).toContain(CLERK.fullName);
  });

  test('the clerk hands the dossier over to Thẩm định, then logs out', async () => {
    await act('handover', 'Chuyển bước tiếp theo', (f) =>
      f.getByLabel('Ghi chú').fill('Hồ sơ đủ thành phần, chuyển phòng Quản lý Thương mại.'),
    );
    await eventually(textOf(statusLine())).toBe('Đang xử lý (mã 4)');
    await eventually(textOf(currentStep())).toMatch(new RegExp(`^2/4: ${STEPS[1]} `));
    expect(await lastHistory()).toMatchObject({ actor: named(CLERK), action: 'Chuyển bước tiếp theo', status: 'Đang xử lý' });
    // The step is someone else's now: the clerk still sees the dossier but has nothing to do on it.
    await eventually(countOf(actionForms())).toBe(0);
    await eventually(isVisible(page.getByRole('heading', { level: 2, name: 'Xử lý', exact: true }))).toBe(false);
    await logout(page);
  });

  test('the expert finds it by the applicant’s name without diacritics and asks for a supplement', async () => {
    await loginAs(EXPERT);
    await openInbox();
    await page.getByLabel('Tìm kiếm').fill(APPLICANT.folded);
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/[?&]q=truong\+thi\+anh\+tuyet(&|$)/);
    await eventually(countOf(inboxRows())).toBe(1);
    await eventually(countOf(inboxRow(dossierCode))).toBe(1);
    await eventually(textOf(inboxRow(dossierCode))).toContain(APPLICANT.fullName);
    await eventually(textOf(inboxRow(dossierCode))).toContain(PROCEDURE);
    await eventually(textOf(inboxRow(dossierCode).locator('td').last())).toBe('Đang xử lý');
    await eventually(tabCounts).toEqual({ 'Chờ xử lý': 1, 'Chờ bổ sung': 0, 'Chờ trả kết quả': 0 });
    await eventually(attrOf(tab('Chờ xử lý'), 'aria-current')).toBe('page');
    await openFromInbox();

    await eventually(async () => await actionForms().evaluateAll((fs) => fs.map((f) => f.getAttribute('data-action')))).toEqual([
      'handover',
      'return',
      'request_supplement',
      'refuse',
      'stop',
      'extend',
    ]);
    await act('request_supplement', 'Yêu cầu bổ sung hồ sơ', async (f) => {
      await f.getByLabel('Lý do / nội dung').fill(SUPPLEMENT.reason);
      await f.getByLabel('Giấy tờ cần bổ sung (mỗi dòng một mục)').fill(SUPPLEMENT.items.join('\n'));
    });
    await eventually(textOf(statusLine())).toMatch(
      /^Yêu cầu bổ sung giấy tờ \(mã 5\) — tạm dừng tính thời gian từ \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/,
    );
    await eventually(textOf(currentStep())).toMatch(new RegExp(`^2/4: ${STEPS[1]} `));
    expect(await lastHistory()).toEqual({
      actor: named(EXPERT),
      action: 'Yêu cầu bổ sung hồ sơ',
      status: 'Yêu cầu bổ sung giấy tờ',
      note: SUPPLEMENT.reason,
    });
    await eventually(async () => await actionForms().evaluateAll((fs) => fs.map((f) => f.getAttribute('data-action')))).toEqual([
      'supplement_received',
      'stop',
    ]);
    await page.screenshot({ path: e2e.screenshotPath('onestop-supplement.png'), fullPage: true });

    // Phiếu yêu cầu bổ sung (Mẫu 02) is issued, listing what to bring.
    const mau02 = page.getByRole('link', { name: 'Phiếu yêu cầu bổ sung (Mẫu 02)', exact: true });
    await eventually(attrOf(mau02, 'href')).toBe(`/tiepnhan/ho-so/${dossierId}/mau-02.pdf`);
    const text = await pdf(await page.request.get(`/tiepnhan/ho-so/${dossierId}/mau-02.pdf`));
    expect(text).toContain(dossierCode);
    expect(text).toContain(APPLICANT.fullName);
    expect(text).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(text).toContain(`1. ${SUPPLEMENT.items[0]} 2. ${SUPPLEMENT.items[1]}`);
    expect(text).toContain(`Lý do: ${SUPPLEMENT.reason}`);
    expect(text).toContain(EXPERT.fullName);
  });

  test('waiting for the supplement it is under "Chờ bổ sung"; once received, back to Đang xử lý and handed over', async () => {
    await openInbox();
    await eventually(tabCounts).toEqual({ 'Chờ xử lý': 0, 'Chờ bổ sung': 1, 'Chờ trả kết quả': 0 });
    await eventually(countOf(inboxRow(dossierCode))).toBe(0);
    await tab('Chờ bổ sung').click();
    await eventually(urlOf(page)).toMatch(/[?&]tab=bo-sung(&|$)/);
    await eventually(attrOf(tab('Chờ bổ sung'), 'aria-current')).toBe('page');
    await eventually(countOf(inboxRows())).toBe(1);
    await eventually(textOf(inboxRow(dossierCode).locator('td').last())).toBe('Yêu cầu bổ sung giấy tờ');
    await page.screenshot({ path: e2e.screenshotPath('onestop-inbox.png'), fullPage: true });
    await openFromInbox();

    await act('supplement_received', 'Đã nhận hồ sơ bổ sung', (f) => f.getByLabel('Ghi chú').fill('Đã nhận đủ giấy tờ bổ sung.'));
    await eventually(textOf(statusLine())).toBe('Đang xử lý (mã 4)');
    expect(await textOf(statusLine())()).not.toContain('tạm dừng');
    expect(await lastHistory()).toMatchObject({ actor: named(EXPERT), action: 'Đã nhận hồ sơ bổ sung', status: 'Đang xử lý' });

    await act('handover', 'Chuyển bước tiếp theo', (f) => f.getByLabel('Ghi chú').fill('Đủ điều kiện cấp phép, trình lãnh đạo Sở.'));
    await eventually(textOf(statusLine())).toBe('Đang xử lý (mã 4)');
    await eventually(textOf(currentStep())).toMatch(new RegExp(`^3/4: ${STEPS[2]} `));
    expect(await lastHistory()).toMatchObject({ actor: named(EXPERT), action: 'Chuyển bước tiếp theo', status: 'Đang xử lý' });
    await eventually(countOf(actionForms())).toBe(0);

    await openInbox();
    await eventually(tabCounts).toEqual({ 'Chờ xử lý': 0, 'Chờ bổ sung': 0, 'Chờ trả kết quả': 0 });
    await logout(page);
  });

  test('the director approves it', async () => {
    await loginAs(DIRECTOR);
    await openInbox();
    await eventually(tabCounts).toEqual({ 'Chờ xử lý': 1, 'Chờ bổ sung': 0, 'Chờ trả kết quả': 0 });
    await eventually(countOf(inboxRow(dossierCode))).toBe(1);
    await openFromInbox();

    // The approval step approves (or sends back, refuses…) rather than hands over.
    await eventually(countOf(actionForm('handover'))).toBe(0);
    // Phê duyệt needs the licence as signed: attached and recorded first (src/onestop/result-section.tsx).
    await recordResultOnPage(page, {
      number: '15/GP-SCT',
      summary: 'Cấp Giấy phép bán lẻ sản phẩm rượu',
      file: { name: 'giay-phep.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% giấy phép\n%%EOF\n') },
    });
    await act('approve', 'Phê duyệt', (f) => f.getByLabel('Ghi chú').fill('Đồng ý cấp phép.'));
    await eventually(textOf(statusLine())).toBe('Đã xử lý xong (mã 9)');
    await eventually(textOf(currentStep())).toMatch(new RegExp(`^4/4: ${STEPS[3]} `));
    expect(await lastHistory()).toEqual({
      actor: named(DIRECTOR),
      action: 'Phê duyệt',
      status: 'Đã xử lý xong',
      note: 'Đồng ý cấp phép.',
    });
    await eventually(countOf(actionForms())).toBe(0);
    await logout(page);
  });

  test('the clerk finds it under "Chờ trả kết quả" and returns the result in person', async () => {
    await loginAs(CLERK);
    await openInbox();
    await eventually(tabCounts).toEqual({ 'Chờ xử lý': 0, 'Chờ bổ sung': 0, 'Chờ trả kết quả': 1 });
    await tab('Chờ trả kết quả').click();
    await eventually(urlOf(page)).toMatch(/[?&]tab=cho-tra(&|$)/);
    await eventually(countOf(inboxRows())).toBe(1);
    await eventually(textOf(inboxRow(dossierCode).locator('td').last())).toBe('Đã xử lý xong');
    await openFromInbox();

    await act('return_result', 'Trả kết quả', async (f) => {
      await f.getByLabel('Hình thức trả kết quả').selectOption({ label: 'Trực tiếp' });
      await f.getByLabel('Ghi chú').fill('Người nộp nhận Giấy phép tại Bộ phận Một cửa.');
    });
    await eventually(textOf(statusLine())).toBe('Đã trả kết quả (mã 10)');
    await eventually(countOf(actionForms())).toBe(0);
    // A returned dossier is no longer measured against its deadline.
    await eventually(countOf(page.locator('dl.facts .badge'))).toBe(0);

    const history = await historyRows().evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td')).map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim())),
    );
    expect(history.map((r) => r[2])).toEqual([
      'Tiếp nhận hồ sơ',
      'Chuyển bước tiếp theo',
      'Yêu cầu bổ sung hồ sơ',
      'Đã nhận hồ sơ bổ sung',
      'Chuyển bước tiếp theo',
      'Đính kèm kết quả',
      'Ghi nhận kết quả',
      'Phê duyệt',
      'Trả kết quả',
    ]);
    expect(history.map((r) => r[1])).toEqual([CLERK, CLERK, EXPERT, EXPERT, EXPERT, DIRECTOR, DIRECTOR, DIRECTOR, CLERK].map(named));
    expect(history.map((r) => r[3])).toEqual([
      'Được tiếp nhận',
      'Đang xử lý',
      'Yêu cầu bổ sung giấy tờ',
      'Đang xử lý',
      'Đang xử lý',
      'Đang xử lý',
      'Đang xử lý',
      'Đã xử lý xong',
      'Đã trả kết quả',
    ]);
    await page.screenshot({ path: e2e.screenshotPath('onestop-returned.png'), fullPage: true });

    await openInbox();
    await eventually(tabCounts).toEqual({ 'Chờ xử lý': 0, 'Chờ bổ sung': 0, 'Chờ trả kết quả': 0 });
  });

  test('the control slip (Mẫu 06) is a PDF of the dossier with its three hand-overs', async () => {
    const text = await pdf(await page.request.get(`/tiepnhan/ho-so/${dossierId}/mau-06.pdf`));
    expect(text).toContain('PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain(dossierCode);
    expect(text).toContain(APPLICANT.fullName);
    // Per hand-over: the unit it went to, who gave it, who received it (the next to act).
    expect(text).toContain(`Quản lý Thương mại ${named(CLERK)} ${named(EXPERT)}`);
    expect(text).toContain(`Lãnh đạo SCT ${named(EXPERT)} ${named(DIRECTOR)}`);
    expect(text).toContain(`Văn phòng Sở Công Thương ${named(DIRECTOR)} ${named(CLERK)}`);
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
