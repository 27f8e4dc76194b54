import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { SIM_CLIENT, SimBrowser, followLoginError, type startTestSimulator, vneidLogin, useVneidDemo } from './support/vneid.js';
import { startRogueProvider, type RogueMode } from './support/rogue-provider.js';
import { officialFormOf } from './support/official-form.js';
import { accountByUsername, actorFor } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { accountIdentities, accounts, auditLog, pendingIdentityLogins, sessions } from '../src/db/schema/index.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { CLOCK_TOLERANCE_S, idTokenTimeProblem } from '../src/auth/oidc/relying-party.js';
import { tokenHash } from '../src/auth/sessions.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const officials = demoOfficials();
const verified = () => officials.find((o) => o.verified && personOf(o.username).loa === 2 && o.unitKey.startsWith('sct'))!;
const boundNotVerified = () =>
  officials.find((o) => o.cccd && !o.verified && personOf(o.username).loa === 2 && o.unitKey.startsWith('sct'))!;
const unbound = () => officials.find((o) => !o.cccd && personOf(o.username).loa === 2)!;
const twoAccounts = () => officials.find((o) => o.unitKey === 'dx-vp' && o.position === 'Phó Chủ tịch')!;

const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});

async function noSession(c: Client) {
  expect(c.cookies.get('motcua_sid')).toBeUndefined();
  expect(await database.db.select().from(sessions)).toHaveLength(0);
}

async function lastFailure() {
  const rows = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
  return rows.at(-1)?.data as Record<string, unknown> | undefined;
}

