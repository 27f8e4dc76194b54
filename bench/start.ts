/**
 * Start time and memory of a production instance (issue 16, item 5; docs/decisions/0029-start-time-and-memory.md):
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench npm run bench:start   (npm run bench: all)
 *
 * Builds the compiled JavaScript (`npm run build`, unless --no-build), then starts `node dist/src/main.js` as
 * production runs it — NODE_ENV=production, migrations already applied (MIGRATE_ON_START=false), no demo data, no
 * simulator, WORKER=false as on the instances behind the load balancer (docs/deploy.md) — on the given database:
 *
 * 1. --starts N times (5): the time from the launch of the process to "listening" (the instance prints it, measured
 *    from the process's own time origin, module loading included), the wall time from spawn to /healthz answering,
 *    and the RSS two seconds later (idle);
 * 2. once more under load: the inbox (GET /tiepnhan/ho-so?tab=cho-xu-ly) of the officials with the most dossiers
 *    waiting, by --concurrency clients (20) for --seconds (30), sampling the instance's RSS (/proc/<pid>/status)
 *    every 100 ms: peak and median RSS, latency percentiles and throughput of that separate process.
 *
 * The outside addresses (VNeID, registry, payment platform) are placeholders that production accepts and nothing
 * here calls. Goals: listening ≤ 1 s, RSS ≤ 150 MB under the load.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows, redactPassword, type Db } from '../src/db/client.js';
import { createSession } from '../src/auth/sessions.js';
import { listInbox } from '../src/dossiers/inbox.js';
import type { StaffActor } from '../src/shared/context.js';
import { browserCookies, httpLoad, type LoadResult, printMachine, summarize } from './load.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/motcua_bench';

type Options = {
  starts: number;
  seconds: number;
  concurrency: number;
  officials: number;
  build: boolean;
  port: number;
  /** Node flags for the instance: those of `npm run start:prod` unless --node-flags replaces them. */
  nodeFlags: string[];
};

function parseArgs(argv: string[]): Options {
  const o: Options = { starts: 5, seconds: 30, concurrency: 20, officials: 4, build: true, port: 3990, nodeFlags: startProdFlags() };
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) usage(`${name} takes a whole number ≥ ${min}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--starts') o.starts = int(a, argv[++i], 1);
    else if (a === '--seconds') o.seconds = int(a, argv[++i], 1);
    else if (a === '--concurrency') o.concurrency = int(a, argv[++i], 1);
    else if (a === '--officials') o.officials = int(a, argv[++i], 1);
    else if (a === '--port') o.port = int(a, argv[++i], 1024);
    else if (a === '--no-build') o.build = false;
    else if (a === '--node-flags') o.nodeFlags = (argv[++i] ?? '').split(/\s+/).filter(Boolean);
    else usage(`unknown option ${a}`);
  }
  if (o.port >= 32768) usage('--port must be below 32768 (the ephemeral range may take it)');
  return o;
}

/** The Node flags of `npm run start:prod` (package.json), so that the bench starts the instance as production does. */
function startProdFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const m = /^node((?:\s+--\S+)*)\s+dist\/src\/main\.js$/.exec(pkg.scripts?.['start:prod'] ?? '');
  if (!m) throw new Error('package.json: start:prod is not `node [--flags] dist/src/main.js`');
  return (m[1] ?? '').split(/\s+/).filter(Boolean);
}

function usage(why: string): never {
  console.error(
    `bench:start: ${why}\nUsage: npm run bench:start -- [--starts N] [--seconds S] [--concurrency C] [--officials K] [--port P] [--no-build] [--node-flags "--flag=value …"]`,
  );
  process.exit(2);
}

/** Production settings with placeholders for what this bench never calls (config.ts refuses the simulators). */
function productionEnv(url: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: url,
    PORT: String(port),
    MIGRATE_ON_START: 'false',
    WORKER: 'false',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    PUBLIC_URL: 'https://motcua.bench.invalid',
    SESSION_SECRET: 'bench-start-session-secret-0123456789abcdef0123456789',
    SSO_KEY_ENCRYPTION_KEY: '5be1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1',
    VNEID_ISSUER: 'https://vneid.bench.invalid',
    VNEID_CLIENT_ID: 'motcua-bench',
    VNEID_CLIENT_SECRET: 'bench-start-vneid-client-secret',
    REGISTRY_URL: 'https://registry.bench.invalid/api',
    REGISTRY_TOKEN: 'bench-start-registry-token',
    PAYMENT_URL: 'https://payment.bench.invalid/api',
    PAYMENT_MERCHANT: 'motcua-bench',
    PAYMENT_SECRET: 'bench-start-payment-secret-0123456789',
  };
}

type Started = { child: ChildProcess; listeningMs: number; wallMs: number; output: () => string };

/** Spawns the compiled instance and waits until /healthz answers (or the process dies: its output is the reason). */
async function startInstance(env: NodeJS.ProcessEnv, port: number, nodeFlags: string[]): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, 'dist/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`the instance exited before answering:\n${out.slice(-2000)}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const wallMs = performance.now() - t0;
  // The log line may reach us just after the first answer.
  const listening = () => out.split('\n').find((l) => l.includes('"msg":"listening"'));
  for (let i = 0; i < 100 && !listening(); i++) await new Promise((r) => setTimeout(r, 10));
  const line = listening();
  const listeningMs = line ? (JSON.parse(line) as { ms: number }).ms : Number.NaN;
  return { child, listeningMs, wallMs, output: () => out };
}

