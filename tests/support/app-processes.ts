/**
 * Real app processes on one PostgreSQL database, for the tests of what must hold across instances (several
 * processes behind a province's load balancer): each runs `src/main.ts` as `npm start` does, on its own free port,
 * with its own simulator ports, demo data off and the worker off. PostgreSQL only: PGlite belongs to one process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { createScratchDatabase } from './ops-data.js';
import { freePort } from './vneid.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export type AppProcess = { name: string; port: number; origin: string; proc: ChildProcess; log: string };

/**
 * A new, empty database on the test server (TEST_DATABASE_URL), named after the run so the global teardown drops it
 * with the others; returns its address.
 */
export function newPostgresDatabase(suffix: string): Promise<string> {
  return createScratchDatabase(`${inject('pgBaseName')}_${suffix}`);
}

/** The test runner's environment without what would configure an instance otherwise (the developer's, vitest's). */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (/^(VNEID|REGISTRY|SSO|SMS|ZNS)_/.test(k)) delete env[k];
  for (const k of ['PUBLIC_URL', 'SESSION_SECRET', 'DEMO_DATA', 'TRUST_PROXY', 'NODE_OPTIONS', 'DATA_DIR', 'VITEST', 'VITEST_POOL_ID'])
    delete env[k];
  return env;
}

/** Several app processes of one test file: started, waited for, and stopped together (afterAll). */
export class AppProcesses {
  readonly all: AppProcess[] = [];
  private readonly given = new Set<number>();

  /**
   * Spawns one instance on `databaseUrl` (not waiting for it: see ready). `port`: when the test needs to know it
   * before the start (a PUBLIC_URL naming it); `env`: what this test adds or changes (LOG_LEVEL is warn unless set);
   * `command`: Node's arguments, the sources through tsx unless given (a test of the compiled build runs its file).
   */
  async start(
    name: string,
    opts: { databaseUrl: string; port?: number; env?: Record<string, string>; command?: string[] },
  ): Promise<AppProcess> {
    const port = opts.port ?? (await this.unusedPort());
    this.given.add(port);
    const env = Object.assign(baseEnv(), {
      NODE_ENV: 'development',
      PORT: String(port),
      // Each instance runs its own simulator in demo mode, with its own SMTP stand-in.
      SIM_PORT: String(await this.unusedPort()),
      SIM_SMTP_PORT: String(await this.unusedPort()),
      DATABASE_URL: opts.databaseUrl,
      SESSION_SECRET: 'two-instances-secret-two-instances-secret',
      DEMO_DATA: '0',
      WORKER: 'false',
      LOG_LEVEL: 'warn',
      ...opts.env,
    });
    const proc = spawn(process.execPath, opts.command ?? ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const inst: AppProcess = { name, port, origin: `http://127.0.0.1:${port}`, proc, log: '' };
    proc.stdout?.on('data', (d: Buffer) => (inst.log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (inst.log += d.toString()));
    this.all.push(inst);
    return inst;
  }

  /** A free port not handed out before by this set (the system may hand out a port just closed twice). */
  async unusedPort(): Promise<number> {
    for (;;) {
      const port = await freePort();
      if (this.given.has(port)) continue;
      this.given.add(port);
      return port;
    }
  }

  /** Resolves when every instance answers 200 on /readyz; an instance that exits or stays unready fails with its log. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await Promise.all(this.all.map((inst) => waitReady(inst, timeoutMs)));
  }

  /** SIGTERM to every instance still running (their clean shutdown), SIGKILL to one not gone within 8 s. */
  async stop(): Promise<void> {
    await Promise.all(
      this.all.map(
        (inst) =>
          new Promise<void>((resolve) => {
            if (inst.proc.exitCode !== null || inst.proc.signalCode !== null) return resolve();
            const t = setTimeout(() => {
              inst.proc.kill('SIGKILL');
              resolve();
            }, 8_000);
            inst.proc.once('exit', () => {
              clearTimeout(t);
              resolve();
            });
            inst.proc.kill('SIGTERM');
          }),
      ),
    );
  }
}

async function waitReady(inst: AppProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exited = () => inst.proc.exitCode !== null || inst.proc.signalCode !== null;
    if (exited()) throw new Error(`${inst.name} exited at start:\n${inst.log.slice(-3000)}`);
    const ok = await fetch(`${inst.origin}/readyz`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    // Ready only if it is ours that answered: an instance that could not listen (the port taken by a stranger that
    // answers /readyz) exits at once — give it that moment before believing the answer.
    if (ok) await new Promise((r) => setTimeout(r, 100));
    if (ok && !exited()) return;
    if (Date.now() > deadline) throw new Error(`${inst.name} not ready:\n${inst.log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
