/**
 * End to end, as a person would: the real server (`node --import tsx src/main.ts`, demo data on a
 * fresh PGlite directory) and Debian's Chromium driven by playwright-core.
 *
 * quantri1 logs in through the login page (solving the ALTCHA widget in the browser), creates an
 * official in Sở Công Thương → Quản lý công nghiệp with full identity data, finds them by a search
 * without diacritics, suspends them; then admin.sct logs in and is refused an account of Sở Nội vụ.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'E2e-demo-Passw0rd!';
const READY_TIMEOUT_MS = 60_000;
/** How long the browser may take to solve the proof of work (a few seconds on 2 cores). */
const CAPTCHA_TIMEOUT_MS = 60_000;

/** The official created through the form: consistent identity data, made up for the test. */
const NEW = {
  username: 'dtthuy.qlcn',
  middleName: 'Đặng Thị Thanh',
  givenName: 'Thủy',
  mobile: '0912345678',
  email: 'dtthuy.qlcn@demo.motcua.invalid',
  position: 'Chuyên viên',
  cardName: 'Đặng Thị Thanh Thủy',
  dateOfBirth: '12/03/1990',
  gender: 'Nữ',
  // 070 Bình Phước; 1 = female born 1900–1999; 90 = 1990; then six made-up digits.
  cccd: '070190482615',
  issueDate: '15/04/2021',
  issuePlace: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
};
const NEW_FULL_NAME = `${NEW.middleName} ${NEW.givenName}`;

let port = 0;
let baseUrl = '';
let dataDir = '';
let server: ChildProcess | null = null;
let serverLog = '';
let browser: Browser | null = null;
let context: BrowserContext | null = null;
let page: Page;

/** Shared across the steps below (they run in order, on one page). */
let snvAdminId = '';
let temporaryPassword = '';
/** Script errors and console errors in the browser (CSP violations among them). */
const browserErrors: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

function tail(text: string, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

async function waitUntilReady(url: string, child: ChildProcess) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${tail(serverLog)}`);
    }
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready after ${READY_TIMEOUT_MS / 1000} s (last: ${last}):\n${tail(serverLog)}`);
}

