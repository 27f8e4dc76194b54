/**
 * The provincial SSO walk-through in a browser (issue 13, "Done when"): the real server in demo mode (no SSO_* set:
 * the demo seed registers the one-stop system and the demo application as clients of the built-in provider at
 * /sso) and the demo application of `npm run sso:demo-client` on a port of its own.
 *
 * (a) An official logs in once in the one-stop system; the demo application logs them in without a second login
 *     and shows the claims it received.
 * (b) Đăng xuất in the demo application (RP-initiated logout) logs the one-stop system out too.
 * (c) After a new login, Đăng xuất in the one-stop system logs the demo application out (back-channel logout).
 * (d) An official with two accounts, logged in with VNeID, chooses on Chọn tài khoản which one the demo application
 *     receives, and it shows that account's claims.
 * (e) Demo mode out of the box: "Đăng nhập qua Hệ thống xác thực tập trung" on the login page logs in through the
 *     built-in provider (the provider's login step sends the browser to the same login page, VNeID there).
 * axe (no serious or critical violation) and 390 px without overflow on the demo application's pages and on Chọn tài
 * khoản.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { generateKeyPair, SignJWT } from 'jose';
import { demoOfficials } from '../../src/demo/officials.js';
import type { SimPerson } from '../../sim/population-types.js';
import { startSsoDemoClient } from '../../sim/sso-demo/server.js';
import {
  AXE_SCRIPT,
  ROOT,
  countOf,
  demoOfficial,
  eventually,
  expectAccessible,
  freePort,
  isVisible,
  loginOfficial,
  logout,
  openUserMenu,
  otpFor,
  smsIds,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const DEMO_PORT = await freePort();
const DEMO_URL = `http://localhost:${DEMO_PORT}`;
const e2e = useE2E({ env: { SSO_DEMO_CLIENT_PORT: String(DEMO_PORT) } });

const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.position === 'Chuyên viên', 'a Chuyên viên of sct-vp');
const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const personOf = (username: string) => {
  const p = POPULATION.find((x) => x.demoUsername === username);
  if (!p) throw new Error(`the simulator's population has no person for ${username}`);
  return p;
};
/** The one demo person with two accounts (the seed adds "<username>.motcua", Cán bộ một cửa). */
const TWO = demoOfficials().find((o) => o.unitKey === 'dx-vp' && o.position === 'Phó Chủ tịch');
if (!TWO?.cccd || !TWO.verified) throw new Error('demo data changed: no verified Phó Chủ tịch in dx-vp');
const TWO_MAIN = TWO.username;
const TWO_DESK = `${TWO.username}.motcua`;
/** An official with one account, bound, verified and at VNeID level 2 (logs in with VNeID at the first try). */
const SINGLE = demoOfficials().find(
  (o) => o.cccd && o.verified && o !== TWO && o.roles.length > 0 && POPULATION.find((p) => p.demoUsername === o.username)?.loa === 2,
);
if (!SINGLE) throw new Error('demo data changed: no verified official at level 2');

let page: Page;
let demo: Awaited<ReturnType<typeof startSsoDemoClient>>;

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
  demo = await startSsoDemoClient({ issuer: `${e2e.baseUrl}/sso`, clientId: 'motcua-sso-demo', port: DEMO_PORT, url: DEMO_URL });
});
afterAll(async () => {
  await demo?.close();
});

/** The addresses the page's main frame asks for from now on, each redirect's too. */
function trackNavigations(p: Page) {
  const seen: string[] = [];
  p.on('request', (r) => {
    if (r.isNavigationRequest() && r.frame() === p.mainFrame()) seen.push(r.url());
  });
  return seen;
}

