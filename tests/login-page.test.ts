/**
 * The officials' login page (issue 12, item 14): a CAPTCHA sized for a phone and never replayable, the
 * break-glass TOTP code asked for on a second page only (its use and abuse: login-code-step.test.ts), messages
 * that fit each case, refused VNeID logins on a clean page, the break-glass banner.
 */
import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { useVneidDemo, vneidLogin } from './support/vneid.js';
import { accountByUsername, actorFor } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { CAPTCHA_COST, CAPTCHA_COUNTER_MAX, CAPTCHA_COUNTER_MIN, createCaptcha } from '../src/auth/captcha.js';
import { setProvinceCutoff } from '../src/cutover/set-cutoff.js';
import { readyBreakGlass } from './support/break-glass.js';

const t = useVneidDemo();
const at = (iso: string) => () => new Date(`${iso}T09:00:00+07:00`);
const appOn = (iso: string) => buildApp(t.database, t.sim.env, { now: at(iso) });
const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const officials = demoOfficials();
const sct = (o: { unitKey: string }) => o.unitKey.startsWith('sct');
const verifiedOfficial = () => officials.find((o) => o.verified && sct(o))!;
const unverifiedOfficial = () => officials.find((o) => !o.verified && sct(o) && !o.cccd)!;
const unbound = () => officials.find((o) => !o.cccd && personOf(o.username).loa === 2)!;

const BANNER = 'Bạn đang đăng nhập bằng tài khoản khẩn cấp — mọi thao tác được ghi nhật ký.';
const codeOf = (html: string) => /data-error-code="([^"]+)"/.exec(html)?.[1] ?? null;
const messageOf = (html: string) => /role="alert"[^>]*>([^<]*)</.exec(html)?.[1]?.trim() ?? null;
/** Whether a page has a field for a TOTP code (only the second step has one). */
const codeField = (html: string) => /name="(code|totp)"/.test(html);

async function breakGlassOn(day: string) {
  const root = await actorFor(t.database, 'quantri1');
  await setProvinceCutoff(t.database.db, root, { date: '20/10/2026' }, new Date());
  const acc = (await accountByUsername(t.database, 'admin.dx'))!;
  const secret = await readyBreakGlass(t.database.db, root, acc.id);
  const totpNow = () => generate({ secret, epoch: Math.floor(at(day)().getTime() / 1000) });
  return { app: appOn(day), totpNow };
}

describe('the CAPTCHA', () => {
  it('asks a phone for at most 12,000 SHA-256 digests (0.3–1 s), counted, and the widget starts on focus', async () => {
    const captcha = createCaptcha({ secret: 'a-secret-for-this-test-only' });
    let digests = 0;
    const counting: typeof deriveKey = (parameters, salt, password) => {
      digests += Math.max(1, parameters.cost);
      return deriveKey(parameters, salt, password);
    };
    for (let i = 0; i < 5; i++) {
      digests = 0;
      const challenge = (await captcha.challenge()) as Challenge;
      expect(await solveChallenge({ challenge, deriveKey: counting })).toBeTruthy();
      // The browser tries every counter from 0 to the secret one: still a real proof of work, never more than the budget.
      expect(digests).toBeGreaterThanOrEqual(CAPTCHA_COUNTER_MIN * CAPTCHA_COST);
      expect(digests).toBeLessThanOrEqual((CAPTCHA_COUNTER_MAX + 1) * CAPTCHA_COST);
    }
    expect((CAPTCHA_COUNTER_MAX + 1) * CAPTCHA_COST).toBeLessThanOrEqual(12_012);
    const page = await new Client(t.app).get('/tiepnhan/dang-nhap');
    expect(page.text).toMatch(/<altcha-widget challenge="\/tiepnhan\/captcha" name="altcha" language="vi" auto="onfocus"/);
  });

  it('a replayed solution is refused, saying why and keeping the name typed; a missing one too', async () => {
    const c = new Client(t.app);
    const solved = await c.captcha();
    const first = await c.post('/tiepnhan/dang-nhap', { username: 'quantri1', password: 'sai-mat-khau-roi', altcha: solved });
    expect([first.status, codeOf(first.text)]).toEqual([401, 'invalid_credentials']);
    const again = await c.post('/tiepnhan/dang-nhap', { username: 'quantri1', password: TEST_PASSWORD, altcha: solved });
    expect([again.status, codeOf(again.text)]).toEqual([400, 'captcha_failed']);
    expect(messageOf(again.text)).toContain('Tôi không phải là người máy');
    expect(again.text).toContain('value="quantri1"');
    expect(c.cookies.get('motcua_sid')).toBeUndefined();
    const none = await c.post('/tiepnhan/dang-nhap', { username: 'quantri1', password: TEST_PASSWORD });
    expect(codeOf(none.text)).toBe('captcha_failed');
    expect((await c.login('quantri1', TEST_PASSWORD)).status).toBe(303);
  });
});

