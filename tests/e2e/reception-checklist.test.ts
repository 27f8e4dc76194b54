/**
 * End to end: TIẾP NHẬN HỒ SƠ with its checklist. The clerk of Sở Công Thương chooses a procedure and sees its time,
 * fee and documents; a required document left unticked is said beside it and nothing typed or chosen is lost (the
 * scan chosen is kept: not chosen again); the clerk ticks the documents received with their counts and scans (số hóa);
 * Mẫu 01 lists exactly those, with the fee and the time;
 * an official of the processing step opens a scan from the dossier page. axe-core on every page, at 390 px too.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { extractText } from 'unpdf';
import {
  AXE_SCRIPT,
  PASSWORD,
  axeProblems,
  countOf,
  eventually,
  field,
  isVisible,
  login,
  logout,
  textOf,
  urlOf,
  useE2E,
  demoOfficial,
} from './support.js';

const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
const EXPERT = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');

/** 2.000190 (src/demo/procedures.ts): 15 working days, 1.100.000 đồng, the third document optional. */
const PROCEDURE = 'Cấp Giấy phép kinh doanh sản phẩm thuốc lá';
const DOCS = ['Đơn đề nghị cấp Giấy phép', 'Bản sao Giấy chứng nhận đăng ký doanh nghiệp', 'Hợp đồng mua bán với nhà cung cấp'];
/** The applicant: made up (070 Bình Phước), the CCCD typed in groups as it is read out. */
const APPLICANT = { fullName: 'Đặng Thị Thu Số', cccd: '070 186 503 927', phone: '0987 654 322' };
const scan = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) });

const e2e = useE2E();
let page: Page;
let dossierId = '';
const problems: string[] = [];

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

const checklist = () => page.getByRole('group', { name: 'THÀNH PHẦN HỒ SƠ' });
// A document's own box ("Bỏ tệp này" beside a kept scan is a checkbox too).
const docBox = (i: number) => checklist().locator(`input[name="doc-${i}"]`);
const fact = (term: string) => page.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');

