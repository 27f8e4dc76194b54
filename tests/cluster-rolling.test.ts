/**
 * `npm run start:cluster` for real (issue 16, item 2): two app processes on one fresh PostgreSQL database with the
 * demo data, behind Debian's HAProxy, under 20 concurrent clients for about 60 s — public catalog pages, the inbox
 * of a logged-in clerk, API reads, and API writes that each receive a dossier (a row to count).
 *
 * 1. `npm run restart:rolling` in the middle: not one request fails (every answer the expected 2xx, no connection
 *    error) while each instance in turn drains, stops, starts and comes back.
 * 2. Then `kill -9` of one instance: the only failures are requests that were in flight at that moment, and every
 *    dossier whose reception was answered 201 is in the database (rows counted against answers). The cluster starts
 *    the dead instance again.
 *
 * PostgreSQL project only (PGlite is one process), and only where HAProxy is installed (.ci/run installs it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { createSession } from '../src/auth/sessions.js';
import { type Database, openDatabase } from '../src/db/client.js';
import { dossiers } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HAPROXY = '/usr/sbin/haproxy';
const CLIENTS = 20;
const LOAD_MS = 60_000;
const skipReason =
  process.env.MOTCUA_TEST_DB !== 'postgres'
    ? 'the PostgreSQL project only (TEST_DATABASE_URL): the embedded database belongs to one process'
    : !fs.existsSync(HAPROXY)
      ? `HAProxy is missing at ${HAPROXY} (apt-get install haproxy; .ci/run installs it)`
      : null;

type Outcome = { client: number; op: string; start: number; end: number; ok: boolean; detail: string; dossierId?: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The process exists and has not exited (a zombie waiting for its parent counts as gone). */
const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Whether something still accepts TCP connections on the port (a refused or failed connection says no). */
const accepts = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(p, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** 7 consecutive free ports below 32768: HAProxy's, then the instances' (app, simulator, SMTP stand-in for each). */
async function freeBlock(size: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let all = true;
    for (let p = base; p < base + size && all; p++) all = await free(p);
    if (all) return base;
  }
}

