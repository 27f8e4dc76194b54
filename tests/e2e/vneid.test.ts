/**
 * End to end, as people would: the real server (`node --import tsx src/main.ts`, demo data on a
 * fresh PGlite directory, the VNeID simulator on its own port) and Debian's Chromium driven by
 * playwright-core (set-up in support.ts).
 *
 * The province administrator binds and verifies a demo official's CCCD (a wrong name on the card
 * is refused by the registry, and VNeID then reaches only the official's other, verified account;
 * the right name verifies); the official logs in with VNeID through the simulator, reading the OTP
 * from /dev/sms, accepts the main account as theirs (Đồng ý), switches to it; logs out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoOfficials } from '../../src/demo/officials.js';
import type { SimPerson } from '../../sim/population-types.js';
import {
  PASSWORD,
  ROOT,
  attrOf,
  countOf,
  eventually,
  field,
  isVisible,
  login,
  logout,
  openUserMenu,
  openUsersPage,
  rowFor,
  textOf,
  urlOf,
  useE2E,
  inputValueOf,
} from './support.js';

// ---------------------------------------------------------------------------------------------
// Who: the Phó Chủ tịch of UBND thành phố Đồng Xoài (dx-vp), the one demo person holding two
// accounts (src/demo/seed.ts adds "<username>.motcua", Cán bộ một cửa, for the same person).
// Their VNeID account is in the simulator's population under the same CCCD.

const OFFICIAL = demoOfficials().find((o) => o.unitKey === 'dx-vp' && o.position === 'Phó Chủ tịch');
if (!OFFICIAL?.cccd) throw new Error('demo data changed: no bound Phó Chủ tịch in dx-vp');
const MAIN = { username: OFFICIAL.username, position: 'Phó Chủ tịch' };
const DESK = { username: `${OFFICIAL.username}.motcua`, position: 'Cán bộ một cửa' };
const FULL_NAME = `${OFFICIAL.middleName} ${OFFICIAL.givenName}`;

const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const PERSON = POPULATION.find((p) => p.soDinhDanh === OFFICIAL.cccd);
if (!PERSON) throw new Error(`the simulator's population has no person with CCCD ${OFFICIAL.cccd}`);
/** The name on the card as the registry holds it (NFC, as a person types it). */
const CARD_NAME = PERSON.hoVaTen.normalize('NFC');
/** A name the registry does not hold for this CCCD (differs even without diacritics). */
const WRONG_CARD_NAME = `${OFFICIAL.middleName} Không Khớp`.normalize('NFC');

const e2e = useE2E();
let page: Page;
/** The account VNeID landed on, and the other one (the person's most recently used account wins). */
let landed: typeof MAIN;
let other: typeof MAIN;

beforeAll(() => {
  page = e2e.page;
});

// ---------------------------------------------------------------------------------------------
// Helpers that act through the page as a person would (shared ones in support.ts).

const verifyButton = (p: Page) => p.locator('form#official-form').getByRole('button', { name: 'Xác thực tài khoản VNEID', exact: true });
const verificationResult = (p: Page) => p.locator('#verification-result');
const verifyStatus = (p: Page) => p.locator('#verify-status');

/** On Quản lý người dùng: search by username and open that account's form. */
async function openAccount(username: string) {
  await page.getByPlaceholder('Tìm kiếm...').fill(username);
  await page.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
  await eventually(urlOf(page)).toMatch(new RegExp(`[?&]q=${encodeURIComponent(username).replace(/\./g, '\\.')}(&|$)`));
  const row = rowFor(page, username);
  await eventually(countOf(row)).toBe(1);
  await row.getByRole('link', { name: FULL_NAME }).click();
  await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
  await eventually(inputValueOf(field(page, 'Tên tài khoản'))).toBe(username);
}

