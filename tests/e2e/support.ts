/**
 * Shared by the browser tests: start the real server (`node --import tsx src/main.ts`, demo data on
 * a fresh PGlite directory, the VNeID simulator on its own free port) and Debian's Chromium driven
 * by playwright-core; quick polling reads of the page; and the steps a person takes on every test
 * (solve the ALTCHA widget, log in with a password, log out, a citizen's VNeID login on the portal).
 *
 * Each test file is one story whose steps run in order (its describe says `shuffle: false`); files
 * share nothing and run alone or in any order. A file writes only under its own fresh temporary
 * folder (os.tmpdir()/motcua-e2e-XXXXXX): data/ (DATA_DIR), home/ and tmp/ (HOME and TMPDIR of the
 * server and the browser, and TMPDIR of playwright in the test process: profiles, artifacts),
 * screenshots/. The folder is removed after the file, kept (and named) when a test failed or with
 * E2E_KEEP=1 — then it also holds server.log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { formatDate, todayInVietnam } from '../../src/shared/dates.js';
import { demoOfficials } from '../../src/demo/officials.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The demo password every seeded account gets (DEMO_PASSWORD). */
export const PASSWORD = 'E2e-demo-Passw0rd!';
const READY_TIMEOUT_MS = 60_000;
/** How long the browser may take to solve the proof of work (a few seconds on 2 cores). */
const CAPTCHA_TIMEOUT_MS = 60_000;

export function freePort(): Promise<number> {
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

/** Two different free ports (the app's and the simulator's). */
async function twoFreePorts(): Promise<[number, number]> {
  const a = await freePort();
  let b = await freePort();
  while (b === a) b = await freePort();
  return [a, b];
}

function tail(text: string, lines = 40) {
  return text.split('\n').slice(-lines).join('\n');
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${tail(log())}`);
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
  throw new Error(`server not ready after ${READY_TIMEOUT_MS / 1000} s (last: ${last}):\n${tail(log())}`);
}

async function stopServer(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export type E2E = {
  /** The one page the steps run on (they run in order). */
  readonly page: Page;
  readonly context: BrowserContext;
  /** The app, e.g. http://localhost:41234. */
  readonly baseUrl: string;
  /** The VNeID simulator, http://127.0.0.1:<SIM_PORT>. */
  readonly simUrl: string;
  /** What the server printed so far. */
  readonly serverLog: string;
  /** Script errors and console errors in the browser (CSP violations among them). */
  readonly browserErrors: string[];
  /** Where a screenshot named `name` goes: screenshots/ of the file's temporary folder. */
  screenshotPath(name: string): string;
};

/**
 * Register the hooks that start the server and the browser before the file's tests and stop
 * them after; the returned object's fields are filled in by the time the first test runs.
 * `opts.env`: more of the server's environment (after the clean-up below).
 */
export function useE2E(opts: { env?: Record<string, string> } = {}): E2E {
  let port = 0;
  let simPort = 0;
  /** The file's temporary folder, everything it writes is under it. */
  let root = '';
  let failed = false;
  let savedTmpdir: string | undefined;
  let server: ChildProcess | null = null;
  let serverLog = '';
  let browser: Browser | null = null;
  let context: BrowserContext | null = null;
  let page: Page | null = null;
  const browserErrors: string[] = [];

  const e2e: E2E = {
    get page() {
      if (!page) throw new Error('the browser is not started (beforeAll failed?)');
      return page;
    },
    get context() {
      if (!context) throw new Error('the browser is not started (beforeAll failed?)');
      return context;
    },
    get baseUrl() {
      return `http://localhost:${port}`;
    },
    get simUrl() {
      return `http://127.0.0.1:${simPort}`;
    },
    get serverLog() {
      return serverLog;
    },
    browserErrors,
    screenshotPath(name: string) {
      if (!root) throw new Error('the temporary folder is not made yet (beforeAll failed?)');
      return path.join(root, 'screenshots', name);
    },
  };

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
    }
    [port, simPort] = await twoFreePorts();
    // The SMTP stand-in's port too: its default (2525) may be held by a demo server or another test's.
    let smtpPort = await freePort();
    while (smtpPort === port || smtpPort === simPort) smtpPort = await freePort();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-e2e-'));
    const dir = (name: string) => {
      const d = path.join(root, name);
      fs.mkdirSync(d);
      return d;
    };
    const [dataDir, home, tmp] = [dir('data'), dir('home'), dir('tmp')];
    dir('screenshots');
    // Playwright makes its browser profile and artifacts folders under os.tmpdir() of this process.
    savedTmpdir = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    const confined = { HOME: home, TMPDIR: tmp, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') };

    // A clean environment for the server: PGlite in dataDir, demo data, the built-in VNeID and
    // registry simulators on a port of their own, no inherited database, URL or provider.
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) {
      if (/^(VNEID|REGISTRY|SSO)_/.test(k)) delete env[k];
    }
    for (const k of ['DATABASE_URL', 'PUBLIC_URL', 'SESSION_SECRET', 'DEMO_DATA', 'TRUST_PROXY', 'NODE_OPTIONS']) delete env[k];
    Object.assign(env, {
      NODE_ENV: 'development',
      PORT: String(port),
      SIM_PORT: String(simPort),
      SIM_SMTP_PORT: String(smtpPort),
      DATA_DIR: dataDir,
      DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
      ...confined,
      ...opts.env,
    });
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
    await waitUntilReady(e2e.baseUrl, server, () => serverLog);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      env: { ...process.env, ...confined },
      downloadsPath: dir('downloads'),
      tracesDir: dir('traces'),
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
    context = await browser.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
    context.setDefaultTimeout(15_000);
    const p = await context.newPage();
    page = p;
    p.on('pageerror', (err) => browserErrors.push(`${p.url()}: ${err.message}`));
    p.on('console', (msg) => {
      // A 404 is logged for refusal pages (expected) and for /favicon.ico, which neither site has.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) browserErrors.push(`${p.url()}: ${msg.text()}`);
    });
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      failed = true;
      console.error(`--- page: ${page?.url()}\n--- server output (last lines):\n${tail(serverLog)}`);
    });
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close().catch(() => undefined);
    if (server) await stopServer(server);
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    if (!root) return;
    if (failed || process.env.E2E_KEEP === '1') {
      fs.writeFileSync(path.join(root, 'server.log'), serverLog);
      console.error(`--- e2e: kept ${root} (server.log, screenshots/, data/)`);
    } else {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  return e2e;
}

