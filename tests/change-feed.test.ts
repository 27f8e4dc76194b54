/**
 * The change feed proves it is alive (src/db/listen.ts, docs/decisions/0032): on PostgreSQL its listening connection's
 * heartbeat must come back within CHANGE_FEED_HEARTBEAT_MS × 3, or nothing cached is trusted and the connection is
 * opened again — a listener that died silently must not let a session ended elsewhere be served from memory. Each
 * PostgreSQL test runs a second app on the worker's database through a TCP proxy (tests/support/tcp-proxy.ts), so
 * that its listening connection can be killed, or cut while its socket stays open, and kept from reconnecting while
 * the test looks. Timings are polled with generous limits, never asserted to the millisecond.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { loadConfig } from '../src/config.js';
import { type Database, openDatabase, queryRows } from '../src/db/client.js';
import { citizens, sessions } from '../src/db/schema/index.js';
import { buildDeps } from '../src/deps.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { Client } from './support/app.js';
import { testDatabase } from './support/db.js';
import { freshDemo } from './support/fixtures.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
  await freshDemo(database);
});

/** The app's configuration with the session cache on and the given heartbeat. */
const configWith = (heartbeatMs: number) =>
  loadConfig({
    NODE_ENV: 'test',
    PORT: '3999',
    SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
    SESSION_CACHE_MS: '60000',
    CHANGE_FEED_HEARTBEAT_MS: String(heartbeatMs),
  });

type Instance = {
  db: Database;
  deps: ReturnType<typeof buildDeps>;
  app: ReturnType<typeof createApp>;
  proxy: TcpProxy | null;
  /** What the database reported through onConnectionError. */
  errors: Error[];
  close(): Promise<void>;
};

/** Another process on the worker's database: on PostgreSQL its own pool and listener, through a proxy. */
async function instance(heartbeatMs: number): Promise<Instance> {
  const config = configWith(heartbeatMs);
  const errors: Error[] = [];
  const proxy = database.pool ? await startTcpProxy(database.pool.options.connectionString!) : null;
  const db = proxy
    ? await openDatabase({ url: proxy.url, poolSize: 3, changeFeed: config.changeFeed, onConnectionError: (e) => errors.push(e) })
    : database;
  const deps = buildDeps(config, db, pino({ level: 'silent' }));
  await deps.changes.settled();
  return {
    db,
    deps,
    app: createApp(deps),
    proxy,
    errors,
    close: async () => {
      if (db !== database) await db.close();
      await proxy?.close();
    },
  };
}

/** A citizen whose portal page was read twice: the second time from the session cache. */
async function cachedCitizen(f: Instance) {
  const cccd = String(crypto.randomInt(10 ** 11, 10 ** 12));
  const [row] = await database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd, fullName: 'Trần Thị Nhịp Tim', loa: 2 })
    .returning({ id: citizens.id });
  const token = await createCitizenSession(database.db, row!.id, { idleMs: 1_800_000, absoluteMs: 43_200_000 }, new Date());
  const c = new Client(f.app);
  c.cookies.set(PORTAL_COOKIE, token);
  // The insert's own announcement reaches this instance before its cache is filled.
  await f.deps.changes.settled();
  expect((await c.get('/ca-nhan')).status).toBe(200);
  const before = f.deps.sessionCaches.citizens.hits;
  expect((await c.get('/ca-nhan')).status).toBe(200);
  expect(f.deps.sessionCaches.citizens.hits).toBe(before + 1);
  return { c, citizenId: row!.id };
}

const loggedOut = (r: { status: number; location: string | null }) => r.status === 303 && /dang-nhap/.test(r.location ?? '');

