/**
 * The officials' login page in the browser (issue 12, item 14), at 390 px: the CAPTCHA solves by itself once the
 * form has focus, a click on the solved box keeps it solved, Đăng nhập pressed before the proof of work is done
 * waits for it instead of being refused, a refused login keeps the name typed; a break-glass account is named by the
 * province administrator (who sees no secret) and its code set up by its owner logged in with VNeID; after the VNeID
 * cutoff it gives its password, then on a second page its 6-digit TOTP code alone; axe finds nothing serious.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { generate } from 'otplib';
import fs from 'node:fs';
import path from 'node:path';
import { formatDate, todayInVietnam } from '../../src/shared/dates.js';
import { demoOfficials } from '../../src/demo/officials.js';
import type { SimPerson } from '../../sim/population-types.js';
import {
  AXE_SCRIPT,
  PASSWORD,
  ROOT,
  axeProblems,
  eventually,
  isChecked,
  isVisible,
  login,
  loginOfficialWithVneid,
  logout,
  openUserMenu,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

/** The break-glass account: an official the demo bound and verified, with one account (not the province administrator who names it), and their VNeID account. */
const OWNER = (() => {
  const all = demoOfficials();
  return all.find((o) => o.verified && o.unitKey !== 'tinh' && all.filter((x) => x.identityCccd === o.identityCccd).length === 1)!;
})();
const OWNER_PERSON = (JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[]).find(
  (p) => p.soDinhDanh === OWNER.identityCccd,
)!;

const e2e = useE2E();
let page: Page;

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
  await page.setViewportSize({ width: 390, height: 844 });
});

const widgetState = () => page.locator('altcha-widget .altcha').getAttribute('data-state', { timeout: 1_000 });
const captchaLabel = () => page.locator('altcha-widget .altcha-checkbox-wrap label');
const signIn = () => page.getByRole('button', { name: 'Đăng nhập', exact: true });

async function openLoginPage() {
  await page.goto('/tiepnhan/dang-nhap');
  await eventually(isVisible(page.getByRole('heading', { name: 'ĐĂNG NHẬP HỆ THỐNG' }))).toBe(true);
}

