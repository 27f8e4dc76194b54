/**
 * End to end (issue 12 §13): the administration screens as a unit administrator uses them. admin.sct lands on
 * Sở Công Thương and sees the officials of its units (the list covers the subtree, its count agrees); a
 * verification with a wrong name on the card keeps the stored data; Đặt lại mật khẩu asks to confirm; Nhật ký hệ
 * thống, reached from the QUẢN TRỊ HỆ THỐNG sub-menu, reads in Vietnamese. axe-core on every page, and 390 px.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  AXE_SCRIPT,
  PASSWORD,
  axeProblems,
  countOf,
  eventually,
  field,
  inputValueOf,
  isVisible,
  login,
  officialsTable,
  openUsersPage,
  rowFor,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

/** A verified official of Sở Công Thương (src/demo/officials.ts), not the administrator. */
const OFFICIAL = (() => {
  const o = demoOfficials().find((x) => x.verified && x.cccd && x.unitKey.startsWith('sct') && x.username !== 'admin.sct');
  if (!o) throw new Error('demo data changed: no verified official at Sở Công Thương');
  return { username: o.username, fullName: `${o.middleName} ${o.givenName}` };
})();
const WRONG_CARD_NAME = 'Tên Sai Trên Thẻ';

const e2e = useE2E();
let page: Page;
const problems: string[] = [];
let storedCardName = '';

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

const adminNav = () => page.getByRole('navigation', { name: 'Quản trị hệ thống' });

async function fitsAt390(label: string) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label} is wider than a 390 px screen`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: e2e.screenshotPath(`${label.replace(/\W+/g, '-')}-390.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

describe('administration screens', { shuffle: false }, () => {
  test('the unit administrator lands on Sở Công Thương with the officials of its units', async () => {
    await login(page, 'admin.sct', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await openUsersPage(page);
    await eventually(textOf(page.locator('#officials-heading'))).toMatch(/^Sở Công Thương và đơn vị trực thuộc \(\d+\)$/);
    const total = Number(await textOf(page.locator('#officials-total'))());
    expect(total).toBeGreaterThan(3);
    await eventually(countOf(officialsTable(page).locator('tbody tr'))).toBe(total);
    await eventually(countOf(rowFor(page, OFFICIAL.username))).toBe(1);
    await eventually(textOf(officialsTable(page))).not.toContain('Chưa có cán bộ');
    // Only the Sở's own members, on request: none, and the list says so.
    await page.getByRole('link', { name: 'Chỉ cán bộ trực tiếp của đơn vị' }).click();
    await eventually(textOf(page.locator('#officials-heading'))).toBe('Sở Công Thương (0)');
    await page.getByRole('link', { name: 'Bao gồm đơn vị trực thuộc' }).click();
    await eventually(countOf(rowFor(page, OFFICIAL.username))).toBe(1);
    problems.push(...(await axeProblems(page, 'Phòng ban - Cán bộ')));
    await fitsAt390('Phong ban - Can bo');
  });

  test('a verification that fails keeps the stored data and says nothing was saved', async () => {
    await rowFor(page, OFFICIAL.username).getByRole('link', { name: OFFICIAL.fullName }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
    await eventually(inputValueOf(field(page, 'Tên tài khoản'))).toBe(OFFICIAL.username);
    storedCardName = await inputValueOf(field(page, 'Họ và tên trên thẻ CCCD'))();
    expect(storedCardName).not.toBe('');
    const accountUrl = page.url();
    await field(page, 'Họ và tên trên thẻ CCCD').fill(WRONG_CARD_NAME);
    await page.locator('form#official-form').getByRole('button', { name: 'Xác thực tài khoản VNEID', exact: true }).click();
    const result = page.locator('#verification-result');
    await eventually(textOf(result)).toContain('Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: Họ và tên trên thẻ CCCD');
    await eventually(textOf(result)).toContain('Chưa lưu thay đổi nào');
    await eventually(textOf(result)).not.toContain('Lưu trước');
    await eventually(textOf(page.locator('#verify-status'))).toMatch(/^Đã xác thực VNeID lúc /);
    problems.push(...(await axeProblems(page, 'Xác thực không khớp')));
    // Opened again, the account shows what was stored before.
    await page.goto(accountUrl);
    await eventually(inputValueOf(field(page, 'Họ và tên trên thẻ CCCD'))).toBe(storedCardName);
  });

  test('Đặt lại mật khẩu asks to confirm; Hủy changes nothing, the ticked box resets', async () => {
    await page.getByRole('link', { name: 'Đặt lại mật khẩu', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Đặt lại mật khẩu' }))).toBe(true);
    const box = page.getByRole('checkbox', { name: `Tôi xác nhận đặt lại mật khẩu của tài khoản ${OFFICIAL.username}.` });
    await eventually(isVisible(box)).toBe(true);
    problems.push(...(await axeProblems(page, 'Xác nhận đặt lại mật khẩu')));
    await fitsAt390('Dat lai mat khau');
    await page.getByRole('link', { name: 'Hủy', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
    await eventually(countOf(page.getByTestId('temporary-password'))).toBe(0);
    await page.getByRole('link', { name: 'Đặt lại mật khẩu', exact: true }).click();
    await box.check();
    await page.getByRole('button', { name: 'Đặt lại mật khẩu', exact: true }).click();
    await eventually(textOf(page.getByTestId('temporary-password'))).toMatch(/\S{8,}/);
  });

  test('Nhật ký hệ thống, from the sub-menu, says in Vietnamese what happened', async () => {
    await adminNav().getByRole('link', { name: 'Nhật ký hệ thống' }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/quan-tri\/nhat-ky$/);
    await page.getByLabel('Thao tác').selectOption({ label: 'Xác thực tài khoản VNEID' });
    await page.getByRole('button', { name: 'Lọc', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/thaotac=identity\.verify/);
    const row = page.locator('table#audit tbody tr').first();
    await eventually(textOf(row.locator('td').nth(3))).toBe('Xác thực tài khoản VNEID');
    await eventually(textOf(row.locator('.audit-sentence'))).toContain('chưa khớp với Cơ sở dữ liệu quốc gia về dân cư');
    // The code and the raw data are folded away for the auditor.
    await eventually(isVisible(row.getByText('identity.verify'))).toBe(false);
    await row.locator('summary').click();
    await eventually(isVisible(row.getByText('Mã thao tác: identity.verify'))).toBe(true);
    await eventually(isVisible(adminNav().getByRole('link', { name: 'Chuyển đổi đăng nhập VNeID' }))).toBe(true);
    problems.push(...(await axeProblems(page, 'Nhật ký hệ thống')));
    await fitsAt390('Nhat ky he thong');
  });

  test('axe-core found no serious or critical violation', () => {
    expect(problems).toEqual([]);
    expect(e2e.browserErrors).toEqual([]);
  });
});
