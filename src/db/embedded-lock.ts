/**
 * The lock on DATA_DIR's embedded database. PGlite has none of its own (its postmaster.pid holds a constant, not the
 * process's pid), and a second process writing the same files damages the database; so every opener — the app, the
 * worker, every command, backup and restore — takes this one first: `DATA_DIR/motcua.lock`, never seen half-written
 * (written aside, then hard-linked into place, which fails if one exists), holding the owner's pid, the time the
 * kernel started it, its host name and its pid namespace. A lock whose owner is gone (killed, power loss) is taken
 * over; one whose owner lives is refused, naming it. Released when the database is closed.
 *
 * Whether the owner lives: on the same host and pid namespace, kill(pid, 0) and the start time (which tells a live
 * owner from a pid reused by an unrelated process — a container restarts its app under the same small pid). Across
 * hosts or containers sharing the folder a pid means nothing there, so the owner refreshes the file's time every
 * HEARTBEAT_MS and a lock not refreshed for STALE_MS is a dead owner's.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** DATA_DIR's embedded database is open in another process: refused, saying which and what to do. */
export class EmbeddedDatabaseInUse extends Error {
  override name = 'EmbeddedDatabaseInUse';
}

export type EmbeddedLock = {
  /** The embedded database's folder (DATA_DIR/pglite). */
  dir: string;
  /** Gives the lock up (idempotent): removes the file if it is still this process's. */
  release(): void;
};

/** As written in the lock file; `ino` and `raw` identify that very file (a takeover removes only the one it judged). */
type Owner = { pid: number; started: string; host: string; ns: string; ino: number; raw: string };
type Garbage = { garbage: true; ino: number; raw: string };

const LOCK_FILE = 'motcua.lock';
const HEARTBEAT_MS = 10_000;
const STALE_MS = 3 * HEARTBEAT_MS;
/** A takeover in progress (its guard directory) is someone's for this long. */
const IN_PROGRESS_MS = 5_000;
/** The lock files this process holds (a second open in the same process is refused like another process's). */
const held = new Set<string>();

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or '-' where there is no /proc. */
function startTime(pid: number): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '-';
  } catch {
    return '-';
  }
}

function pidNamespace(): string {
  try {
    return fs.readlinkSync('/proc/self/ns/pid').replace(/\s/g, '');
  } catch {
    return '-';
  }
}

const hostName = () => os.hostname().replace(/\s/g, '') || '-';

function inUse(dir: string, who: string): EmbeddedDatabaseInUse {
  return new EmbeddedDatabaseInUse(
    `The embedded database in ${path.resolve(dir)} is open in ${who}: stop the app and any command on this DATA_DIR first.`,
  );
}

/** The lock's owner as written, 'garbage' for a file that says no owner, 'missing' when there is none. */
function readOwner(file: string, dir: string): Owner | Garbage | 'missing' {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    // Another user's lock, a folder in its place: nothing can be judged, so nothing is opened.
    throw inUse(dir, `a process whose lock ${file} cannot be read (${code})`);
  }
  try {
    const ino = fs.fstatSync(fd).ino;
    const raw = fs.readFileSync(fd, 'utf8');
    const [pid, started, host, ns] = raw.trim().split(' ');
    const n = Number(pid);
    return Number.isSafeInteger(n) && n > 0 && started && host && ns
      ? { pid: n, started, host, ns, ino, raw }
      : { garbage: true, ino, raw };
  } finally {
    fs.closeSync(fd);
  }
}

const ageMs = (file: string) => {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};

function isAlive(owner: Owner, file: string): boolean {
  if (owner.host !== hostName() || owner.ns !== pidNamespace()) return ageMs(file) < STALE_MS;
  if (owner.pid === process.pid) return held.has(file);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(owner.pid);
  return owner.started === '-' || now === '-' || now === owner.started;
}

/** Creates the lock file whole or not at all: false if one exists. */
function create(file: string, content: string): boolean {
  const aside = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(aside, content, { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(aside, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

/** Takes DATA_DIR's lock, or throws EmbeddedDatabaseInUse. Creates DATA_DIR if needed. */
export function lockEmbeddedDatabase(dataDir: string): EmbeddedLock {
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dataDir, { recursive: true });
  // One name per folder, however it is reached (a symlink, a relative path).
  const file = path.join(fs.realpathSync(dataDir), LOCK_FILE);
  const mine = `${process.pid} ${startTime(process.pid)} ${hostName()} ${pidNamespace()}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(file, mine)) {
      held.add(file);
      // Tells owners on other hosts or containers that this one lives; never keeps the process alive by itself.
      const heartbeat = setInterval(() => {
        const now = new Date();
        fs.utimes(file, now, now, () => undefined);
      }, HEARTBEAT_MS);
      heartbeat.unref();
      return {
        dir,
        release: () => {
          if (!held.delete(file)) return;
          clearInterval(heartbeat);
          let content = '';
          try {
            content = fs.readFileSync(file, 'utf8');
          } catch {
            return;
          }
          if (content === mine) fs.rmSync(file, { force: true });
        },
      };
    }
    const owner = readOwner(file, dir);
    if (owner === 'missing') continue;
    if ('pid' in owner && isAlive(owner, file))
      throw inUse(
        dir,
        owner.host === hostName()
          ? `another process (pid ${owner.pid})`
          : `a process on ${owner.host} (pid ${owner.pid}, seen ${Math.round(ageMs(file) / 1000)} s ago)`,
      );
    takeOver(file, dir, owner);
  }
  throw inUse(dir, 'other processes contending for it');
}

/**
 * Removes a dead owner's lock, under a takeover directory (mkdir is atomic) so that two processes finding the same
 * stale lock do not both remove it: the file is removed only if it is still the one judged (same inode, same text).
 */
function takeOver(file: string, dir: string, stale: Owner | Garbage) {
  const guard = `${file}.takeover`;
  try {
    fs.mkdirSync(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (ageMs(guard) < IN_PROGRESS_MS) throw inUse(dir, 'a process that is opening it now');
    // Left by a process killed in the middle of a takeover.
    fs.rmSync(guard, { recursive: true, force: true });
    return;
  }
  try {
    const now = readOwner(file, dir);
    if (now !== 'missing' && now.ino === stale.ino && now.raw === stale.raw) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}
