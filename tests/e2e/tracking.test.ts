/**
 * End to end: a clerk keeps sight of a dossier once it has left their hands. The Sở Công Thương clerk receives a
 * dossier of "Cấp Giấy phép bán lẻ sản phẩm rượu" and hands it on to Thẩm định; in Theo dõi (reached from HỒ SƠ's
 * navigation) it shows at Quản lý Thương mại. The expert there — at another desk, a second browser context — hands
 * it on to the leaders; the clerk's Theo dõi then shows it at Lãnh đạo SCT. A date that does not exist (32/12/2026)
 * is said at its field, the value kept and no list shown. axe-core on each page; the lists fit a 390 px screen.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import {
  AXE_SCRIPT,
  countOf,
  demoOfficial,
  eventually,
  expectAccessible,
  inputValueOf,
  isVisible,
  loginOfficial,
  openDesk,
  receiveDossier,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
const EXPERT = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
/** Made up (070 Bình Phước, then sex/century, year, six digits). */
const APPLICANT = {
  fullName: 'Đinh Thị Thu Trang',
  cccd: '070193518274',
  phone: '0936112233',
  address: 'Số 12 đường Phú Riềng Đỏ, Đồng Xoài',
};

const e2e = useE2E();
let page: Page;
let desk: BrowserContext | null = null;
let dossier = { id: '', code: '' };

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});
afterAll(async () => {
  await desk?.close().catch(() => undefined);
});

/** Hand the dossier open on `p` on to the next step (Chuyển bước tiếp theo), as the step expects first. */
async function handOver(p: Page, note: string) {
  const form = p.locator('form.action-form[data-action="handover"]');
  await eventually(countOf(form)).toBe(1);
  if (!(await form.isVisible())) await p.locator('details.more-actions > summary').click();
  await form.getByLabel('Ghi chú').fill(note);
  await form.getByRole('button', { name: 'Chuyển bước tiếp theo', exact: true }).click();
  await eventually(urlOf(p)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossier.id}?tb=done`);
}

const trackingRow = (p: Page) => p.locator('table#tracking tbody tr', { has: p.getByRole('link', { name: dossier.code, exact: true }) });
const holderOf = (row: Locator) => textOf(row.locator('td').nth(6));

describe('Theo dõi in the browser: receive, hand on, follow it as it moves', { shuffle: false }, () => {
  test('the clerk receives a dossier and hands it on to Thẩm định', async () => {
    await loginOfficial(page, CLERK);
    dossier = await receiveDossier(page, { sector: SECTOR, procedure: PROCEDURE, applicant: APPLICANT });
    await handOver(page, 'Đủ thành phần, chuyển phòng Quản lý Thương mại.');
  });

  test('Theo dõi, from HỒ SƠ: the dossier at Quản lý Thương mại; Hồ sơ đã tiếp nhận lists it too', async () => {
    await page.goto('/tiepnhan/ho-so');
    const lists = page.getByRole('navigation', { name: 'Danh sách hồ sơ' });
    await lists.getByRole('link', { name: 'Theo dõi', exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/theo-doi`);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'THEO DÕI HỒ SƠ' }))).toBe(true);
    await eventually(holderOf(trackingRow(page))).toMatch(/Quản lý Thương mại — Cán bộ xử lý/);
    await expectAccessible(page, 'Theo dõi');
    await lists.getByRole('link', { name: 'Hồ sơ đã tiếp nhận', exact: true }).click();
    await eventually(countOf(trackingRow(page))).toBe(1);
    await expectAccessible(page, 'Hồ sơ đã tiếp nhận');
  });

  test('the expert, at another desk, hands it on; the clerk’s Theo dõi follows it to the leaders', async () => {
    const [context, other] = await openDesk(e2e);
    desk = context;
    await loginOfficial(other, EXPERT);
    await other.goto(`/tiepnhan/ho-so/${dossier.id}`);
    await handOver(other, 'Đủ điều kiện cấp phép, trình lãnh đạo Sở.');
    await page.goto('/tiepnhan/theo-doi');
    await eventually(holderOf(trackingRow(page))).toMatch(/Lãnh đạo SCT — Lãnh đạo \(phê duyệt\)/);
  });

  test('a date that does not exist is said at its field, the value kept, and no list is shown', async () => {
    await page.getByLabel('Tiếp nhận từ ngày').fill('32/12/2026');
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/theo-doi\?.*tu=32%2F12%2F2026/);
    await eventually(textOf(page.locator('#err-tu'))).toMatch(/^Từ ngày không hợp lệ/);
    await eventually(inputValueOf(page.getByLabel('Tiếp nhận từ ngày'))).toBe('32/12/2026');
    expect(await page.getByLabel('Tiếp nhận từ ngày').getAttribute('aria-invalid')).toBe('true');
    await eventually(countOf(page.locator('table#tracking'))).toBe(0);
    await expectAccessible(page, 'Theo dõi with a bad date');
    // The inbox says the same at its own field.
    await page.goto('/tiepnhan/ho-so?tu=32%2F12%2F2026');
    await eventually(textOf(page.locator('#err-tu'))).toMatch(/^Từ ngày không hợp lệ/);
    await eventually(isVisible(page.locator('table#inbox'))).toBe(false);
  });

  test('the list fits a 390 px screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto('/tiepnhan/theo-doi');
    await eventually(countOf(trackingRow(page))).toBe(1);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'Theo dõi is wider than a 390 px screen').toBeLessThanOrEqual(0);
    await expectAccessible(page, 'Theo dõi at 390 px');
    await page.screenshot({ path: e2e.screenshotPath('theo-doi-390.png'), fullPage: true });
  });
});
