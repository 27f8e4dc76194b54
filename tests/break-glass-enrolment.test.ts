/**
 * Mã xác thực khẩn cấp (cutover/enrol-break-glass.ts): the province administrator names a break-glass account but never
 * sees its TOTP secret; the owner sets it up, logged in with VNeID. Before, naming showed the administrator the secret:
 * with a password reset the administrator held both factors of anyone's account after the cutoff. Each abuse beside
 * the use it must not break.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { generate } from 'otplib';
import { Client, TEST_PASSWORD, type buildApp } from './support/app.js';
import { REGISTRY_TOKEN, useVneidDemo, vneidLogin, type startTestSimulator } from './support/vneid.js';
import { cardOf, officialFormOf } from './support/official-form.js';
import { accountByUsername, actorFor } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { accounts, auditLog, settings } from '../src/db/schema/index.js';
import { setBreakGlass } from '../src/cutover/set-break-glass.js';
import { enrolBreakGlass, offerBreakGlassSecret } from '../src/cutover/enrol-break-glass.js';
import { resetPassword } from '../src/accounts/reset-password.js';
import { updateOfficial } from '../src/accounts/update-official.js';
import { verifyIdentity } from '../src/accounts/verify-identity.js';
import { httpRegistry } from '../src/auth/registry.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { breakGlassAccounts } from '../src/cutover/readiness.js';
import { loginWithCode } from '../src/auth/login-with-code.js';
import type { AppError } from '../src/shared/errors.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});

const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const LINK = '/tiepnhan/lien-ket-tai-khoan';
const ENROL = '/tiepnhan/tai-khoan/ma-khan-cap';
const CUTOVER = '/tiepnhan/quan-tri/chuyen-doi-vneid';

/** An official the demo bound and verified (logs in with VNeID), with one account, not the province administrator. */
const verifiedOfficial = () => {
  const all = demoOfficials();
  return all.find((o) => o.verified && o.unitKey !== 'tinh' && all.filter((x) => x.identityCccd === o.identityCccd).length === 1)!.username;
};

async function cutoffToday() {
  const value = { date: todayInVietnam() };
  await database.db.insert(settings).values({ key: 'password_cutoff', value }).onConflictDoUpdate({ target: settings.key, set: { value } });
}

/** The province administrator names the account on the cutover page, as the page's form does. */
async function nameOnPage(username: string) {
  const admin = new Client(app);
  await admin.login('quantri1', TEST_PASSWORD);
  const res = await admin.post(`${CUTOVER}/khan-cap`, { username }, { csrfFrom: CUTOVER });
  return res;
}

/** The owner logged in with VNeID (accepting the account's link if the login asks). */
async function ownerByVneid(username: string) {
  const acc = (await accountByUsername(database, username))!;
  const c = new Client(app);
  const login = await vneidLogin(c, sim, population.find((p) => p.demoUsername === username)!);
  expect(login.stoppedAt).toBeNull();
  if (login.app?.location === '/tiepnhan/lien-ket-tai-khoan') {
    const yes = await c.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: acc.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(yes.status).toBe(303);
  }
  return c;
}

const secretOn = (html: string) => /data-testid="totp-secret">([A-Z2-7]+)</.exec(html)?.[1];
const codeNow = (secret: string) => generate({ secret, epoch: Math.floor(Date.now() / 1000) });

