/**
 * A citizen's VNeID login that does not succeed ends on the portal's clean error page (issue 10): the callback answers
 * 303 to /dang-nhap/loi, the message (Vietnamese) is read there once, with the portal's header, and neither `code`
 * nor `state` stays in the address. One mechanism with the officials' side (auth/login-error-flash.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, Client } from './support/app.js';
import { SimBrowser, latestOtp, type startTestSimulator, useVneidDemo } from './support/vneid.js';
import { loadPopulation } from '../sim/state.js';
import { oidcTransactions, sessions } from '../src/db/schema/index.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const citizen = loadPopulation().find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1)!;

const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});

/** At the simulator up to the OTP page: the interaction id and the browser there. */
async function atProvider(c: Client) {
  const begin = await c.get('/dang-nhap/vneid');
  expect(begin.location?.startsWith(sim.url)).toBe(true);
  const browser = new SimBrowser(sim.url);
  const page = await browser.follow(begin.location!);
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)![1]!;
  return { browser, uid };
}

/** A whole login up to the provider's redirect back; the callback address is returned, not yet opened. */
async function backFromProvider(c: Client) {
  const { browser, uid } = await atProvider(c);
  await browser.request('POST', `/interaction/${uid}/vneid`, { soDinhDanh: citizen.soDinhDanh, password: citizen.password });
  const done = await browser.request('POST', `/interaction/${uid}/otp`, { otp: (await latestOtp(sim.url, citizen.soDienThoai))! });
  const back = await browser.follow(done.location!);
  const url = new URL(back.url);
  expect(url.searchParams.get('state')).toBeTruthy();
  return url.pathname + url.search;
}

/** The answer must be a 303 to the bare error page; the page says `message` with the portal's header, once. */
async function expectCleanError(c: Client, res: Awaited<ReturnType<Client['get']>>, status: number, message: string) {
  expect([res.status, res.location]).toEqual([303, '/dang-nhap/loi']);
  const page = await c.get('/dang-nhap/loi');
  expect(page.status).toBe(status);
  expect(page.text).toContain(message);
  expect(page.text).toContain('Cổng Dịch vụ công');
  expect(page.text).toContain('href="/dang-nhap/vneid"');
  expect(page.text).not.toMatch(/[?&](code|state)=/);
  expect(page.text).not.toContain('tiepnhan/dang-nhap');
  // Read once: a reload (or the history) shows the plain login page, not the old refusal.
  const again = await c.get('/dang-nhap/loi');
  expect([again.status, again.location]).toEqual([303, '/dang-nhap']);
  expect(c.cookies.get('motcua_portal_sid')).toBeUndefined();
  expect(await database.db.select().from(sessions)).toHaveLength(0);
}

describe('a citizen whose VNeID login fails lands on a clean page', () => {
  it('cancelled at VNeID (Hủy)', async () => {
    const c = new Client(app);
    const { browser, uid } = await atProvider(c);
    const cancelled = await browser.request('POST', `/interaction/${uid}/huy`, {});
    const back = await browser.follow(cancelled.location!);
    const url = new URL(back.url);
    expect(url.searchParams.get('error')).toBe('access_denied');
    await expectCleanError(c, await c.get(url.pathname + url.search), 400, 'Bạn đã hủy đăng nhập');
  });

  it('refused by the provider (an error answer for a login this site started)', async () => {
    const c = new Client(app);
    const begin = await c.get('/dang-nhap/vneid');
    const state = new URL(begin.location!).searchParams.get('state')!;
    const res = await c.get(`/dang-nhap/vneid/callback?error=invalid_request&state=${state}`);
    await expectCleanError(c, res, 400, 'Phản hồi đăng nhập không hợp lệ');
  });

  it('an expired login (state older than its lifetime), an unknown state and a replayed answer', async () => {
    const c = new Client(app);
    const callback = await backFromProvider(c);
    await database.db.update(oidcTransactions).set({ expiresAt: new Date(Date.now() - 1000) });
    await expectCleanError(c, await c.get(callback), 400, 'đã hết hạn');
    await expectCleanError(c, await c.get('/dang-nhap/vneid/callback?code=abc&state=khong-co'), 400, 'Phản hồi đăng nhập không hợp lệ');
    const ok = new Client(app);
    const good = await backFromProvider(ok);
    expect((await ok.get(good)).location).toBe('/ca-nhan');
    await database.db.delete(sessions);
    const replay = new Client(app);
    await expectCleanError(replay, await replay.get(good), 400, 'đã được sử dụng');
  });

  it('the simulator down when the login starts, and at the token exchange', async () => {
    // A fresh app: the provider's configuration is read once and kept, so only a new one asks it at the start.
    const fresh = new Client(buildApp(database, sim.env));
    sim.state.faults.outage = true;
    try {
      await expectCleanError(fresh, await fresh.get('/dang-nhap/vneid'), 503, 'đang bảo trì hoặc không kết nối được');
    } finally {
      sim.state.faults.outage = false;
    }
    const c = new Client(app);
    const callback = await backFromProvider(c);
    sim.state.faults.outage = true;
    try {
      await expectCleanError(c, await c.get(callback), 503, 'đang bảo trì');
    } finally {
      sim.state.faults.outage = false;
    }
  });

  it("keeps each side's refusal to itself: the officials' error page does not show a citizen's", async () => {
    const c = new Client(app);
    expect((await c.get('/dang-nhap/vneid/callback?error=access_denied&state=x')).location).toBe('/dang-nhap/loi');
    expect((await c.get('/tiepnhan/dang-nhap/loi')).location).toBe('/tiepnhan/dang-nhap');
    expect((await c.get('/dang-nhap/loi')).text).toContain('Bạn đã hủy đăng nhập');
    // A forged cookie is not a message of ours.
    c.cookies.set('motcua_portal_login_error', 'eyJjb2RlIjoieCJ9.forged');
    expect((await c.get('/dang-nhap/loi')).location).toBe('/dang-nhap');
    // Nor one whose signature has the length of ours in letters but not in bytes (é, percent-encoded): no 500.
    const wide = `eyJjb2RlIjoieCJ9.%C3%A9${'A'.repeat(42)}`;
    c.cookies.set('motcua_portal_login_error', wide);
    expect((await c.get('/dang-nhap/loi')).location).toBe('/dang-nhap');
    c.cookies.set('motcua_login_error', wide);
    expect((await c.get('/tiepnhan/dang-nhap/loi')).location).toBe('/tiepnhan/dang-nhap');
  });

  it('a malformed callback address is refused where it is, as any bad query', async () => {
    const res = await new Client(app).get('/dang-nhap/vneid/callback?state=%00&code=x');
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
  });
});