async function stopServer(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  port = await freePort();
  baseUrl = `http://localhost:${port}`;
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-e2e-'));

  // A clean environment for the server: PGlite in dataDir, demo data, no inherited database or URL.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PUBLIC_URL', 'SESSION_SECRET', 'DEMO_DATA', 'TRUST_PROXY', 'NODE_OPTIONS']) delete env[k];
  Object.assign(env, {
    NODE_ENV: 'development',
    PORT: String(port),
    DATA_DIR: dataDir,
    DEMO_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
  });
  server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
  await waitUntilReady(baseUrl, server);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
  context = await browser.newContext({ baseURL: baseUrl, locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  page.on('pageerror', (err) => browserErrors.push(`${page.url()}: ${err.message}`));
  page.on('console', (msg) => {
    // A 404 is logged for the refusal page (expected) and for /favicon.ico, which the app has not.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) browserErrors.push(`${page.url()}: ${msg.text()}`);
  });
});

beforeEach(({ onTestFailed }) => {
  onTestFailed(() => {
    console.error(`--- page: ${page?.url()}\n--- server output (last lines):\n${tail(serverLog)}`);
  });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  if (server) await stopServer(server);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// playwright-core has no web-first assertions (those are @playwright/test's): Vitest's expect.poll
// retries a quick read of the page until the assertion holds.

const WAIT_MS = 15_000;
const QUICK = { timeout: 1_000 };
const eventually = <T>(read: () => Promise<T>, timeout = WAIT_MS) => expect.poll(read, { timeout, interval: 100 });
const isVisible = (l: Locator) => () => l.isVisible();
const textOf = (l: Locator) => async () => ((await l.textContent(QUICK)) ?? '').replace(/\s+/g, ' ').trim();
const valueOf = (l: Locator) => () => l.inputValue(QUICK);
const countOf = (l: Locator) => () => l.count();
const attrOf = (l: Locator, name: string) => () => l.getAttribute(name, QUICK);
const isChecked = (l: Locator) => () => l.isChecked(QUICK);
const urlOf = (p: Page) => async () => p.url();

// ---------------------------------------------------------------------------------------------
// Helpers that act through the page as a person would.

const unitTree = () => page.getByRole('navigation', { name: 'Cây đơn vị' });
const officials = () => page.locator('table#officials');
const rowFor = (username: string) => officials().locator('tbody tr', { has: page.getByRole('cell', { name: username, exact: true }) });

/** A form field by its visible label (required fields carry a trailing "*"). */
function field(label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}\\s*\\*?$`));
}

/**
 * The ALTCHA widget: tick "Tôi không phải là người máy" and wait until it reports verified.
 * It is set to start on focus (auto="onfocus") and a login field has autofocus, so it is often
 * already working when the page appears; a click then would untick it. With `mustClick` the
 * test still ticks it by hand: it waits, unticks (the widget forgets the solution) and ticks again.
 */
async function solveCaptcha(opts: { mustClick?: boolean } = {}) {
  const widget = page.locator('altcha-widget');
  const box = widget.locator('.altcha');
  await box.waitFor();
  const state = () => box.getAttribute('data-state', QUICK);
  const label = widget.locator('.altcha-checkbox-wrap label');
  const checkbox = widget.locator('input[type="checkbox"]');
  const payload = page.locator('form.login-form input[type="hidden"][name="altcha"]');

  const initial = await state();
  if (initial !== 'unverified' && opts.mustClick) {
    await eventually(state, CAPTCHA_TIMEOUT_MS).toBe('verified');
    await label.click();
    await eventually(state).toBe('unverified');
    await eventually(isChecked(checkbox)).toBe(false);
    await eventually(async () => (await payload.count()) === 0 || (await payload.inputValue(QUICK)) === '').toBe(true);
  }
  if (initial === 'unverified' || opts.mustClick) {
    await eventually(textOf(label)).toBe('Tôi không phải là người máy');
    await label.click();
  }
  await eventually(state, CAPTCHA_TIMEOUT_MS).toBe('verified');
  await eventually(valueOf(payload)).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
  await eventually(textOf(label)).toBe('Đã xác minh');
  await eventually(isChecked(checkbox)).toBe(true);
}

async function login(username: string, password: string, opts: { mustClick?: boolean } = {}) {
  await page.goto('/tiepnhan/dang-nhap');
  await eventually(isVisible(page.getByRole('heading', { name: 'ĐĂNG NHẬP HỆ THỐNG' }))).toBe(true);
  await solveCaptcha(opts);
  await page.getByLabel('Tên tài khoản').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
}

async function openUsersPage() {
  await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'QUẢN TRỊ HỆ THỐNG' }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/quan-tri\/nguoi-dung$/);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'QUẢN LÝ PHÒNG BAN - CÁN BỘ' }))).toBe(true);
}

async function pickUnit(name: string) {
  await unitTree().getByRole('link', { name, exact: true }).click();
  await eventually(isVisible(page.getByRole('heading', { level: 2, name: new RegExp(`^${name} \\(\\d+\\)$`) }))).toBe(true);
  await eventually(attrOf(unitTree().getByRole('link', { name, exact: true }), 'aria-current')).toBe('true');
}

async function logout() {
  await page.locator('details.usermenu > summary').click();
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap\?da-dang-xuat=1$/);
  await eventually(textOf(page.locator('p.flash-info'))).toBe('Bạn đã đăng xuất.');
}

// ---------------------------------------------------------------------------------------------

describe('Quản lý người dùng in the browser', () => {
  test('the login page renders and the province administrator logs in with the CAPTCHA', async () => {
    await page.goto('/tiepnhan/dang-nhap');
    await eventually(() => page.title()).toMatch(/^Đăng nhập hệ thống — Tỉnh Bình Phước$/);
    await eventually(isVisible(page.getByRole('heading', { name: 'HỆ THỐNG MỘT CỬA ĐIỆN TỬ' }))).toBe(true);
    await eventually(isVisible(page.locator('altcha-widget').getByText('Tôi không phải là người máy'))).toBe(true);
    await page.screenshot({ path: '/tmp/motcua-login.png', fullPage: true });

    await login('quantri1', PASSWORD, { mustClick: true });
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: /^Xin chào, / }))).toBe(true);
    await eventually(isVisible(page.getByRole('link', { name: 'Quản trị hệ thống → Quản lý người dùng' }))).toBe(true);
  });

  test('quantri1 sees the whole province and reads the id of a Sở Nội vụ account', async () => {
    await openUsersPage();
    await eventually(isVisible(unitTree().getByRole('link', { name: 'Tỉnh Bình Phước', exact: true }))).toBe(true);
    await eventually(isVisible(unitTree().getByRole('link', { name: 'Sở Nội vụ', exact: true }))).toBe(true);
    await pickUnit('Văn phòng Sở Nội vụ');
    const link = rowFor('admin.snv').getByRole('link');
    await eventually(countOf(link)).toBe(1);
    const href = await link.getAttribute('href');
    const tk = new URL(href ?? '', baseUrl).searchParams.get('tk') ?? '';
    expect(tk).toMatch(/^[0-9a-f-]{36}$/);
    snvAdminId = tk;
  });

  test('quantri1 adds an official to Sở Công Thương → Quản lý công nghiệp with full identity data', async () => {
    await pickUnit('Sở Công Thương');
    await pickUnit('Quản lý công nghiệp');
    await page.getByRole('link', { name: 'Thêm mới cán bộ' }).click();
    await eventually(urlOf(page)).toMatch(/[?&]moi=1/);
    const form = page.locator('form#official-form');
    await eventually(isVisible(form.getByRole('group', { name: 'THÔNG TIN CÁN BỘ' }))).toBe(true);
    await eventually(isVisible(form.getByRole('group', { name: 'THÔNG TIN XÁC THỰC' }))).toBe(true);
    // The unit picked in the tree is preselected.
    await eventually(textOf(field('Thuộc đơn vị/Phòng ban').locator('option:checked'))).toMatch(/Quản lý công nghiệp$/);

    await field('Tên tài khoản').fill(NEW.username);
    await field('Họ và tên đệm').fill(NEW.middleName);
    await field('Tên').fill(NEW.givenName);
    await field('Số di động (Để liên hệ và gửi SMS)').fill(NEW.mobile);
    await field('Email (cách nhau dấu ; nếu sử dụng nhiều email)').fill(NEW.email);
    await field('Chức vụ').fill(NEW.position);
    await field('Họ và tên trên thẻ CCCD').fill(NEW.cardName);
    await field('Ngày sinh').fill(NEW.dateOfBirth);
    await field('Giới tính').selectOption({ label: NEW.gender });
    await field('Số CCCD (12 số)').fill(NEW.cccd);
    await field('Ngày cấp').fill(NEW.issueDate);
    await field('Nơi cấp').fill(NEW.issuePlace);
    await form.getByRole('button', { name: 'Lưu', exact: true }).click();

    await eventually(isVisible(page.getByRole('status').filter({ hasText: 'Đã lưu thông tin cán bộ.' }))).toBe(true);
    const secret = page.locator('.flash.secret');
    await eventually(textOf(secret)).toContain(`Mật khẩu tạm thời của tài khoản ${NEW.username}`);
    await eventually(textOf(secret)).toContain('Mật khẩu chỉ hiển thị một lần.');
    temporaryPassword = (await page.getByTestId('temporary-password').textContent())?.trim() ?? '';
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(12);
    await eventually(countOf(page.locator('.field-error'))).toBe(0);

    // Listed in its unit, with the CCCD, active; the form now shows the saved values.
    const row = rowFor(NEW.username);
    await eventually(countOf(row)).toBe(1);
    await eventually(isVisible(row.getByRole('link', { name: NEW_FULL_NAME }))).toBe(true);
    await eventually(textOf(row)).toContain('Quản lý công nghiệp');
    await eventually(textOf(row)).toContain(NEW.cccd);
    await eventually(textOf(row)).toContain('Hoạt động');
    await eventually(valueOf(field('Ngày sinh'))).toBe(NEW.dateOfBirth);
    await eventually(textOf(field('Giới tính').locator('option:checked'))).toBe(NEW.gender);
    await eventually(valueOf(field('Số CCCD (12 số)'))).toBe(NEW.cccd);
  });

  test('a search without diacritics finds the new official', async () => {
    await pickUnit('Sở Công Thương');
    await page.getByPlaceholder('Tìm kiếm...').fill('thuy');
    await page.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
    await eventually(urlOf(page)).toMatch(/[?&]q=thuy(&|$)/);
    await eventually(textOf(page.getByRole('heading', { level: 2 }))).toContain('kết quả tìm "thuy"');
    // Searching from Sở Công Thương covers its divisions.
    await eventually(countOf(rowFor(NEW.username))).toBe(1);
    await eventually(isVisible(rowFor(NEW.username).getByRole('link', { name: NEW_FULL_NAME }))).toBe(true);
    for (const name of await officials().locator('tbody tr td:first-child').allTextContents()) {
      expect(name).toMatch(/Thủy/);
    }

    // The full name folded (đ → d) finds them too, and only them.
    await page.getByPlaceholder('Tìm kiếm...').fill('dang thi thanh thuy');
    await page.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
    await eventually(urlOf(page)).toMatch(/[?&]q=dang\+thi\+thanh\+thuy(&|$)/);
    await eventually(countOf(officials().locator('tbody tr'))).toBe(1);
    await eventually(countOf(rowFor(NEW.username))).toBe(1);
  });

  test('quantri1 opens the official and suspends them', async () => {
    await rowFor(NEW.username).getByRole('link', { name: NEW_FULL_NAME }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
    await eventually(valueOf(field('Tên tài khoản'))).toBe(NEW.username);
    await eventually(valueOf(field('Tên'))).toBe(NEW.givenName);

    await page.getByRole('button', { name: 'Tạm đình chỉ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tb=suspended/);
    await eventually(isVisible(page.getByRole('status').filter({ hasText: 'Đã tạm đình chỉ tài khoản.' }))).toBe(true);
    await eventually(textOf(rowFor(NEW.username).locator('.badge'))).toBe('Tạm đình chỉ');
    await eventually(isVisible(page.getByRole('button', { name: 'Bỏ tạm đình chỉ', exact: true }))).toBe(true);
    await eventually(isChecked(page.getByRole('checkbox', { name: 'Tạm đình chỉ' }))).toBe(true);
    await page.screenshot({ path: '/tmp/motcua-users.png', fullPage: true });
  });

  test('the suspended official cannot log in', async () => {
    await logout();
    await login(NEW.username, temporaryPassword);
    const refusal = page.locator('p.flash-error[role="alert"]');
    await eventually(textOf(refusal)).toBe('Tài khoản đang bị tạm đình chỉ. Vui lòng liên hệ quản trị đơn vị.');
    await eventually(attrOf(refusal, 'data-error-code')).toBe('account_suspended');
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap$/);
  });

  test('admin.sct logs in, sees only Sở Công Thương, and is refused an account of Sở Nội vụ', async () => {
    expect(snvAdminId).not.toBe('');
    await login('admin.sct', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await openUsersPage();

    const tree = unitTree();
    await eventually(isVisible(tree.getByRole('link', { name: 'Sở Công Thương', exact: true }))).toBe(true);
    await eventually(isVisible(tree.getByRole('link', { name: 'Quản lý công nghiệp', exact: true }))).toBe(true);
    await eventually(textOf(tree)).not.toContain('Sở Nội vụ');
    await eventually(textOf(tree)).not.toContain('Tỉnh Bình Phước');
    // The official created by quantri1 is in admin.sct's scope, and shown as suspended.
    await pickUnit('Quản lý công nghiệp');
    await eventually(textOf(rowFor(NEW.username).locator('.badge'))).toBe('Tạm đình chỉ');

    const res = await page.goto(`/tiepnhan/quan-tri/nguoi-dung?tk=${snvAdminId}`);
    expect(res?.status()).toBe(404);
    await eventually(textOf(page.getByRole('alert'))).toContain('không tồn tại hoặc bạn không có quyền xem');
    await eventually(attrOf(page.getByRole('alert'), 'data-error-code')).toBe('not_found');
    await eventually(textOf(page.locator('body'))).not.toContain('admin.snv');
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(browserErrors).toEqual([]);
  });
});