/** The OTP texted to a phone since `after` (message ids seen before), read from the simulator's /dev/sms. */
async function otpFor(phone: string, after: Set<string>) {
  let otp = '';
  await eventually(async () => {
    const res = await fetch(`${e2e.simUrl}/dev/sms?phone=${encodeURIComponent(phone)}`, { signal: AbortSignal.timeout(2_000) });
    expect(res.status).toBe(200);
    const messages = (await res.json()) as Array<{ id: string; text: string }>;
    const fresh = messages.find((m) => !after.has(m.id));
    otp = /\b(\d{6})\b/.exec(fresh?.text ?? '')?.[1] ?? '';
    return otp;
  }).toMatch(/^\d{6}$/);
  return otp;
}

async function smsIds(phone: string) {
  const res = await fetch(`${e2e.simUrl}/dev/sms?phone=${encodeURIComponent(phone)}`);
  return new Set(((await res.json()) as Array<{ id: string }>).map((m) => m.id));
}

/**
 * From the login page, "Đăng nhập bằng tài khoản VNEID", then the simulator's screens: the
 * Bộ Công an account, số định danh and password, the OTP from the SMS, Xác nhận.
 */
async function loginWithVneid(p: Page, person: SimPerson, opts: { screenshot?: string } = {}) {
  await p.goto('/tiepnhan/dang-nhap');
  await p.getByRole('link', { name: 'Đăng nhập bằng tài khoản VNEID' }).click();

  await eventually(urlOf(p)).toMatch(new RegExp(`^${e2e.simUrl.replace(/\./g, '\\.')}/interaction/[^/]+$`));
  await eventually(isVisible(p.getByRole('heading', { level: 1, name: 'Đăng nhập' }))).toBe(true);
  await p.getByRole('link', { name: /^Tài khoản Định danh điện tử cấp bởi Bộ Công an/ }).click();

  await eventually(urlOf(p)).toMatch(/\/interaction\/[^/]+\/vneid$/);
  await p.getByLabel('Số định danh cá nhân').fill(person.soDinhDanh);
  await p.getByLabel('Mật khẩu').fill(person.password);
  const before = await smsIds(person.soDienThoai);
  await p.getByRole('button', { name: 'Đăng nhập', exact: true }).click();

  await eventually(urlOf(p)).toMatch(/\/interaction\/[^/]+\/otp$/);
  await eventually(isVisible(p.getByRole('heading', { level: 1, name: 'Nhập mã OTP' }))).toBe(true);
  // The page names the phone masked: first three and last three digits.
  await eventually(textOf(p.locator('main'))).toContain(`${person.soDienThoai.slice(0, 3)}****${person.soDienThoai.slice(-3)}`);
  await eventually(textOf(p.locator('main'))).not.toContain(person.soDienThoai);
  const otp = await otpFor(person.soDienThoai, before);
  await p.getByLabel('Mã OTP (6 chữ số)').fill(otp);
  if (opts.screenshot) await p.screenshot({ path: opts.screenshot, fullPage: true });
  await p.getByRole('button', { name: 'Xác nhận', exact: true }).click();
}

/** Thông tin tài khoản → the username shown there. */
async function usernameOnProfile() {
  const menu = await openUserMenu(page);
  await menu.getByRole('link', { name: 'Thông tin tài khoản' }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/tai-khoan$/);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Thông tin tài khoản' }))).toBe(true);
  const dd = page.locator('dl.facts dt', { hasText: /^Tên tài khoản$/ }).locator('xpath=following-sibling::dd[1]');
  await eventually(countOf(dd)).toBe(1);
  return (await textOf(dd)()).trim();
}

// ---------------------------------------------------------------------------------------------

