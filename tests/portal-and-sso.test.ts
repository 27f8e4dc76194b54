import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, isNotNull } from 'drizzle-orm';
import { testDatabase, resetDatabase } from './support/db.js';
import { APP_URL, followLoginError, startTestSimulator, vneidLogin } from './support/vneid.js';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { seedDemo } from '../src/demo/seed.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { auditLog, citizens, sessions } from '../src/db/schema/index.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let sso: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const population = loadPopulation();

beforeAll(async () => {
  database = await testDatabase();
  sim = await startTestSimulator();
  sso = await startTestSimulator([`${APP_URL}/tiepnhan/dang-nhap/sso/callback`]);
  app = buildApp(database, {
    ...sim.env,
    SSO_ISSUER: sso.env.VNEID_ISSUER!,
    SSO_CLIENT_ID: sso.env.VNEID_CLIENT_ID!,
    SSO_CLIENT_SECRET: sso.env.VNEID_CLIENT_SECRET!,
  });
});
afterAll(async () => {
  await sim?.close();
  await sso?.close();
});
beforeEach(async () => {
  await resetDatabase(database);
  await seedDemo(database.db, TEST_PASSWORD);
});

describe('citizens log in on the portal with VNeID', () => {
  it('creates the profile from the claims at the first login, in NFC, and finds it again by subject', async () => {
    // Index divisible by 3: the simulator sends this name decomposed (NFD), as the real one does.
    const citizen = population.find((p, i) => p.role === 'citizen' && p.loaiTaiKhoan === 1 && i % 3 === 0)!;
    const c = new Client(app);
    const r = await vneidLogin(c, sim, citizen, '/dang-nhap/vneid');
    expect(r.app!.status).toBe(303);
    expect(r.app!.location).toBe('/ca-nhan');
    const page = await c.get('/ca-nhan');
    expect(page.status).toBe(200);
    expect(page.text).toContain(citizen.hoVaTen.normalize('NFC'));
    expect(page.text).toContain(citizen.soDinhDanh);
    const [row] = await database.db.select().from(citizens);
    expect(row!.fullName).toBe(citizen.hoVaTen.normalize('NFC'));
    expect(row!.dateOfBirth).toBe(citizen.ngaySinh);
    expect(row!.subject).toBe(citizen.techId);
    await vneidLogin(new Client(app), sim, citizen, '/dang-nhap/vneid');
    expect(await database.db.select().from(citizens)).toHaveLength(1);
    // A citizen is not an official: the one-stop system still asks to log in.
    expect((await c.get('/tiepnhan')).status).toBe(303);
    // Its sessions are citizens' sessions (one table, two kinds), never an official's.
    expect(await database.db.select().from(sessions).where(isNotNull(sessions.accountId))).toHaveLength(0);
    expect(await database.db.select().from(sessions).where(isNotNull(sessions.citizenId))).toHaveLength(2);
    const out = await c.post('/dang-xuat', {}, { csrfFrom: '/ca-nhan' });
    expect(out.status).toBe(303);
    // The home page says it happened (a citizen still logged in is not told so by a link).
    expect(out.location).toBe('/?tb=da-dang-xuat');
    expect((await c.get('/?tb=da-dang-xuat')).text).toContain('Bạn đã đăng xuất. Hẹn gặp lại!');
    // An old or mistyped notice is ignored: the home page still shows.
    const junk = await c.get('/?tb=%3Cscript%3E');
    expect(junk.status).toBe(200);
    expect(junk.text).not.toContain('Bạn đã đăng xuất');
    expect(junk.text).not.toContain('<script>');
    // The append-only log names the citizen by internal id only: no CCCD, no name (personal data must stay erasable).
    const logged = await database.db.select().from(auditLog);
    const portal = logged.filter((e) => e.action.startsWith('portal.'));
    expect(portal.map((e) => e.action)).toEqual(['portal.login', 'portal.login', 'portal.logout']);
    for (const e of portal) expect(e.actorLabel).toBe(`citizen:${row!.id}`);
    const text = JSON.stringify(portal);
    expect(text).not.toContain(citizen.soDinhDanh);
    expect(text).not.toContain(citizen.hoVaTen.normalize('NFC'));
    expect((await c.get('/ca-nhan')).status).toBe(303);
  });

  it('organisations carry their tax code and name', async () => {
    const org = population.find((p) => p.loaiTaiKhoan === 2)!;
    const c = new Client(app);
    await vneidLogin(c, sim, org, '/dang-nhap/vneid');
    const page = await c.get('/ca-nhan');
    expect(page.text).toContain('Tổ chức, doanh nghiệp');
    expect(page.text).toContain(org.maSoThue!);
  });
});

describe('Đăng nhập qua Hệ thống xác thực tập trung', () => {
  it('links an official by verified CCCD, with the same checks', async () => {
    const o = demoOfficials().find(
      (x) => x.verified && x.unitKey.startsWith('sct') && population.find((p) => p.demoUsername === x.username)!.loa === 2,
    )!;
    const person = population.find((p) => p.demoUsername === o.username)!;
    const c = new Client(app);
    const r = await vneidLogin(c, sso, person, '/tiepnhan/dang-nhap/sso');
    expect(r.app!.status).toBe(303);
    expect((await c.get('/tiepnhan')).text).toContain(o.givenName);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(entry!.data).toMatchObject({ method: 'sso', issuer: sso.url });
  });

  it('asks the officials’ level of identification, as VNeID does: level 1 is refused', async () => {
    const o = demoOfficials().find((x) => population.find((p) => p.demoUsername === x.username)!.loa === 1)!;
    const person = population.find((p) => p.demoUsername === o.username)!;
    const r = await vneidLogin(new Client(app), sso, person, '/tiepnhan/dang-nhap/sso');
    expect(r.app!.status).toBe(403);
    expect(r.app!.text).toContain('mức độ 2');
  });

  it('refuses an official whose CCCD is not verified', async () => {
    const o = demoOfficials().find((x) => !x.cccd)!;
    const person = population.find((p) => p.demoUsername === o.username)!;
    const c = new Client(app);
    const r = await vneidLogin(c, sso, person, '/tiepnhan/dang-nhap/sso');
    expect(r.app!.status).toBe(403);
  });

  it('says plainly when no SSO is configured (and no demo data: demo mode uses the built-in provider)', async () => {
    const plain = buildApp(database, { ...sim.env, DEMO_DATA: 'false' });
    const anon = new Client(plain);
    const res = await followLoginError(anon, await anon.get('/tiepnhan/dang-nhap/sso'));
    expect(res.status).toBe(503);
    expect(res.text).toContain('chưa được cấu hình');
  });
});
