/**
 * CPU time per request, read from /proc (Linux): of this process's main thread (the app, or the bare statements'
 * loop; not V8's helper threads, which take a few per cent more) and of the PostgreSQL backends connected to the benchmark's database when the server runs on this machine.
 * On a loaded machine latencies measure the queue; CPU per request still measures the work (0015, 0031).
 *
 * Also two shares of the phase's wall time that say why throughput is not CPU ÷ CPU per request: how long the main
 * thread waited runnable for a CPU (/proc/<tid>/schedstat, the kernel's run-queue delay), and how long the machine's
 * CPUs were idle (/proc/stat). Both high at once means the scheduler kept the thread waiting behind another on its
 * CPU while the other CPU had nothing to do (decision 0031 measured it on this project's 2-vCPU machines).
 */
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../src/db/client.js';

export const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user + system CPU of a thread or process from /proc, in ms; null where it cannot be read. */
function procCpuMs(statPath: string): number | null {
  try {
    // Fields after the command name: state is [0], utime [11], stime [12].
    const f = fs.readFileSync(statPath, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Nanoseconds the thread spent waiting runnable on a run queue (schedstat's second field); null where unreadable. */
function runQueueWaitNs(tid: number): number | null {
  try {
    const wait = Number(fs.readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : null;
  } catch {
    return null;
  }
}

/** The machine's idle and total CPU time (all CPUs, ticks) from /proc/stat's first line; null where unreadable. */
function machineTicks(): { idle: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return null;
    return { idle: f[3]! + f[4]!, total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

export type CpuSnapshot = {
  app: number | null;
  db: Map<number, number> | null;
  /** performance.now() when taken. */
  at: number;
  appWaitNs: number | null;
  machine: { idle: number; total: number } | null;
};

export async function cpuSnapshot(database: Pick<Database, 'kind' | 'db'>): Promise<CpuSnapshot> {
  const at = performance.now();
  const app = procCpuMs(`/proc/self/task/${process.pid}/stat`);
  const appWaitNs = runQueueWaitNs(process.pid);
  const machine = machineTicks();
  if (database.kind !== 'postgres') return { app, db: null, at, appWaitNs, machine };
  const pids = await queryRows<{ pid: number }>(
    database.db,
    sql`select pid from pg_stat_activity where datname = current_database() and backend_type = 'client backend'`,
  );
  const db = new Map<number, number>();
  for (const { pid } of pids) {
    // The server's pids mean this machine's processes only when PostgreSQL runs here (not in a container or elsewhere).
    const comm = (() => {
      try {
        return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return null;
      }
    })();
    if (comm !== 'postgres') return { app, db: null, at, appWaitNs, machine };
    const ms = procCpuMs(`/proc/${pid}/stat`);
    if (ms === null) return { app, db: null, at, appWaitNs, machine };
    db.set(pid, ms);
  }
  return { app, db, at, appWaitNs, machine };
}

/**
 * Shares of the wall time between two snapshots, in per cent: `wait`, the main thread runnable but not running;
 * `idle`, the machine's CPUs idle (of all of them). NaN where /proc could not be read.
 */
export function schedulingShares(a: CpuSnapshot, b: CpuSnapshot): { wait: number; idle: number } {
  const wallNs = (b.at - a.at) * 1e6;
  const wait = a.appWaitNs !== null && b.appWaitNs !== null && wallNs > 0 ? (100 * (b.appWaitNs - a.appWaitNs)) / wallNs : NaN;
  const ticks = a.machine && b.machine ? b.machine.total - a.machine.total : 0;
  const idle = a.machine && b.machine && ticks > 0 ? (100 * (b.machine.idle - a.machine.idle)) / ticks : NaN;
  return { wait, idle };
}

/** CPU per request (ms) between two snapshots: the main thread's, and the backends' (those there at the end). */
export function cpuPerRequest(a: CpuSnapshot, b: CpuSnapshot, requests: number): { app: number; db: number } {
  const app = a.app !== null && b.app !== null ? (b.app - a.app) / requests : NaN;
  let db = NaN;
  if (a.db && b.db) {
    db = 0;
    for (const [pid, ms] of b.db) db += ms - (a.db.get(pid) ?? 0);
    db /= requests;
  }
  return { app, db };
}