describe('the login page', () => {
  test('the CAPTCHA solves on focus; a click on the solved box keeps it; the login goes through', async () => {
    await openLoginPage();
    expect(await axeProblems(page, 'Đăng nhập (390 px)')).toEqual([]);
    // No code field on the first step, ever.
    expect(await page.locator('input[name="code"], input[name="totp"]').count()).toBe(0);
    await page.getByLabel('Tên tài khoản').fill('quantri1');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await eventually(widgetState, 30_000).toBe('verified');
    // The official clicks the ticked box, as people do: it stays ticked, the solution stays.
    await captchaLabel().click();
    await captchaLabel().click();
    expect(await widgetState()).toBe('verified');
    await eventually(isChecked(page.locator('altcha-widget input[type="checkbox"]'))).toBe(true);
    await signIn().click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await logout(page);
  });

  test('Đăng nhập pressed before the proof of work is done waits for it rather than being refused', async () => {
    await openLoginPage();
    await page.getByLabel('Tên tài khoản').fill('quantri1');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    // Straight away, whatever the widget is doing (working, or not started).
    await page.getByLabel('Mật khẩu').press('Enter');
    await eventually(urlOf(page), 30_000).toMatch(/\/tiepnhan$/);
    await logout(page);
  });

  test('a wrong password is refused with the name kept, and the page is still accessible', async () => {
    await openLoginPage();
    await page.getByLabel('Tên tài khoản').fill('quantri1');
    await page.getByLabel('Mật khẩu').fill('sai-mat-khau-roi');
    await signIn().click();
    await eventually(textOf(page.getByRole('alert'))).toBe('Tên tài khoản hoặc mật khẩu không đúng.');
    expect(await page.getByLabel('Tên tài khoản').inputValue()).toBe('quantri1');
    expect(await axeProblems(page, 'Đăng nhập bị từ chối (390 px)')).toEqual([]);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    // The right password next; then Back reads the login page again by GET (which sends a logged-in official on to
    // the one-stop system), never Chromium's offer to send the refused password once more.
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await signIn().click();
    await eventually(urlOf(page), 30_000).toMatch(/\/tiepnhan$/);
    const back = await page.goBack();
    expect(back?.request().method()).toBe('GET');
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await logout(page);
  });

  // Last: it sets the cutoff to today, after which quantri1 no longer logs in by password.
  test('a break-glass account: named by the administrator (no secret shown), its code set up by its owner with VNeID; after the cutoff its password, then only its code on a second page', async () => {
    await login(page, 'quantri1', PASSWORD);
    await eventually(urlOf(page), 30_000).toMatch(/\/tiepnhan$/);
    await page.goto('/tiepnhan/quan-tri/chuyen-doi-vneid');
    await page.getByLabel('Chỉ định tài khoản khẩn cấp (tên tài khoản)').fill(OWNER.username);
    await page.getByRole('button', { name: 'Chỉ định', exact: true }).click();
    await eventually(textOf(page.locator('main'))).toContain(`Đã chỉ định ${OWNER.username} là tài khoản khẩn cấp.`);
    expect(await page.getByTestId('totp-secret').count()).toBe(0);
    await logout(page);

    // The owner, with VNeID: Thông tin tài khoản → Mã xác thực khẩn cấp.
    await loginOfficialWithVneid(page, e2e.simUrl, OWNER_PERSON);
    await page.goto('/tiepnhan/tai-khoan');
    await page.getByRole('link', { name: /Thiết lập mã xác thực khẩn cấp/ }).click();
    await page.getByRole('button', { name: 'Thiết lập mã xác thực', exact: true }).click();
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{26,}$/);
    expect(await axeProblems(page, 'Mã xác thực khẩn cấp (390 px)')).toEqual([]);
    await page.getByLabel('Mã xác thực').fill(await generate({ secret }));
    await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();
    await eventually(textOf(page.locator('#enrol-status'))).toBe('Đã thiết lập mã xác thực.');
    await logout(page);

    await login(page, 'quantri1', PASSWORD);
    await eventually(urlOf(page), 30_000).toMatch(/\/tiepnhan$/);
    await page.goto('/tiepnhan/quan-tri/chuyen-doi-vneid');
    await eventually(textOf(page.locator(`#break-glass-accounts [data-username="${OWNER.username}"]`))).toContain(
      'đã thiết lập mã xác thực',
    );
    const provinceDate = page.locator('form', { has: page.getByLabel('Ngày bắt đầu chỉ dùng VNeID') });
    await provinceDate.getByLabel('Ngày bắt đầu chỉ dùng VNeID').fill(formatDate(todayInVietnam()));
    await provinceDate.getByRole('button', { name: 'Lưu', exact: true }).click();
    // A date that is today asks for a confirmation first.
    await page.getByLabel(`Tôi xác nhận áp dụng ngày ${formatDate(todayInVietnam())} cho toàn tỉnh.`).check();
    await page.getByRole('button', { name: 'Áp dụng ngay', exact: true }).click();
    await eventually(textOf(page.locator('main'))).toContain(`Từ ngày ${formatDate(todayInVietnam())}, đăng nhập bằng mật khẩu bị khóa.`);
    // Logged out as logout() does, but the page now carries the cutoff notice as well.
    await (await openUserMenu(page)).getByRole('button', { name: 'Đăng xuất' }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap\?da-dang-xuat=1$/);

    await login(page, OWNER.username, PASSWORD);
    await eventually(urlOf(page), 30_000).toMatch(/\/tiepnhan\/dang-nhap\/ma-xac-thuc$/);
    // The second page: the code alone, nothing of the password.
    expect(await page.locator('input[type="password"], input[name="password"], input[name="username"]').count()).toBe(0);
    expect(await axeProblems(page, 'Mã xác thực (390 px)')).toEqual([]);
    await page.getByLabel('Mã xác thực').fill('000000');
    await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();
    await eventually(textOf(page.getByRole('alert'))).toBe('Mã xác thực không đúng hoặc đã được sử dụng. Bạn còn 4 lần thử.');
    expect(await urlOf(page)()).toMatch(/\/tiepnhan\/dang-nhap\/ma-xac-thuc$/);
    // The next code: the one that confirmed the set-up cannot be used again.
    await page.getByLabel('Mã xác thực').fill(await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }));
    await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await eventually(textOf(page.locator('.break-glass-banner'))).toContain('Bạn đang đăng nhập bằng tài khoản khẩn cấp');
  });
});
