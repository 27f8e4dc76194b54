/**
 * Sessions that a change of credential regime must end (src/cutover, auth/sessions.ts readSession):
 * - naming or un-naming a break-glass account ends every session of it at once, here and in another process's
 *   session cache (the end is announced by the database, as a suspension's is);
 * - a password session opened before its unit's VNeID-only cutoff is refused from that day on — also when its row
 *   sits in the session cache — ended with its audit row, and the browser sent to the login page with the notice; a
 *   VNeID session of the same unit and a password session of a unit without a cutoff go on.
 */
import { and, eq } from 'drizzle-orm';
import { generate } from 'otplib';
import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import { setUnitCutoff } from '../src/cutover/set-cutoff.js';
import { setBreakGlass } from '../src/cutover/set-break-glass.js';
import { readyBreakGlass } from './support/break-glass.js';
import type { Database } from '../src/db/client.js';
import { auditLog, sessions } from '../src/db/schema/index.js';
import { buildDeps } from '../src/deps.js';
import { SESSION_COOKIE } from '../src/web/cookies.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, freshDemo, sctClerkUsername } from './support/fixtures.js';
import { testDatabase } from './support/db.js';

let database: Database;
let unitIds: Record<string, string>;
/** The app's clock (deps.now), moved by the tests: the session time-outs follow it too. */
let clock = new Date();
const at = (iso: string) => new Date(`${iso}T09:00:00+07:00`);

/** An app as production runs it: the session cache on (another process, for the writes the tests make directly). */
function cachedApp() {
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '3999',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
    SESSION_CACHE_MS: '60000',
  });
  const deps = buildDeps(config, database, pino({ level: 'silent' }), {
    captcha: { counterMin: 10, counterMax: 50, cost: 1 },
    now: () => clock,
  });
  return { deps, app: createApp(deps) };
}

let deps: ReturnType<typeof cachedApp>['deps'];
let app: ReturnType<typeof cachedApp>['app'];

beforeAll(async () => {
  database = await testDatabase();
  ({ deps, app } = cachedApp());
});
beforeEach(async () => {
  unitIds = (await freshDemo(database)).unitIds;
  clock = new Date();
  await deps.changes.settled();
});

const loggedOut = (r: { status: number; location: string | null }) => r.status === 303 && /\/tiepnhan\/dang-nhap/.test(r.location ?? '');

/** Read twice: the second answer comes from the session cache. */
async function cachedPage(c: Client, path = '/tiepnhan/ho-so') {
  await deps.changes.settled();
  expect((await c.get(path)).status).toBe(200);
  const before = deps.sessionCaches.officials.hits;
  expect((await c.get(path)).status).toBe(200);
  expect(deps.sessionCaches.officials.hits).toBe(before + 1);
}

describe('break-glass on and off end the sessions of the account', () => {
  it('a break-glass session is refused on the next request once the account stops being break-glass, cache or not', async () => {
    const root = await actorFor(database, 'quantri1');
    const acc = (await accountByUsername(database, 'admin.dx'))!;
    await setUnitCutoff(database.db, root, unitIds.dx!, { date: '20/10/2026' }, clock);
    const secret = await readyBreakGlass(database.db, root, acc.id, clock);
    clock = at('2026-10-21');
    const c = new Client(app);
    expect((await c.login('admin.dx', TEST_PASSWORD)).location).toBe('/tiepnhan/dang-nhap/ma-xac-thuc');
    const code = await generate({ secret: secret!, epoch: Math.floor(clock.getTime() / 1000) });
    expect((await c.post('/tiepnhan/dang-nhap/ma-xac-thuc', { code })).status).toBe(303);
    await cachedPage(c, '/tiepnhan');
    const [session] = await database.db.select().from(sessions).where(eq(sessions.accountId, acc.id));
    expect(session!.method).toBe('password+totp');

    // Written as another instance would (the cutover page served elsewhere): this process hears it from the database.
    await setBreakGlass(database.db, root, acc.id, false, clock);
    await deps.changes.settled();
    expect(loggedOut(await c.get('/tiepnhan'))).toBe(true);
    expect(await database.db.select().from(sessions).where(eq(sessions.accountId, acc.id))).toEqual([]);
    const [off] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'cutover.break_glass_off'), eq(auditLog.targetId, acc.id)));
    expect(off!.data).toMatchObject({ sessionsEnded: { browserSessions: 1 } });
  });

  it('naming an account break-glass ends its sessions too (a new credential regime); other accounts keep theirs', async () => {
    const root = await actorFor(database, 'quantri1');
    const acc = (await accountByUsername(database, 'admin.dx'))!;
    const dx = new Client(app);
    expect((await dx.login('admin.dx', TEST_PASSWORD)).status).toBe(303);
    const snv = new Client(app);
    expect((await snv.login('admin.snv', TEST_PASSWORD)).status).toBe(303);
    await cachedPage(dx, '/tiepnhan');
    await setBreakGlass(database.db, root, acc.id, true, clock);
    await deps.changes.settled();
    expect(loggedOut(await dx.get('/tiepnhan'))).toBe(true);
    expect((await snv.get('/tiepnhan')).status).toBe(200);
  });
});