async function fitsAt390(p: Page, label: string) {
  const size = p.viewportSize();
  await p.setViewportSize({ width: 390, height: 844 });
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label} is wider than a 390 px screen`).toBeLessThanOrEqual(0);
  await expectAccessible(p, `${label} at 390 px`);
  await p.screenshot({ path: e2e.screenshotPath(`${label.replace(/\W+/g, '-')}-390.png`), fullPage: true });
  if (size) await p.setViewportSize(size);
}

const demoStart = (p: Page) => p.getByRole('link', { name: 'Đăng nhập bằng Hệ thống xác thực tập trung' });
const claim = (p: Page, key: string) => p.locator(`tr[data-claim="${key}"] td`);

/** The demo application's start page, then its login button: ends on its page of claims. */
async function openDemoAndLogin(p: Page) {
  await p.goto(`${DEMO_URL}/`);
  await eventually(isVisible(demoStart(p))).toBe(true);
  await demoStart(p).click();
}

/** The simulator's VNeID screens, from the one-stop login page's "Đăng nhập bằng tài khoản VNEID" to Xác nhận. */
async function vneidAtSimulator(p: Page, person: SimPerson) {
  await p.getByRole('link', { name: 'Đăng nhập bằng tài khoản VNEID' }).click();
  await eventually(urlOf(p)).toMatch(new RegExp(`^${e2e.simUrl.replace(/\./g, '\\.')}/interaction/[^/]+$`));
  await p.getByRole('link', { name: /^Tài khoản Định danh điện tử cấp bởi Bộ Công an/ }).click();
  await eventually(urlOf(p)).toMatch(/\/interaction\/[^/]+\/vneid$/);
  await p.getByLabel('Số định danh cá nhân').fill(person.soDinhDanh);
  await p.getByLabel('Mật khẩu').fill(person.password);
  const before = await smsIds(e2e.simUrl, person.soDienThoai);
  await p.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await eventually(urlOf(p)).toMatch(/\/interaction\/[^/]+\/otp$/);
  await p.getByLabel('Mã OTP (6 chữ số)').fill(await otpFor(e2e.simUrl, person.soDienThoai, before));
  await p.getByRole('button', { name: 'Xác nhận', exact: true }).click();
}

/** A second browser (its own cookies at the app, the provider, the simulator and the demo application). */
async function otherBrowser(): Promise<[BrowserContext, Page]> {
  const ctx = await e2e.context.browser()!.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
  ctx.setDefaultTimeout(15_000);
  await ctx.addInitScript({ path: AXE_SCRIPT });
  const p = await ctx.newPage();
  p.on('pageerror', (err) => e2e.browserErrors.push(`${p.url()}: ${err.message}`));
  return [ctx, p];
}

describe('SSO walk-through: the one-stop system and the demo application', { shuffle: false }, () => {
  test('the demo application before a login: its start page, accessible, 390 px', async () => {
    await page.goto(`${DEMO_URL}/`);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Ứng dụng minh họa' }))).toBe(true);
    await eventually(isVisible(demoStart(page))).toBe(true);
    await expectAccessible(page, 'demo application start page');
    await fitsAt390(page, 'demo start');
  });

  test('(a) logged in once in the one-stop system, the demo application logs in without a second login and shows the claims', async () => {
    await loginOfficial(page, CLERK);
    const seen = trackNavigations(page);
    await openDemoAndLogin(page);
    await eventually(urlOf(page)).toBe(`${DEMO_URL}/`);
    await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe(`Xin chào, ${CLERK.fullName}`);
    // Through the provider and straight back: never the login page.
    expect(seen.some((u) => u.startsWith(`${e2e.baseUrl}/sso/auth`))).toBe(true);
    expect(seen.filter((u) => u.includes('/dang-nhap') && u.startsWith(e2e.baseUrl))).toEqual([]);
    await eventually(textOf(claim(page, 'username'))).toBe(CLERK.username);
    await eventually(textOf(claim(page, 'name'))).toBe(CLERK.fullName);
    await eventually(textOf(claim(page, 'sub'))).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(textOf(claim(page, 'unit_name'))).not.toBe('');
    await eventually(textOf(claim(page, 'roles'))).toContain('reception');
    // A password login proves no VNeID level.
    await eventually(textOf(claim(page, 'acr'))).toBe('Không có (không đăng nhập bằng VNeID)');
    expect(await countOf(claim(page, 'sid'))()).toBe(1);
    expect(demo.sessionCount()).toBe(1);
    await expectAccessible(page, 'demo application claims page');
    await fitsAt390(page, 'demo claims');
  });

  test('(b) Đăng xuất in the demo application logs the one-stop system out too', async () => {
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    // The provider asks before ending its session (RP-initiated logout), then returns to the demo application.
    await eventually(isVisible(page.getByRole('button', { name: 'Đăng xuất' }))).toBe(true);
    await eventually(urlOf(page)).toMatch(new RegExp(`^${e2e.baseUrl}/sso/session/end`));
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await eventually(urlOf(page)).toBe(`${DEMO_URL}/`);
    await eventually(isVisible(demoStart(page))).toBe(true);
    expect(demo.sessionCount()).toBe(0);
    // The one-stop system asks for a login again, and says its session ended (it was ended from the other application).
    await page.goto('/tiepnhan');
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap\?tiep=%2Ftiepnhan&het-phien=1$/);
    await eventually(isVisible(page.getByText('Phiên đăng nhập đã kết thúc (hết thời gian, đã đăng xuất ở nơi khác'))).toBe(true);
  });

  test('(c) Đăng xuất in the one-stop system logs the demo application out (back-channel logout)', async () => {
    await loginOfficial(page, CLERK);
    await openDemoAndLogin(page);
    await eventually(textOf(claim(page, 'username'))).toBe(CLERK.username);
    expect(demo.sessionCount()).toBe(1);
    // A logout token not signed by the provider (right claims, another key) is refused and ends nothing.
    const sid = await textOf(claim(page, 'sid'))();
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ sid, events: { 'http://schemas.openid.net/event/backchannel-logout': {} } })
      .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt' })
      .setIssuer(`${e2e.baseUrl}/sso`)
      .setAudience('motcua-sso-demo')
      .setIssuedAt()
      .setJti(crypto.randomUUID())
      .sign(privateKey);
    const refused = await fetch(`${DEMO_URL}/backchannel-logout`, { method: 'POST', body: new URLSearchParams({ logout_token: forged }) });
    expect(refused.status).toBe(400);
    expect(demo.sessionCount()).toBe(1);

    await page.goto('/tiepnhan');
    await logout(page);
    // The provider's logout token reaches the demo application through the job queue: its page says it is logged out.
    await eventually(async () => demo.sessionCount(), 30_000).toBe(0);
    await page.goto(`${DEMO_URL}/`);
    await eventually(isVisible(demoStart(page))).toBe(true);
  });

  test('(d) an official with two accounts chooses on Chọn tài khoản which one the demo application receives', async () => {
    const [ctx, p] = await otherBrowser();
    try {
      // The first VNeID login: both accounts were verified by their administrator, so the person accepts each.
      await p.goto('/tiepnhan/dang-nhap');
      await vneidAtSimulator(p, personOf(TWO_MAIN));
      await eventually(urlOf(p)).toMatch(/\/tiepnhan\/lien-ket-tai-khoan/);
      for (const username of [TWO_MAIN, TWO_DESK]) {
        const request = p.locator(`[id="lien-ket-${username}"]`);
        await eventually(countOf(request)).toBe(1);
        await request.getByRole('button', { name: 'Đồng ý' }).click();
        await eventually(countOf(p.locator(`[id="da-lien-ket-${username}"]`))).toBe(1);
      }
      await p.getByRole('link', { name: 'Tiếp tục' }).click();
      await eventually(urlOf(p)).toBe(`${e2e.baseUrl}/tiepnhan`);
      await openUserMenu(p);
      await eventually(countOf(p.locator('details.usermenu').getByRole('button', { name: /^Chuyển tài khoản: / }))).toBe(1);

      await openDemoAndLogin(p);
      await eventually(isVisible(p.getByRole('heading', { level: 1, name: 'Chọn tài khoản đăng nhập' }))).toBe(true);
      await eventually(textOf(p.locator('main'))).toContain('Ứng dụng minh họa đăng nhập tập trung');
      await expectAccessible(p, 'Chọn tài khoản');
      await fitsAt390(p, 'Chon tai khoan');
      // The session's own account is preselected; the other one is chosen.
      const session = (await textOf(p.locator('details.usermenu > summary'))()).includes('Cán bộ một cửa') ? TWO_DESK : TWO_MAIN;
      const chosen = session === TWO_MAIN ? TWO_DESK : TWO_MAIN;
      await p.getByRole('radio', { name: new RegExp(`^${chosen.replace(/\./g, '\\.')} `) }).check();
      await p.getByRole('button', { name: 'Tiếp tục' }).click();
      await eventually(urlOf(p)).toBe(`${DEMO_URL}/`);
      await eventually(textOf(claim(p, 'username'))).toBe(chosen);
      await eventually(textOf(claim(p, 'acr'))).toMatch(/^LoA2 /);
      await eventually(textOf(claim(p, 'name'))).toBe(`${TWO.middleName} ${TWO.givenName}`);
    } finally {
      await ctx.close();
    }
  });

  test('(e) "Đăng nhập qua Hệ thống xác thực tập trung" works out of the box through the built-in provider', async () => {
    const [ctx, p] = await otherBrowser();
    try {
      const seen = trackNavigations(p);
      await p.goto('/tiepnhan/dang-nhap');
      await p.getByRole('link', { name: /Hệ thống xác thực tập trung/ }).click();
      // The provider's login step has no session yet: the same login page, coming back to the provider after it.
      await eventually(urlOf(p)).toMatch(/\/tiepnhan\/dang-nhap\?tiep=%2Fsso%2Finteraction%2F/);
      await vneidAtSimulator(p, personOf(SINGLE.username));
      await eventually(urlOf(p)).toBe(`${e2e.baseUrl}/tiepnhan`);
      await eventually(textOf(p.getByRole('heading', { level: 1 }))).toBe(`Xin chào, ${SINGLE.middleName} ${SINGLE.givenName}`);
      expect(seen.some((u) => u.startsWith(`${e2e.baseUrl}/tiepnhan/dang-nhap/sso/callback?`))).toBe(true);
      // ONE session: the one the login step used (opened by VNeID) ended when the SSO's answer opened this one.
      await p.goto('/tiepnhan/tai-khoan/phien-dang-nhap');
      const rows = p.locator('table[data-testid="sessions"] tbody tr');
      await eventually(countOf(rows)).toBe(1);
      await eventually(textOf(rows)).toContain('Hệ thống xác thực tập trung');
    } finally {
      await ctx.close();
    }
  });

  test('the browser reported no script error', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
