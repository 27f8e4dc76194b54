/**
 * The pieces of scripts/cluster.ts that start, stop and watch things: app instances (child processes), their
 * readiness, HAProxy's view of them (its admin socket), and where the control socket lives.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

export type Instance = {
  /** HAProxy's server name too. */
  name: string;
  port: number;
  /** Set on top of the cluster's own environment. */
  env: Record<string, string>;
  /** node's arguments (appCommand). */
  command: string[];
  child: ChildProcess | null;
  /** True while the cluster stops it on purpose (its exit is not a crash). */
  expected: boolean;
  /** Deaths within 30 s of a start, in a row: the pause before the next start doubles with each. */
  quickDeaths: number;
  startedAt: number;
};

/** Where `npm run restart:rolling -- --port <port>` finds the cluster serving that port. */
export function controlSocketPath(port: number): string {
  return path.join(os.tmpdir(), `motcua-cluster-${port}`, 'control.sock');
}

/**
 * Refuses `dir` unless it is a real folder (not a link) of this user that nobody else may enter: under the shared
 * temporary folder another user could have made it first, to read or replace the HAProxy configuration written there,
 * drive HAProxy through its admin socket, or answer `restart:rolling` in the cluster's place.
 */
export function assertPrivateDir(dir: string): void {
  const st = fs.lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0)
    throw new Error(
      `${dir} is not a private folder of this user (${st.isDirectory() ? 'a folder' : 'not a folder'}, owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): check who made it, then remove it.`,
    );
}

/** The cluster's folder (configuration and sockets) for `port`: made private, or refused (assertPrivateDir). */
export function privateRunDir(port: number): string {
  const dir = path.dirname(controlSocketPath(port));
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivateDir(dir);
  return dir;
}

/**
 * How to run the app: the compiled JavaScript of `npm run build` (a faster start, less memory), or the sources
 * through tsx; `auto` takes the compiled one when it exists.
 */
export function appCommand(app: 'auto' | 'dist' | 'source'): string[] {
  const dist = path.join(ROOT, 'dist', 'src', 'main.js');
  if (app === 'dist' && !fs.existsSync(dist)) throw new Error(`${dist} is missing: run npm run build first`);
  return app === 'dist' || (app === 'auto' && fs.existsSync(dist)) ? [dist] : ['--import', 'tsx', 'src/main.ts'];
}

export function startInstance(
  inst: Instance,
  onUnexpectedExit: (inst: Instance, code: number | null, signal: NodeJS.Signals | null) => void,
): void {
  const child = spawn(process.execPath, inst.command, {
    cwd: ROOT,
    env: { ...process.env, ...inst.env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  inst.child = child;
  inst.startedAt = Date.now();
  console.log(`[cluster] ${inst.name}: pid ${child.pid}, port ${inst.port}`);
  child.on('exit', (code, signal) => {
    if (inst.child === child) inst.child = null;
    if (!inst.expected) onUnexpectedExit(inst, code, signal);
  });
}

/** SIGTERM, then the instance's own graceful shutdown (src/main.ts); SIGKILL if it outlives its bounds. */
export async function stopInstance(inst: Instance): Promise<void> {
  const child = inst.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  inst.expected = true;
  const boundMs = Number(inst.env.SHUTDOWN_DRAIN_MS ?? 0) + Number(process.env.SHUTDOWN_GRACE_MS ?? 10_000) + 20_000;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    console.error(`[cluster] ${inst.name} still running ${boundMs / 1000} s after SIGTERM: killing it`);
    child.kill('SIGKILL');
  }, boundMs);
  await exited;
  clearTimeout(timer);
  inst.expected = false;
}

/** Until the instance's /readyz answers 200; fails when its process exits first or time runs out. */
export async function waitReady(inst: Instance, timeoutMs: number): Promise<void> {
  const child = inst.child;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!child || child.exitCode !== null || child.signalCode !== null) throw new Error(`${inst.name} exited during its start`);
    const ready = await fetch(`http://127.0.0.1:${inst.port}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`${inst.name} not ready after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** One command on HAProxy's admin socket (the `stats socket` of deploy/haproxy.cfg); its answer. */
export function haproxyCommand(statsSocket: string, command: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let text = '';
    const socket = net.connect(statsSocket, () => socket.write(`${command}\n`));
    socket.setEncoding('utf8');
    socket.setTimeout(2_000, () => socket.destroy(new Error('HAProxy admin socket timed out')));
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

/** Each server's status in HAProxy's backend (UP, DOWN, DRAIN, "UP 1/2" while rising…), from `show stat`. */
export async function haproxyServerStates(statsSocket: string): Promise<Map<string, string>> {
  const csv = await haproxyCommand(statsSocket, 'show stat');
  const [header, ...rows] = csv.split('\n');
  const columns = (header ?? '').replace(/^# /, '').split(',');
  const [px, sv, status] = ['pxname', 'svname', 'status'].map((c) => columns.indexOf(c));
  const states = new Map<string, string>();
  for (const row of rows) {
    const cells = row.split(',');
    if (cells[px!] === 'instances' && cells[sv!] !== 'BACKEND') states.set(cells[sv!]!, cells[status!] ?? '');
  }
  return states;
}
