/**
 * Benchmark of notifications (src/notify, issue 14) on PostgreSQL, against the simulator's stand-ins:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run bench:notify
 *
 * Starts the simulator as its own process (`tsx sim/main.ts`: the SMS gateway, Zalo ZNS and SMTP stand-ins, which
 * call our delivery-report webhooks back) and, in this process, the app (for those webhooks) and the job worker, as
 * `npm start` runs them. Messages are caused the way the use cases cause them: notify(tx, …) of 'dossier.received'
 * for dossiers of the seeded database whose applicant left a phone and an e-mail, one transaction per event.
 *
 *   (a) throughput: --events E events are recorded first (about 2 external messages each: SMS and e-mail), then the
 *       worker starts; messages per second = messages sent / (last send − worker start);
 *   (b) lag: with the worker running, events are recorded at --rate R per second for --seconds S; the lag of a
 *       message is its send time minus the commit time of the event (the row's created_at), p50 / p95 / max.
 *
 * The rows the bench made (idem_key 'bench:…') and their jobs are removed at the end.
 * Options: --events 1000, --rate 20, --seconds 30.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { openDatabase, queryRows, redactPassword, type Database } from '../src/db/client.js';
import { buildDeps } from '../src/deps.js';
import { createApp } from '../src/app.js';
import { startJobQueue } from '../src/jobs/queue.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { notify } from '../src/notify/enqueue.js';
import { formatDate, todayInVietnam } from '../src/shared/dates.js';
import { printMachine, summarize } from './load.js';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/motcua_bench';
const RUN = `bench:${Date.now().toString(36)}`;

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Target = { id: string; code: string; lookupCode: string; dueAt: Date };

async function targets(database: Database, n: number): Promise<Target[]> {
  const rows = await queryRows<{ id: string; code: string; lookup_code: string; due_at: Date }>(
    database.db,
    sql`select id, code, lookup_code, due_at from dossiers
        where applicant->>'phone' is not null and applicant->>'email' is not null
        order by received_at desc limit ${n}`,
  );
  return rows.map((r) => ({ id: r.id, code: r.code, lookupCode: r.lookup_code, dueAt: new Date(r.due_at) }));
}

/** One event as a use case records it: its own transaction. */
async function record(database: Database, t: Target, phase: string, i: number): Promise<void> {
  await database.db.transaction((tx) =>
    notify(tx, {
      event: 'dossier.received',
      to: { kind: 'applicant', dossierId: t.id },
      dossierId: t.id,
      data: {
        ma_ho_so: t.code,
        thu_tuc: 'Cấp Giấy phép bán lẻ sản phẩm rượu',
        co_quan: 'Sở Công Thương',
        ma_tra_cuu: t.lookupCode,
        ngay_hen_tra: formatDate(todayInVietnam(t.dueAt)),
      },
      key: `${RUN}:${phase}:${i}`,
    }),
  );
}

type Progress = { total: number; open: number; lastSent: Date | null };
async function progress(database: Database, phase: string): Promise<Progress> {
  const [r] = await queryRows<{ total: string; open: string; last_sent: Date | null }>(
    database.db,
    sql`select count(*) as total, count(*) filter (where state in ('queued','sending')) as open, max(sent_at) as last_sent
        from notifications where idem_key like ${`${RUN}:${phase}:%`} and channel <> 'inapp'`,
  );
  return { total: Number(r?.total ?? 0), open: Number(r?.open ?? 0), lastSent: r?.last_sent ? new Date(r.last_sent) : null };
}

async function lags(database: Database, phase: string): Promise<number[]> {
  const rows = await queryRows<{ ms: number }>(
    database.db,
    sql`select extract(epoch from (sent_at - created_at)) * 1000 as ms from notifications
        where idem_key like ${`${RUN}:${phase}:%`} and channel <> 'inapp' and sent_at is not null`,
  );
  return rows.map((r) => Number(r.ms));
}

async function main(): Promise<void> {
  const events = option('events', 1000);
  const rate = option('rate', 20);
  const seconds = option('seconds', 30);
  const port = await freePort();
  const simPort = await freePort();
  const smtpPort = await freePort();
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: process.env.DATABASE_URL ?? DEFAULT_URL,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    SIM_PORT: String(simPort),
    SIM_SMTP_PORT: String(smtpPort),
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const logger = pino({ level: 'error' });
  const sim: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const database = await openDatabase({ url: env.DATABASE_URL ?? DEFAULT_URL, poolSize: 10 });
  const app = createApp(buildDeps(config, database, logger));
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' });
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${simPort}/dev/faults`)).ok, 'the simulator');
    const [pg] = await queryRows<{ version: string }>(database.db, sql`select version()`);
    printMachine(pg?.version ?? '?', []);
    console.log(`Database: ${redactPassword(env.DATABASE_URL ?? '')}  run ${RUN}`);
    const pool = await targets(database, events + Math.ceil(rate * seconds));
    if (pool.length < events + rate * seconds) throw new Error('not enough seeded dossiers with a phone and an e-mail: seed:large first');

    // (a) throughput: a backlog, then the worker.
    let t0 = performance.now();
    for (let i = 0; i < events; i++) await record(database, pool[i]!, '0', i);
    const recordMs = performance.now() - t0;
    const handlers = jobHandlers({ db: database.db, logger, sessionPolicy: { idleMs: 1_800_000, absoluteMs: 43_200_000 }, config });
    const workerStart = new Date();
    // As npm start runs it: the default polling interval (the commit's notification wakes the workers).
    const queue = await startJobQueue(database, { logger, handlers, schedules: false });
    try {
      await waitFor(async () => (await progress(database, '0')).open === 0, 'the backlog to drain', 600_000);
      const p = await progress(database, '0');
      const sendMs = (p.lastSent?.getTime() ?? Date.now()) - workerStart.getTime();
      console.log(
        `(a) ${events} events recorded in ${(recordMs / 1000).toFixed(1)} s (${(events / (recordMs / 1000)).toFixed(0)} events/s); ` +
          `${p.total} messages sent in ${(sendMs / 1000).toFixed(1)} s: ${(p.total / (sendMs / 1000)).toFixed(0)} messages/s`,
      );
      // (b) lag at a steady rate.
      t0 = performance.now();
      const n = Math.floor(rate * seconds);
      for (let i = 0; i < n; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await record(database, pool[events + i]!, '1', i);
      }
      await waitFor(async () => (await progress(database, '1')).open === 0, 'the steady messages to drain', 600_000);
      const s = summarize(await lags(database, '1'));
      console.log(
        `(b) ${n} events at ${rate}/s for ${seconds} s: lag from event to send p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms, max ${s.max.toFixed(0)} ms`,
      );
    } finally {
      await queue.stop();
    }
  } finally {
    await database.db.execute(sql`delete from notifications where idem_key like ${`${RUN}:%`}`);
    server.close();
    sim.kill('SIGTERM');
    await database.close();
  }
}

await main();
