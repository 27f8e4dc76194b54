/**
 * Quản trị → Ứng dụng kết nối SSO in the browser (issue 13, item 4): quantri1 opens it from the QUẢN TRỊ HỆ THỐNG
 * sub-menu, registers an application (a refusal first: the message beside the field, what was typed kept), sees
 * its secret once and uses it at the provider's token endpoint; rotates it (the old one refused at once, the new
 * one works), then disables the application (refused). axe-core finds no serious or critical violation, and no
 * page is wider than a 390 px screen.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  AXE_SCRIPT,
  PASSWORD,
  countOf,
  eventually,
  expectAccessible,
  inputValueOf,
  isVisible,
  login,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const e2e = useE2E();
let page: Page;
let clientId = '';
let secret = '';
const APP = 'Thư điện tử công vụ';
const CALLBACK = 'https://mail.example.gov.vn/oidc/callback';

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

async function fitsAt390(label: string) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label} is wider than a 390 px screen`).toBeLessThanOrEqual(0);
  await expectAccessible(page, `${label} at 390 px`);
  if (size) await page.setViewportSize(size);
}

/** Client credentials at the provider's token endpoint with this secret: the HTTP status and the OAuth error. */
async function tokenWith(id: string, s: string) {
  const res = await fetch(`${e2e.baseUrl}/sso/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(s)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'profile' }),
  });
  const json = (await res.json()) as { access_token?: string; error?: string };
  return { status: res.status, error: json.error ?? null, token: !!json.access_token };
}

describe('Ứng dụng kết nối SSO in the browser', { shuffle: false }, () => {
  test('quantri1 opens the registry from the administration sub-menu', async () => {
    await login(page, 'quantri1', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await page.goto('/tiepnhan/quan-tri/hang-doi');
    await page.getByRole('navigation', { name: 'Quản trị hệ thống' }).getByRole('link', { name: 'Ứng dụng kết nối SSO' }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/quan-tri\/ung-dung-sso$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'ỨNG DỤNG KẾT NỐI SSO' }))).toBe(true);
    await expectAccessible(page, 'Ứng dụng kết nối SSO (list)');
    await fitsAt390('Ứng dụng kết nối SSO (list)');
  });

  test('registers an application: a bad address is refused beside its field, nothing typed is lost; the secret is shown once', async () => {
    await page.getByRole('link', { name: 'Đăng ký ứng dụng' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Đăng ký ứng dụng kết nối SSO' }))).toBe(true);
    await page.getByLabel('Tên ứng dụng').fill(APP);
    await page.getByLabel('Địa chỉ quay về (redirect URI)').fill(`${CALLBACK}\nmail.example.gov.vn/khong-day-du`);
    await page.getByRole('checkbox', { name: /^profile/ }).check();
    await page.getByRole('checkbox', { name: /^official/ }).check();
    await page.getByText(/^Chọn đơn vị/).click();
    await page.getByRole('checkbox', { name: 'Sở Công Thương', exact: true }).check();
    await expectAccessible(page, 'Đăng ký ứng dụng (form)');
    await fitsAt390('Đăng ký ứng dụng (form)');
    await page.getByRole('button', { name: 'Đăng ký' }).click();

    await eventually(textOf(page.locator('#err-redirectUris'))).toBe('Dòng 2: Địa chỉ phải là một URL đầy đủ, không có phần #.');
    expect(await inputValueOf(page.getByLabel('Tên ứng dụng'))()).toBe(APP);
    expect(await inputValueOf(page.getByLabel('Địa chỉ quay về (redirect URI)'))()).toBe(`${CALLBACK}\nmail.example.gov.vn/khong-day-du`);
    expect(await page.getByRole('checkbox', { name: /^official/ }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: 'Sở Công Thương', exact: true }).isChecked()).toBe(true);
    await expectAccessible(page, 'Đăng ký ứng dụng (refused)');

    await page.getByLabel('Địa chỉ quay về (redirect URI)').fill(CALLBACK);
    await page.getByRole('button', { name: 'Đăng ký' }).click();
    await eventually(isVisible(page.locator('#sso-secret'))).toBe(true);
    expect(await textOf(page.locator('#sso-secret'))()).toContain('khóa chỉ hiển thị một lần');
    clientId = await inputValueOf(page.getByLabel('Mã ứng dụng (client_id)'))();
    secret = await inputValueOf(page.getByLabel('Khóa bí mật (client_secret)'))();
    expect(clientId).toMatch(/^sso_[\w-]{16}$/);
    expect(secret).toMatch(/^[\w-]{43}$/);
    // The secret is in no address.
    expect(page.url()).not.toContain(secret);
    await expectAccessible(page, 'Khóa bí mật (registered)');
    await fitsAt390('Khóa bí mật (registered)');
    expect(await tokenWith(clientId, secret)).toMatchObject({ status: 200, token: true });
  });

  test("the application's page shows it, never the secret again", async () => {
    await page.getByRole('link', { name: 'Đến trang của ứng dụng' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: APP }))).toBe(true);
    const facts = await textOf(page.locator('#sso-client-facts'))();
    expect(facts).toContain(clientId);
    expect(facts).toContain('Sở Công Thương');
    expect(facts).toContain(CALLBACK);
    expect(await page.content()).not.toContain(secret);
    await expectAccessible(page, 'Ứng dụng (page)');
    await fitsAt390('Ứng dụng (page)');
  });

  test('rotates the secret: the old one is refused at once, the new one works', async () => {
    await page.getByRole('link', { name: 'Đổi khóa bí mật' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Đổi khóa bí mật' }))).toBe(true);
    await expectAccessible(page, 'Đổi khóa bí mật (confirm)');
    await page.getByRole('button', { name: 'Cấp khóa mới' }).click();
    await eventually(isVisible(page.locator('#sso-secret'))).toBe(true);
    const rotated = await inputValueOf(page.getByLabel('Khóa bí mật (client_secret)'))();
    expect(rotated).not.toBe(secret);
    expect(await tokenWith(clientId, secret)).toMatchObject({ status: 401, error: 'invalid_client' });
    expect(await tokenWith(clientId, rotated)).toMatchObject({ status: 200, token: true });
    secret = rotated;
  });

  test('disables the application: the provider refuses it; the list says so', async () => {
    await page.getByRole('link', { name: 'Đến trang của ứng dụng' }).click();
    await page.getByRole('button', { name: 'Tạm dừng ứng dụng' }).click();
    await eventually(textOf(page.locator('.flash-ok'))).toContain('Đã tạm dừng ứng dụng');
    await eventually(countOf(page.getByRole('button', { name: 'Cho hoạt động lại' }))).toBe(1);
    expect(await tokenWith(clientId, secret)).toMatchObject({ status: 401, error: 'invalid_client' });
    await expectAccessible(page, 'Ứng dụng (disabled)');
    await page.getByRole('link', { name: '← Ứng dụng kết nối SSO' }).click();
    await eventually(textOf(page.locator(`tr[data-client="${clientId}"]`))).toContain('Tạm dừng');
  });
});
