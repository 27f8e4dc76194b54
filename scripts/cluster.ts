/**
 * `npm run start:cluster -- [--instances 2] [--base-port 3001] [--port 3000] [--app auto|dist|source] [--haproxy /usr/sbin/haproxy]`
 *
 * N app instances on one PostgreSQL database (DATABASE_URL), behind Debian's HAProxy (deploy/haproxy.cfg, filled in
 * here) on --port; docs/decisions/0026-instances-and-rolling-restart.md.
 *
 * - Instance i (1…N) listens on base-port + i − 1; app1 works the job queue, the others run with WORKER=false.
 *   In demo mode each instance has its own simulators (SIM_PORT base-port + N + i − 1, SIM_SMTP_PORT base-port +
 *   2N + i − 1) and the others log in with app1's VNeID simulator, so a login started on one instance ends on any.
 * - The app runs from dist/ (`npm run build`) when it exists (--app auto), or from the sources (--app source).
 * - Every instance gets TRUST_PROXY=true (HAProxy sets X-Forwarded-For), PUBLIC_URL (default http://localhost:<port>)
 *   and SHUTDOWN_DRAIN_MS=2000 unless set: longer than HAProxy takes to see a draining instance (checks every 500 ms).
 * - An instance that dies is started again (after 1 s, doubling while it keeps dying at start).
 * - `npm run restart:rolling -- [--port 3000]` connects to the control socket <tmp>/motcua-cluster-<port>/control.sock:
 *   this process then restarts the instances one by one (HAProxy told to drain it, SIGTERM, wait for the exit,
 *   start, wait for /readyz 200, HAProxy told it is ready and counting it up), writing its progress back, and "ok"
 *   or "error: …" last.
 * - Ctrl-C / SIGTERM: every instance drains and stops, then HAProxy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  appCommand,
  controlSocketPath,
  haproxyCommand,
  haproxyServerStates,
  type Instance,
  privateRunDir,
  startInstance,
  stopInstance,
  waitReady,
} from './cluster-instances.js';

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run start:cluster -- [--instances 2] [--base-port 3001] [--port 3000] [--app auto|dist|source] [--haproxy /usr/sbin/haproxy]`,
  );
  process.exit(2);
}

function intOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) usage(`--${name}: a whole number from ${min} to ${max}`);
  return Number(value);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      instances: { type: 'string' },
      'base-port': { type: 'string' },
      port: { type: 'string' },
      haproxy: { type: 'string' },
      app: { type: 'string' },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (err) {
  usage((err as Error).message);
}
const count = intOption(args.instances, 'instances', 2, 1, 16);
const port = intOption(args.port, 'port', Number(process.env.PORT ?? 3000), 1, 65535);
const basePort = intOption(args['base-port'], 'base-port', port + 1, 1, 65535 - 3 * count);
if (port >= basePort && port < basePort + 3 * count)
  usage(`--port ${port} falls among the instances' ports ${basePort}–${basePort + 3 * count - 1}`);
const appChoice = args.app ?? 'auto';
if (appChoice !== 'auto' && appChoice !== 'dist' && appChoice !== 'source') usage('--app: auto, dist or source');
let command: string[] = [];
try {
  command = appCommand(appChoice);
} catch (err) {
  usage((err as Error).message);
}
const haproxy = args.haproxy ?? process.env.HAPROXY_PATH ?? '/usr/sbin/haproxy';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl)) {
  console.error(
    'DATABASE_URL must name a PostgreSQL server (postgres://…): the instances share its database. The embedded database (PGlite, ' +
      'DATA_DIR) belongs to one process only; move it first with `npm run db:move -- --to postgres://…`.',
  );
  process.exit(2);
}
if (!fs.existsSync(haproxy)) {
  console.error(`HAProxy is missing at ${haproxy}: install Debian's package (apt-get install haproxy) or give --haproxy <path>.`);
  process.exit(2);
}

let runDir = '';
try {
  runDir = privateRunDir(port);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
const statsSocket = path.join(runDir, 'haproxy.sock');
const control = controlSocketPath(port);
const production = process.env.NODE_ENV === 'production';
const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
const instances: Instance[] = Array.from({ length: count }, (_, i) => {
  const env: Record<string, string> = {
    PORT: String(basePort + i),
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: publicUrl,
    TRUST_PROXY: 'true',
    WORKER: i === 0 ? (process.env.WORKER ?? 'true') : 'false',
    SHUTDOWN_DRAIN_MS: process.env.SHUTDOWN_DRAIN_MS ?? '2000',
  };
  if (!production) {
    env.SIM_PORT = String(basePort + count + i);
    env.SIM_SMTP_PORT = String(basePort + 2 * count + i);
    // One VNeID simulator for all: the login's callback may reach another instance than the one that began it.
    if (i > 0 && !process.env.VNEID_ISSUER)
      Object.assign(env, {
        VNEID_ISSUER: `http://127.0.0.1:${basePort + count}`,
        VNEID_CLIENT_ID: 'motcua-demo',
        VNEID_CLIENT_SECRET: 'motcua-demo-secret',
      });
  }
  return { name: `app${i + 1}`, port: basePort + i, env, command, child: null, expected: false, quickDeaths: 0, startedAt: 0 };
});

const servers = instances.map((inst) => `    server ${inst.name} 127.0.0.1:${inst.port} check`).join('\n');
const template = fs.readFileSync(path.join(import.meta.dirname, '..', 'deploy', 'haproxy.cfg'), 'utf8');
const haproxyCfg = path.join(runDir, 'haproxy.cfg');
fs.writeFileSync(
  haproxyCfg,
  template.replaceAll('{{BIND}}', `:${port}`).replaceAll('{{STATS_SOCKET}}', statsSocket).replaceAll('{{SERVERS}}', servers),
);

let stopping = false;
let lb: ChildProcess | null = null;
let controlServer: net.Server | null = null;
// Whatever ends this process (a crash included), its children do not outlive it.
process.on('exit', () => {
  for (const inst of instances) inst.child?.kill('SIGTERM');
  lb?.kill('SIGTERM');
});
/** An instance that exits on its own is started again, with a growing pause while it keeps dying at start. */
function onUnexpectedExit(inst: Instance, code: number | null, signal: NodeJS.Signals | null) {
  if (stopping) return;
  inst.quickDeaths = Date.now() - inst.startedAt < 30_000 ? inst.quickDeaths + 1 : 0;
  const pause = Math.min(30_000, 1_000 * 2 ** inst.quickDeaths);
  console.error(`[cluster] ${inst.name} exited (${signal ?? `code ${code}`}); starting it again in ${pause / 1000} s`);
  setTimeout(() => {
    if (!stopping && !inst.child) launch(inst);
  }, pause);
}
const launch = (inst: Instance) => startInstance(inst, onUnexpectedExit);