describe.skipIf(skipReason !== null)(`a cluster of two instances behind HAProxy${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let database: Database;
  let cluster: ChildProcess;
  let log = '';
  let origin = '';
  let port = 0;
  let apiToken = '';
  let sessionCookie = '';
  let procedureId = '';
  let documents: ReturnType<typeof completeChecklist> = [];

  /** The pid the cluster last started an instance under (it prints one line per start). */
  const pidOf = (name: string) => {
    const pids = [...log.matchAll(new RegExp(`\\[cluster\\] ${name}: pid (\\d+)`, 'g'))].map((m) => Number(m[1]));
    return pids.at(-1);
  };

  beforeAll(async () => {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${inject('pgBaseName')}_cluster`;
    const admin = await openDatabase({ url: url.toString(), poolSize: 1 });
    await admin.db.execute(sql.raw(`create database "${name}"`));
    await admin.close();
    url.pathname = `/${name}`;
    database = await openDatabase({ url: url.toString(), poolSize: 3 });
    await database.migrate();
    await seedDemo(database.db, TEST_PASSWORD);
    // A clerk of Sở Công Thương: an API key to receive dossiers with, and a session to read the inbox with.
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    apiToken = (await issueApiClient(database.db, await actorFor(database, 'admin.sct'), clerk.id, { name: 'Kiểm thử tải' })).token;
    const policy = { idleMs: 3_600_000, absoluteMs: 3_600_000 };
    sessionCookie = `motcua_sid=${await createSession(database.db, clerk.id, policy, new Date(), { ip: null, userAgent: 'cluster-test' })}`;
    const { p, v } = await currentProcedure(database, '2.000633');
    procedureId = p.id;
    documents = completeChecklist(v.documents);

    port = await freeBlock(7);
    origin = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (/^(VNEID|REGISTRY|SSO|SHUTDOWN|SIM)_/.test(k)) delete env[k];
    for (const k of ['PUBLIC_URL', 'DEMO_DATA', 'NODE_OPTIONS', 'DATA_DIR', 'VITEST', 'VITEST_POOL_ID', 'WORKER', 'PORT']) delete env[k];
    Object.assign(env, {
      NODE_ENV: 'development',
      DATABASE_URL: url.toString(),
      PUBLIC_URL: origin,
      SESSION_SECRET: 'cluster-test-secret-cluster-test-secret',
      DEMO_PASSWORD: TEST_PASSWORD,
      LOG_LEVEL: 'warn',
      // What is tested is restarts, on a machine that may be loaded far beyond production (CI, other tests): a write
      // waiting long for its turn must not be cancelled by the statement timeout meanwhile.
      DB_STATEMENT_TIMEOUT_MS: '120000',
    });
    // The sources, not dist/: what is tested is this checkout.
    const args = ['--import', 'tsx', 'scripts/cluster.ts', '--instances', '2', '--port', String(port), '--base-port', String(port + 1)];
    cluster = spawn(process.execPath, [...args, '--app', 'source'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cluster.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    cluster.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 170_000;
    while (!log.includes('instances behind HAProxy')) {
      if (cluster.exitCode !== null) throw new Error(`the cluster exited at start:\n${log.slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`the cluster did not start:\n${log.slice(-4000)}`);
      await sleep(250);
    }
  }, 200_000);

  afterAll(async () => {
    if (cluster && cluster.exitCode === null) {
      const exited = new Promise((resolve) => cluster.once('exit', resolve));
      cluster.kill('SIGTERM');
      await Promise.race([exited, sleep(60_000)]);
      if (cluster.exitCode === null) cluster.kill('SIGKILL');
    }
    await database?.close();
  }, 90_000);

  /** One request as a browser or an API client sends it, judged by what it should answer. */
  async function request(op: number, client: number, n: number): Promise<Outcome> {
    const start = Date.now();
    const done = (name: string, ok: boolean, detail: string, dossierId?: string): Outcome => ({
      client,
      op: name,
      start,
      end: Date.now(),
      ok,
      detail,
      dossierId,
    });
    const signal = AbortSignal.timeout(30_000);
    try {
      switch (op % 5) {
        case 0: {
          const res = await fetch(`${origin}/thu-tuc?q=${n % 2 ? 'kinh+doanh' : ''}`, { signal, redirect: 'manual' });
          const text = await res.text();
          return done('catalog', res.status === 200 && text.includes('</html>'), `${res.status}`);
        }
        case 1: {
          const res = await fetch(`${origin}/tiepnhan/ho-so`, { signal, redirect: 'manual', headers: { cookie: sessionCookie } });
          const text = await res.text();
          return done('inbox', res.status === 200 && text.includes('</html>'), `${res.status} ${res.headers.get('location') ?? ''}`);
        }
        case 2: {
          const res = await fetch(`${origin}/api/v1/dossiers`, {
            method: 'POST',
            signal,
            headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
            body: JSON.stringify({ procedureId, channel: 1, fullName: `Khách Tải Thử ${client}-${n}`, documents }),
          });
          const body = (await res.json()) as { id?: string };
          return done('write', res.status === 201 && typeof body.id === 'string', `${res.status}`, body.id);
        }
        case 3: {
          const res = await fetch(`${origin}/api/v1/procedures`, { signal, headers: { authorization: `Bearer ${apiToken}` } });
          await res.arrayBuffer();
          return done('api-read', res.status === 200, `${res.status}`);
        }
        default: {
          const res = await fetch(`${origin}/`, { signal, redirect: 'manual' });
          await res.arrayBuffer();
          return done('home', res.status === 200, `${res.status}`);
        }
      }
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const cause = e.cause ? `${e.cause.code ?? ''} ${e.cause.message ?? ''}` : e.message;
      return done(['catalog', 'inbox', 'write', 'api-read', 'home'][op % 5]!, false, `${e.name}: ${cause}`);
    }
  }

  it('restarts both instances under load with no failed request; a kill -9 fails only what was in flight and loses no answered write', async () => {
    const outcomes: Outcome[] = [];
    const t0 = Date.now();
    // Until the kill below has been under load for a while, and at least LOAD_MS in all.
    let stopAt = Number.POSITIVE_INFINITY;
    const clients = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let n = 0; Date.now() < stopAt; n++) outcomes.push(await request(client + n, client, n));
    });

    // 1. The rolling restart, a few seconds into the load.
    await sleep(3_000);
    const before = { app1: pidOf('app1'), app2: pidOf('app2') };
    const restart = spawn(process.execPath, ['--import', 'tsx', 'scripts/rolling-restart.ts', '--port', String(port)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let restartLog = '';
    restart.stdout?.on('data', (d: Buffer) => (restartLog += d.toString()));
    restart.stderr?.on('data', (d: Buffer) => (restartLog += d.toString()));
    const restartCode = await new Promise<number | null>((resolve) => restart.on('exit', resolve));
    expect(restartCode, `${restartLog}\n${log.slice(-3000)}`).toBe(0);
    expect(restartLog).toContain('app2: ready and back in rotation');
    // Both were really replaced.
    expect(pidOf('app1')).not.toBe(before.app1);
    expect(pidOf('app2')).not.toBe(before.app2);

    // 2. kill -9 of one instance under the same load, once the restart is over.
    await sleep(1_000);
    const killedPid = pidOf('app2')!;
    const killAt = Date.now();
    process.kill(killedPid, 'SIGKILL');
    // The signal takes effect when the kernel next runs the process: until it is gone, its listening socket still
    // completes connections (HAProxy sends it requests that then die with it). "In flight at the kill" lasts from the
    // signal to the moment the process is gone, as HAProxy sees it.
    // The main thread may show as a zombie while the process's other threads are still exiting and its listening
    // socket still open (Linux closes the files with the last thread): gone means its port refuses connections.
    // (Bounded: the cluster starts a new instance on that port within seconds.)
    while (isRunning(killedPid)) await sleep(2);
    for (const until = Date.now() + 2_000; Date.now() < until && (await accepts(port + 2)); ) await sleep(2);
    const goneAt = Date.now();
    stopAt = Math.max(t0 + LOAD_MS, goneAt + 8_000);
    await Promise.all(clients);

    const rolling = outcomes.filter((o) => o.end < killAt);
    const inFlightAtKill = outcomes.filter((o) => o.start <= goneAt && o.end >= killAt);
    const after = outcomes.filter((o) => o.start > goneAt);
    // A client's next request on the keep-alive connection HAProxy closes after answering a failed one (502) may
    // meet the close: the same in-flight failure, seen once more by that client. Any other failure after the kill
    // counts.
    const previous = (o: Outcome) => outcomes.filter((p) => p.client === o.client && p.start < o.start).at(-1);
    const collateral = (o: Outcome) => {
      const p = previous(o);
      return p !== undefined && !p.ok && inFlightAtKill.includes(p) && o.start - p.end < 100;
    };
    const failed = (list: Outcome[]) => list.filter((o) => !o.ok);
    const failedAfter = failed(after).filter((o) => !collateral(o));
    // What HAProxy said about the servers (DOWN/UP and why), for a failure's message.
    const lbSays = log.split('\n').filter((l) => l.includes('Server instances/') || l.includes(' motcua instances/'));
    const show = (list: Outcome[]) => [
      `${list.length} failed`,
      ...list.slice(0, 10).map((o) => `${o.op} ${o.detail} at +${o.start - t0} ms`),
      ...lbSays.map((l) => l.slice(0, 300)),
    ];

    console.info(
      `cluster under load: ${outcomes.length} requests in ${Math.round((Date.now() - t0) / 1000)} s, rolling restart done at ` +
        `+${Math.round((killAt - 1_000 - t0) / 1000)} s with ${failed(rolling).length} failed; kill -9 at that point: ` +
        `${inFlightAtKill.length} in flight (the process gone ${goneAt - killAt} ms after the signal), ${failed(inFlightAtKill).length} failed (${failed(
          inFlightAtKill,
        )
          .map((o) => o.op)
          .join(', ')}); ` +
        `${failed(after).length} failed of ${after.length} after it (${failedAfter.length} other than a client's next request)`,
    );
    // Every kind of request was made, many times (the load was real).
    for (const op of ['catalog', 'inbox', 'write', 'api-read', 'home'])
      expect(rolling.filter((o) => o.op === op).length).toBeGreaterThan(20);
    expect(failed(rolling), show(failed(rolling)).join('\n')).toEqual([]);
    // After the kill: only the requests in flight on the dead instance may fail; a new one never does (HAProxy's
    // connection to it is refused and retried on the other instance until its health check takes it out), except
    // as the collateral above.
    expect(failedAfter, show(failedAfter).join('\n')).toEqual([]);
    expect(failed(inFlightAtKill).length).toBeLessThanOrEqual(inFlightAtKill.length);
    expect(after.length).toBeGreaterThan(CLIENTS);

    // Nothing answered 201 is lost; a write that failed may or may not have committed, but none is counted twice.
    const answered = outcomes.filter((o) => o.op === 'write' && o.ok).map((o) => o.dossierId!);
    const failedWrites = outcomes.filter((o) => o.op === 'write' && !o.ok).length;
    const count = sql<number>`count(*)::int`;
    const [found] = await database.db.select({ n: count }).from(dossiers).where(inArray(dossiers.id, answered));
    expect(found!.n).toBe(answered.length);
    const [rows] = await database.db
      .select({ n: count })
      .from(dossiers)
      .where(sql`${dossiers.applicant}->>'fullName' like 'Khách Tải Thử %'`);
    expect(rows!.n).toBeGreaterThanOrEqual(answered.length);
    expect(rows!.n).toBeLessThanOrEqual(answered.length + failedWrites);

    // The cluster starts the dead instance again, and it comes back ready.
    const deadline = Date.now() + 60_000;
    while (pidOf('app2') === killedPid) {
      expect(Date.now(), log.slice(-3000)).toBeLessThan(deadline);
      await sleep(250);
    }
    for (;;) {
      const ready = await fetch(`http://127.0.0.1:${port + 2}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      expect(Date.now(), log.slice(-3000)).toBeLessThan(deadline);
      await sleep(250);
    }
  }, 200_000);
});
