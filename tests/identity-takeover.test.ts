/**
 * Issue 8, faults 1 and 2: what is printed on someone's card never gives access to anything.
 * Each abuse (an official, a unit administrator, the cutoff walked around by switching) beside the
 * legitimate use it must not break.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import {
  REGISTRY_TOKEN,
  SimBrowser,
  followLoginError,
  latestOtp,
  type startTestSimulator,
  vneidLogin,
  useVneidDemo,
} from './support/vneid.js';
import { accountByUsername, actorFor, sctClerkUsername } from './support/fixtures.js';
import { cardOf } from './support/official-form.js';
import { formatDate } from '../src/shared/dates.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { accountIdentities, accounts, auditLog, sessions } from '../src/db/schema/index.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { updateOfficial, updateOwnProfile } from '../src/accounts/update-official.js';
import { verifyIdentity } from '../src/accounts/verify-identity.js';
import { setUnitCutoff } from '../src/cutover/set-cutoff.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { httpRegistry } from '../src/auth/registry.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const officials = demoOfficials();
const registry = () => httpRegistry(sim.env.REGISTRY_URL!, REGISTRY_TOKEN, 2000);

const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});

async function claimOf(username: string) {
  const acc = (await accountByUsername(database, username))!;
  const [claim] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
  return { acc, claim: claim! };
}

/** The province administrator's identity is verified by an administrator and they used VNeID once. */
async function victimWithVneid() {
  const root = await actorFor(database, 'quantri1');
  const victim = (await accountByUsername(database, 'quantri1'))!;
  const p = personOf('quantri1');
  await updateOfficial(
    database.db,
    root,
    victim.id,
    {
      username: victim.username,
      middleName: victim.middleName,
      givenName: victim.givenName,
      unitId: victim.unitId,
      position: victim.position ?? '',
      mobile: victim.mobile ?? '',
      emails: victim.emails ?? '',
      ...cardOf(p),
    },
    new Date(),
  );
  expect((await verifyIdentity(database.db, registry(), root, victim.id, new Date())).verified).toBe(true);
  const c = new Client(app);
  const r = await vneidLogin(c, sim, p);
  // quantri1 verified their own data: the person accepts the account at this first login.
  expect(r.app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
  const yes = await c.post(
    '/tiepnhan/lien-ket-tai-khoan',
    { taiKhoan: victim.id, quyetDinh: 'dong-y' },
    { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
  );
  expect(yes.status).toBe(303);
  expect((await accountByUsername(database, 'quantri1'))!.personId).not.toBeNull();
  return { victim: (await accountByUsername(database, 'quantri1'))!, person: p };
}

/** Đồng ý on each account, as the person on Liên kết tài khoản. */
async function acceptAll(c: Client, ids: string[]) {
  for (const id of ids) {
    await c.post('/tiepnhan/lien-ket-tai-khoan', { taiKhoan: id, quyetDinh: 'dong-y' }, { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' });
  }
}

/** The Phó Chủ tịch, logged in with VNeID, having accepted both their accounts. */
async function viceWithBothAccounts() {
  const vice = officials.find((o) => o.unitKey === 'dx-vp' && o.position === 'Phó Chủ tịch')!;
  const main = (await accountByUsername(database, vice.username))!;
  const second = (await accountByUsername(database, `${vice.username}.motcua`))!;
  const c = new Client(app);
  await vneidLogin(c, sim, personOf(vice.username));
  await acceptAll(c, [main.id, second.id]);
  return { vice, main, second, c };
}

describe('typed card data are a claim, never access', () => {
  it('an official who types and verifies the province administrator’s card data gets no way into their accounts', async () => {
    const { victim, person } = await victimWithVneid();
    const before = await claimOf('quantri1');
    const clerk = sctClerkUsername();
    const c = new Client(app);
    expect((await c.login(clerk, TEST_PASSWORD)).status).toBe(303);
    const saved = await c.post(
      '/tiepnhan/tai-khoan/xac-thuc-vneid',
      { ...cardOf(person), mobile: '0912000111' },
      { csrfFrom: '/tiepnhan/tai-khoan' },
    );
    // The registry says the data are a real person's: that is all it says.
    expect(saved.text).toContain('Thông tin số CCCD chính xác');
    const home = await c.get('/tiepnhan');
    expect(home.text).not.toContain('Chuyển tài khoản:');
    // Liên kết tài khoản is the person's page: a password session is not offered it.
    expect(home.text).not.toContain('href="/tiepnhan/lien-ket-tai-khoan"');
    const sw = await c.post(`/tiepnhan/chuyen-tai-khoan/${victim.id}`, {}, { csrfFrom: '/tiepnhan' });
    expect(sw.status).toBe(403);
    expect(sw.text).toContain('chỉ dùng được khi bạn đăng nhập bằng tài khoản VNeID');
    expect((await c.get('/tiepnhan/tai-khoan')).text).toContain(clerk);
    // Nothing of the victim changed; the attacker's account is no member of the victim's accounts.
    const after = await claimOf('quantri1');
    expect(after.claim).toEqual(before.claim);
    expect(after.acc.personId).toBe(victim.personId);
    expect((await accountByUsername(database, clerk))!.personId).toBeNull();
    // The victim sees the request at their next VNeID login, with who made the account, and refuses it.
    const v = new Client(app);
    const r = await vneidLogin(v, sim, person);
    expect(r.app!.location).toBe('/tiepnhan/lien-ket-tai-khoan?tiep=%2Ftiepnhan');
    const page = await v.get('/tiepnhan/lien-ket-tai-khoan');
    expect(page.text).toContain(`Tài khoản <strong>${clerk}</strong>`);
    expect(page.text).toContain('Tạo bởi');
    const attacker = (await accountByUsername(database, clerk))!;
    const no = await v.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: attacker.id, quyetDinh: 'tu-choi' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(no.status).toBe(200);
    expect((await claimOf(clerk)).claim.declinedAt).not.toBeNull();
    expect((await v.get('/tiepnhan')).text).not.toContain(`${attacker.givenName} (`);
    const [declined] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'identity.link_declined'));
    expect(declined!.targetId).toBe(attacker.id);
  });

  it('a unit administrator who creates an account with someone else’s card data changes nothing of theirs and reveals nothing', async () => {
    const { victim, person } = await victimWithVneid();
    const before = await claimOf('quantri1');
    const adminDx = await actorFor(database, 'admin.dx');
    const dxUnit = (await accountByUsername(database, 'admin.dx'))!.unitId;
    // No "CCCD already used": the number's use elsewhere is none of this administrator's business.
    const { account } = await createOfficial(
      database.db,
      adminDx,
      {
        username: 'gia.mao.dx',
        middleName: 'Giả',
        givenName: 'Mạo',
        unitId: dxUnit,
        ...cardOf(person),
        address: 'Địa chỉ khác',
      },
      new Date(),
    );
    expect((await verifyIdentity(database.db, registry(), adminDx, account.id, new Date())).verified).toBe(true);
    const after = await claimOf('quantri1');
    expect(after.claim).toEqual(before.claim);
    expect(after.acc.personId).toBe(victim.personId);
    expect(account.personId).toBeNull();
    // The administrator's own session cannot switch into the victim's account either.
    const c = new Client(app);
    expect((await c.login('admin.dx', TEST_PASSWORD)).status).toBe(303);
    expect((await c.post(`/tiepnhan/chuyen-tai-khoan/${victim.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(403);
    // The victim still logs in with VNeID, lands on their own account, and is asked about the new one.
    const v = new Client(app);
    const r = await vneidLogin(v, sim, person);
    expect(r.app!.location).toBe('/tiepnhan/lien-ket-tai-khoan?tiep=%2Ftiepnhan');
    expect((await v.get('/tiepnhan/tai-khoan')).text).toContain('quantri1');
    expect((await accountByUsername(database, 'gia.mao.dx'))!.personId).toBeNull();
  });

  it('a unit administrator typing the CCCD of an official of another unit overwrites nothing and learns nothing (fault 2)', async () => {
    const snvOfficial = officials.find(
      (o) => o.verified && !o.unitKey.startsWith('sct') && personOf(o.username).loa === 2 && !o.username.startsWith('admin'),
    )!;
    const before = await claimOf(snvOfficial.username);
    expect(before.claim.verifiedAt).not.toBeNull();
    const adminSct = await actorFor(database, 'admin.sct');
    const sctUnit = (await accountByUsername(database, 'admin.sct'))!.unitId;
    const p = personOf(snvOfficial.username);
    // Other name, issue place and address for the same number: accepted as this account's claim, nothing more.
    const { account } = await createOfficial(
      database.db,
      adminSct,
      {
        username: 'trung.so.sct',
        middleName: 'Trùng',
        givenName: 'Số',
        unitId: sctUnit,
        ...cardOf(p),
        cardName: 'Tên Khác Hẳn',
        issuePlace: 'Nơi cấp khác',
        address: 'Địa chỉ khác',
      },
      new Date(),
    );
    expect((await verifyIdentity(database.db, registry(), adminSct, account.id, new Date())).verified).toBe(false);
    const after = await claimOf(snvOfficial.username);
    expect(after.claim).toEqual(before.claim);
    const r = await vneidLogin(new Client(app), sim, p);
    expect(r.app!.status).toBe(303);
    expect(r.app!.location).toBe('/tiepnhan');
  });

  it('an account its person holds: a unit administrator cannot change its card data; the province administrator takes it out of the person’s accounts', async () => {
    const { second, c } = await viceWithBothAccounts();
    expect((await accountByUsername(database, second.username))!.personId).not.toBeNull();
    const { claim } = await claimOf(second.username);
    const typed = {
      username: second.username,
      middleName: second.middleName,
      givenName: second.givenName,
      unitId: second.unitId,
      position: second.position ?? '',
      cardName: 'Người Khác',
      dateOfBirth: formatDate(claim.dateOfBirth),
      gender: claim.gender!,
      cccd: claim.cccd!,
      issueDate: formatDate(claim.issueDate),
    };
    // The unit's administrator (an attacker review: their own card data typed and verified on a director's account
    // would have made it theirs after their own VNeID login): refused, nothing written, the account still the person's.
    const refused = await updateOfficial(database.db, await actorFor(database, 'admin.dx'), second.id, typed, new Date()).then(
      () => null,
      (e: { code?: string }) => e.code,
    );
    expect(refused).toBe('identity_held');
    const kept = await claimOf(second.username);
    expect(kept.acc.personId).not.toBeNull();
    expect(kept.claim).toEqual(claim);
    await updateOfficial(database.db, await actorFor(database, 'quantri1'), second.id, typed, new Date());
    const detached = await claimOf(second.username);
    expect(detached.acc.personId).toBeNull();
    expect(detached.claim.verifiedAt).toBeNull();
    expect((await c.post(`/tiepnhan/chuyen-tai-khoan/${second.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(404);
    expect((await c.get('/tiepnhan')).text).not.toContain('Chuyển tài khoản:');
  });
});

describe('Chuyển tài khoản meets the target account’s own login rules', () => {
  /** A verified SCT official who also holds an account at Văn phòng UBND tỉnh, both accepted by VNeID. */
  async function twoUnits() {
    const o = officials.find((x) => x.verified && x.unitKey.startsWith('sct') && personOf(x.username).loa === 2 && x.roles.length > 0)!;
    const root = await actorFor(database, 'quantri1');
    const vpUnit = (await accountByUsername(database, officials.find((x) => x.unitKey === 'vp')!.username))!.unitId;
    const { account: other, temporaryPassword } = await createOfficial(
      database.db,
      root,
      {
        username: `${o.username}.vp`,
        middleName: o.middleName,
        givenName: o.givenName,
        unitId: vpUnit,
        ...cardOf(personOf(o.username)),
      },
      new Date(),
    );
    expect((await verifyIdentity(database.db, registry(), root, other.id, new Date())).verified).toBe(true);
    const c = new Client(app);
    const r = await vneidLogin(c, sim, personOf(o.username));
    expect(r.app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
    const sctId = (await accountByUsername(database, o.username))!.id;
    // Two accounts verified by administrators: the person accepts each.
    await acceptAll(c, [sctId, other.id]);
    const sct = (await accountByUsername(database, o.username))!;
    expect(sct.personId).not.toBeNull();
    expect((await accountByUsername(database, other.username))!.personId).toBe(sct.personId);
    return { o, sct, other, temporaryPassword, vneid: c };
  }

  it('a password session in a unit without cutoff cannot switch into an account of a VNeID-only unit', async () => {
    const { sct, other } = await twoUnits();
    const root = await actorFor(database, 'quantri1');
    const sctUnitRoot = (await accountByUsername(database, 'admin.sct'))!.unitId;
    await setUnitCutoff(database.db, root, sctUnitRoot, { date: '01/12/2026' }, new Date());
    const day = buildApp(database, sim.env, { now: () => new Date('2026-12-02T09:00:00+07:00') });
    await database.db
      .update(accounts)
      .set({ mustChangePassword: false, passwordHash: (await accountByUsername(database, 'admin.sct'))!.passwordHash })
      .where(eq(accounts.id, other.id));
    const c = new Client(day);
    expect((await c.login(other.username, TEST_PASSWORD)).status).toBe(303);
    expect((await c.get('/tiepnhan')).text).not.toContain('Chuyển tài khoản:');
    const sw = await c.post(`/tiepnhan/chuyen-tai-khoan/${sct.id}`, {}, { csrfFrom: '/tiepnhan' });
    expect(sw.status).toBe(403);
    expect((await c.get('/tiepnhan/tai-khoan')).text).toContain(other.username);
  });

  it('a VNeID session switches, but not below the level of identification, and not into a suspended account', async () => {
    const { sct, other, vneid } = await twoUnits();
    const home = await vneid.get('/tiepnhan');
    expect(home.text).toContain('href="/tiepnhan/lien-ket-tai-khoan"');
    expect(home.text).toContain('Chuyển tài khoản:');
    const current = home.text.includes(`/chuyen-tai-khoan/${sct.id}`) ? other : sct;
    const target = current.id === sct.id ? other : sct;
    // The same session with a level-1 proof: the target's rule (level 2) refuses.
    await database.db.update(sessions).set({ loa: 1 }).where(eq(sessions.accountId, current.id));
    const low = await vneid.post(`/tiepnhan/chuyen-tai-khoan/${target.id}`, {}, { csrfFrom: '/tiepnhan' });
    expect(low.status).toBe(403);
    expect(low.text).toContain('mức độ 2');
    await database.db.update(sessions).set({ loa: 2 }).where(eq(sessions.accountId, current.id));
    await setSuspended(database.db, await actorFor(database, 'quantri1'), target.id, true, new Date());
    expect((await vneid.post(`/tiepnhan/chuyen-tai-khoan/${target.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(403);
    await setSuspended(database.db, await actorFor(database, 'quantri1'), target.id, false, new Date());
    const ok = await vneid.post(`/tiepnhan/chuyen-tai-khoan/${target.id}`, {}, { csrfFrom: '/tiepnhan' });
    expect(ok.status).toBe(303);
    expect((await vneid.get('/tiepnhan/tai-khoan')).text).toContain(target.username);
    const [entry] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'auth.switch_account'), eq(auditLog.targetId, target.id)));
    expect(entry!.data).toMatchObject({ method: 'vneid', loa: 2 });
  });
});

describe('Liên kết tài khoản refuses what is not the person’s to decide', () => {
  it('a self-verified account waits for the person: Đồng ý logs them in, a stranger’s pending login decides nothing', async () => {
    const unbound = officials.find((o) => !o.cccd && personOf(o.username).loa === 2)!;
    const p = personOf(unbound.username);
    const c = new Client(app);
    await c.login(unbound.username, TEST_PASSWORD);
    await c.post('/tiepnhan/tai-khoan/xac-thuc-vneid', { ...cardOf(p), mobile: p.soDienThoai }, { csrfFrom: '/tiepnhan/tai-khoan' });
    const acc = (await accountByUsername(database, unbound.username))!;
    // No pending login: nothing to decide.
    const anon = new Client(app);
    const none = await anon.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: acc.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/dang-nhap' },
    );
    expect(none.status).toBe(401);
    // Another person's pending login cannot accept this account.
    const vice = officials.find((o) => o.unitKey === 'dx-vp' && o.position === 'Phó Chủ tịch')!;
    const other = new Client(app);
    expect((await vneidLogin(other, sim, personOf(vice.username))).app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
    const stolen = await other.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: acc.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(stolen.status).toBe(404);
    expect((await accountByUsername(database, unbound.username))!.personId).toBeNull();
    // The person themself: no session until they accept.
    const me = new Client(app);
    const r = await vneidLogin(me, sim, p);
    expect(r.app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
    expect(me.cookies.get('motcua_sid')).toBeUndefined();
    const yes = await me.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: acc.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(yes.status).toBe(303);
    expect((await me.get('/tiepnhan/tai-khoan')).text).toContain(unbound.username);
    // The decision is made once: repeating it finds nothing to decide.
    const again = await me.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: acc.id, quyetDinh: 'tu-choi' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(again.status).toBe(404);
  });
});

describe('the registry stand-in compares names as the national database holds them', () => {
  it('refuses a name without its diacritics, accepts it in NFD', async () => {
    const p = personOf('quantri1');
    const ask = (hoVaTen: string) =>
      registry().verify({ soDinhDanh: p.soDinhDanh, hoVaTen, ngaySinh: p.ngaySinh, gioiTinh: p.gioiTinh, ngayCap: p.ngayCap });
    const folded = p.hoVaTen
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D');
    expect(folded).not.toBe(p.hoVaTen);
    expect((await ask(folded)).fields).toMatchObject({ hoVaTen: 'mismatch' });
    expect((await ask(p.hoVaTen.normalize('NFD'))).fields).toMatchObject({ hoVaTen: 'match' });
  });
});

describe('what an attacker review found next to the fix', () => {
  it('a planted account beside the person’s own is not accepted by itself; an accepted one can be removed and stays out', async () => {
    // The province administrator's own account is verified by a unit administrator of theirs… and so is a planted one.
    const p = personOf('quantri1');
    const root = await actorFor(database, 'quantri1');
    const victim = (await accountByUsername(database, 'quantri1'))!;
    await updateOfficial(
      database.db,
      root,
      victim.id,
      {
        username: victim.username,
        middleName: victim.middleName,
        givenName: victim.givenName,
        unitId: victim.unitId,
        ...cardOf(p),
      },
      new Date(),
    );
    const adminDx = await actorFor(database, 'admin.dx');
    const dxUnit = (await accountByUsername(database, 'admin.dx'))!.unitId;
    const { account: planted } = await createOfficial(
      database.db,
      adminDx,
      {
        username: 'quantri.tinh',
        middleName: victim.middleName,
        givenName: victim.givenName,
        unitId: dxUnit,
        ...cardOf(p),
      },
      new Date(),
    );
    expect((await verifyIdentity(database.db, registry(), adminDx, planted.id, new Date())).verified).toBe(true);
    // Two candidates: the person chooses, nothing is accepted for them.
    const v = new Client(app);
    expect((await vneidLogin(v, sim, p)).app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
    expect((await accountByUsername(database, 'quantri.tinh'))!.personId).toBeNull();
    // Alone, the planted account is accepted by the first login (the administrator verified it)…
    await v.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: victim.id, quyetDinh: 'tu-choi' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    const again = new Client(app);
    expect((await vneidLogin(again, sim, p)).app!.location).toBe('/tiepnhan');
    expect((await accountByUsername(database, 'quantri.tinh'))!.personId).not.toBeNull();
    // …and the page says so, with Gỡ liên kết.
    const page = await again.get('/tiepnhan/lien-ket-tai-khoan');
    expect(page.text).toContain('liên kết tự động khi bạn đăng nhập VNeID lần đầu');
    const off = await again.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: planted.id, quyetDinh: 'go-lien-ket' },
      { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
    );
    expect(off.status).toBe(200);
    expect(off.text).toContain('Đã gỡ liên kết tài khoản quantri.tinh');
    expect((await accountByUsername(database, 'quantri.tinh'))!.personId).toBeNull();
    // Retyping a field and back, then verifying again, does not offer it again: the refusal stands for that number.
    const same = { username: 'quantri.tinh', middleName: victim.middleName, givenName: victim.givenName, unitId: dxUnit, ...cardOf(p) };
    await updateOfficial(database.db, adminDx, planted.id, { ...same, issueDate: '01/01/2022' }, new Date());
    await updateOfficial(database.db, adminDx, planted.id, same, new Date());
    expect((await verifyIdentity(database.db, registry(), adminDx, planted.id, new Date())).verified).toBe(true);
    const third = new Client(app);
    const r3 = await vneidLogin(third, sim, p);
    expect(r3.app!.status).toBe(403);
    expect((await accountByUsername(database, 'quantri.tinh'))!.personId).toBeNull();
    const [removed] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'identity.link_removed'));
    expect(removed!.targetId).toBe(planted.id);
  });

  it('Xác thực checks the data its own save wrote, not what another saved in between', async () => {
    const clerk = sctClerkUsername();
    const acc = (await accountByUsername(database, clerk))!;
    const adminSct = await actorFor(database, 'admin.sct');
    const base = {
      username: acc.username,
      middleName: acc.middleName,
      givenName: acc.givenName,
      unitId: acc.unitId,
      position: acc.position ?? '',
    };
    const saved = await updateOfficial(database.db, adminSct, acc.id, { ...base, ...cardOf(personOf(clerk)) }, new Date());
    // The official saves someone else's card data in between.
    await updateOwnProfile(
      database.db,
      await actorFor(database, clerk),
      { ...cardOf(personOf('quantri1')), mobile: '0912000111' },
      new Date(),
    );
    await expect(
      verifyIdentity(database.db, registry(), adminSct, acc.id, new Date(), { asSaved: saved.identitySavedAt }),
    ).rejects.toMatchObject({
      status: 409,
    });
    expect((await claimOf(clerk)).claim).toMatchObject({ verifiedAt: null, verifiedByAdmin: false });
  });

  it('Đăng xuất and Hủy end a pending login: the next person at the counter PC cannot finish it', async () => {
    const unbound = officials.find((o) => !o.cccd && personOf(o.username).loa === 2)!;
    const p = personOf(unbound.username);
    const c = new Client(app);
    await c.login(unbound.username, TEST_PASSWORD);
    await c.post('/tiepnhan/tai-khoan/xac-thuc-vneid', { ...cardOf(p), mobile: p.soDienThoai }, { csrfFrom: '/tiepnhan/tai-khoan' });
    await c.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    const acc = (await accountByUsername(database, unbound.username))!;
    const pc = new Client(app);
    expect((await vneidLogin(pc, sim, p)).app!.location).toBe('/tiepnhan/lien-ket-tai-khoan');
    await pc.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan/dang-nhap' });
    expect(pc.cookies.has('motcua_pending')).toBe(false);
    const next = await pc.post(
      '/tiepnhan/lien-ket-tai-khoan',
      { taiKhoan: acc.id, quyetDinh: 'dong-y' },
      { csrfFrom: '/tiepnhan/dang-nhap' },
    );
    expect(next.status).toBe(401);
    expect((await accountByUsername(database, unbound.username))!.personId).toBeNull();
    // Hủy đăng nhập on the page does the same.
    const pc2 = new Client(app);
    await vneidLogin(pc2, sim, p);
    const cancel = await pc2.post('/tiepnhan/lien-ket-tai-khoan', { quyetDinh: 'huy' }, { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' });
    expect(cancel.location).toBe('/tiepnhan/dang-nhap');
    expect((await pc2.get('/tiepnhan/lien-ket-tai-khoan')).location).toBe('/tiepnhan/dang-nhap');
  });

  it('a login response started in another browser is refused (no login CSRF into the attacker’s account)', async () => {
    const attacker = officials.find((o) => o.verified && personOf(o.username).loa === 2 && o.unitKey.startsWith('sct'))!;
    const a = new Client(app);
    const begin = await a.get('/tiepnhan/dang-nhap/vneid');
    const browser = new SimBrowser(sim.url);
    const page = await browser.follow(begin.location!);
    const uid = /\/interaction\/([^/?#]+)/.exec(page.url)![1]!;
    const ap = personOf(attacker.username);
    await browser.request('POST', `/interaction/${uid}/vneid`, { soDinhDanh: ap.soDinhDanh, password: ap.password });
    const done = await browser.request('POST', `/interaction/${uid}/otp`, { otp: (await latestOtp(sim.url, ap.soDienThoai))! });
    const back = await browser.follow(done.location!);
    const callback = new URL(back.url);
    // The victim, logged in, opens the link the attacker sent.
    const v = new Client(app);
    expect((await v.login('quantri1', TEST_PASSWORD)).status).toBe(303);
    const res = await followLoginError(v, await v.get(callback.pathname + callback.search));
    expect(res.status).toBe(400);
    expect((await v.get('/tiepnhan/tai-khoan')).text).toContain('quantri1');
    const failures = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(failures.at(-1)!.data).toMatchObject({ reason: 'other_browser' });
  });

  it('a switch keeps the session’s absolute limit; a detached account’s session no longer switches', async () => {
    const { main, second, c } = await viceWithBothAccounts();
    const [before] = await database.db.select().from(sessions).where(eq(sessions.accountId, main.id));
    await c.post(`/tiepnhan/chuyen-tai-khoan/${second.id}`, {}, { csrfFrom: '/tiepnhan' });
    const [after] = await database.db.select().from(sessions).where(eq(sessions.accountId, second.id));
    expect(after!.expiresAt.getTime()).toBe(before!.expiresAt.getTime());
    // The province administrator changes the data of the account this session is in: it is detached, and the session loses its proof.
    const { claim } = await claimOf(second.username);
    await updateOfficial(
      database.db,
      await actorFor(database, 'quantri1'),
      second.id,
      {
        username: second.username,
        middleName: second.middleName,
        givenName: second.givenName,
        unitId: second.unitId,
        cardName: 'Người Khác',
        dateOfBirth: formatDate(claim.dateOfBirth),
        gender: claim.gender!,
        cccd: claim.cccd!,
        issueDate: formatDate(claim.issueDate),
      },
      new Date(),
    );
    const [stripped] = await database.db.select().from(sessions).where(eq(sessions.accountId, second.id));
    expect(stripped).toMatchObject({ personId: null, loa: null });
    expect((await c.post(`/tiepnhan/chuyen-tai-khoan/${main.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(403);
  });

  it('an organisation’s electronic identity does not log an official in', async () => {
    const org = population.find((p) => p.loaiTaiKhoan === 2 && p.loa === 2)!;
    const r = await vneidLogin(new Client(app), sim, org);
    expect(r.app!.status).toBe(403);
    expect(r.app!.text).toContain('tài khoản định danh điện tử của tổ chức');
  });

  it('the registry stand-in ignores only case and spacing in names', async () => {
    const p = personOf('quantri1');
    const ask = (hoVaTen: string) =>
      registry().verify({ soDinhDanh: p.soDinhDanh, hoVaTen, ngaySinh: p.ngaySinh, gioiTinh: p.gioiTinh, ngayCap: p.ngayCap });
    expect((await ask(` ${p.hoVaTen.toLocaleUpperCase('vi')}  `)).fields).toMatchObject({ hoVaTen: 'match' });
  });
});

describe('the registry is no oracle', () => {
  it('an official’s questions to the population registry are counted: the eleventh in an hour is refused', async () => {
    const clerk = sctClerkUsername();
    const c = new Client(app);
    await c.login(clerk, TEST_PASSWORD);
    const guess = (n: number) => ({ ...cardOf(personOf('quantri1')), cardName: `Người Thử ${'ABCDEFGHIJK'[n]}`, mobile: '0912000111' });
    for (let n = 0; n < 10; n++) {
      const r = await c.post('/tiepnhan/tai-khoan/xac-thuc-vneid', guess(n), { csrfFrom: '/tiepnhan/tai-khoan' });
      expect(r.text).toContain('Thông tin chưa khớp');
    }
    const refused = await c.post('/tiepnhan/tai-khoan/xac-thuc-vneid', guess(10), { csrfFrom: '/tiepnhan/tai-khoan' });
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('quá nhiều yêu cầu xác thực');
    const acc = (await accountByUsername(database, clerk))!;
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'identity.verify'), eq(auditLog.targetId, acc.id)));
    expect(rows.at(-1)!.data).toMatchObject({ result: 'rate_limited' });
    // An administrator's own allowance is separate.
    const admin = await actorFor(database, 'admin.sct');
    expect(
      (
        await verifyIdentity(
          database.db,
          registry(),
          admin,
          (await accountByUsername(
            database,
            officials.find((o) => o.verified && o.unitKey.startsWith('sct') && o.username !== clerk)!.username,
          ))!.id,
          new Date(),
        )
      ).verified,
    ).toBe(true);
  });
});