describe('Mã xác thực khẩn cấp', () => {
  it('naming shows the administrator no secret; the owner sets it up with VNeID; then password + code logs in after the cutoff', async () => {
    const username = verifiedOfficial();
    const named = await nameOnPage(username);
    expect(named.status).toBe(200);
    expect(named.text).toContain(`Đã chỉ định ${username} là tài khoản khẩn cấp. Người dùng cần đăng nhập bằng VNeID`);
    expect(named.text).not.toContain('data-testid="totp-secret"');
    expect(named.text).toMatch(new RegExp(`data-username="${username.replace('.', '\\.')}">[^<]*<strong>chưa thiết lập mã xác thực`));
    const acc = (await accountByUsername(database, username))!;
    expect(acc).toMatchObject({ breakGlass: true, totpSecret: null });

    const owner = await ownerByVneid(username);
    expect((await owner.get('/tiepnhan/tai-khoan')).text).toContain('href="/tiepnhan/tai-khoan/ma-khan-cap"');
    const offered = await owner.post(ENROL, {}, { csrfFrom: ENROL });
    expect(offered.status).toBe(200);
    const secret = secretOn(offered.text)!;
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    // Offered, not kept: nothing is stored until the app shows a code for it.
    expect((await accountByUsername(database, username))!.totpSecret).toBeNull();
    const wrong = await owner.post(`${ENROL}/xac-nhan`, { secret, code: '000000' }, { csrfFrom: ENROL });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Mã xác thực không đúng.');
    expect(secretOn(wrong.text)).toBe(secret);
    expect((await accountByUsername(database, username))!.totpSecret).toBeNull();
    const done = await owner.post(`${ENROL}/xac-nhan`, { secret, code: await codeNow(secret) }, { csrfFrom: ENROL });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã thiết lập mã xác thực khẩn cấp.');
    expect((await accountByUsername(database, username))!.totpSecret).toBe(secret);
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'cutover.break_glass_enrolled'), eq(auditLog.targetId, acc.id)));
    expect(row).toMatchObject({ actorLabel: username, data: { replaced: false, method: 'vneid' } });

    await cutoffToday();
    const c = new Client(app, '198.51.100.7');
    expect((await c.login(username, TEST_PASSWORD)).location).toBe('/tiepnhan/dang-nhap/ma-xac-thuc');
    // The code used to confirm the set-up cannot be used again; the next one can.
    const next = generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const code = await c.post('/tiepnhan/dang-nhap/ma-xac-thuc', { code: await next }, { csrfFrom: '/tiepnhan/dang-nhap/ma-xac-thuc' });
    expect(code.status).toBe(303);
    expect((await c.get('/tiepnhan')).status).toBe(200);
  });

  it('a province administrator who names someone and resets their password cannot log in as them after the cutoff', async () => {
    const root = await actorFor(database, 'quantri1');
    const victim = (await accountByUsername(database, 'admin.dx'))!;
    await setBreakGlass(database.db, root, victim.id, true, new Date());
    const { temporaryPassword } = await resetPassword(database.db, root, victim.id, new Date());
    await cutoffToday();
    const c = new Client(app, '198.51.100.8');
    const res = await c.login('admin.dx', temporaryPassword);
    expect(res.location).not.toBe('/tiepnhan/dang-nhap/ma-xac-thuc');
    expect((await c.get('/tiepnhan')).status).toBe(303);
    // Nor set the code up for them: the use case acts only on the actor's own account, in a VNeID session of its owner.
    const proof = { personId: victim.personId ?? '00000000-0000-4000-8000-000000000000', method: 'vneid' as const, loa: 2 };
    const offer = await offerBreakGlassSecret(database.db, root, proof).catch((e: AppError) => e);
    expect(offer).toMatchObject({ status: 403 });
  });

  it('refuses the set-up in a password session, under a delegation, and for an account that is not break-glass', async () => {
    const username = verifiedOfficial();
    const acc = (await accountByUsername(database, username))!;
    const root = await actorFor(database, 'quantri1');
    await setBreakGlass(database.db, root, acc.id, true, new Date());
    // The owner's password session proves only that someone knows the password.
    const byPassword = new Client(app);
    await byPassword.login(username, TEST_PASSWORD);
    expect((await byPassword.get(ENROL)).text).toContain('Thiết lập mã xác thực');
    const refused = await byPassword.post(ENROL, {}, { csrfFrom: ENROL });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('chỉ thiết lập được khi bạn đăng nhập bằng tài khoản VNeID của chính mình');
    expect(refused.text).not.toContain('data-testid="totp-secret"');
    // A secret the client chose, posted straight to the confirmation: refused the same way, nothing kept.
    const forged = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const posted = await byPassword.post(`${ENROL}/xac-nhan`, { secret: forged, code: await codeNow(forged) }, { csrfFrom: ENROL });
    expect(posted.status).toBe(403);
    expect((await accountByUsername(database, username))!.totpSecret).toBeNull();

    const self = await actorFor(database, username);
    const proof = { personId: acc.personId!, method: 'vneid' as const, loa: 2 };
    const delegated = { ...self, onBehalfOf: { accountId: acc.id, label: username, delegationId: 1 } };
    expect(await offerBreakGlassSecret(database.db, delegated, proof).catch((e: AppError) => e.status)).toBe(403);
    // Another person's proof on this account: refused.
    const other = { ...proof, personId: '00000000-0000-4000-8000-000000000000' };
    expect(await offerBreakGlassSecret(database.db, self, other).catch((e: AppError) => e.code)).toBe('identity_proof_required');
    // A malformed secret or code: a message, nothing kept.
    expect(await enrolBreakGlass(database.db, self, proof, { secret: 'abc', code: '1' }, new Date()).catch((e: AppError) => e.status)).toBe(
      400,
    );
    await setBreakGlass(database.db, root, acc.id, false, new Date());
    expect(await offerBreakGlassSecret(database.db, self, proof).catch((e: AppError) => e.code)).toBe('not_break_glass');
    expect((await database.db.select().from(accounts).where(eq(accounts.id, acc.id)))[0]!.totpSecret).toBeNull();
  });

  it('naming an account already named is refused: it would only wipe the set-up its owner made', async () => {
    const root = await actorFor(database, 'quantri1');
    const acc = (await accountByUsername(database, 'admin.dx'))!;
    await setBreakGlass(database.db, root, acc.id, true, new Date());
    await database.db.update(accounts).set({ totpSecret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }).where(eq(accounts.id, acc.id));
    const again = await setBreakGlass(database.db, root, acc.id, true, new Date()).catch((e: AppError) => e);
    expect(again).toMatchObject({ code: 'already_break_glass', status: 409 });
    expect((await accountByUsername(database, 'admin.dx'))!.totpSecret).toBe('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    const onPage = await nameOnPage('admin.dx');
    expect(onPage.status).toBe(409);
    expect(onPage.text).toContain('Tài khoản admin.dx đã là tài khoản khẩn cấp.');
  });

  it("a code set up while the account was bound to someone else opens nothing once it is its owner's again (a review's attack)", async () => {
    // A unit administrator (who cannot name break-glass accounts) binds a named account nobody has accepted yet to their
    // own card data, logs in with their own VNeID, sets up a code, gives the account back; after the cutoff resets the
    // password and tries password + their code.
    const all = demoOfficials();
    const victimOfficial = all.find(
      (o) =>
        o.verified &&
        o.unitKey.startsWith('dx') &&
        o.username !== 'admin.dx' &&
        all.filter((x) => x.identityCccd === o.identityCccd).length === 1 &&
        personOf(o.username)?.loa === 2,
    )!;
    const username = victimOfficial.username;
    const unitAdmin = await actorFor(database, 'admin.dx');
    const victim = (await accountByUsername(database, username))!;
    expect(victim.personId).toBeNull();
    await setBreakGlass(database.db, await actorFor(database, 'quantri1'), victim.id, true, new Date());
    const registry = httpRegistry(sim.env.REGISTRY_URL!, REGISTRY_TOKEN, 2000);
    const bindTo = async (person: string) => {
      const { form } = await officialFormOf(database, username, cardOf(personOf(person)) as Record<string, string>);
      await updateOfficial(database.db, unitAdmin, victim.id, form, new Date());
      expect((await verifyIdentity(database.db, registry, unitAdmin, victim.id, new Date())).verified).toBe(true);
    };
    await bindTo('admin.dx');
    const attacker = new Client(app);
    expect((await vneidLogin(attacker, sim, personOf('admin.dx'))).stoppedAt).toBeNull();
    const linkPage = await attacker.get(LINK);
    if (linkPage.text.includes(victim.id)) await attacker.post(LINK, { taiKhoan: victim.id, quyetDinh: 'dong-y' }, { csrfFrom: LINK });
    if (!(await attacker.get('/tiepnhan/tai-khoan')).text.includes(username)) {
      expect((await attacker.post(`/tiepnhan/chuyen-tai-khoan/${victim.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(303);
    }
    const secret = secretOn((await attacker.post(ENROL, {}, { csrfFrom: ENROL })).text)!;
    const done = await attacker.post(`${ENROL}/xac-nhan`, { secret, code: await codeNow(secret) }, { csrfFrom: ENROL });
    expect(done.text).toContain('Đã thiết lập mã xác thực khẩn cấp.');
    // Given back: Gỡ liên kết, the owner's card data, the owner's VNeID login.
    expect((await attacker.post(LINK, { taiKhoan: victim.id, quyetDinh: 'go-lien-ket' }, { csrfFrom: LINK })).status).toBe(200);
    await bindTo(username);
    await ownerByVneid(username);
    const held = (await accountByUsername(database, username))!;
    expect(held.personId).not.toBeNull();
    expect(held.totpPersonId).not.toBe(held.personId);

    await cutoffToday();
    const { temporaryPassword } = await resetPassword(database.db, unitAdmin, victim.id, new Date());
    const c = new Client(app, '198.51.100.9');
    expect((await c.login(username, temporaryPassword)).location).not.toBe('/tiepnhan/dang-nhap/ma-xac-thuc');
    expect((await c.get('/tiepnhan')).status).toBe(303);
    // The cutover page's list agrees with the login: not set up (the owner logs in with VNeID, and sets up their own).
    const root = await actorFor(database, 'quantri1');
    expect((await breakGlassAccounts(database.db, root)).find((a) => a.username === username)).toMatchObject({ setUp: false });
  });

  it('a code set up again (a lost phone) ends the sessions the old one opened', async () => {
    const username = verifiedOfficial();
    const acc = (await accountByUsername(database, username))!;
    await setBreakGlass(database.db, await actorFor(database, 'quantri1'), acc.id, true, new Date());
    const enrol = async (c: Client) => {
      const secret = secretOn((await c.post(ENROL, {}, { csrfFrom: ENROL })).text)!;
      const done = await c.post(`${ENROL}/xac-nhan`, { secret, code: await codeNow(secret) }, { csrfFrom: ENROL });
      expect(done.text).toContain('Đã thiết lập mã xác thực khẩn cấp.');
      return secret;
    };
    const owner = await ownerByVneid(username);
    const old = await enrol(owner);
    await cutoffToday();
    // The thief: the password and the stolen phone.
    const thief = new Client(app, '198.51.100.66');
    expect((await thief.login(username, TEST_PASSWORD)).location).toBe('/tiepnhan/dang-nhap/ma-xac-thuc');
    const code = await generate({ secret: old, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await thief.post('/tiepnhan/dang-nhap/ma-xac-thuc', { code }, { csrfFrom: '/tiepnhan/dang-nhap/ma-xac-thuc' })).status).toBe(
      303,
    );
    expect((await thief.get('/tiepnhan/tai-khoan')).status).toBe(200);
    await enrol(owner);
    expect((await thief.get('/tiepnhan/tai-khoan')).status).toBe(303);
    // The owner's own VNeID session goes on.
    expect((await owner.get('/tiepnhan/tai-khoan')).status).toBe(200);
  });

  it('a session the code opened ends when the account leaves the person who set the code up (Gỡ liên kết), as does a code step under way', async () => {
    const username = verifiedOfficial();
    const acc = (await accountByUsername(database, username))!;
    await setBreakGlass(database.db, await actorFor(database, 'quantri1'), acc.id, true, new Date());
    const owner = await ownerByVneid(username);
    const secret = secretOn((await owner.post(ENROL, {}, { csrfFrom: ENROL })).text)!;
    const done = await owner.post(`${ENROL}/xac-nhan`, { secret, code: await codeNow(secret) }, { csrfFrom: ENROL });
    expect(done.text).toContain('Đã thiết lập mã xác thực khẩn cấp.');
    await cutoffToday();
    const CODE = '/tiepnhan/dang-nhap/ma-xac-thuc';
    const holder = new Client(app, '198.51.100.67');
    expect((await holder.login(username, TEST_PASSWORD)).location).toBe(CODE);
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await holder.post(CODE, { code }, { csrfFrom: CODE })).status).toBe(303);
    expect((await holder.get('/tiepnhan/tai-khoan')).status).toBe(200);
    // A second browser at the code step, its code read before the account changes person and used after.
    const second = new Client(app, '198.51.100.68');
    expect((await second.login(username, TEST_PASSWORD)).location).toBe(CODE);
    const pendingToken = [...second.cookies].find(([k]) => k.includes('pending'))![1];
    expect((await owner.post(LINK, { taiKhoan: acc.id, quyetDinh: 'go-lien-ket' }, { csrfFrom: LINK })).status).toBe(200);
    expect((await accountByUsername(database, username))!.personId).toBeNull();
    expect((await holder.get('/tiepnhan/tai-khoan')).status).toBe(303);
    const late = await loginWithCode(
      database.db,
      { sessions: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, now: new Date() },
      { pendingToken, code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 60 }) },
      { ip: '198.51.100.68', requestId: null, userAgent: null },
    ).then(
      () => 'session opened',
      (e: Error) => e.message,
    );
    expect(late).not.toBe('session opened');
  });

  it("a person change committed between the code step's read of the account and its use of the code is seen", async () => {
    const username = verifiedOfficial();
    const acc = (await accountByUsername(database, username))!;
    await setBreakGlass(database.db, await actorFor(database, 'quantri1'), acc.id, true, new Date());
    const owner = await ownerByVneid(username);
    const secret = secretOn((await owner.post(ENROL, {}, { csrfFrom: ENROL })).text)!;
    await owner.post(`${ENROL}/xac-nhan`, { secret, code: await codeNow(secret) }, { csrfFrom: ENROL });
    await cutoffToday();
    const holder = new Client(app, '198.51.100.69');
    expect((await holder.login(username, TEST_PASSWORD)).location).toBe('/tiepnhan/dang-nhap/ma-xac-thuc');
    const pendingToken = [...holder.cookies].find(([k]) => k.includes('pending'))![1];
    const db = database.db;
    let raced = false;
    const racing = new Proxy(db, {
      get(target, prop, recv) {
        if (prop === 'transaction' && !raced) {
          return async (...args: unknown[]) => {
            raced = true;
            await target.update(accounts).set({ personId: null }).where(eq(accounts.id, acc.id));
            return (target.transaction as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const v = Reflect.get(target, prop, recv);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as typeof db;
    const result = await loginWithCode(
      racing,
      { sessions: { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 }, now: new Date() },
      { pendingToken, code: await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 }) },
      { ip: '198.51.100.69', requestId: null, userAgent: null },
    ).then(
      () => 'session opened',
      (e: Error) => e.message,
    );
    expect(raced).toBe(true);
    expect(result).not.toBe('session opened');
  });
});
