/**
 * Khóa API and the VNeID-only date (api/key-access.ts): from the date only the verified person acts as the account,
 * so a key acts then only if its holder issued it after a VNeID login. An attacker review found a unit's IT
 * administrator (no workflow role) issuing keys on the director's account and approving dossiers in the director's
 * name after the date. Each abuse beside the use it must not break.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD, type buildApp } from './support/app.js';
import { REGISTRY_TOKEN, useVneidDemo, vneidLogin, type startTestSimulator } from './support/vneid.js';
import { accountByUsername, actorFor, sctClerkUsername } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { apiClients, auditLog, settings } from '../src/db/schema/index.js';
import { cardOf, officialFormOf } from './support/official-form.js';
import { verifyOfficialForm } from '../src/accounts/verify-official-form.js';
import { httpRegistry } from '../src/auth/registry.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { listApiClients } from '../src/api/list-api-clients.js';
import { todayInVietnam } from '../src/shared/dates.js';
import type { AppError } from '../src/shared/errors.js';
import type { StaffActor } from '../src/shared/context.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});

const population = loadPopulation();
const director = () => demoOfficials().find((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc')!.username;
/** An official the demo data bound and verified (can log in with VNeID), with one account. */
const verifiedOfficial = () => {
  const all = demoOfficials();
  return all.find((o) => o.verified && all.filter((x) => x.identityCccd === o.identityCccd).length === 1)!.username;
};

const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const formOf = async (username: string, over: Record<string, string> = {}) => (await officialFormOf(database, username, over)).form;

/** The province's VNeID-only date (today by default: password login is over everywhere). */
async function cutoffToday(date = todayInVietnam()) {
  const value = { date };
  await database.db.insert(settings).values({ key: 'password_cutoff', value }).onConflictDoUpdate({ target: settings.key, set: { value } });
}

async function me(token: string) {
  const res = await app.request('http://localhost/api/v1/me', { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as { error?: { code?: string }; account?: { username?: string } } };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: AppError) => e.code,
  );

const tokenOnLanding = (html: string) => /(mc_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43})/.exec(html)?.[1];