// ---------------------------------------------------------------------------------------------
// playwright-core has no web-first assertions (those are @playwright/test's): Vitest's expect.poll
// retries a quick read of the page until the assertion holds.

const WAIT_MS = 15_000;
const QUICK = { timeout: 1_000 };
export const eventually = <T>(read: () => Promise<T>, timeout = WAIT_MS) => expect.poll(read, { timeout, interval: 100 });
export const isVisible = (l: Locator) => () => l.isVisible();
export const textOf = (l: Locator) => async () => ((await l.textContent(QUICK)) ?? '').replace(/\s+/g, ' ').trim();
export const inputValueOf = (l: Locator) => () => l.inputValue(QUICK);
export const countOf = (l: Locator) => () => l.count();
export const attrOf = (l: Locator, name: string) => () => l.getAttribute(name, QUICK);
export const isChecked = (l: Locator) => () => l.isChecked(QUICK);
export const urlOf = (p: Page) => async () => p.url();
/**
 * Whether a refused form's summary (ErrorSummary, marked data-error-summary) has the focus — what a screen reader
 * announces — and is on the screen, as a phone scrolls to a focused element.
 */
export const errorSummaryFocused = (p: Page) => () =>
  p.evaluate(() => {
    const el = document.activeElement;
    if (!el?.hasAttribute('data-error-summary')) return false;
    const r = el.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight;
  });

// ---------------------------------------------------------------------------------------------
// Steps a person takes, through the page.

