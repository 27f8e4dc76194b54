/**
 * A throw-away PostgreSQL cluster of the test's own (initdb + pg_ctl from PG_BIN, default
 * /usr/lib/postgresql/15/bin), for tests that stop and restart the database server. Run as the
 * `postgres` user when we are root (initdb refuses root), in a temporary directory, on a free port
 * below the ephemeral range. `destroy()` stops it and removes the directory.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

type OsUser = { uid: number; gid: number };

function postgresUser(): OsUser | null {
  // /etc/passwd: name:x:uid:gid:...
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Why a private cluster cannot be run here, or null when it can. */
export function privateClusterUnavailable(): string | null {
  for (const bin of ['initdb', 'pg_ctl']) {
    if (!fs.existsSync(path.join(PG_BIN, bin))) return `${path.join(PG_BIN, bin)} not found (set PG_BIN)`;
  }
  if (isRoot() && !postgresUser()) return 'running as root and there is no postgres user to run initdb as';
  if (isRoot() && !fs.existsSync('/usr/sbin/runuser') && !fs.existsSync('/sbin/runuser')) return 'running as root without runuser';
  return null;
}

/** Whether nothing listens on 127.0.0.1:port. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

export type PgCluster = {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  /** pg_ctl stop; `fast` terminates the sessions (57P01), `immediate` is a crash. */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  start(): Promise<void>;
  /** pg_ctl restart -m fast. */
  restart(): Promise<void>;
  /** The server log, for failure messages. */
  log(): string;
  /** Stop (immediately) and remove the directory; safe to call twice and after a failed start. */
  destroy(): Promise<void>;
};

export async function startPrivateCluster(): Promise<PgCluster> {
  const reason = privateClusterUnavailable();
  if (reason) throw new Error(reason);
  const owner = isRoot() ? postgresUser() : null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-pg-'));
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const pgRun = (bin: string, args: string[], timeoutMs = 60_000) => {
    const exe = path.join(PG_BIN, bin);
    const [file, argv] = owner ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
    return run(file, argv, { cwd: dir, timeout: timeoutMs, env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  };
  let port = 0;
  let started = false;
  const pgCtl = (args: string[]) => pgRun('pg_ctl', ['-D', dataDir, '-l', logFile, ...args]);

  const cluster: PgCluster = {
    get port() {
      return port;
    },
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    async stop(mode = 'fast') {
      await pgCtl(['stop', '-w', '-m', mode]);
      started = false;
    },
    async start() {
      await pgCtl(['start', '-w', '-t', '30']);
      started = true;
    },
    async restart() {
      await pgCtl(['restart', '-w', '-t', '30', '-m', 'fast']);
      started = true;
    },
    log() {
      try {
        return fs.readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    async destroy() {
      if (started) await pgCtl(['stop', '-w', '-m', 'immediate']).catch(() => undefined);
      started = false;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    await pgRun('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    // Ports 32768–60999 are the kernel's ephemeral range: stay below it; try a few until one is free.
    for (let attempt = 0; attempt < 10 && !started; attempt++) {
      const candidate = 20_000 + Math.floor(Math.random() * 10_000);
      if (!(await portFree(candidate))) continue;
      fs.writeFileSync(
        path.join(dataDir, 'postgresql.auto.conf'),
        [
          `port = ${candidate}`,
          `listen_addresses = '127.0.0.1'`,
          `unix_socket_directories = '${dir}'`,
          'fsync = off',
          'synchronous_commit = off',
          'full_page_writes = off',
          'max_connections = 40',
          'shared_buffers = 16MB',
          '',
        ].join('\n'),
      );
      if (owner) fs.chownSync(path.join(dataDir, 'postgresql.auto.conf'), owner.uid, owner.gid);
      port = candidate;
      try {
        await cluster.start();
      } catch {
        // Taken in between, most likely: another port.
        port = 0;
      }
    }
    if (!started) throw new Error(`could not start a private PostgreSQL cluster:\n${cluster.log().slice(-2000)}`);
    return cluster;
  } catch (err) {
    await cluster.destroy();
    throw err;
  }
}
