/**
 * Khóa API in the browser (issue 12, item 4): admin.sct opens an official of Sở Công Thương, issues a key for
 * 30 days, sees it once with how to use it (the header, a curl example against the API's address), when it
 * expires and how to revoke it; the list shows it (never the secret again), the key works on GET /api/v1/me;
 * admin.sct revokes it (asked once) and the API refuses it from the next request. axe-core finds no serious or
 * critical violation on the pages, also at 390 px wide.
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
  inputValueOf,
  isVisible,
  login,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const clerk = demoOfficials().find((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy');
if (!clerk) throw new Error('demo data changed: no Thủy at sct-vp');
const CLERK = { username: clerk.username, fullName: `${clerk.middleName} ${clerk.givenName}` };
const SYSTEM = 'Phần mềm quản lý văn bản';

const e2e = useE2E();
let page: Page;
let accountId = '';
let key = '';
let keyId = '';

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

async function expectAccessible(label: string) {
  const problems = await axeProblems(page, label);
  expect(problems, `axe found serious or critical violations:\n${problems.join('\n')}`).toEqual([]);
}

async function me(token: string) {
  const res = await fetch(`${e2e.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, json: (await res.json()) as { account?: { username: string }; error?: { code: string } } };
}

const keysUrl = () => `/tiepnhan/quan-tri/nguoi-dung/${accountId}/khoa-api`;
const keyRow = () => page.locator('table#keys tbody tr', { hasText: SYSTEM });

/** dd/mm/yyyy in Vietnam of a time. */
const vietnamDate = (t: number) => {
  const d = new Date(t + 7 * 3_600_000);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
};

describe('Khóa API in the browser: issue, see once, list, use, revoke', { shuffle: false }, () => {
  test('admin.sct opens the official and their Khóa API page', async () => {
    await login(page, 'admin.sct', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await page.goto(`/tiepnhan/quan-tri/nguoi-dung?q=${encodeURIComponent(CLERK.username)}`);
    await page.locator('table#officials').getByRole('link', { name: CLERK.fullName }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
    accountId = /[?&]tk=([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByRole('link', { name: 'Khóa API', exact: true }).click();
    await eventually(urlOf(page)).toMatch(new RegExp(`${keysUrl()}$`));
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Khóa API' }))).toBe(true);
    await eventually(textOf(page.locator('#no-keys'))).toBe('Tài khoản chưa có khóa API nào.');
    await expectAccessible('Khóa API (empty)');
  });

  test('issues a 30-day key: shown once, with the header, a curl example, the expiry and how to revoke', async () => {
    const before = Date.now();
    await page.getByLabel('Tên hệ thống sử dụng khóa').fill(SYSTEM);
    await page.getByLabel('Thời hạn').selectOption({ label: '30 ngày' });
    await page.getByRole('button', { name: 'Cấp khóa API' }).click();
    const box = page.locator('#issued-key');
    await eventually(isVisible(box)).toBe(true);
    key = await inputValueOf(page.getByLabel('Khóa API', { exact: true }))();
    expect(key).toMatch(/^mc_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/);
    keyId = key.slice(0, key.indexOf('.'));
    const text = await textOf(box)();
    expect(text).toContain('khóa chỉ hiển thị một lần');
    expect(text).toContain('Authorization: Bearer <khóa API>');
    expect(await textOf(page.locator('#api-key-example'))()).toBe(`curl -H "Authorization: Bearer ${key}" ${e2e.baseUrl}/api/v1/me`);
    expect(await textOf(page.locator('#api-key-expiry'))()).toContain(vietnamDate(before + 30 * 86_400_000));
    expect(text).toContain('Thu hồi');
    expect(text).not.toContain('Mật khẩu tạm thời');
    await eventually(textOf(keyRow())).toContain('Đang hiệu lực');
    await expectAccessible('Khóa API (issued)');
  });

  test('the key acts as the official; the list shows it, never the secret again', async () => {
    const res = await me(key);
    expect(res.status).toBe(200);
    expect(res.json.account?.username).toBe(CLERK.username);
    await page.goto(keysUrl());
    await eventually(countOf(page.locator('#issued-key'))).toBe(0);
    expect(await page.content()).not.toContain(key.slice(key.indexOf('.') + 1));
    await eventually(textOf(keyRow())).toContain(keyId);
    await eventually(textOf(keyRow())).not.toContain('Chưa dùng');
    await page.setViewportSize({ width: 390, height: 844 });
    await expectAccessible('Khóa API at 390 px');
    await page.setViewportSize({ width: 1366, height: 900 });
  });

  test('revoked (asked once): the API refuses it from the next request', async () => {
    await keyRow()
      .getByRole('link', { name: /^Thu hồi/ })
      .click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Thu hồi khóa API' }))).toBe(true);
    await expectAccessible('Thu hồi khóa API');
    await page.getByRole('button', { name: 'Thu hồi khóa' }).click();
    await eventually(textOf(page.locator('.flash-ok'))).toContain(`Đã thu hồi khóa API "${SYSTEM}"`);
    await eventually(textOf(keyRow())).toContain('Đã thu hồi');
    await eventually(countOf(keyRow().getByRole('link', { name: /^Thu hồi/ }))).toBe(0);
    const res = await me(key);
    expect(res.status).toBe(401);
    expect(res.json.error?.code).toBe('api_key_revoked');
    expect(e2e.browserErrors).toEqual([]);
  });
});