describe('Khóa API after the VNeID-only date', () => {
  it("an administrator's key on the director stops at the date, and after it the administrator cannot issue one", async () => {
    const unitAdmin = await actorFor(database, 'admin.sct');
    const boss = (await accountByUsername(database, director()))!;
    const { token, clientId } = await issueApiClient(database.db, unitAdmin, boss.id, { name: 'Đồng bộ văn bản' });
    expect((await me(token)).status).toBe(200);

    await cutoffToday();
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('api_key_cutoff');
    const { keys } = await listApiClients(database.db, unitAdmin, boss.id, new Date());
    expect(keys.find((k) => k.id === clientId)?.state).toBe('cutoff');

    // No new key can carry the administrator past the date, nor the province administrator's.
    expect(await code(issueApiClient(database.db, unitAdmin, boss.id, { name: 'Đồng bộ 2' }))).toBe('api_key_needs_holder');
    const province = await actorFor(database, 'quantri1');
    expect(await code(issueApiClient(database.db, province, boss.id, { name: 'Đồng bộ 3' }))).toBe('api_key_needs_holder');
    expect(await database.db.select().from(apiClients).where(eq(apiClients.accountId, boss.id))).toHaveLength(1);
  });

  it('the holder, logged in with VNeID, issues their own key on Thông tin tài khoản → Khóa API; it acts after the date', async () => {
    await cutoffToday();
    const boss = (await accountByUsername(database, verifiedOfficial()))!;
    const c = new Client(app);
    const login = await vneidLogin(c, sim, population.find((p) => p.demoUsername === boss.username)!);
    expect(login.stoppedAt).toBeNull();
    if (login.app?.location === '/tiepnhan/lien-ket-tai-khoan') {
      const yes = await c.post(
        '/tiepnhan/lien-ket-tai-khoan',
        { taiKhoan: boss.id, quyetDinh: 'dong-y' },
        { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
      );
      expect(yes.status).toBe(303);
    }
    const page = await c.get('/tiepnhan/tai-khoan/khoa-api');
    expect([page.location, page.status]).toEqual([null, 200]);
    expect(page.text).toContain('id="issue-key"');
    const issued = await c.post(
      '/tiepnhan/tai-khoan/khoa-api',
      { name: 'Ký số văn bản', validDays: '30' },
      { csrfFrom: '/tiepnhan/tai-khoan/khoa-api' },
    );
    expect(issued.status).toBe(303);
    const landing = await c.get(issued.location!);
    const token = tokenOnLanding(landing.text);
    expect(token).toBeDefined();
    const answer = await me(token!);
    expect(answer.status).toBe(200);
    expect(answer.body.account?.username).toBe(boss.username);
    const [row] = await database.db.select().from(apiClients).where(eq(apiClients.accountId, boss.id));
    const holder = (await accountByUsername(database, boss.username))!;
    expect(holder.personId).not.toBeNull();
    expect(row).toMatchObject({ provedPersonId: holder.personId, createdBy: boss.id });
    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'api_client.issue'), eq(auditLog.targetId, boss.id)));
    expect(audit?.data).toMatchObject({ provedHolder: true });
  });

  it("a key issued from a password session stops at the date; before it the holder's own page issues it", async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    await cutoffToday('2099-01-01');
    const c = new Client(app);
    expect((await c.login(clerk.username, TEST_PASSWORD)).status).toBe(303);
    const issued = await c.post(
      '/tiepnhan/tai-khoan/khoa-api',
      { name: 'Phần mềm một cửa cũ', validDays: '90' },
      { csrfFrom: '/tiepnhan/tai-khoan/khoa-api' },
    );
    expect(issued.status).toBe(303);
    const landing = await c.get(issued.location!);
    expect(landing.text).toContain('dùng được đến trước ngày 01/01/2099');
    const token = tokenOnLanding(landing.text)!;
    expect((await me(token)).status).toBe(200);
    await cutoffToday();
    expect((await me(token)).body.error?.code).toBe('api_key_cutoff');
    // Without the holder's VNeID login, no key is issued after the date (a break-glass session, say).
    const self = await actorFor(database, clerk.username);
    expect(await code(issueApiClient(database.db, self, clerk.id, { name: 'Sau ngày' }))).toBe('api_key_needs_holder');
  });

  it('a key never mints a key, and nobody issues one on an account outside their subtree', async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const unitAdmin = await actorFor(database, 'admin.sct');
    const { clientId } = await issueApiClient(database.db, unitAdmin, clerk.id, { name: 'Khóa gốc' });
    const asKey: StaffActor = { kind: 'api', accountId: clerk.id, clientId, label: clerk.username, meta: { ip: null, requestId: null } };
    expect(await code(issueApiClient(database.db, asKey, clerk.id, { name: 'Khóa con' }))).toBe('forbidden');
    const snvAdmin = await actorFor(database, 'admin.snv');
    expect(await code(issueApiClient(database.db, snvAdmin, clerk.id, { name: 'Chiếm quyền' }))).toBe('not_found');
  });

  it("a holder's key stops when the account is no longer that person's: an administrator's detour through their own VNeID", async () => {
    await cutoffToday();
    const registry = httpRegistry(sim.env.REGISTRY_URL!, REGISTRY_TOKEN, 2000);
    const unitAdmin = await actorFor(database, 'admin.sct');
    const boss = (await accountByUsername(database, director()))!;
    const original = await formOf(boss.username);
    // The administrator types their own card data on the director's account and verifies it (the registry agrees:
    // the data are real), logs in with their own VNeID, accepts the account and acts in it.
    const bound = await verifyOfficialForm(
      database.db,
      registry,
      unitAdmin,
      boss.id,
      await formOf(boss.username, cardOf(personOf('admin.sct'))),
      new Date(),
    );
    expect(bound.verified).toBe(true);
    const c = new Client(app);
    expect((await vneidLogin(c, sim, personOf('admin.sct'))).stoppedAt).toBeNull();
    if ((await accountByUsername(database, boss.username))!.personId === null) {
      const yes = await c.post(
        '/tiepnhan/lien-ket-tai-khoan',
        { taiKhoan: boss.id, quyetDinh: 'dong-y' },
        { csrfFrom: '/tiepnhan/lien-ket-tai-khoan' },
      );
      expect([200, 303]).toContain(yes.status);
    }
    if (!(await c.get('/tiepnhan/tai-khoan')).text.includes(boss.username)) {
      expect((await c.post(`/tiepnhan/chuyen-tai-khoan/${boss.id}`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(303);
    }
    const issued = await c.post(
      '/tiepnhan/tai-khoan/khoa-api',
      { name: 'Đồng bộ', validDays: '365' },
      { csrfFrom: '/tiepnhan/tai-khoan/khoa-api' },
    );
    expect(issued.status).toBe(303);
    const token = tokenOnLanding((await c.get(issued.location!)).text)!;
    expect((await me(token)).status).toBe(200);
    // The director's data put back: the account leaves the administrator's person, and the key with it. (Held by a
    // person now, its data change by that person's hand or the province administrator's, not the unit's: 409.)
    const restore = { ...original, ...cardOf(personOf(boss.username)) };
    expect(await code(verifyOfficialForm(database.db, registry, unitAdmin, boss.id, restore, new Date()))).toBe('identity_held');
    const province = await actorFor(database, 'quantri1');
    const back = await verifyOfficialForm(database.db, registry, province, boss.id, restore, new Date());
    expect(back.verified).toBe(true);
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('api_key_cutoff');
    const { keys } = await listApiClients(database.db, unitAdmin, boss.id, new Date());
    expect(keys.map((k) => k.state)).toEqual(['cutoff']);
  });
});
