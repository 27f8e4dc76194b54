/**
 * Where the benchmark's processes run (`--placement`, decision 0031):
 *
 * - **shared** (default): wherever the kernel puts them.
 * - **split**: the app's process on CPU 0; PostgreSQL (the postmaster and every backend, present and future) and the
 *   load generator's thread on the other CPUs — what docs/deploy.md's single small server does with systemd's
 *   `CPUAffinity=`. The app's event loop is one thread: on the 2-vCPU machines measured here the kernel woke
 *   PostgreSQL's backends on the app's CPU and left the thread waiting behind them a third of the time while the
 *   other CPU was idle a fifth of it.
 *
 * Split changes the affinity of the machine's PostgreSQL, so it needs PostgreSQL on this machine and the right to
 * change its processes (root, or CAP_SYS_NICE); it is undone when the benchmark exits, and the command that undoes it
 * by hand is printed first, for a benchmark killed with SIGKILL.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../src/db/client.js';

export const PLACEMENTS = ['shared', 'split'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** The CPU lists of a split (taskset's syntax): the app's, the others', all. */
export type SplitCpus = { app: string; others: string; all: string };

export function splitCpus(count = os.availableParallelism()): SplitCpus {
  if (count < 2) throw new Error('--placement split needs at least 2 CPUs');
  return { app: '0', others: count === 2 ? '1' : `1-${count - 1}`, all: `0-${count - 1}` };
}

const readProc = (pid: number, file: string): string | null => {
  try {
    return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return null;
  }
};

const parentOf = (pid: number): number | null => {
  const m = /^PPid:\s+(\d+)$/m.exec(readProc(pid, 'status') ?? '');
  return m ? Number(m[1]) : null;
};

/** The postmaster and its children (backends, background workers) as they are now. */
function postgresProcesses(postmaster: number): number[] {
  const children = fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => parentOf(pid) === postmaster);
  return [postmaster, ...children];
}

/** Every thread of `pid` on `cpus`. A process gone meanwhile (a backend that ended) is skipped. */
function pin(pid: number, cpus: string): void {
  try {
    execFileSync('taskset', ['--all-tasks', '--pid', '--cpu-list', cpus, String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if (readProc(pid, 'stat') === null) return;
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`--placement split: cannot set the CPUs of process ${pid}: ${detail}`);
  }
}

/**
 * Applies the split: this process (the app, or the bare statements' loop) on `cpus.app`, the PostgreSQL server of
 * `database` on `cpus.others` (new backends inherit the postmaster's affinity). Returns what to print; undone at exit.
 */
export async function applySplit(database: Pick<Database, 'kind' | 'db'>, cpus: SplitCpus): Promise<string> {
  if (database.kind !== 'postgres') throw new Error('--placement split needs a PostgreSQL server (DATABASE_URL)');
  const [{ pid: backend } = { pid: 0 }] = await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid`);
  const postmaster = parentOf(backend);
  if (readProc(backend, 'comm')?.trim() !== 'postgres' || postmaster === null || readProc(postmaster, 'comm')?.trim() !== 'postgres') {
    throw new Error('--placement split needs PostgreSQL on this machine (its backend is not a local process)');
  }
  const undo = () => {
    for (const pid of postgresProcesses(postmaster)) {
      try {
        pin(pid, cpus.all);
      } catch {
        // Best effort at exit; the printed command does the same by hand.
      }
    }
    try {
      pin(process.pid, cpus.all);
    } catch {
      // This process is exiting anyway.
    }
  };
  process.once('exit', undo);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  for (const pid of postgresProcesses(postmaster)) pin(pid, cpus.others);
  pin(process.pid, cpus.app);
  return (
    `split — the app (this process) on CPU ${cpus.app}; PostgreSQL (postmaster ${postmaster} and its backends) and the ` +
    `load generator on CPU ${cpus.others}. Undone at exit; by hand: for p in $(pgrep -x postgres); do taskset -apc ${cpus.all} $p; done`
  );
}
