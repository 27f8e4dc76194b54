/**
 * The break-glass code step after the VNeID cutoff (issue 12, item 14): the right password (and CAPTCHA) leaves a
 * pending login bound to this browser by a cookie (hashed at rest); the next page asks for the 6-digit code only.
 * Use and abuse over HTTP: the right code, a wrong one (with the tries left), a replayed one, an expired pending
 * login, another browser's, step 1 skipped, and the lockout after THROTTLE.totp.limit wrong codes.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { generate } from 'otplib';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, useDemoApp } from './support/fixtures.js';
import { auditLog, pendingIdentityLogins, sessions } from '../src/db/schema/index.js';
import { setProvinceCutoff } from '../src/cutover/set-cutoff.js';
import { readyBreakGlass } from './support/break-glass.js';
import { THROTTLE } from '../src/auth/throttle.js';
import { tokenHash } from '../src/auth/sessions.js';

const t = useDemoApp();
const CODE_PATH = '/tiepnhan/dang-nhap/ma-xac-thuc';
const PENDING = 'motcua_pending';
const codeOf = (html: string) => /data-error-code="([^"]+)"/.exec(html)?.[1] ?? null;
const messageOf = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1]?.trim() ?? null;

/** After the cutoff, on a clock the test moves; admin.dx (and quantri1 when asked) break-glass with their secrets. */
async function afterCutoff() {
  const clock = { now: new Date('2026-10-21T09:00:00+07:00') };
  const root = await actorFor(t.database, 'quantri1');
  await setProvinceCutoff(t.database.db, root, { date: '20/10/2026' }, new Date());
  const secretOf = async (username: string) => readyBreakGlass(t.database.db, root, (await accountByUsername(t.database, username))!.id);
  const dx = await secretOf('admin.dx');
  const codeAt = (secret: string, offsetSeconds = 0) => generate({ secret, epoch: Math.floor(clock.now.getTime() / 1000) + offsetSeconds });
  const app = buildApp(t.database, {}, { now: () => clock.now });
  const advance = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };
  return { app, advance, secretOf, code: (offset = 0) => codeAt(dx, offset), codeAt };
}

/** Step 1 in a fresh browser: the right password of a break-glass account goes to the code page. */
async function stepOne(app: ReturnType<typeof buildApp>, username = 'admin.dx', ip?: string) {
  const c = new Client(app, ip);
  const res = await c.login(username, TEST_PASSWORD);
  expect([res.status, res.location]).toEqual([303, CODE_PATH]);
  return c;
}

const sendCode = (c: Client, code: string, extra: Record<string, string> = {}) => c.post(CODE_PATH, { code, ...extra });
const failures = async (reason: string) =>
  (await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'))).filter(
    (r) => (r.data as { reason?: string }).reason === reason,
  );

