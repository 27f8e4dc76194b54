/**
 * The lock on DATA_DIR's embedded database. PGlite has none of its own (its postmaster.pid holds a constant, not the
 * process's pid), and a second process writing the same files damages the database; so every opener — the app, the
 * worker, every command, backup and restore — takes this one first: `DATA_DIR/motcua.lock`, created exclusively
 * (O_EXCL), holding the owner's pid and the time the kernel started it. A lock whose owner is gone (killed, power
 * loss) is taken over; one whose owner lives is refused, naming it. Released when the database is closed.
 *
 * The start time is what tells a live owner from a pid reused by an unrelated process (a container restarts its app
 * under the same small pid): where /proc is missing, only "this process holds it" and kill(pid, 0) decide.
 */
import fs from 'node:fs';
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

type Owner = { pid: number; started: string | null };

const LOCK_FILE = 'motcua.lock';
/** A lock file just created and not yet written, or a takeover in progress, is someone's for this long. */
const IN_PROGRESS_MS = 5_000;
/** The lock files this process holds (a second open in the same process is refused like another process's). */
const held = new Set<string>();

/** The kernel's start time of a process (field 22 of /proc/<pid>/stat), or null where there is no /proc. */
function startTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function readOwner(file: string): Owner | 'unreadable' | 'missing' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  const [pid, started] = text.trim().split(' ');
  const n = Number(pid);
  return Number.isSafeInteger(n) && n > 0 ? { pid: n, started: started || null } : 'unreadable';
}

function isAlive(owner: Owner, file: string): boolean {
  if (owner.pid === process.pid) return held.has(file);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: it exists, under another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTime(owner.pid);
  return owner.started === null || now === null || now === owner.started;
}

const ageMs = (file: string) => {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
};

function inUse(dir: string, who: string): EmbeddedDatabaseInUse {
  return new EmbeddedDatabaseInUse(
    `The embedded database in ${path.resolve(dir)} is open in ${who}: stop the app and any command on this DATA_DIR first.`,
  );
}

/** Takes DATA_DIR's lock, or throws EmbeddedDatabaseInUse. Creates DATA_DIR if needed. */
export function lockEmbeddedDatabase(dataDir: string): EmbeddedLock {
  const dir = path.join(dataDir, 'pglite');
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, LOCK_FILE);
  const mine = `${process.pid} ${startTime(process.pid) ?? ''}`.trim();
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        fs.writeSync(fd, `${mine}\n`);
      } finally {
        fs.closeSync(fd);
      }
      held.add(file);
      return {
        dir,
        release: () => {
          if (!held.delete(file)) return;
          const owner = readOwner(file);
          if (typeof owner === 'object' && owner.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    if (owner === 'missing') continue;
    if (owner === 'unreadable' ? ageMs(file) < IN_PROGRESS_MS : isAlive(owner, file))
      throw inUse(dir, owner === 'unreadable' ? 'a process that is opening it now' : `another process (pid ${owner.pid})`);
    takeOver(file, dir, owner);
  }
  throw inUse(dir, 'other processes contending for it');
}

/**
 * Removes a dead owner's lock, under a takeover directory (mkdir is atomic) so that two processes finding the same
 * stale lock do not both remove it — the second would remove the first's fresh one.
 */
function takeOver(file: string, dir: string, stale: Owner | 'unreadable') {
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
    const now = readOwner(file);
    const same =
      typeof now === 'object' && typeof stale === 'object' ? now.pid === stale.pid && now.started === stale.started : now === stale;
    if (same) fs.rmSync(file, { force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}
