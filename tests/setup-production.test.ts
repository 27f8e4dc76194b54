/**
 * A province's first day (issue 16, items 6–7): `npm run setup` run as automation does it (a spawned process,
 * flags only, no terminal, NODE_ENV=production) against a fresh PostgreSQL database of this test, then the real
 * server started in production mode on that database, and the created administrator logging in over HTTP — with
 * the password alone while password login is open, then, after the VNeID-only date they set themselves, with the
 * password and the TOTP code of the secret the setup printed once. Abuse: bad input (an agency code of another
 * province, a weak password, a missing flag, no --yes) refused with precise messages before anything is written;
 * a second run refused with nothing changed.
 *
 * The HTTP part runs in the PostgreSQL project (TEST_DATABASE_URL set); the PGlite project runs the command on an
 * embedded database of its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { generate } from 'otplib';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { accounts, auditLog, roleGrants, sessions, settings, units } from '../src/db/schema/index.js';
import { sealAuditChain } from '../src/audit/seal.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { formatDate, todayInVietnam } from '../src/shared/dates.js';
import { freePort } from './support/vneid.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PUBLIC_URL = 'https://motcua.tinh.example.vn';
const PASSWORD = 'Quản-trị-tỉnh-2026!';

/**
 * What production demands (src/config.ts), with addresses that are not the simulators' and secrets that are not the
 * demo ones: nothing here is called during a password + TOTP login.
 */
const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  PUBLIC_URL,
  SESSION_SECRET: 'setup-test-session-secret-0123456789abcdef',
  SSO_KEY_ENCRYPTION_KEY: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  VNEID_ISSUER: 'https://vneid.example.vn',
  VNEID_CLIENT_ID: 'motcua-h10',
  VNEID_CLIENT_SECRET: 'setup-test-vneid-secret',
  REGISTRY_URL: 'https://dancu.example.vn/v1/verify',
  REGISTRY_TOKEN: 'setup-test-registry-token',
  PAYMENT_URL: 'https://thanhtoan.example.vn/pay',
  PAYMENT_MERCHANT: 'H10',
  PAYMENT_SECRET: 'setup-test-payment-secret',
  LOG_LEVEL: 'warn',
};

const GOOD_FLAGS = {
  'province-name': 'Tỉnh Bình Phước',
  'province-code': 'H10',
  'agency-code': '000.00.00.H10',
  'admin-username': 'quantri.tinh',
  'admin-middle-name': 'Trần Thị',
  'admin-given-name': 'Hoa',
  'admin-gender': 'nữ',
  'admin-password': PASSWORD,
};

const flags = (values: Record<string, string>, extra: string[] = ['--yes']) => [
  ...Object.entries(values).flatMap(([k, v]) => [`--${k}`, v]),
  ...extra,
];

const skipReason = process.env.MOTCUA_TEST_DB !== 'postgres' ? 'the PostgreSQL project only (TEST_DATABASE_URL)' : null;

type Run = { code: number | null; stdout: string; stderr: string };

/** `npm run setup -- …` as a deployment script runs it: no terminal (stdin closed). */
function runSetupWith(env: NodeJS.ProcessEnv, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'setup', '--', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The production environment of PRODUCTION_ENV and `extra`: nothing of the developer's or CI's own configuration leaks in. */
function productionEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env))
    if (/^(VNEID|REGISTRY|SSO|PAYMENT|SMS|ZNS|SMTP|MAIL|NATIONAL_PORTAL|STORAGE|DEMO|SIM)_/.test(k)) delete env[k];
  for (const k of ['PUBLIC_URL', 'SESSION_SECRET', 'DATA_DIR', 'DATABASE_URL', 'TRUST_PROXY', 'NODE_OPTIONS', 'METRICS_TOKEN', 'PORT'])
    delete env[k];
  return Object.assign(env, PRODUCTION_ENV, extra);
}