// One story: its steps run in order, on one page (also under --sequence.shuffle).
describe('VNeID login through the simulator, Chuyển tài khoản, Đăng xuất', { shuffle: false }, () => {
  test('the demo official and their VNeID account agree', () => {
    expect(PERSON.demoUsername).toBe(MAIN.username);
    expect(PERSON.role).toBe('official');
    expect(PERSON.loa).toBe(2);
    expect(CARD_NAME).toBe(FULL_NAME.normalize('NFC'));
  });

  test('quantri1 logs in and opens the Phó Chủ tịch; both their accounts are listed', async () => {
    await login(page, 'quantri1', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: /^Xin chào, / }))).toBe(true);
    await openUsersPage(page);

    // A search by username finds the main account and the one-stop desk account of the same person.
    await page.getByPlaceholder('Tìm kiếm...').fill(MAIN.username);
    await page.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
    await eventually(countOf(rowFor(page, MAIN.username))).toBe(1);
    await eventually(countOf(rowFor(page, DESK.username))).toBe(1);
    await eventually(textOf(rowFor(page, MAIN.username))).toContain(OFFICIAL.cccd!);
    await eventually(textOf(rowFor(page, DESK.username))).toContain(OFFICIAL.cccd!);

    await openAccount(MAIN.username);
    await eventually(inputValueOf(field(page, 'Họ và tên trên thẻ CCCD'))).toBe(CARD_NAME);
    await eventually(inputValueOf(field(page, 'Số CCCD (12 số)'))).toBe(OFFICIAL.cccd);
    await eventually(isVisible(verifyButton(page))).toBe(true);
  });

  test('a wrong name on the card: the registry names the mismatch, nothing is saved; saved with Lưu, it is no longer verified', async () => {
    const statusBefore = await textOf(verifyStatus(page))();
    await field(page, 'Họ và tên trên thẻ CCCD').fill(WRONG_CARD_NAME);
    await verifyButton(page).click();

    const result = verificationResult(page);
    await eventually(textOf(result)).toContain('Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư');
    await eventually(textOf(result)).toContain('Họ và tên trên thẻ CCCD');
    await eventually(textOf(result)).not.toContain('Ngày sinh');
    await eventually(attrOf(result, 'class')).toContain('flash-error');
    await eventually(textOf(result)).toContain('Chưa lưu thay đổi nào');
    // Nothing was saved: the stored data keep their state; the form still shows what was typed, to correct or to save.
    await eventually(textOf(verifyStatus(page))).toBe(statusBefore);
    await eventually(inputValueOf(field(page, 'Họ và tên trên thẻ CCCD'))).toBe(WRONG_CARD_NAME);
    // Saved with Lưu, the changed card data are a new claim, not verified.
    await page.locator('form#official-form').getByRole('button', { name: 'Lưu', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tb=saved/);
    await eventually(textOf(verifyStatus(page))).toBe('Chưa xác thực VNeID');
    await eventually(inputValueOf(field(page, 'Họ và tên trên thẻ CCCD'))).toBe(WRONG_CARD_NAME);
  });

  test('while the main account is unverified, VNeID reaches only the desk account its administrator verified (another browser)', async () => {
    // A separate browser context: its own cookies at the app and at the simulator.
    const ctx: BrowserContext = await e2e.context.browser()!.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN' });
    ctx.setDefaultTimeout(15_000);
    try {
      const p = await ctx.newPage();
      p.on('pageerror', (err) => e2e.browserErrors.push(`${p.url()}: ${err.message}`));
      p.on('console', (msg) => {
        if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
          e2e.browserErrors.push(`${p.url()}: ${msg.text()}`);
      });
      await loginWithVneid(p, PERSON);
      // The person's first VNeID login accepts the one account an administrator verified: the desk account.
      await eventually(urlOf(p)).toBe(`${e2e.baseUrl}/tiepnhan`);
      await eventually(textOf(p.locator('details.usermenu > summary'))).toBe(`${FULL_NAME} (${DESK.position})`);
      await p.locator('details.usermenu > summary').click();
      await eventually(countOf(p.locator('details.usermenu').getByRole('button', { name: /^Chuyển tài khoản: / }))).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  test('the right name on the card: "Thông tin số CCCD chính xác", verified again', async () => {
    await field(page, 'Họ và tên trên thẻ CCCD').fill(CARD_NAME);
    await verifyButton(page).click();

    const result = verificationResult(page);
    // Saved and verified; the page after the redirect is a fresh read of the account.
    await eventually(urlOf(page)).toMatch(/[?&]tb=verified/);
    await eventually(textOf(result)).toContain('Thông tin số CCCD chính xác');
    await eventually(attrOf(result, 'class')).toContain('flash-ok');
    await eventually(textOf(verifyStatus(page))).toMatch(/^Đã xác thực VNeID lúc /);
    await eventually(inputValueOf(field(page, 'Họ và tên trên thẻ CCCD'))).toBe(CARD_NAME);
    await eventually(inputValueOf(field(page, 'Tên tài khoản'))).toBe(MAIN.username);
  });

  test('quantri1 logs out', async () => {
    await logout(page);
  });

  test("the official logs in with VNeID (OTP from the simulator's SMS) and accepts the main account: Đồng ý", async () => {
    await loginWithVneid(page, PERSON, { screenshot: e2e.screenshotPath('vneid-otp.png') });

    // The desk account is theirs already; the main account, verified by quantri1, asks to be linked.
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/lien-ket-tai-khoan?tiep=%2Ftiepnhan`);
    const request = page.locator(`[id="lien-ket-${MAIN.username}"]`);
    await eventually(textOf(request)).toContain(`Tài khoản ${MAIN.username}`);
    await eventually(textOf(request)).toContain('đề nghị liên kết với định danh của bạn');
    await eventually(textOf(request)).toContain('Tạo bởi');
    await page.screenshot({ path: e2e.screenshotPath('vneid-link.png'), fullPage: true });
    await request.getByRole('button', { name: 'Đồng ý' }).click();
    await eventually(textOf(page.locator('.flash-ok'))).toBe(`Đã liên kết tài khoản ${MAIN.username}.`);
    await page.getByRole('link', { name: 'Tiếp tục' }).click();

    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan`);
    await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe(`Xin chào, ${FULL_NAME}`);
    // VNeID lands on the account used most recently: the desk account.
    landed = DESK;
    other = MAIN;
    await eventually(textOf(page.locator('details.usermenu > summary'))).toBe(`${FULL_NAME} (${landed.position})`);
    await eventually(textOf(page.locator('main'))).toContain(`Chức vụ: ${landed.position}`);
    expect(await usernameOnProfile()).toBe(landed.username);
  });

  test('Chuyển tài khoản: the other account of the same person', async () => {
    const menu = await openUserMenu(page);
    const switches = menu.getByRole('button', { name: /^Chuyển tài khoản: / });
    await eventually(countOf(switches)).toBe(1);
    await eventually(textOf(switches)).toBe(`Chuyển tài khoản: ${FULL_NAME} (${other.position})`);
    await switches.click();

    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan`);
    await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe(`Xin chào, ${FULL_NAME}`);
    await eventually(textOf(page.locator('details.usermenu > summary'))).toBe(`${FULL_NAME} (${other.position})`);
    await eventually(textOf(page.locator('main'))).toContain(`Chức vụ: ${other.position}`);
    await page.screenshot({ path: e2e.screenshotPath('vneid-switched.png'), fullPage: true });

    expect(await usernameOnProfile()).toBe(other.username);
    // And back is offered.
    const back = (await openUserMenu(page)).getByRole('button', { name: /^Chuyển tài khoản: / });
    await eventually(textOf(back)).toBe(`Chuyển tài khoản: ${FULL_NAME} (${landed.position})`);
  });

  test('Đăng xuất: the login page says so and /tiepnhan asks for a login again', async () => {
    await logout(page);
    await eventually(isVisible(page.getByRole('link', { name: 'Đăng nhập bằng tài khoản VNEID' }))).toBe(true);
    await page.goto('/tiepnhan');
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap\?tiep=%2Ftiepnhan$/);
    await eventually(isVisible(page.getByRole('heading', { name: 'ĐĂNG NHẬP HỆ THỐNG' }))).toBe(true);
    await eventually(countOf(page.locator('details.usermenu'))).toBe(0);
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
