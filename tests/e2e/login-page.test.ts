/**
 * The officials' login page in the browser (issue 12, item 14), at 390 px: the CAPTCHA solves by itself once the
 * form has focus, a click on the solved box keeps it solved, Đăng nhập pressed before the proof of work is done
 * waits for it instead of being refused, a refused login keeps the name typed; axe finds nothing serious.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { AXE_SCRIPT, PASSWORD, axeProblems, eventually, isChecked, isVisible, logout, textOf, urlOf, useE2E } from './support.js';

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
    // No break-glass field for anyone while no cutoff is set.
    expect(await page.locator('input[name="totp"]').count()).toBe(0);
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
  });
});