describe.skipIf(skipReason !== null)(`npm run setup in production${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let adminUrl = '';
  let dbUrl = '';
  let dbName = '';
  let env: NodeJS.ProcessEnv = {};
  let database: Database | null = null;
  let server: ChildProcess | null = null;
  let serverLog = '';

  const runSetup = (args: string[]) => runSetupWith(env, args);

  async function tableCount(): Promise<number> {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      const res = await c.query<{ n: number }>(`select count(*)::int as n from information_schema.tables where table_schema = 'public'`);
      return res.rows[0]!.n;
    } finally {
      await c.end();
    }
  }

  /** Everything the setup writes, counted. */
  async function counts() {
    const db = database!.db;
    const n = async (table: typeof units | typeof accounts | typeof roleGrants | typeof settings | typeof auditLog) =>
      (await db.select().from(table)).length;
    return {
      units: await n(units),
      accounts: await n(accounts),
      grants: await n(roleGrants),
      settings: await n(settings),
      audit: await n(auditLog),
    };
  }

  beforeAll(async () => {
    const base = new URL(process.env.TEST_DATABASE_URL!);
    // The global set-up drops every database named after its base at the end, this one too if afterAll cannot.
    dbName = `${inject('pgBaseName')}_setup`;
    const admin = new pg.Client({ connectionString: base.toString() });
    await admin.connect();
    await admin.query(`create database "${dbName}"`);
    await admin.end();
    adminUrl = base.toString();
    base.pathname = `/${dbName}`;
    dbUrl = base.toString();
    env = productionEnv({ DATABASE_URL: dbUrl });
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    }
    await database?.close();
    if (dbName) {
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    }
  }, 60_000);

  it('refuses bad input with a precise message per flag, before the database is touched', async () => {
    const bad = await runSetup(flags({ ...GOOD_FLAGS, 'agency-code': '000.00.00.H11', 'admin-password': 'ngắn quá' }));
    expect(bad.code, bad.stderr).toBe(1);
    expect(bad.stderr).toContain('Thông tin chưa hợp lệ, chưa tạo gì:');
    expect(bad.stderr).toContain(
      '--agency-code: Mã định danh điện tử 000.00.00.H11 không thuộc tỉnh có mã H10: nhóm cuối phải là H10 (ví dụ: 000.00.00.H10).',
    );
    expect(bad.stderr).toContain('--admin-password: Mật khẩu phải có ít nhất 12 ký tự.');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const malformed = await runSetup(flags({ ...GOOD_FLAGS, 'agency-code': 'H10-0001', 'admin-password': 'quantri.tinh-2026-abc' }));
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('--agency-code: Mã định danh điện tử không đúng dạng (ví dụ: 000.00.13.H10).');
    expect(malformed.stderr).toContain('--admin-password: Mật khẩu không được chứa tên tài khoản.');
    // Automation without every required flag, or without --yes: a usage error naming what is missing.
    const { 'admin-gender': _gender, ...noGender } = GOOD_FLAGS;
    const missing = await runSetup(flags(noGender));
    expect([missing.code, missing.stderr.split('\n')[0]]).toEqual([2, 'npm run setup: không chạy trên terminal: thiếu --admin-gender.']);
    const unconfirmed = await runSetup(flags(GOOD_FLAGS, []));
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('cần --yes');
    // Nothing was written: not even the migrations ran.
    expect(await tableCount()).toBe(0);
  }, 180_000);

  it('creates the province, its root unit and the break-glass province administrator, audited, once', async () => {
    const run = await runSetup(flags(GOOD_FLAGS));
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain('Đã khởi tạo Tỉnh Bình Phước: đơn vị gốc Tỉnh Bình Phước (000.00.00.H10), quản trị tỉnh quantri.tinh.');
    expect(run.stdout).toContain('CHỈ HIỆN MỘT LẦN');
    // A password on the command line is visible in ps to every user of the machine: said, with the safe way.
    expect(run.stderr).toContain('Lưu ý: mật khẩu trong --admin-password hiện trong danh sách tiến trình (ps)');
    expect(run.stdout).toMatch(/[▀▄█]{7}/); // the QR code, drawn in the terminal
    const secret = /Khóa bí mật: ([A-Z2-7]+)/.exec(run.stdout)?.[1];
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    expect(run.stdout).toContain(`otpauth://totp/`);
    expect(run.stdout).toContain(`secret=${secret}`);

    database = await openDatabase({ url: dbUrl, poolSize: 2 });
    const db = database.db;
    const [root, ...others] = await db.select().from(units);
    expect(others).toEqual([]);
    expect(root).toMatchObject({ name: 'Tỉnh Bình Phước', agencyCode: '000.00.00.H10', kind: 'province', parentId: null, active: true });
    const [province] = await db.select().from(settings).where(eq(settings.key, 'province'));
    expect(province!.value).toEqual({ name: 'Tỉnh Bình Phước', code: 'H10' });
    const [acc, ...moreAccounts] = await db.select().from(accounts);
    expect(moreAccounts).toEqual([]);
    expect(acc).toMatchObject({
      username: 'quantri.tinh',
      middleName: 'Trần Thị',
      givenName: 'Hoa',
      unitId: root!.id,
      breakGlass: true,
      totpSecret: secret,
      mustChangePassword: false,
      suspended: false,
    });
    expect(acc!.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await db.select().from(roleGrants)).map((g) => [g.accountId, g.unitId, g.role])).toEqual([[acc!.id, root!.id, 'admin']]);
    const audit = await db.select().from(auditLog);
    expect(audit.map((r) => [r.action, r.actorKind, r.actorLabel])).toEqual([
      ['unit.create', 'system', 'setup'],
      ['account.create', 'system', 'setup'],
      ['account.roles', 'system', 'setup'],
      ['cutover.break_glass_on', 'system', 'setup'],
      ['setup.province', 'system', 'setup'],
    ]);
    // The secret is never in the audit trail.
    expect(JSON.stringify(audit)).not.toContain(secret!);

    // A second run, even with another administrator's name: refused, nothing changed.
    const before = await counts();
    const again = await runSetup(flags({ ...GOOD_FLAGS, 'admin-username': 'quantri2' }));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'Không khởi tạo: Hệ thống đã được khởi tạo (đã có tỉnh Tỉnh Bình Phước, mã H10). Lệnh khởi tạo chỉ chạy một lần, trên cơ sở dữ liệu chưa có đơn vị nào.',
    );
    expect(again.stdout).not.toContain('Khóa bí mật');
    expect(await counts()).toEqual(before);
    const [still] = await db.select().from(accounts);
    expect(still!.totpSecret).toBe(secret);

    // The real server in production mode, on this database; the administrator logs in over HTTP.
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => (serverLog += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (serverLog += d.toString()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`server exited at start:\n${serverLog.slice(-3000)}`);
      const ready = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`server not ready:\n${serverLog.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    // While no VNeID-only date is set, the password alone opens a session.
    const first = new Browser(base);
    const open = await first.login('quantri.tinh', PASSWORD);
    expect([open.status, open.location], serverLog.slice(-2000)).toEqual([303, '/tiepnhan']);
    const home = await first.get('/tiepnhan');
    expect(home.status).toBe(200);
    expect(home.text).toContain('TỈNH BÌNH PHƯỚC');
    expect(home.text).toContain('QUẢN TRỊ HỆ THỐNG');
    // The administrator makes today the first day of VNeID only (Chuyển đổi đăng nhập VNeID, confirmed).
    const cutoff = await first.post('/tiepnhan/quan-tri/chuyen-doi-vneid/ngay-tinh', {
      date: formatDate(todayInVietnam()),
      xacnhan: '1',
    });
    expect(cutoff.status, cutoff.text.slice(0, 500)).toBe(200);
    expect(cutoff.text).toContain('Đã đặt ngày chỉ đăng nhập bằng VNeID');

    // From now on the password leads to the code step, and the TOTP of the printed secret opens the session.
    const second = new Browser(base);
    const step = await second.login('quantri.tinh', PASSWORD);
    expect([step.status, step.location]).toEqual([303, '/tiepnhan/dang-nhap/ma-xac-thuc']);
    const code = await generate({ secret: secret! });
    const wrongCode = `${(Number(code[0]) + 1) % 10}${code.slice(1)}`;
    const wrong = await second.post('/tiepnhan/dang-nhap/ma-xac-thuc', { code: wrongCode }, '/tiepnhan/dang-nhap/ma-xac-thuc');
    expect(wrong.status).toBe(401);
    const ok = await second.post('/tiepnhan/dang-nhap/ma-xac-thuc', { code }, '/tiepnhan/dang-nhap/ma-xac-thuc');
    expect([ok.status, ok.location]).toEqual([303, '/tiepnhan']);
    const inside = await second.get('/tiepnhan');
    expect(inside.status).toBe(200);
    expect(inside.text).toContain('Bạn đang đăng nhập bằng tài khoản khẩn cấp');
    const methods = (await db.select({ method: sessions.method }).from(sessions).where(eq(sessions.accountId, acc!.id))).map(
      (s) => s.method,
    );
    expect(methods.sort()).toEqual(['password', 'password+totp']);

    // The whole trail, setup rows included, seals into one valid chain.
    await sealAuditChain(db);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, unsealed: 0 });
  }, 180_000);
});

/**
 * The embedded database (PGlite project): the same command on a DATA_DIR of its own, applying the migrations there
 * first; a second run refused. The HTTP login is the PostgreSQL project's (above).
 */
describe.skipIf(process.env.MOTCUA_TEST_DB === 'postgres')('npm run setup on the embedded database', () => {
  let dataDir = '';
  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-setup-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('creates the province and its administrator in DATA_DIR, once', async () => {
    const env = productionEnv({ DATA_DIR: dataDir });
    const run = await runSetupWith(env, flags(GOOD_FLAGS));
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toContain(`Database: PGlite ${dataDir}`);
    const secret = /Khóa bí mật: ([A-Z2-7]+)/.exec(run.stdout)?.[1];
    // From a file, the password leaves no trace in the process list and no warning is printed.
    const passwordFile = path.join(dataDir, 'quantri.pw');
    fs.writeFileSync(passwordFile, `${GOOD_FLAGS['admin-password']}\n`, { mode: 0o600 });
    const { 'admin-password': _onCommandLine, ...withoutPassword } = GOOD_FLAGS;
    const again = await runSetupWith(env, flags({ ...withoutPassword, 'admin-password-file': passwordFile }));
    expect([again.code, again.stderr.trim()]).toEqual([
      1,
      'Không khởi tạo: Hệ thống đã được khởi tạo (đã có tỉnh Tỉnh Bình Phước, mã H10). Lệnh khởi tạo chỉ chạy một lần, trên cơ sở dữ liệu chưa có đơn vị nào.',
    ]);
    const database = await openDatabase({ dataDir });
    try {
      const [root] = await database.db.select().from(units);
      expect(root).toMatchObject({ name: 'Tỉnh Bình Phước', agencyCode: '000.00.00.H10' });
      const [acc] = await database.db.select().from(accounts);
      expect(acc).toMatchObject({ username: 'quantri.tinh', breakGlass: true, totpSecret: secret, unitId: root!.id });
    } finally {
      await database.close();
    }
  }, 300_000);
});

/** A browser against the real server: cookies kept, the CSRF token read from the page, the CAPTCHA solved. */
class Browser {
  private cookies = new Map<string, string>();
  constructor(private base: string) {}

  private async request(method: string, pathname: string, body?: URLSearchParams) {
    const res = await fetch(`${this.base}${pathname}`, {
      method,
      redirect: 'manual',
      body: body ?? null,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        // Behind the TLS-terminating load balancer the browser's origin is the public one.
        ...(body ? { origin: new URL(PUBLIC_URL).origin, 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const at = pair!.indexOf('=');
      const [name, value] = [pair!.slice(0, at), pair!.slice(at + 1)];
      if (/max-age=0/i.test(sc) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  get(pathname: string) {
    return this.request('GET', pathname);
  }

  async post(
    pathname: string,
    form: Record<string, string>,
    csrfFrom = pathname.startsWith('/tiepnhan/quan-tri') ? '/tiepnhan/quan-tri/chuyen-doi-vneid' : '/tiepnhan/dang-nhap',
  ) {
    const page = await this.get(csrfFrom);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    if (!csrf) throw new Error(`no CSRF token on ${csrfFrom} (${page.status})`);
    return this.request('POST', pathname, new URLSearchParams({ _csrf: csrf, ...form }));
  }

  async login(username: string, password: string) {
    const challenge = JSON.parse((await this.get('/tiepnhan/captcha')).text) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    if (!solution) throw new Error('could not solve the CAPTCHA');
    const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
    return this.post('/tiepnhan/dang-nhap', { username, password, altcha });
  }
}