/** Waits for what the test cannot await directly (a reconnection, a heartbeat overdue), 20 s at most. */
async function until(what: string, ok: () => boolean | Promise<boolean>) {
  const deadline = Date.now() + 20_000;
  while (!(await ok()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(await ok(), what).toBe(true);
}

/** The backend of the instance's listening connection, seen by the server (it connects through the proxy). */
async function listener(proxy: TcpProxy): Promise<{ pid: number; port: number } | null> {
  const ports = `{${proxy.upstreamPorts().join(',')}}`;
  const rows = await queryRows<{ pid: number; port: number }>(
    database.db,
    sql`select pid, client_port as port from pg_stat_activity
         where application_name = 'motcua change feed' and client_port = any(${ports}::int[])`,
  );
  return rows.length === 1 ? rows[0]! : null;
}

const backendAlive = async (pid: number) =>
  (await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from pg_stat_activity where pid = ${pid}`))[0]!.n > 0;

/**
 * Opens every connection the instance's pool may have, so that requests and heartbeats need no new one while the
 * proxy refuses new connections (only the listener's reconnection is kept out).
 */
async function fillPool(f: Instance) {
  await Promise.all(Array.from({ length: 3 }, () => f.db.db.execute(sql`select pg_sleep(0.05)`)));
}

describe.skipIf(!onPostgres)('the change feed on PostgreSQL proves it is alive', () => {
  it('its listening backend terminated: not live at once, a session ended meanwhile is read afresh; then it listens again', async () => {
    const f = await instance(200);
    try {
      const { c, citizenId } = await cachedCitizen(f);
      const backend = await listener(f.proxy!);
      expect(backend).not.toBeNull();
      await fillPool(f);
      f.proxy!.refuseNew = true;
      await database.db.execute(sql`select pg_terminate_backend(${backend!.pid})`);
      await until('the feed knows its connection is gone', () => !f.deps.changes.isLive());

      // Ended by another process while nothing can be heard: its announcement is lost, the cache must not answer.
      await database.db.delete(sessions).where(eq(sessions.citizenId, citizenId));
      const hits = f.deps.sessionCaches.citizens.hits;
      expect(loggedOut(await c.get('/ca-nhan'))).toBe(true);
      expect(f.deps.sessionCaches.citizens.hits).toBe(hits);
      expect(f.deps.changes.isLive()).toBe(false);

      f.proxy!.refuseNew = false;
      await until('the feed listens again', () => f.deps.changes.isLive());
      await until('a new listening backend', async () => ((await listener(f.proxy!))?.pid ?? backend!.pid) !== backend!.pid);
      // Trusted again: a session is kept and answered from memory, and an ending elsewhere reaches it once announced.
      const again = await cachedCitizen(f);
      await database.db.delete(sessions).where(eq(sessions.citizenId, again.citizenId));
      await f.deps.changes.settled();
      expect(loggedOut(await again.c.get('/ca-nhan'))).toBe(true);
    } finally {
      await f.close();
    }
  });

  it('its listening connection gone silent (socket open, nothing delivered): not live within the bound, cut, opened again', async () => {
    const f = await instance(200);
    try {
      const { c, citizenId } = await cachedCitizen(f);
      const displayLoads = { n: 0 };
      const load = async () => ++displayLoads.n;
      await f.deps.displayCache.get('probe', load);
      expect(await f.deps.displayCache.get('probe', load)).toBe(1);

      const backend = (await listener(f.proxy!))!;
      await fillPool(f);
      f.proxy!.refuseNew = true;
      // A partition: the server and the app each keep their socket open, and nothing gets through any more.
      f.proxy!.blackhole(backend.port);
      await database.db.delete(sessions).where(eq(sessions.citizenId, citizenId));
      await until('the heartbeat is overdue', () => !f.deps.changes.isLive());

      // Nothing cached is trusted: the session lookup and the page's chrome are read from the database.
      expect(loggedOut(await c.get('/ca-nhan'))).toBe(true);
      expect(await f.deps.displayCache.get('probe', load)).toBe(2);
      expect(await f.deps.displayCache.get('probe', load)).toBe(3);
      // The silent connection is torn down by the feed: it closed its socket, which the server, cut off, never hears.
      await until('the feed closed the silent socket', () => f.proxy!.appClosed(backend.port));
      expect(await backendAlive(backend.pid)).toBe(true);
      expect(f.errors.map((e) => e.message)).toContainEqual(
        expect.stringMatching(/no heartbeat of the change feed came back within 600 ms/),
      );

      // …and opened again once the server can be reached; every cache is dropped then, and trusted again.
      f.proxy!.refuseNew = false;
      await until('the feed listens again', () => f.deps.changes.isLive());
      expect((await listener(f.proxy!))?.pid).not.toBe(backend.pid);
      expect(await f.deps.displayCache.get('probe', load)).toBe(4);
      expect(await f.deps.displayCache.get('probe', load)).toBe(4);
      await cachedCitizen(f);
    } finally {
      await f.close();
    }
  });

  it('a healthy feed stays live across many heartbeats, on one connection, dropping nothing', async () => {
    const f = await instance(250);
    try {
      await cachedCitizen(f);
      const backend = (await listener(f.proxy!))!;
      let drops = 0;
      f.deps.changes.subscribe(() => drops++, 'sessions');
      const samples: boolean[] = [];
      // 16 heartbeat intervals, sampled at each (the bound is three of them).
      for (let i = 0; i < 16; i++) {
        await new Promise((r) => setTimeout(r, 250));
        samples.push(f.deps.changes.isLive());
      }
      expect(samples.every(Boolean), samples.join(' ')).toBe(true);
      expect(drops).toBe(0);
      expect((await listener(f.proxy!))?.pid).toBe(backend.pid);
      expect(f.errors).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('closes at once even with its listening connection gone silent, leaving no connection open', async () => {
    const f = await instance(200);
    const backend = (await listener(f.proxy!))!;
    f.proxy!.blackhole(backend.port);
    // No goodbye can be answered: close() must not wait for one (the test's time limit would end it).
    await f.db.close();
    await until('every connection closed by the app', () => f.proxy!.upstreamPorts().every((port) => f.proxy!.appClosed(port)));
    expect(f.proxy!.appClosed(backend.port)).toBe(true);
    await f.proxy!.close();
    await until('the cut backend ends once the proxy closes', async () => !(await backendAlive(backend.pid)));
  });

  it('lets the process exit by itself once the database is closed (no timer or socket left, no unhandled rejection)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/change-feed-exit.ts'], {
      cwd: ROOT,
      env: { ...process.env, FEED_DATABASE_URL: database.pool!.options.connectionString! },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 25_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, output).toBe(0);
    expect(output).toContain('closed after');
  }, 40_000);
});

describe.skipIf(onPostgres)('the change feed on the embedded database', () => {
  let f: Instance;
  afterAll(async () => f?.close());

  it('is live once listening and stays so: there is no connection to lose, and the cache serves', async () => {
    f = await instance(50);
    expect(f.deps.changes.isLive()).toBe(true);
    const { c, citizenId } = await cachedCitizen(f);
    await new Promise((r) => setTimeout(r, 500));
    expect(f.deps.changes.isLive()).toBe(true);
    const hits = f.deps.sessionCaches.citizens.hits;
    expect((await c.get('/ca-nhan')).status).toBe(200);
    expect(f.deps.sessionCaches.citizens.hits).toBe(hits + 1);
    // Its notifications come with the committing statement: an ending is seen on the next request.
    await database.db.delete(sessions).where(eq(sessions.citizenId, citizenId));
    await f.deps.changes.settled();
    expect(loggedOut(await c.get('/ca-nhan'))).toBe(true);
  });
});