// app1 first, alone: it migrates and seeds the demo data, which two instances starting together would race on.
launch(instances[0]!);
await waitReady(instances[0]!, 180_000).catch((err: Error) => fail(err.message));
for (const inst of instances.slice(1)) launch(inst);
await Promise.all(instances.slice(1).map((inst) => waitReady(inst, 180_000))).catch((err: Error) => fail(err.message));

const check = spawn(haproxy, ['-c', '-f', haproxyCfg], { stdio: ['ignore', 'ignore', 'inherit'] });
if ((await new Promise<number | null>((resolve) => check.on('exit', resolve))) !== 0) await fail(`HAProxy refused ${haproxyCfg} (above)`);
// -db: in the foreground, logging to our stderr; -W: master-worker, stopped gracefully by SIGUSR1.
lb = spawn(haproxy, ['-W', '-db', '-f', haproxyCfg], { stdio: ['ignore', 'inherit', 'inherit'] });
lb.on('exit', (code, signal) => {
  if (!stopping) void fail(`HAProxy exited (${signal ?? `code ${code}`})`);
});
await waitBalanced(instances, 30_000).catch((err: Error) => fail(err.message));

fs.rmSync(control, { force: true });
let rolling = false;
controlServer = net.createServer((socket) => {
  socket.setEncoding('utf8');
  socket.once('data', (line: string) => {
    if (line.trim() !== 'restart') return void socket.end(`error: unknown command ${JSON.stringify(line.trim())}\n`);
    if (rolling) return void socket.end('error: a rolling restart is already under way\n');
    rolling = true;
    const say = (text: string) => {
      console.log(`[cluster] ${text}`);
      if (!socket.destroyed) socket.write(`${text}\n`);
    };
    rollingRestart(say)
      .then(
        () => socket.end('ok\n'),
        (err: Error) => socket.end(`error: ${err.message}\n`),
      )
      .finally(() => (rolling = false));
  });
  socket.on('error', () => undefined);
});
controlServer.listen(control);

console.log(
  `\nMotCua: ${count} instances behind HAProxy at http://localhost:${port} (${instances.map((i) => `${i.name} :${i.port}`).join(', ')})`,
);
console.log(`  Rolling restart: npm run restart:rolling -- --port ${port}\n`);

/** One instance at a time: stop (it drains), start, ready, counted up by HAProxy — then the next. */
async function rollingRestart(say: (text: string) => void) {
  for (const inst of instances) {
    if (stopping) throw new Error('the cluster is stopping');
    // HAProxy stops sending it requests now, not after its health checks have seen /readyz turn 503: a planned
    // restart does not depend on check timing (the other instance may answer checks slowly while carrying it all).
    await setServerState(inst, 'drain');
    say(`${inst.name}: stopping (draining)`);
    await stopInstance(inst);
    say(`${inst.name}: starting`);
    launch(inst);
    await waitReady(inst, 180_000);
    await setServerState(inst, 'ready');
    await waitBalanced([inst], 30_000);
    say(`${inst.name}: ready and back in rotation`);
  }
}

async function setServerState(inst: Instance, state: 'drain' | 'ready') {
  const answer = await haproxyCommand(statsSocket, `set server instances/${inst.name} state ${state}`);
  if (answer.trim() !== '') throw new Error(`HAProxy refused to set ${inst.name} ${state}: ${answer.trim()}`);
}

/** HAProxy counts every one of `which` up (its health checks passed `rise` times). */
async function waitBalanced(which: Instance[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await haproxyServerStates(statsSocket).catch(() => new Map<string, string>());
    if (which.every((inst) => states.get(inst.name) === 'UP')) return;
    if (Date.now() > deadline) throw new Error(`HAProxy does not count ${which.map((i) => i.name).join(', ')} up`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function shutdown(exitCode: number) {
  if (stopping) return;
  stopping = true;
  controlServer?.close();
  fs.rmSync(control, { force: true });
  // The instances drain first (HAProxy takes them out as their /readyz turns 503), then HAProxy stops.
  await Promise.all(instances.map((inst) => stopInstance(inst)));
  const proxy = lb;
  if (proxy && proxy.exitCode === null && proxy.signalCode === null) {
    proxy.kill('SIGUSR1');
    await new Promise((resolve) => proxy.on('exit', resolve));
  }
  process.exit(exitCode);
}

/** Stops everything and exits 1; the promise never settles, so the start goes no further meanwhile. */
function fail(message: string): Promise<never> {
  console.error(`[cluster] ${message}`);
  void shutdown(1);
  return new Promise<never>(() => undefined);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