/** A form field by its visible label (required fields carry a trailing "*"). */
export function field(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^${escaped}\\s*\\*?$`));
}

/**
 * TIẾP NHẬN HỒ SƠ: choose the procedure (the form reloads with its time, fee and documents) and tick every document
 * as received (one original each, the form's default).
 */
export async function chooseProcedureAndTickAll(page: Page, procedure: string) {
  await field(page, 'Thủ tục hành chính').selectOption({ label: procedure });
  await page.getByRole('button', { name: 'Chọn', exact: true }).click();
  const boxes = page.getByRole('group', { name: 'THÀNH PHẦN HỒ SƠ' }).getByRole('checkbox');
  await eventually(countOf(boxes)).toBeGreaterThan(0);
  for (const box of await boxes.all()) await box.check();
}

/**
 * The ALTCHA widget: tick "Tôi không phải là người máy" and wait until it reports verified.
 * It is set to start on focus (auto="onfocus") and a login field has autofocus, so it is often
 * already working when the page appears. With `mustClick` the test still clicks the box by hand,
 * as officials do: once solved, a click keeps it ticked (src/web/static/login.js), never unticks it.
 */
async function solveCaptcha(page: Page, opts: { mustClick?: boolean } = {}) {
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
    expect(await state()).toBe('verified');
  }
  if (initial === 'unverified') {
    await eventually(textOf(label)).toBe('Tôi không phải là người máy');
    await label.click();
  }
  await eventually(state, CAPTCHA_TIMEOUT_MS).toBe('verified');
  await eventually(inputValueOf(payload)).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
  await eventually(textOf(label)).toBe('Đã xác minh');
  await eventually(isChecked(checkbox)).toBe(true);
}

/** Log in on /tiepnhan/dang-nhap with a username and password (and the CAPTCHA). */
export async function login(page: Page, username: string, password: string, opts: { mustClick?: boolean } = {}) {
  await page.goto('/tiepnhan/dang-nhap');
  await eventually(isVisible(page.getByRole('heading', { name: 'ĐĂNG NHẬP HỆ THỐNG' }))).toBe(true);
  await solveCaptcha(page, opts);
  await page.getByLabel('Tên tài khoản').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
}

/** What a citizen's VNeID login needs of a person of the simulator's population (sim/data/population.json). */
type VneidPerson = { soDinhDanh: string; password: string; soDienThoai: string };

/** The ids of the SMS in a phone's outbox at the simulator now: an OTP sent later is in the first SMS not among them. */
export async function smsIds(simUrl: string, phone: string): Promise<Set<string>> {
  const res = await fetch(`${simUrl}/dev/sms?phone=${encodeURIComponent(phone)}`, { signal: AbortSignal.timeout(2_000) });
  return new Set(((await res.json()) as Array<{ id: string }>).map((m) => m.id));
}

/** The six-digit OTP of the newest SMS of the phone that was not in `before`, once it has arrived. */
export async function otpFor(simUrl: string, phone: string, before: Set<string>): Promise<string> {
  let otp = '';
  await eventually(async () => {
    const res = await fetch(`${simUrl}/dev/sms?phone=${encodeURIComponent(phone)}`, { signal: AbortSignal.timeout(2_000) });
    const messages = (await res.json()) as Array<{ id: string; text: string }>;
    otp = /\b(\d{6})\b/.exec(messages.find((m) => !before.has(m.id))?.text ?? '')?.[1] ?? '';
    return otp;
  }).toMatch(/^\d{6}$/);
  return otp;
}

/** At the simulator, from the Bộ Công an account's link: số định danh and password, then the OTP from its SMS outbox. */
async function atVneidSimulator(page: Page, simUrl: string, person: VneidPerson) {
  await page.getByRole('link', { name: /^Tài khoản Định danh điện tử cấp bởi Bộ Công an/ }).click();
  await eventually(urlOf(page)).toMatch(/\/interaction\/[^/]+\/vneid$/);
  await page.getByLabel('Số định danh cá nhân').fill(person.soDinhDanh);
  await page.getByLabel('Mật khẩu').fill(person.password);
  const before = await smsIds(simUrl, person.soDienThoai);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await eventually(urlOf(page)).toMatch(/\/interaction\/[^/]+\/otp$/);
  await page.getByLabel('Mã OTP (6 chữ số)').fill(await otpFor(simUrl, person.soDienThoai, before));
  await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();
}

/**
 * A citizen logs in on the portal with VNeID through the simulator: Đăng nhập → the VNeID account type → số định
 * danh and password → the OTP read from the simulator's SMS outbox; ends on TRANG CÁ NHÂN.
 */
export async function loginCitizenWithVneid(page: Page, simUrl: string, person: VneidPerson) {
  await page.goto('/dang-nhap');
  await page.getByRole('link', { name: 'Tài khoản Định danh điện tử cấp bởi Bộ Công an' }).click();
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Đăng nhập' }))).toBe(true);
  await atVneidSimulator(page, simUrl, person);
  await eventually(urlOf(page)).toMatch(/\/ca-nhan$/);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TRANG CÁ NHÂN' }))).toBe(true);
}

/**
 * An official logs in on the one-stop login page with VNeID through the simulator and, if the login asks, accepts the
 * account as theirs (Đồng ý); ends on /tiepnhan.
 */
export async function loginOfficialWithVneid(page: Page, simUrl: string, person: VneidPerson) {
  await page.goto('/tiepnhan/dang-nhap');
  await page.getByRole('link', { name: 'Đăng nhập bằng tài khoản VNEID' }).click();
  await atVneidSimulator(page, simUrl, person);
  await eventually(urlOf(page), 30_000).toMatch(/\/tiepnhan(\/lien-ket-tai-khoan\?.*)?$/);
  if ((await urlOf(page)()).includes('/lien-ket-tai-khoan')) {
    await page.getByRole('button', { name: 'Đồng ý' }).first().click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
  }
}

/** The user menu in the header (a <details>): open it if it is closed. */
export async function openUserMenu(page: Page) {
  const menu = page.locator('details.usermenu');
  await menu.waitFor();
  if ((await menu.getAttribute('open')) === null) await menu.locator('> summary').click();
  await eventually(attrOf(menu, 'open')).not.toBeNull();
  return menu;
}

/** User menu → Đăng xuất, and the login page says so. */
export async function logout(page: Page) {
  const menu = await openUserMenu(page);
  await menu.getByRole('button', { name: 'Đăng xuất' }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap\?da-dang-xuat=1$/);
  await eventually(textOf(page.locator('p.flash-info'))).toBe('Bạn đã đăng xuất.');
}

/** Main menu → QUẢN TRỊ HỆ THỐNG: the Quản lý người dùng screen. */
export async function openUsersPage(page: Page) {
  await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'QUẢN TRỊ HỆ THỐNG' }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/quan-tri\/nguoi-dung$/);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'QUẢN LÝ PHÒNG BAN - CÁN BỘ' }))).toBe(true);
}

/** A demo official as the officials' stories name them: the login, the full name and the position shown. */
export type Who = { username: string; fullName: string; position: string };

/** The demo official `pred` picks (src/demo/officials.ts); `what` names it when the demo data changed. */
export function demoOfficial(pred: (o: ReturnType<typeof demoOfficials>[number]) => boolean, what: string): Who {
  const o = demoOfficials().find(pred);
  if (!o) throw new Error(`demo data changed: no ${what}`);
  return { username: o.username, fullName: `${o.middleName} ${o.givenName}`, position: o.position };
}

/**
 * Log an official in with the demo password and land on their home page (CÁ NHÂN, /tiepnhan); given who they are,
 * the page greets them by name.
 */
export async function loginOfficial(page: Page, who: Who | string) {
  await login(page, typeof who === 'string' ? who : who.username, PASSWORD);
  await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
  if (typeof who !== 'string') await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe(`Xin chào, ${who.fullName}`);
}

/**
 * Main menu → TIẾP NHẬN HỒ SƠ: a direct dossier of the procedure (every document ticked) for the applicant; ends on
 * the new dossier's page and gives its id and code.
 */
export async function receiveDossier(
  page: Page,
  r: { sector: string; procedure: string; applicant: { fullName: string; cccd: string; phone: string; address: string } },
): Promise<{ id: string; code: string }> {
  await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }).click();
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);
  await page.getByLabel('Lĩnh vực dịch vụ công').selectOption({ label: r.sector });
  await page.getByRole('button', { name: 'Chọn', exact: true }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/tiep-nhan\?linhvuc=[0-9a-f-]{36}(&procedureId=)?$/);
  await chooseProcedureAndTickAll(page, r.procedure);
  return receiveDirectFrom(page, r.applicant);
}

/**
 * TIẾP NHẬN HỒ SƠ with the procedure chosen and what was brought ticked: Trực tiếp, the applicant, Tiếp nhận; ends on
 * the new dossier's page and gives its id and code.
 */
export async function receiveDirectFrom(
  page: Page,
  applicant: { fullName: string; cccd: string; phone: string; address: string },
): Promise<{ id: string; code: string }> {
  await page.getByRole('radio', { name: 'Trực tiếp' }).check();
  await field(page, 'Họ tên').fill(applicant.fullName);
  await field(page, 'Số CMND/CCCD').fill(applicant.cccd);
  await field(page, 'Số điện thoại').fill(applicant.phone);
  await field(page, 'Địa chỉ').fill(applicant.address);
  await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
  await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so\/[0-9a-f-]{36}\?tb=received$/);
  const heading = textOf(page.getByRole('heading', { level: 1 }));
  await eventually(heading).toMatch(/^Hồ sơ \S+$/);
  return { id: /\/ho-so\/([0-9a-f-]{36})\?/.exec(page.url())?.[1] ?? '', code: (await heading()).replace(/^Hồ sơ /, '') };
}

/**
 * Another desk: a second browser context on the same server (another official, logged in beside the first), set up
 * as the first (Vietnamese, 15 s steps) with axe-core as an init script; its first page. The caller closes it.
 */
export async function openDesk(
  e2e: E2E,
  viewport: { width: number; height: number } = { width: 1366, height: 900 },
): Promise<[BrowserContext, Page]> {
  const browser = e2e.context.browser();
  if (!browser) throw new Error('no browser');
  const desk = await browser.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN', viewport });
  desk.setDefaultTimeout(15_000);
  await desk.addInitScript({ path: AXE_SCRIPT });
  return [desk, await desk.newPage()];
}

/** The list of officials on Quản lý người dùng, and the row of one account in it. */
export const officialsTable = (page: Page) => page.locator('table#officials');
export const rowFor = (page: Page, username: string) =>
  officialsTable(page).locator('tbody tr', { has: page.getByRole('cell', { name: username, exact: true }) });

// ---------------------------------------------------------------------------------------------
// Accessibility: axe-core in the page. Add AXE_SCRIPT as an init script of the context (the pages' strict CSP,
// script-src 'self', refuses an injected <script>; an init script runs before the page's own and is not subject to it).

/** axe-core's browser build, for `context.addInitScript({ path: AXE_SCRIPT })`. */
export const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const AXE_BLOCKING = new Set(['serious', 'critical']);

/** axe (WCAG 2.1 AA) on the page as it is now: its serious and critical violations, one line each (rule, page, selectors). */
export async function axeProblems(page: Page, label: string): Promise<string[]> {
  await page.waitForLoadState('load');
  const found = await page.evaluate(async (tags) => {
    type AxeResult = { id: string; impact?: string | null; help: string; nodes: Array<{ target: unknown[] }> };
    type Axe = { run: (ctx: Document, opts: object) => Promise<{ violations: AxeResult[] }> };
    const axe = (window as Window & { axe?: Axe }).axe;
    if (!axe) throw new Error('axe-core is not on the page (add AXE_SCRIPT as an init script of the context)');
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
  }, AXE_TAGS);
  const url = new URL(page.url());
  return found
    .filter((v) => AXE_BLOCKING.has(v.impact))
    .map((v) => `${v.id} [${v.impact}] on ${label} (${url.pathname}${url.search}): ${v.help} — ${v.targets.slice(0, 8).join(' | ')}`);
}

/** axe on the page now: every serious or critical violation reported at once. */
export async function expectAccessible(page: Page, label: string) {
  const problems = await axeProblems(page, label);
  expect(problems, `axe found serious or critical violations:\n${problems.join('\n')}`).toEqual([]);
}

/**
 * Kết quả giải quyết on the dossier page (src/onestop/result-section.tsx), as the official preparing it does before
 * Phê duyệt: attach the signed document (when given), then record its số, ký hiệu, ngày ký (today) and trích yếu.
 */
export async function recordResultOnPage(
  page: Page,
  r: { number: string; summary: string; file?: { name: string; mimeType: string; buffer: Buffer } },
) {
  if (r.file) {
    await page.getByLabel(/^Đính kèm kết quả/).setInputFiles(r.file);
    await page.getByRole('button', { name: 'Đính kèm', exact: true }).click();
    await eventually(countOf(page.locator('#result-files').getByRole('link', { name: r.file.name, exact: true }))).toBe(1);
  }
  const form = page.locator('form#record-result');
  await form.getByLabel('Số, ký hiệu').fill(r.number);
  await form.getByLabel('Ngày ký (dd/mm/yyyy)').fill(formatDate(todayInVietnam()));
  await form.getByLabel('Trích yếu').fill(r.summary);
  await form.getByRole('button', { name: 'Ghi nhận kết quả' }).click();
  await eventually(textOf(page.locator('#result-record'))).toContain(r.number);
}