describe('the break-glass second step', () => {
  it('step 1 never shows a code field; only the right password of a break-glass account leads to the code page', async () => {
    expect(codeField((await new Client(t.app).get('/tiepnhan/dang-nhap')).text)).toBe(false);
    const { app, totpNow } = await breakGlassOn('2026-10-21');
    expect(codeField((await new Client(app).get('/tiepnhan/dang-nhap')).text)).toBe(false);
    // A normal official after the cutoff: refused for the cutoff, no code field.
    const normal = await new Client(app).login(verifiedOfficial().username, TEST_PASSWORD);
    expect([codeOf(normal.text), codeField(normal.text)]).toEqual(['password_login_closed', false]);
    // The break-glass account: the right password → the code page, which asks for the code alone.
    const c = new Client(app);
    const step = await c.login('admin.dx', TEST_PASSWORD);
    expect([step.status, step.location]).toEqual([303, '/tiepnhan/dang-nhap/ma-xac-thuc']);
    const codePage = await c.get('/tiepnhan/dang-nhap/ma-xac-thuc');
    expect([codeField(codePage.text), codePage.text.includes('name="password"')]).toEqual([true, false]);
    expect((await c.post('/tiepnhan/dang-nhap/ma-xac-thuc', { code: await totpNow() })).status).toBe(303);
    // The session knows it was break-glass: the banner on every officials' page.
    for (const path of ['/tiepnhan', '/tiepnhan/tai-khoan', '/tiepnhan/doi-mat-khau']) expect((await c.get(path)).text).toContain(BANNER);
    // Another official by password, before the cutoff: no banner.
    const plain = new Client(appOn('2026-10-19'));
    expect((await plain.login('quantri1', TEST_PASSWORD)).status).toBe(303);
    expect((await plain.get('/tiepnhan')).text).not.toContain(BANNER);
  });

  it('a break-glass name probed with a wrong password answers exactly like an unknown name', async () => {
    const { app } = await breakGlassOn('2026-10-21');
    const probe = async (name: string) => {
      const res = await new Client(app, '198.51.100.7').login(name, 'doan-mo-mat-khau');
      return {
        status: res.status,
        code: codeOf(res.text),
        message: messageOf(res.text),
        codeField: codeField(res.text),
        page: res.text.replaceAll(name, 'NAME').replace(/value="[A-Za-z0-9_-]{20,}"/g, 'value="TOKEN"'),
      };
    };
    const breakGlass = await probe('admin.dx');
    const unknown = await probe('khong.ton.tai');
    expect(breakGlass).toEqual(unknown);
    expect([breakGlass.status, breakGlass.code, breakGlass.codeField]).toEqual([401, 'invalid_credentials', false]);
  });
});

describe('messages that fit the case', () => {
  it('after the cutoff, an official VNeID cannot log in yet is sent to the unit administrator, a verified one to VNeID', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setProvinceCutoff(t.database.db, root, { date: '20/10/2026' }, new Date());
    const app = appOn('2026-10-21');
    const unverified = await new Client(app).login(unverifiedOfficial().username, TEST_PASSWORD);
    expect([unverified.status, codeOf(unverified.text)]).toEqual([403, 'password_login_closed']);
    expect(messageOf(unverified.text)).toContain('chưa được xác thực với VNeID');
    expect(messageOf(unverified.text)).toContain('liên hệ quản trị đơn vị');
    expect(messageOf(unverified.text)).toContain('Xác thực tài khoản VNEID');
    const verified = await new Client(app).login(verifiedOfficial().username, TEST_PASSWORD);
    expect(messageOf(verified.text)).toContain('Vui lòng bấm &quot;Đăng nhập bằng tài khoản VNEID&quot;');
    expect(messageOf(verified.text)).not.toContain('chưa được xác thực');
    // A wrong password says nothing about either.
    const wrong = await new Client(app).login(unverifiedOfficial().username, 'sai-mat-khau-roi');
    expect(codeOf(wrong.text)).toBe('invalid_credentials');
  });

  it('a refused VNeID login lands on a clean page with the login chrome, pointing to Thông tin tài khoản as well', async () => {
    const c = new Client(t.app);
    const r = await vneidLogin(c, t.sim, personOf(unbound().username));
    // The callback itself answers 303 to an address with no code or state; the page shows the site and the message.
    expect(r.first?.status).toBe(303);
    expect(r.first?.location).toBe('/tiepnhan/dang-nhap/loi');
    expect(r.app!.status).toBe(403);
    expect(codeOf(r.app!.text)).toBe('identity_not_bound');
    expect(r.app!.text).toContain('ĐĂNG NHẬP HỆ THỐNG');
    expect(r.app!.text).toContain('class="login-province"');
    expect(messageOf(r.app!.text)).toContain('Thông tin tài khoản');
    expect(messageOf(r.app!.text)).toContain('quản trị đơn vị');
    // Shown once: a reload (or a forged cookie) is the plain login page.
    const reload = await c.get('/tiepnhan/dang-nhap/loi');
    expect([reload.status, reload.location]).toEqual([303, '/tiepnhan/dang-nhap']);
    c.cookies.set(
      'motcua_login_error',
      `${Buffer.from(JSON.stringify({ code: 'x', message: 'Gọi số 0999', status: 403 })).toString('base64url')}.forged`,
    );
    expect((await c.get('/tiepnhan/dang-nhap/loi')).location).toBe('/tiepnhan/dang-nhap');
  });
});
