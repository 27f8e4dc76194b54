/**
 * A bounded closed-loop load: C clients, each sending its next request as soon as the previous one
 * answered, until N requests are done or the time cap is reached. Latency is measured per request.
 */
import { loadConfig } from '../src/config.js';
import crypto from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { TICKS_PER_SECOND } from './cpu.js';

/** The load generators' HTTP client (plain CommonJS, required by the worker threads). */
export const RAW_HTTP = fileURLToPath(new URL('./raw-http.cjs', import.meta.url));

export type LoadResult = { latencies: number[]; errors: number; elapsedMs: number; bytes: number; statuses?: Record<string, number> };

export type LoadOptions = {
  total: number;
  concurrency: number;
  maxMs: number;
  /** Requests sent first and not counted (connections, caches, JIT). */
  warmup: number;
  /** One request; resolves to the response size in bytes. Request i of the run. */
  task: (i: number) => Promise<number>;
  /** Runs between the warm-up and the counted phase (to read CPU counters there). */
  atStart?: () => Promise<void>;
  /** HTTP only: the CPUs (taskset's list) the load generator's thread runs on (bench/placement.ts); unset: any. */
  clientCpus?: string;
};

/**
 * The configuration of a benchmark's in-process app on `port`: development (no demo data, warnings only) with what
 * production has and development lacks — the session cache (src/auth/session-cache.ts; SESSION_CACHE_MS=0 measures
 * without it). `extra`: the benchmark's own settings (DATABASE_URL or DATA_DIR, PUBLIC_URL).
 */
export function benchConfig(port: number, extra: Record<string, string>) {
  return loadConfig({
    NODE_ENV: 'development',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DEMO_DATA: '0',
    SESSION_CACHE_MS: process.env.SESSION_CACHE_MS ?? '5000',
    ...extra,
  });
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  let w = 0;
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency, o.warmup) }, async () => {
      while (w < o.warmup) await o.task(w++).catch(() => 0);
    }),
  );
  await o.atStart?.();
  const latencies: number[] = [];
  let errors = 0;
  let bytes = 0;
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= o.total || performance.now() - start > o.maxMs) return;
        const t0 = performance.now();
        try {
          const n = await o.task(i);
          latencies.push(performance.now() - t0);
          bytes += n;
        } catch {
          errors++;
        }
      }
    }),
  );
  return { latencies, errors, bytes, elapsedMs: performance.now() - start };
}

/**
 * A browser's cookies for a session cookie `name=value`: it also keeps the CSRF cookie the first answer set (same
 * prefix, `__Host-` in production), so the app does not make and set a new one on every request as it must for a
 * client without it.
 */
export function browserCookies(session: string): string {
  const prefix = session.startsWith('__Host-') ? '__Host-' : '';
  return `${session}; ${prefix}motcua_csrf=${crypto.randomBytes(24).toString('base64url')}`;
}

export function summarize(latencies: number[]) {
  const xs = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]! : NaN);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), max: xs.length ? xs[xs.length - 1]! : NaN };
}

/**
 * The same loop for HTTP, as the source of a worker thread (plain JavaScript, so it needs no TypeScript loader):
 * keep-alive connections (bench/raw-http.cjs), one per client, the body read to the end; a request counts as an error unless it answers
 * 200. After the warm-up it posts { warm: true } and waits for 'go', so that the caller can read its CPU counters
 * where the counted phase starts; it reports its own thread's CPU in that phase (clientCpuMs).
 */
const HTTP_CLIENT_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const fs = require('node:fs');
const { base, jobs, total, concurrency, maxMs, warmup, ticks, rawHttp, clientCpus } = workerData;
if (clientCpus) {
  // This thread only (a thread is a task of its own to the kernel): /proc/thread-self names its id.
  const tid = fs.readlinkSync('/proc/thread-self').split('/').pop();
  require('node:child_process').execFileSync('taskset', ['--pid', '--cpu-list', clientCpus, tid], { stdio: 'ignore' });
}
const { Pool } = require(rawHttp);
const pool = new Pool(base);
const statuses = {};
function cpuMs() {
  try {
    const f = fs.readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / ticks;
  } catch { return null; }
}
async function get(job) {
  let res;
  try {
    res = await pool.request('GET', job.path, { cookie: job.cookie });
  } catch (e) {
    statuses.error = (statuses.error || 0) + 1;
    throw e;
  }
  statuses[res.status] = (statuses[res.status] || 0) + 1;
  if (res.status !== 200) throw new Error('status ' + res.status);
  return res.body.length;
}
(async () => {
  let w = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, warmup) }, async () => {
    while (w < warmup) await get(jobs[w++ % jobs.length]).catch(() => 0);
  }));
  for (const k of Object.keys(statuses)) delete statuses[k];
  await new Promise((resolve) => { parentPort.once('message', resolve); parentPort.postMessage({ warm: true }); });
  const latencies = [];
  let errors = 0, bytes = 0, next = 0;
  const cpu0 = cpuMs();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= total || performance.now() - start > maxMs) return;
      const t0 = performance.now();
      try {
        const n = await get(jobs[i % jobs.length]);
        latencies.push(performance.now() - t0);
        bytes += n;
      } catch {
        errors++;
      }
    }
  }));
  const elapsedMs = performance.now() - start;
  const cpu1 = cpuMs();
  pool.destroy();
  parentPort.postMessage({ latencies, errors, bytes, elapsedMs, statuses, clientCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 });
})();
`;

export type HttpJob = { path: string; cookie: string };
/** clientCpuMs: the load generator's own thread's CPU in the counted phase (null where /proc cannot be read). */
export type HttpLoadResult = LoadResult & { clientCpuMs: number | null };

/**
 * HTTP GETs of `jobs` in turn from a worker thread (so the clients do not share the app's event loop), closed loop
 * as runLoad.
 */
export function httpLoad(base: string, jobs: HttpJob[], o: Omit<LoadOptions, 'task'>): Promise<HttpLoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(HTTP_CLIENT_SOURCE, {
      eval: true,
      workerData: {
        base,
        jobs,
        total: o.total,
        concurrency: o.concurrency,
        maxMs: o.maxMs,
        warmup: o.warmup,
        ticks: TICKS_PER_SECOND,
        rawHttp: RAW_HTTP,
        clientCpus: o.clientCpus,
      },
    });
    worker.on('message', (m: HttpLoadResult | { warm: true }) => {
      if ('warm' in m) void (o.atStart?.() ?? Promise.resolve()).then(() => worker.postMessage('go'), reject);
      else resolve(m);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`HTTP client worker exited with ${code}`)));
  });
}

/**
 * The machine, Node (with the load before the runs) and PostgreSQL lines every bench prints under its title:
 * a figure means nothing without the machine it came from. The load before the runs matters — 20 clients keep
 * ~20 processes runnable, and another job on the machine skews the figures.
 */
export function printMachine(pgVersion: string, settings: ReadonlyArray<{ name: string; value: string }>): void {
  const cpus = os.cpus();
  console.log(
    `  Machine:    ${cpus[0]?.model ?? '?'} × ${cpus.length}, RAM ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}`,
  );
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
  console.log(`  Node:       ${process.version}; load before the runs (loadavg 1/5/15 min): ${load}`);
  console.log(`  PostgreSQL: ${pgVersion}`);
  console.log(`              ${settings.map((s) => `${s.name}=${s.value}`).join(', ')}`);
}