describe('VNeID login for officials', () => {
  it('logs a verified official in through the simulator, with OTP by SMS, and links the identity', async () => {
    const o = verified();
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.stoppedAt).toBeNull();
    expect(r.app!.status).toBe(303);
    expect(r.app!.location).toBe('/tiepnhan');
    const home = await c.get('/tiepnhan');
    expect(home.status).toBe(200);
    expect(home.text).toContain(o.givenName);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(entry!.data).toMatchObject({ method: 'vneid', loa: 2 });
    // The first VNeID login accepted the one account an administrator verified.
    const [link] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'identity.link_confirmed'));
    expect(link!.data).toMatchObject({ how: 'first_login', username: o.username });
    // The same response cannot be used again.
    const again = new Client(app);
    const replayed = await again.get(new URL(r.callbackUrl!).pathname + new URL(r.callbackUrl!).search);
    expect([replayed.status, replayed.location]).toEqual([303, '/tiepnhan/dang-nhap/loi']);
    const replay = await again.get('/tiepnhan/dang-nhap/loi');
    expect(replay.status).toBe(400);
    expect(replay.text).toContain('Phản hồi đăng nhập không hợp lệ');
  });

  it('works with explicit endpoints instead of discovery, and with standard claim names', async () => {
    const o = verified();
    const explicit = buildApp(database, {
      ...sim.env,
      VNEID_AUTHORIZATION_ENDPOINT: `${sim.url}/auth`,
      VNEID_TOKEN_ENDPOINT: `${sim.url}/token`,
      VNEID_USERINFO_ENDPOINT: `${sim.url}/me`,
      VNEID_JWKS_URI: `${sim.url}/jwks`,
      VNEID_CLAIMS: 'oidc',
    });
    const c = new Client(explicit);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.app!.status).toBe(303);
    expect((await c.get('/tiepnhan')).text).toContain(o.givenName);
  });

  it('refuses an identity bound to no account, or bound but not verified', async () => {
    for (const o of [unbound(), boundNotVerified()]) {
      const c = new Client(app);
      const r = await vneidLogin(c, sim, personOf(o.username));
      expect(r.app!.status).toBe(403);
      expect(r.app!.text).toContain('chưa được gắn với tài khoản cán bộ nào đã xác thực');
      await noSession(c);
      expect(await lastFailure()).toMatchObject({ method: 'vneid', reason: 'not_bound' });
    }
  });

  it('refuses level 1 where level 2 is required', async () => {
    const low = population.find((p) => p.role === 'official' && p.loa === 1)!;
    const c = new Client(app);
    const r = await vneidLogin(c, sim, low);
    expect(r.app!.status).toBe(403);
    expect(r.app!.text).toContain('mức độ 1');
    await noSession(c);
    expect(await lastFailure()).toMatchObject({ reason: 'loa_too_low', loa: 1 });
  });

  it('refuses a suspended account', async () => {
    const o = verified();
    const acc = (await accountByUsername(database, o.username))!;
    await setSuspended(database.db, await actorFor(database, 'quantri1'), acc.id, true, new Date());
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.app!.status).toBe(403);
    expect(r.app!.text).toContain('tạm đình chỉ');
    await noSession(c);
  });

  it('when the OTP never arrives, nothing is logged in', async () => {
    sim.state.faults.dropSms = true;
    const o = verified();
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.stoppedAt).toBe('otp');
    expect(sim.state.outbox.at(-1)).toMatchObject({ phone: personOf(o.username).soDienThoai, delivered: false });
    await noSession(c);
  });

  it('says the provider is down when it is, and creates nothing', async () => {
    const fresh = buildApp(database, sim.env);
    sim.state.faults.outage = true;
    const c = new Client(fresh);
    const res = await followLoginError(c, await c.get('/tiepnhan/dang-nhap/vneid'));
    expect(res.status).toBe(503);
    expect(res.text).toContain('đang bảo trì hoặc không kết nối được');
    await noSession(c);
    expect(await lastFailure()).toMatchObject({ method: 'vneid', reason: 'idp_unavailable' });
  });

  it('says the provider is down when it fails at the token exchange, and when it is too slow', async () => {
    const o = verified();
    for (const fault of [{ outage: true }, { latencyMs: 3000 }]) {
      const c = new Client(app);
      const begin = await c.get('/tiepnhan/dang-nhap/vneid');
      const browser = new SimBrowser(sim.url);
      const page = await browser.follow(begin.location!);
      const uid = /\/interaction\/([^/?#]+)/.exec(page.url)![1]!;
      await browser.request('POST', `/interaction/${uid}/vneid`, {
        soDinhDanh: personOf(o.username).soDinhDanh,
        password: personOf(o.username).password,
      });
      const msgs = (await (await fetch(`${sim.url}/dev/sms?phone=${personOf(o.username).soDienThoai}`)).json()) as Array<{ text: string }>;
      const otp = /(\d{6})/.exec(msgs[0]!.text)![1]!;
      const done = await browser.request('POST', `/interaction/${uid}/otp`, { otp });
      const back = await browser.follow(done.location!);
      Object.assign(sim.state.faults, fault);
      const cb = new URL(back.url);
      const res = await followLoginError(c, await c.get(cb.pathname + cb.search));
      Object.assign(sim.state.faults, { outage: false, latencyMs: 0 });
      expect(res.status).toBe(503);
      expect(res.text).toContain('đang bảo trì');
      await noSession(c);
    }
  });

  it('refuses a callback with an unknown state, and a cancelled login', async () => {
    const c = new Client(app);
    const res = await c.get('/tiepnhan/dang-nhap/vneid/callback?code=abc&state=not-ours');
    expect([res.status, res.location]).toEqual([303, '/tiepnhan/dang-nhap/loi']);
    expect((await c.get('/tiepnhan/dang-nhap/loi')).status).toBe(400);
    expect((await c.get('/tiepnhan/dang-nhap/vneid/callback?error=access_denied&state=x')).location).toBe('/tiepnhan/dang-nhap/loi');
    const cancelled = await c.get('/tiepnhan/dang-nhap/loi');
    expect(cancelled.status).toBe(400);
    expect(cancelled.text).toContain('Bạn đã hủy đăng nhập');
    await noSession(c);
  });

  it('one person, two accounts: accepts both at the first login, switches without a new login, lands on the last used', async () => {
    const o = twoAccounts();
    const main = (await accountByUsername(database, o.username))!;
    const second = (await accountByUsername(database, `${o.username}.motcua`))!;
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    // Two accounts name this person: they choose, before any session exists.
    expect(r.app!.status).toBe(303);
    expect(r.app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
    expect(c.cookies.get('motcua_sid')).toBeUndefined();
    const choose = await c.get('/tiepnhan/lien-ket-tai-khoan');
    expect(choose.text).toContain('đề nghị liên kết với định danh của bạn');
    expect(choose.text).toContain(main.username);
    expect(choose.text).toContain(second.username);
    const [pending] = await database.db.select().from(pendingIdentityLogins);
    const accept = await c.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: main.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(accept.status).toBe(303);
    expect(c.cookies.get('motcua_sid')).toBeDefined();
    const accept2 = await c.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: second.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(accept2.status).toBe(200);
    expect(accept2.text).toContain(`Đã liên kết tài khoản ${second.username}`);
    const first = c.cookies.get('motcua_sid');
    const loginOf = async (token: string | undefined) =>
      (
        await database.db
          .select()
          .from(sessions)
          .where(eq(sessions.idHash, tokenHash(token!)))
      )[0]!.authenticatedAt;
    const loggedInAt = await loginOf(first);
    // Choosing the account is no new login: the session's login is the VNeID one that waited for the choice.
    expect(loggedInAt).toEqual(pending!.createdAt);
    const home = await c.get('/tiepnhan');
    expect(home.text).toContain('Chuyển tài khoản:');
    const sw = await c.post(`/tiepnhan/chuyen-tai-khoan/${second.id}`, {}, { csrfFrom: '/tiepnhan' });
    expect(sw.status).toBe(303);
    expect(c.cookies.get('motcua_sid')).not.toBe(first);
    // The new session keeps the VNeID login's time: switching proves nothing (the SSO's auth_time, max_age).
    expect(await loginOf(c.cookies.get('motcua_sid'))).toEqual(loggedInAt);
    const after = await c.get('/tiepnhan/tai-khoan');
    expect(after.text).toContain(second.username);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.switch_account'));
    expect(entry!.data).toMatchObject({ from: { id: main.id }, to: { id: second.id } });
    // The next VNeID login lands on the account used last, with nothing left to decide.
    const again = new Client(app);
    const beforeSecondLogin = Date.now();
    const r2 = await vneidLogin(again, sim, personOf(o.username));
    expect(r2.app!.location).toBe('/tiepnhan');
    // A new VNeID login is a new authentication time.
    expect((await loginOf(again.cookies.get('motcua_sid'))).getTime()).toBeGreaterThanOrEqual(beforeSecondLogin);
    expect((await again.get('/tiepnhan/tai-khoan')).text).toContain(second.username);
    // Nobody switches into another person's account.
    const stranger = (await accountByUsername(database, 'admin.snv'))!;
    expect((await c.post(`/tiepnhan/chuyen-tai-khoan/${stranger.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(404);
  });
});

describe('binding: Xác thực tài khoản VNEID', () => {
  const formOf = (username: string, over: Record<string, string> = {}) => officialFormOf(database, username, over);

  it('the administrator verifies an official, who can then log in with VNeID', async () => {
    const o = boundNotVerified();
    const admin = new Client(app);
    expect((await admin.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const { acc, form } = await formOf(o.username);
    const res = await admin.post(`/tiepnhan/quan-tri/nguoi-dung/${acc.id}/xac-thuc-vneid`, form, {
      csrfFrom: '/tiepnhan/quan-tri/nguoi-dung',
    });
    // Redirect after post: the page that follows is a fresh read of the account, verified.
    expect(res.status).toBe(303);
    const page = await admin.get(res.location!);
    expect(page.text).toContain('Thông tin số CCCD chính xác');
    expect(page.text).toContain('Đã xác thực VNeID lúc');
    const c = new Client(app);
    expect((await vneidLogin(c, sim, personOf(o.username))).app!.status).toBe(303);
  });

  it('names the fields that do not match and saves nothing: the verified data stay as they were', async () => {
    const o = verified();
    const admin = new Client(app);
    await admin.login('admin.sct', TEST_PASSWORD);
    const { acc, form } = await formOf(o.username, { cardName: 'Tên Khác Hẳn' });
    const [before] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
    const res = await admin.post(`/tiepnhan/quan-tri/nguoi-dung/${acc.id}/xac-thuc-vneid`, form, {
      csrfFrom: '/tiepnhan/quan-tri/nguoi-dung',
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Họ và tên trên thẻ CCCD');
    expect(res.text).toContain('Chưa lưu thay đổi nào');
    expect(res.text).not.toContain('Lưu trước');
    const [p] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
    expect(p).toEqual(before);
    // The stored claim still holds, verified: the person's VNeID login still reaches the account.
    const c = new Client(app);
    expect((await vneidLogin(c, sim, personOf(o.username))).app!.status).toBe(303);
  });

  it('says so when the registry is down, and verifies nothing', async () => {
    const o = boundNotVerified();
    const admin = new Client(app);
    await admin.login('admin.sct', TEST_PASSWORD);
    const { acc, form } = await formOf(o.username);
    sim.state.faults.outage = true;
    const res = await admin.post(`/tiepnhan/quan-tri/nguoi-dung/${acc.id}/xac-thuc-vneid`, form, {
      csrfFrom: '/tiepnhan/quan-tri/nguoi-dung',
    });
    expect(res.status).toBe(503);
    expect(res.text).toContain('Không kết nối được Cơ sở dữ liệu quốc gia về dân cư');
    const [p] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
    expect(p!.verifiedAt).toBeNull();
  });

  it('an official enters and verifies their own identity in Thông tin tài khoản', async () => {
    const o = unbound();
    const pp = personOf(o.username);
    const c = new Client(app);
    expect((await c.login(o.username, TEST_PASSWORD)).status).toBe(303);
    const iso = (d: string) => `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`;
    const res = await c.post(
      '/tiepnhan/tai-khoan/xac-thuc-vneid',
      {
        cardName: pp.hoVaTen,
        dateOfBirth: iso(pp.ngaySinh),
        gender: pp.gioiTinh,
        cccd: pp.soDinhDanh,
        issueDate: iso(pp.ngayCap),
        issuePlace: pp.noiCap,
        mobile: pp.soDienThoai,
      },
      { csrfFrom: '/tiepnhan/tai-khoan' },
    );
    expect(res.text).toContain('Thông tin số CCCD chính xác');
    const acc = (await accountByUsername(database, o.username))!;
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, acc.id), eq(auditLog.action, 'identity.verify')));
    expect(rows.at(-1)!.data).toMatchObject({ result: 'match' });
    expect((await vneidLogin(new Client(app), sim, pp)).app!.status).toBe(303);
  });
});

describe('the relying party refuses bad responses', () => {
  const modes: RogueMode[] = [
    'wrong_nonce',
    'wrong_aud',
    'expired',
    'bad_signature',
    'alg_none',
    'wrong_iss',
    'future_iat',
    'exp_before_iat',
    'stale_iat',
    'future_auth_time',
  ];
  let rogue: Awaited<ReturnType<typeof startRogueProvider>>;
  let rogueApp: ReturnType<typeof buildApp>;

  beforeAll(async () => {
    const o = verified();
    const p = personOf(o.username);
    rogue = await startRogueProvider(SIM_CLIENT.client_id, {
      sub: p.techId,
      TechID: p.techId,
      SoDinhDanh: p.soDinhDanh,
      HoVaTen: p.hoVaTen,
      loAs: ['LoA2'],
    });
    rogueApp = buildApp(database, { ...sim.env, VNEID_ISSUER: rogue.issuer });
  });
  afterAll(async () => {
    await rogue?.close();
  });

  async function attempt(mode: RogueMode) {
    rogue.state.mode = mode;
    const c = new Client(rogueApp);
    const begin = await c.get('/tiepnhan/dang-nhap/vneid');
    const auth = new URL(begin.location!);
    rogue.state.nonce = auth.searchParams.get('nonce')!;
    expect(auth.searchParams.get('code_challenge_method')).toBe('S256');
    const res = await followLoginError(
      c,
      await c.get(
        `/tiepnhan/dang-nhap/vneid/callback?code=code-${mode}&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(rogue.issuer)}`,
      ),
    );
    return { c, res };
  }

  it('accepts a well-formed response (the control case)', async () => {
    const { res } = await attempt('ok');
    expect(res.status).toBe(303);
  });

  for (const mode of modes) {
    it(`refuses ${mode.replaceAll('_', ' ')}`, async () => {
      const { c, res } = await attempt(mode);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Phản hồi đăng nhập không hợp lệ');
      await noSession(c);
      expect(await lastFailure()).toMatchObject({ method: 'vneid' });
    });
  }

  it('names the ID token time that is wrong in the audit row', async () => {
    const reasons: Array<[RogueMode, string]> = [
      ['future_iat', 'iat_in_future'],
      ['exp_before_iat', 'exp_not_after_iat'],
      ['stale_iat', 'iat_too_old'],
      ['future_auth_time', 'auth_time_in_future'],
    ];
    for (const [mode, reason] of reasons) {
      rogue.state.codesUsed.delete(`code-${mode}`); // the loop above redeemed this code already
      await attempt(mode);
      expect(await lastFailure()).toMatchObject({ method: 'vneid', reason });
    }
    // At the edges: iat up to the clock tolerance ahead is accepted, exp equal to iat is not.
    const now = 1_800_000_000;
    expect(idTokenTimeProblem({ iat: now + CLOCK_TOLERANCE_S, exp: now + 300 }, now)).toBeNull();
    expect(idTokenTimeProblem({ iat: now + CLOCK_TOLERANCE_S + 1, exp: now + 300 }, now)?.reason).toBe('iat_in_future');
    expect(idTokenTimeProblem({ iat: now, exp: now }, now)?.reason).toBe('exp_not_after_iat');
  });

  it('refuses a replayed authorization code', async () => {
    rogue.state.mode = 'ok';
    const c = new Client(rogueApp);
    const begin = await c.get('/tiepnhan/dang-nhap/vneid');
    const auth = new URL(begin.location!);
    rogue.state.nonce = auth.searchParams.get('nonce')!;
    // The code was already redeemed (e.g. by an attacker who intercepted it).
    rogue.state.codesUsed.add('stolen-code');
    const res = await followLoginError(
      c,
      await c.get(
        `/tiepnhan/dang-nhap/vneid/callback?code=stolen-code&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(rogue.issuer)}`,
      ),
    );
    expect(res.status).toBe(400);
    await noSession(c);
  });
});

describe('accounts bound by other ids', () => {
  it('never links by name: an identity with a known name but another CCCD is not bound', async () => {
    const o = verified();
    const p = personOf(o.username);
    const rogue = await startRogueProvider(SIM_CLIENT.client_id, {
      sub: 'someone-else',
      SoDinhDanh: '079199000001',
      HoVaTen: p.hoVaTen,
      loAs: ['LoA2'],
    });
    try {
      const rogueApp = buildApp(database, { ...sim.env, VNEID_ISSUER: rogue.issuer });
      const c = new Client(rogueApp);
      const begin = await c.get('/tiepnhan/dang-nhap/vneid');
      const auth = new URL(begin.location!);
      rogue.state.nonce = auth.searchParams.get('nonce')!;
      const res = await followLoginError(
        c,
        await c.get(
          `/tiepnhan/dang-nhap/vneid/callback?code=x&state=${auth.searchParams.get('state')}&iss=${encodeURIComponent(rogue.issuer)}`,
        ),
      );
      expect(res.status).toBe(403);
      await noSession(c);
    } finally {
      await rogue.close();
    }
    const live = await database.db.select().from(accounts).where(isNull(accounts.deletedAt));
    expect(live.length).toBeGreaterThan(0);
  });
});

describe('shared counter PCs', () => {
  it('asks the provider for a fresh login every time (prompt=login)', async () => {
    const res = await new Client(app).get('/tiepnhan/dang-nhap/vneid');
    expect(new URL(res.location!).searchParams.get('prompt')).toBe('login');
  });

  it('after logging out, the next VNeID login needs the password and OTP again', async () => {
    const o = verified();
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.app!.status).toBe(303);
    await c.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    // Same browser at the provider: it must show the login screen again, not send a code straight back.
    const begin = await c.get('/tiepnhan/dang-nhap/vneid');
    const back = await r.browser!.follow(begin.location!);
    expect(back.url).toMatch(/\/interaction\//);
  });
});