async function stopInstance(s: Started): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGTERM');
  await exited;
}

/** The process's resident set now, from the kernel (what `ps` shows), in MiB. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function busiestOfficials(db: Db, k: number): Promise<Array<{ id: string; username: string; waiting: number }>> {
  const candidates = await queryRows<{ id: string; username: string }>(
    db,
    sql`select distinct a.id, a.username from role_grants g join accounts a on a.id = g.account_id
        where g.role in ('reception', 'processing') and not a.suspended and a.deleted_at is null order by a.username`,
  );
  const now = new Date();
  const soon = new Date(now.getTime() + 3 * 86_400_000);
  const out: Array<{ id: string; username: string; waiting: number }> = [];
  for (const c of candidates) {
    const actor: StaffActor = { kind: 'official', accountId: c.id, label: c.username, meta: { ip: '127.0.0.1', requestId: null } };
    const res = await listInbox(db, actor, { tab: 'cho-xu-ly' }, now, soon);
    if (res.counts['cho-xu-ly'] > 0) out.push({ ...c, waiting: res.counts['cho-xu-ly'] });
  }
  return out.sort((a, b) => b.waiting - a.waiting).slice(0, k);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL || DEFAULT_URL;
  const database = await openDatabase({ url, poolSize: 2 });
  const db = database.db;
  const [pgRow] = await queryRows<{ version: string }>(db, sql`select version()`);
  const settings = await queryRows<{ name: string; value: string }>(
    db,
    sql`select name, setting as value from pg_settings where name in ('shared_buffers', 'work_mem', 'jit') order by name`,
  );
  const [count] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from dossiers`);
  const n = count?.n ?? 0;
  console.log(`Start time and memory of a production instance — ${redactPassword(url)}, ${n.toLocaleString('en-US')} dossiers`);
  printMachine(pgRow?.version ?? '?', settings);

  if (o.build) {
    const b = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('npm run build failed');
  }
  const env = productionEnv(url, o.port);

  console.log(
    `\n1. ${o.starts} starts of \`node ${[...o.nodeFlags, 'dist/src/main.js'].join(' ')}\` (production, WORKER=false, migrations applied):`,
  );
  console.log('   run  listening (ms, from launch)  /healthz (ms, wall)  RSS idle (MB)');
  const starts: Array<{ listening: number; wall: number; rss: number }> = [];
  for (let i = 1; i <= o.starts; i++) {
    const s = await startInstance(env, o.port, o.nodeFlags);
    await new Promise((r) => setTimeout(r, 2000));
    const rss = rssMb(s.child.pid!);
    await stopInstance(s);
    starts.push({ listening: s.listeningMs, wall: s.wallMs, rss });
    console.log(`   ${String(i).padStart(3)}  ${fmt(s.listeningMs).padStart(26)}  ${fmt(s.wallMs).padStart(19)}  ${fmt(rss).padStart(13)}`);
  }
  console.log(
    `   median: listening ${fmt(median(starts.map((s) => s.listening)))} ms, /healthz ${fmt(median(starts.map((s) => s.wall)))} ms, RSS idle ${fmt(median(starts.map((s) => s.rss)))} MB (goal: ≤ 1000 ms)`,
  );

  console.log(`\n2. The same instance under load: the inbox of the busiest officials, ${o.concurrency} clients, ${o.seconds} s:`);
  const officials = await busiestOfficials(db, o.officials);
  if (officials.length === 0) {
    console.error('bench:start: no official has any dossier waiting; the load part needs a seeded database (bench/README.md).');
    process.exitCode = 1;
    await database.close();
    return;
  }
  const policy = { idleMs: 3_600_000, absoluteMs: 8 * 3_600_000 };
  const jobs: Array<{ path: string; cookie: string }> = [];
  for (const off of officials) {
    const token = await createSession(db, off.id, policy, new Date(), { ip: '127.0.0.1', userAgent: 'motcua-bench-start' });
    // Over https (PUBLIC_URL) the instance names its cookies with the __Host- prefix.
    jobs.push({ path: '/tiepnhan/ho-so?tab=cho-xu-ly', cookie: browserCookies(`__Host-motcua_sid=${token}`) });
  }
  console.log(`   officials: ${officials.map((x) => `${x.username} (${x.waiting} waiting)`).join(', ')}`);
  const s = await startInstance(env, o.port, o.nodeFlags);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(rssMb(s.child.pid!)), 100);
  let r: LoadResult;
  try {
    r = await httpLoad(`http://127.0.0.1:${o.port}`, jobs, {
      total: Number.MAX_SAFE_INTEGER,
      concurrency: o.concurrency,
      maxMs: o.seconds * 1000,
      warmup: 500,
    });
  } finally {
    clearInterval(sampler);
    await stopInstance(s);
    await database.close();
  }
  const lat = summarize(r.latencies);
  console.log(
    `   ${r.latencies.length} requests, ${r.errors} errors${r.statuses ? ` ${JSON.stringify(r.statuses)}` : ''}, ${fmt(r.latencies.length / (r.elapsedMs / 1000))} req/s; ` +
      `p50 ${lat.p50.toFixed(1)} ms, p95 ${lat.p95.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms`,
  );
  console.log(
    `   RSS of the instance under load: peak ${fmt(Math.max(...samples))} MB, median ${fmt(median(samples))} MB (goal: ≤ 150 MB)`,
  );
  if (r.errors > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`bench:start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
