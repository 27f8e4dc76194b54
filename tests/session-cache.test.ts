/**
 * The session cache (src/auth/session-cache.ts, SESSION_CACHE_MS; on in production): a page reads who is asking from
 * memory, and yet a session ended, an account suspended or a notice added — here or by another process — is seen on
 * the next request: this process's unsafe requests empty the cache before they answer, every other write of the
 * lookup's tables is announced by the database at commit (migration 0052), and nothing is cached while the
 * announcements cannot be received.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { SessionCache } from '../src/auth/session-cache.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { accounts, citizens, notifications, sessions, settings, units } from '../src/db/schema/index.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { buildDeps } from '../src/deps.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, freshDemo, sctClerkUsername } from './support/fixtures.js';
import { testDatabase } from './support/db.js';

let database: Database;
let deps: ReturnType<typeof buildDeps>;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  database = await testDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '3999',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
    SESSION_CACHE_MS: '60000',
  });
  deps = buildDeps(config, database, pino({ level: 'silent' }), { captcha: { counterMin: 10, counterMax: 50, cost: 1 } });
  app = createApp(deps);
});
beforeEach(async () => {
  await freshDemo(database);
  await deps.changes.settled();
});

/** A logged-in clerk whose inbox has been read twice: the second time from the cache. */
async function cachedClerk() {
  const c = new Client(app);
  expect((await c.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
  // The login's own writes (the account's last login) are announced too: let that reach this process first.
  await deps.changes.settled();
  expect((await c.get('/tiepnhan/ho-so')).status).toBe(200);
  const before = deps.sessionCaches.officials.hits;
  expect((await c.get('/tiepnhan/ho-so')).status).toBe(200);
  expect(deps.sessionCaches.officials.hits).toBe(before + 1);
  return c;
}

/** The same cookies in another client (a stolen or copied cookie). */
function copyOf(c: Client): Client {
  const other = new Client(app);
  for (const [k, v] of c.cookies) other.cookies.set(k, v);
  return other;
}

const loggedOut = (r: { status: number; location: string | null }) => r.status === 303 && /dang-nhap/.test(r.location ?? '');

describe('the session cache', () => {
  it('ends a session at its logout here: the same cookie is refused on the very next request', async () => {
    const c = await cachedClerk();
    const copied = copyOf(c);
    expect((await copied.get('/tiepnhan/ho-so')).status).toBe(200);
    expect((await c.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' })).status).toBe(303);
    expect(loggedOut(await copied.get('/tiepnhan/ho-so'))).toBe(true);
  });

  it('ends the sessions of an account suspended by another process as soon as the database announces it', async () => {
    const c = await cachedClerk();
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    // Written as another instance would: not through this process's requests.
    await database.db.update(accounts).set({ suspended: true }).where(eq(accounts.id, clerk.id));
    await deps.changes.settled();
    expect(loggedOut(await c.get('/tiepnhan/ho-so'))).toBe(true);
  });

  it('ends a session another process deleted (its logout there, an administrator ending it)', async () => {
    const c = await cachedClerk();
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    await database.db.delete(sessions).where(eq(sessions.accountId, clerk.id));
    await deps.changes.settled();
    expect(loggedOut(await c.get('/tiepnhan/ho-so'))).toBe(true);
  });

  it("ends a password session once another process brings its unit's VNeID-only cutoff to today", async () => {
    const c = await cachedClerk();
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    // Written as another instance's Chuyển đổi VNeID would: not through this process's requests.
    await database.db.update(units).set({ passwordCutoff: todayInVietnam() }).where(eq(units.id, clerk.unitId));
    await deps.changes.settled();
    expect(loggedOut(await c.get('/tiepnhan/ho-so'))).toBe(true);
  });

  it("ends a password session once another process sets the province's cutoff to today", async () => {
    const c = await cachedClerk();
    await database.db
      .insert(settings)
      .values({ key: 'password_cutoff', value: { date: todayInVietnam() } })
      .onConflictDoUpdate({ target: settings.key, set: { value: { date: todayInVietnam() } } });
    await deps.changes.settled();
    expect(loggedOut(await c.get('/tiepnhan/ho-so'))).toBe(true);
  });

  it("shows a citizen's new in-app notice in the menu once announced, and a changed name", async () => {
    const [row] = await database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001190099887', fullName: 'Lê Văn Bộ Nhớ', loa: 2 })
      .returning({ id: citizens.id });
    const token = await createCitizenSession(database.db, row!.id, { idleMs: 1_800_000, absoluteMs: 43_200_000 }, new Date());
    const c = new Client(app);
    c.cookies.set(PORTAL_COOKIE, token);
    await deps.changes.settled();
    const count = (html: string) => /<span class="badge warn unread-count">(\d+)<\/span>/.exec(html)?.[1] ?? null;
    expect(count((await c.get('/ca-nhan')).text)).toBe(null);
    const before = deps.sessionCaches.citizens.hits;
    expect(count((await c.get('/ca-nhan')).text)).toBe(null);
    expect(deps.sessionCaches.citizens.hits).toBe(before + 1);

    await database.db.insert(notifications).values({
      event: 'dossier.withdrawn',
      channel: 'inapp',
      recipientKind: 'applicant',
      citizenId: row!.id,
      state: 'delivered',
      subject: 'Thông báo',
      body: 'Nội dung',
    });
    await deps.changes.settled();
    expect(count((await c.get('/ca-nhan')).text)).toBe('1');

    await database.db.update(citizens).set({ fullName: 'Lê Văn Đổi Tên' }).where(eq(citizens.id, row!.id));
    await deps.changes.settled();
    expect((await c.get('/ca-nhan')).text).toContain('Đăng xuất (Lê Văn Đổi Tên)');
  });

  it('keeps and answers nothing while the announcements cannot be received, nothing past its lifetime, nothing when off', () => {
    let live = false;
    const cache = new SessionCache<string>(1_000, () => live);
    cache.set('a', 'x', 0, cache.epoch);
    expect(cache.get('a', 1)).toBeUndefined();
    live = true;
    cache.set('a', 'x', 0, cache.epoch);
    expect(cache.get('a', 999)).toBe('x');
    live = false;
    expect(cache.get('a', 999)).toBeUndefined();
    live = true;
    expect(cache.get('a', 1_000)).toBeUndefined();
    // An answer read before a clear (a logout committed meanwhile) is not kept after it.
    const epoch = cache.epoch;
    cache.clear();
    cache.set('a', 'old', 0, epoch);
    expect(cache.get('a', 1)).toBeUndefined();
    const off = new SessionCache<string>(0, () => true);
    off.set('a', 'x', 0, off.epoch);
    expect(off.get('a', 0)).toBeUndefined();
    const small = new SessionCache<string>(1_000, () => true, 2);
    for (const k of ['a', 'b', 'c']) small.set(k, k, 0, small.epoch);
    expect([small.get('a', 1), small.get('b', 1), small.get('c', 1)]).toEqual([undefined, 'b', 'c']);
  });
});
