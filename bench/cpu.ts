/**
 * CPU time per request, read from /proc (Linux): of this process's main thread (the app, or the bare statements'
 * loop; not V8's helper threads, which take a few per cent more) and of the PostgreSQL backends connected to the benchmark's database when the server runs on this machine.
 * On a loaded machine latencies measure the queue; CPU per request still measures the work (0015, 0031).
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

export type CpuSnapshot = { app: number | null; db: Map<number, number> | null };

export async function cpuSnapshot(database: Pick<Database, 'kind' | 'db'>): Promise<CpuSnapshot> {
  const app = procCpuMs(`/proc/self/task/${process.pid}/stat`);
  if (database.kind !== 'postgres') return { app, db: null };
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
    if (comm !== 'postgres') return { app, db: null };
    const ms = procCpuMs(`/proc/${pid}/stat`);
    if (ms === null) return { app, db: null };
    db.set(pid, ms);
  }
  return { app, db };
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