/** axe at the desktop width and at 390 px, and nothing of `within` (the parts this test is about) wider than a phone's screen. */
async function checkPage(label: string, within = 'main') {
  problems.push(...(await axeProblems(page, label)));
  await page.setViewportSize({ width: 390, height: 844 });
  // axe at 390 px on the whole page only where the whole page is this test's (the reception form).
  if (within === 'main') problems.push(...(await axeProblems(page, `${label} at 390 px`)));
  const wide = await page.evaluate((selector) => {
    const width = document.documentElement.clientWidth;
    return [...document.querySelectorAll(`${selector}, ${selector} *`)]
      .filter((el) => el.getBoundingClientRect().right > width + 1 && el.children.length === 0)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${el.className}: ${(el.textContent ?? '').slice(0, 40)}`);
  }, within);
  if (wide.length) problems.push(`${label} at 390 px is wider than the screen: ${wide.join(' | ')}`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('TIẾP NHẬN HỒ SƠ: checklist and digitisation', () => {
  test('the clerk chooses the procedure and sees its time, fee and documents', async () => {
    await login(page, CLERK.username, PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);
    await field(page, 'Thủ tục hành chính').selectOption({ label: PROCEDURE });
    await page.getByRole('button', { name: 'Chọn', exact: true }).click();
    await eventually(textOf(fact('Thời hạn giải quyết'))).toBe('15 ngày làm việc');
    await eventually(textOf(fact('Phí, lệ phí'))).toBe('1.100.000 đồng');
    await eventually(countOf(checklist().getByRole('checkbox'))).toBe(3);
    await eventually(textOf(checklist().locator('li').nth(2))).toContain(`${DOCS[2]} (nếu có)`);
    await checkPage('TIẾP NHẬN HỒ SƠ with the checklist');
  });

  test('a required document left unticked is said beside it; what was typed and the scan chosen stay', async () => {
    await docBox(0).check();
    await page.getByLabel('Bản quét (số hóa)').nth(0).setInputFiles(scan('don-de-nghi.pdf'));
    await page.getByRole('radio', { name: 'Trực tiếp' }).check();
    await field(page, 'Họ tên').fill(APPLICANT.fullName);
    await field(page, 'Số CMND/CCCD').fill(APPLICANT.cccd);
    await field(page, 'Số điện thoại').fill(APPLICANT.phone);
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
    const error = page.locator('#err-doc-1');
    await eventually(textOf(error)).toBe('Thành phần hồ sơ bắt buộc: chưa được đánh dấu đã nhận.');
    // The message sits inside the document's own item, right under its box.
    await eventually(textOf(checklist().locator('li').nth(1))).toContain(DOCS[1]!);
    expect(await checklist().locator('li').nth(1).locator('#err-doc-1').count()).toBe(1);
    expect(await docBox(1).getAttribute('aria-invalid')).toBe('true');
    expect(await field(page, 'Họ tên').inputValue()).toBe(APPLICANT.fullName);
    expect(await field(page, 'Số CMND/CCCD').inputValue()).toBe(APPLICANT.cccd);
    expect(await docBox(0).isChecked()).toBe(true);
    // The scan chosen is kept, named in its document's item, with a way to leave it out or replace it.
    await eventually(textOf(checklist().locator('li').nth(0).locator('.have-file'))).toBe(
      `Đã có bản quét: don-de-nghi.pdf (1 KB) Bỏ tệp này — ${DOCS[0]}`,
    );
    expect(
      await checklist()
        .locator('li')
        .nth(0)
        .getByRole('checkbox', { name: /^Bỏ tệp này/ })
        .isChecked(),
    ).toBe(false);
    expect(
      await checklist()
        .locator('li')
        .nth(0)
        .getByLabel(/^Thay bằng bản quét khác/)
        .count(),
    ).toBe(1);
    await checkPage('TIẾP NHẬN HỒ SƠ refused');
  });

  test('the clerk ticks the documents with their counts and the other scan; the dossier is digitised with the kept one too', async () => {
    await docBox(1).check();
    await page.getByLabel('Số bản chính').nth(1).fill('0');
    await page.getByLabel('Số bản sao').nth(1).fill('2');
    // Only the second scan is chosen now: the first was kept from the refused form.
    await page.getByLabel('Bản quét (số hóa)').nth(0).setInputFiles(scan('giay-chung-nhan-dkdn.pdf'));
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so\/[0-9a-f-]{36}\?tb=received$/);
    dossierId = /\/ho-so\/([0-9a-f-]{36})\?/.exec(page.url())![1]!;
    await eventually(textOf(page.locator('#so-hoa'))).toBe('Số hóa hồ sơ: Đã số hóa');
    const items = page.locator('#dossier-components li');
    await eventually(countOf(items)).toBe(2);
    await eventually(textOf(items.nth(0))).toMatch(new RegExp(`^${DOCS[0]} — 01 bản chính — bản quét: don-de-nghi\\.pdf`));
    await eventually(textOf(items.nth(1))).toMatch(new RegExp(`^${DOCS[1]} — 02 bản sao — bản quét: giay-chung-nhan-dkdn\\.pdf`));
    await checkPage('the dossier page with its components', '#dossier-components');
  });

  test('Mẫu 01 lists exactly the documents received, with the fee and the processing time', async () => {
    const res = await page.request.get(`/tiepnhan/ho-so/${dossierId}/mau-01.pdf`);
    expect(res.status()).toBe(200);
    const { text } = await extractText(new Uint8Array(await res.body()), { mergePages: true });
    const flat = text.replace(/\s+/g, ' ');
    expect(flat).toContain(`${DOCS[0]} (01 bản chính)`);
    expect(flat).toContain(`${DOCS[1]} (02 bản sao)`);
    expect(flat).not.toContain(DOCS[2]);
    expect(flat).toContain('Thời hạn giải quyết: 15 ngày làm việc');
    expect(flat).toContain('Phí, lệ phí: 1.100.000 đồng');
    expect(flat).toContain('070186503927');
  });

  test('an official of the processing step opens a scan from the dossier page', async () => {
    await logout(page);
    await login(page, EXPERT.username, PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await page.goto(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}`);
    const link = page.locator('#dossier-components').getByRole('link', { name: 'giay-chung-nhan-dkdn.pdf' });
    await eventually(countOf(link)).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('giay-chung-nhan-dkdn.pdf');
    await checkPage('the dossier page for the processing official', '#dossier-components');
    // An official with no reception position is told so at the reception form.
    const res = await page.request.get('/tiepnhan/tiep-nhan');
    expect(res.status()).toBe(403);
    expect(problems).toEqual([]);
  });
});