describe('the break-glass code step', () => {
  it('asks for the code only, keeps no password in the page and the token only hashed, and logs in once', async () => {
    const { app, code } = await afterCutoff();
    const c = await stepOne(app);
    const token = c.cookies.get(PENDING)!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const page = await c.get(CODE_PATH);
    expect(page.status).toBe(200);
    expect(page.text).toContain('nhập mã xác thực 6 chữ số');
    // Only the CSRF token travels with the code: no name, no password, no hidden copy of either.
    expect([...page.text.matchAll(/<input[^>]*name="([^"]+)"/g)].map((m) => m[1])).toEqual(['_csrf', 'code']);
    expect(page.text).not.toContain(TEST_PASSWORD);
    const [row] = await t.database.db.select().from(pendingIdentityLogins);
    expect(row).toMatchObject({ method: 'password', tokenHash: tokenHash(token), usernameLower: 'admin.dx', paused: false });
    expect(JSON.stringify(row)).not.toContain(token);

    const ok = await sendCode(c, await code());
    expect([ok.status, ok.location]).toEqual([303, '/tiepnhan']);
    expect(c.cookies.has(PENDING)).toBe(false);
    expect(await t.database.db.select().from(pendingIdentityLogins)).toEqual([]);
    const [session] = await t.database.db.select().from(sessions);
    expect(session).toMatchObject({ method: 'password+totp', personId: null });
    // Audited as the one-page login did: the right password without its code yet, then the login.
    expect((await failures('totp_missing')).map((r) => r.data)).toEqual([{ method: 'password', reason: 'totp_missing', breakGlass: true }]);
    const logins = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(logins.at(-1)!.data).toMatchObject({ method: 'password+totp', breakGlass: true });
    expect((await c.get('/tiepnhan')).status).toBe(200);
  });

  it('a wrong code says "Mã xác thực không đúng" with the tries left; a malformed one is not counted', async () => {
    const { app, code } = await afterCutoff();
    const c = await stepOne(app);
    const wrong = await sendCode(c, '000000');
    expect([wrong.status, codeOf(wrong.text)]).toEqual([401, 'totp_invalid']);
    expect(messageOf(wrong.text)).toBe(`Mã xác thực không đúng hoặc đã được sử dụng. Bạn còn ${THROTTLE.totp.limit - 1} lần thử.`);
    expect(wrong.text).toContain('name="code"');
    expect(await failures('totp_invalid')).toHaveLength(1);
    const malformed = await sendCode(c, '12ab');
    expect([malformed.status, codeOf(malformed.text), messageOf(malformed.text)]).toEqual([
      400,
      'validation_failed',
      'Mã xác thực gồm 6 chữ số.',
    ]);
    const again = await sendCode(c, '000001');
    expect(messageOf(again.text)).toContain(`Bạn còn ${THROTTLE.totp.limit - 2} lần thử.`);
    // The same pending login still takes the right code.
    expect((await sendCode(c, await code())).status).toBe(303);
  });

  it('malformed codes get a clear 400, never a 500, and are not counted', async () => {
    const { app, code } = await afterCutoff();
    const c = await stepOne(app);
    for (const bad of [`12\u0000456`, '9'.repeat(10_000), '', '１２３４５６']) {
      const res = await sendCode(c, bad);
      expect([res.status, codeOf(res.text), messageOf(res.text)]).toEqual([400, 'validation_failed', 'Mã xác thực gồm 6 chữ số.']);
    }
    expect(messageOf((await sendCode(c, '000000')).text)).toContain(`Bạn còn ${THROTTLE.totp.limit - 1} lần thử.`);
    const twice = await c.post(CODE_PATH, { code: ['000000', '111111'] });
    expect(twice.status).toBeLessThan(500);
    const none = await c.post(CODE_PATH, {});
    expect([none.status, codeOf(none.text)]).toEqual([400, 'validation_failed']);
    // Spaces inside the code, as an authenticator app shows it, are fine.
    const spaced = (await code()).replace(/^(\d{3})/, '$1 ');
    expect((await sendCode(c, spaced)).status).toBe(303);
  });

  it('a code used once is refused in the same time step, in another browser too', async () => {
    const { app, code } = await afterCutoff();
    const used = await code();
    expect((await sendCode(await stepOne(app), used)).status).toBe(303);
    const other = await stepOne(app, 'admin.dx', '198.51.100.20');
    const replay = await sendCode(other, used);
    expect([replay.status, codeOf(replay.text)]).toEqual([401, 'totp_invalid']);
    expect(other.cookies.has('motcua_sid')).toBe(false);
  });

  it('expires after a few minutes: "hết hạn, đăng nhập lại", and the right code no longer helps', async () => {
    const { app, advance, code } = await afterCutoff();
    const c = await stepOne(app);
    advance(5 * 60 + 1);
    const late = await sendCode(c, await code());
    expect([late.status, codeOf(late.text)]).toEqual([401, 'login_step_expired']);
    expect(messageOf(late.text)).toBe('Phiên nhập mã xác thực đã hết hạn, đăng nhập lại.');
    // Back on step 1, with the password field; the dead cookie is gone.
    expect(late.text).toContain('name="password"');
    expect(c.cookies.has(PENDING)).toBe(false);
    expect(c.cookies.has('motcua_sid')).toBe(false);
  });

  it('skipping step 1, or another browser without the cookie or with a forged one, opens nothing', async () => {
    const { app, code } = await afterCutoff();
    const fresh = new Client(app);
    expect((await fresh.get(CODE_PATH)).location).toBe('/tiepnhan/dang-nhap');
    const skipped = await sendCode(fresh, await code(), { username: 'admin.dx' });
    expect([skipped.status, codeOf(skipped.text)]).toEqual([401, 'login_step_expired']);
    // A browser that started step 1 keeps its pending login; another one guessing a token gets nowhere.
    const owner = await stepOne(app);
    const forger = new Client(app);
    forger.cookies.set(PENDING, `${owner.cookies.get(PENDING)!.slice(0, -2)}xx`);
    expect(codeOf((await sendCode(forger, await code())).text)).toBe('login_step_expired');
    expect(fresh.cookies.has('motcua_sid') || forger.cookies.has('motcua_sid')).toBe(false);
    expect((await sendCode(owner, await code())).status).toBe(303);
  });

  it("a pending login opens only its own account: another account's code, or its name in the form, does not", async () => {
    const { app, secretOf, codeAt } = await afterCutoff();
    const root = await secretOf('quantri1');
    const c = await stepOne(app, 'quantri1');
    // The code of admin.dx (another break-glass account) is no code of quantri1.
    const dx = await stepOne(app);
    const foreign = await sendCode(c, await codeAt((await accountByUsername(t.database, 'admin.dx'))!.totpSecret!), {
      username: 'admin.dx',
    });
    expect(codeOf(foreign.text)).toBe('totp_invalid');
    const ok = await sendCode(c, await codeAt(root));
    expect(ok.status).toBe(303);
    const [session] = await t.database.db.select().from(sessions);
    expect(session!.accountId).toBe((await accountByUsername(t.database, 'quantri1'))!.id);
    expect(dx.cookies.has('motcua_sid')).toBe(false);
  });

  it(`locks the code step after ${THROTTLE.totp.limit} wrong codes, counted per name across browsers, ending the pending login`, async () => {
    const { app, advance, code } = await afterCutoff();
    const first = await stepOne(app, 'admin.dx', '198.51.100.31');
    for (let i = 1; i < THROTTLE.totp.limit - 1; i++) {
      expect(messageOf((await sendCode(first, '000000')).text)).toContain(`Bạn còn ${THROTTLE.totp.limit - i} lần thử.`);
    }
    // A new pending login elsewhere does not restart the count.
    const second = await stepOne(app, 'admin.dx', '198.51.100.32');
    expect(messageOf((await sendCode(second, '000000')).text)).toContain('Bạn còn 1 lần thử.');
    const last = await sendCode(second, '000000');
    expect([last.status, codeOf(last.text)]).toEqual([429, 'totp_locked']);
    expect(messageOf(last.text)).toContain(`Bạn đã nhập sai mã xác thực ${THROTTLE.totp.limit} lần`);
    expect(last.text).toContain('name="password"');
    expect(codeOf((await sendCode(second, await code())).text)).toBe('login_step_expired');
    // Locked: even the right code in the other browser's live pending login waits.
    expect(codeOf((await sendCode(first, await code())).text)).toBe('totp_locked');
    expect(await failures('totp_locked')).toHaveLength(2);
    // After the lock, step 1 again and the right code.
    advance(THROTTLE.totp.lockMs / 1000 + 1);
    expect((await sendCode(await stepOne(app), await code())).status).toBe(303);
  });

  it('many codes sent at once are no more guesses than the limit: the right one behind them opens nothing', async () => {
    const { app, code } = await afterCutoff();
    const c = await stepOne(app);
    const csrf = await c.csrf(CODE_PATH);
    const wrong = Array.from({ length: 4 * THROTTLE.totp.limit }, (_, i) => String(100000 + i));
    const right = await code();
    const answers = await Promise.all([...wrong.filter((w) => w !== right), right].map((x) => c.post(CODE_PATH, { code: x }, { csrf })));
    expect(answers.filter((a) => a.status === 303)).toEqual([]);
    expect(await t.database.db.select().from(sessions)).toEqual([]);
  });
});