describe('a password session from before the VNeID-only cutoff', () => {
  // The day comes a quarter of an hour after the login: within the session's idle and absolute limits (deps.now).
  const eve = new Date('2026-10-19T23:50:00+07:00');
  const cutoffDay = new Date('2026-10-20T00:05:00+07:00');
  it('is refused from the cutoff day on, even cached: ended, audited, sent to the login page with the notice', async () => {
    const root = await actorFor(database, 'quantri1');
    await setUnitCutoff(database.db, root, unitIds.sct!, { date: '20/10/2026' }, clock);
    clock = eve;
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const c = new Client(app);
    expect((await c.login(clerk.username, TEST_PASSWORD)).status).toBe(303);
    // A VNeID session of the same account's unit, and a password session of a unit without a cutoff.
    const vneid = new Client(app);
    vneid.cookies.set(
      SESSION_COOKIE,
      await createSession(
        database.db,
        clerk.id,
        { idleMs: 1_800_000, absoluteMs: 43_200_000 },
        clock,
        { ip: null, userAgent: null },
        { method: 'vneid' },
      ),
    );
    const snv = new Client(app);
    expect((await snv.login('admin.snv', TEST_PASSWORD)).status).toBe(303);
    await cachedPage(c);
    await cachedPage(vneid);
    expect((await snv.get('/tiepnhan')).status).toBe(200);

    // The day comes: nothing was written, only the clock moved.
    clock = cutoffDay;
    const refused = await c.get('/tiepnhan/ho-so');
    expect(refused.status).toBe(303);
    expect(refused.location).toBe(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent('/tiepnhan/ho-so')}&het-mat-khau=1`);
    expect(c.cookies.has(SESSION_COOKIE)).toBe(false);
    const page = await c.get(refused.location!);
    expect(page.text).toContain('Đơn vị của bạn đã chuyển sang chỉ đăng nhập bằng tài khoản VNeID');
    expect(page.text).toContain('Đăng nhập bằng tài khoản VNEID');

    const left = await database.db.select({ method: sessions.method }).from(sessions).where(eq(sessions.accountId, clerk.id));
    expect(left).toEqual([{ method: 'vneid' }]);
    const ended = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'auth.session_cutoff'), eq(auditLog.targetId, clerk.id)));
    expect(ended).toHaveLength(1);
    expect(ended[0]!.data).toMatchObject({ cutoff: '2026-10-20' });

    await deps.changes.settled();
    expect((await vneid.get('/tiepnhan/ho-so')).status).toBe(200);
    expect((await snv.get('/tiepnhan')).status).toBe(200);
  });

  it('Đăng xuất on a page opened before the cutoff goes to the login page, changing nothing, not to a refusal', async () => {
    const root = await actorFor(database, 'quantri1');
    await setUnitCutoff(database.db, root, unitIds.sct!, { date: '20/10/2026' }, clock);
    clock = eve;
    const c = new Client(app);
    expect((await c.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const token = await c.csrf('/tiepnhan');
    clock = cutoffDay;
    const out = await c.post('/tiepnhan/dang-xuat', {}, { csrf: token });
    expect([out.status, out.location]).toEqual([303, '/tiepnhan/dang-nhap?da-dang-xuat=1']);
  });

  it('the JSON API with such a cookie says why (401 password_session_closed)', async () => {
    const root = await actorFor(database, 'quantri1');
    await setUnitCutoff(database.db, root, unitIds.sct!, { date: '20/10/2026' }, clock);
    clock = eve;
    const c = new Client(app);
    expect((await c.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    expect((await c.get('/api/v1/me')).status).toBe(200);
    clock = cutoffDay;
    const refused = await c.get('/api/v1/me');
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'password_session_closed' } });
  });
});
