/**
 * PGlite has no lock on its data directory (its postmaster.pid holds a constant): a second process on the same files
 * damages the database. Every opener — the app server, the worker, every command, backup and restore — takes
 * DATA_DIR/motcua.lock first (src/db/embedded-lock.ts): refused while its owner lives, in this process or another,
 * naming it; taken over when the owner is gone (kill -9) or its pid now belongs to another process; released on close.
 * On PostgreSQL a DATA_DIR is nobody's concern: the commands open the server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedDatabaseInUse, openDatabase, type Database } from '../src/db/client.js';
import { lockEmbeddedDatabase } from '../src/db/embedded-lock.js';
import { migrateCommand } from '../src/db/migrate-command.js';
import { testDatabase } from './support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
const inUse = (who: RegExp | string) =>
  new RegExp(
    `^The embedded database in .*/pglite is open in ${typeof who === 'string' ? who : who.source}: stop the app and any command on this DATA_DIR first\\.$`,
  );
const IN_THIS_PROCESS = inUse(`another process \\(pid ${process.pid}\\)`);

const folders: string[] = [];
const newDataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-lock-'));
  folders.push(dir);
  return dir;
};
const lockFile = (dataDir: string) => path.join(dataDir, 'motcua.lock');
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/** Another process that opens DATA_DIR's database (migrating it, adding a row) and keeps it open until killed. */
async function holder(dataDir: string): Promise<ChildProcess> {
  const code = `
    const { openDatabase } = await import(${JSON.stringify(path.join(ROOT, 'src/db/client.ts'))});
    const d = await openDatabase({ dataDir: ${JSON.stringify(dataDir)} });
    await d.migrate();
    await d.pglite.exec("create table if not exists lock_probe (n int); insert into lock_probe values (1)");
    console.log('open');
    setInterval(() => {}, 60_000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('open') && resolve());
    child.on('exit', (c) => reject(new Error(`the holder exited (${c}): ${out}`)));
  });
  return child;
}

async function killed(child: ChildProcess) {
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

describe.skipIf(onPostgres)('the embedded database open in another process', () => {
  it('a second opener in the same process is refused, by every opener, and opens once the first closed', async () => {
    const dataDir = newDataDir();
    const running = await openDatabase({ dataDir });
    try {
      expect(fs.readFileSync(lockFile(dataDir), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+ \\S+ \\S+\\n$`));
      const refused = await openDatabase({ dataDir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(EmbeddedDatabaseInUse);
      expect(refused instanceof Error && refused.message).toMatch(IN_THIS_PROCESS);
      // db:migrate's function (spawn-free): refused before it applies anything.
      await expect(migrateCommand({ databaseUrl: undefined, dataDir }, () => {})).rejects.toThrow(IN_THIS_PROCESS);
    } finally {
      await running.close();
    }
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
    const lines: string[] = [];
    expect((await migrateCommand({ databaseUrl: undefined, dataDir }, (l) => lines.push(l))).applied.length).toBeGreaterThan(0);
    expect(lines[0]).toBe(`Database: PGlite ${dataDir}`);
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });

  it('the app server is refused while another process has it open, and nothing in the folder changes', async () => {
    const dataDir = newDataDir();
    const other = await holder(dataDir);
    try {
      const before = fs.readdirSync(path.join(dataDir, 'pglite')).sort();
      const lock = fs.readFileSync(lockFile(dataDir), 'utf8');
      expect(lock.split(' ')[0]).toBe(String(other.pid));
      const r = await run('src/main.ts', [], {
        DATA_DIR: dataDir,
        PORT: String(20_000 + Math.floor(Math.random() * 12_000)),
        NODE_ENV: 'development',
        DEMO_DATA: 'false',
      });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr.trim().split('\n').at(-1)).toMatch(
        new RegExp(`^start failed: ${inUse(`another process \\(pid ${other.pid}\\)`).source.slice(1)}`),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.readdirSync(path.join(dataDir, 'pglite')).sort()).toEqual(before);
      expect(fs.readFileSync(lockFile(dataDir), 'utf8')).toBe(lock);
    } finally {
      await killed(other);
    }
  });

  it("a killed owner's lock is taken over and PGlite recovers what it had committed", async () => {
    const dataDir = newDataDir();
    await killed(await holder(dataDir));
    expect(fs.existsSync(lockFile(dataDir))).toBe(true);
    const reopened = await openDatabase({ dataDir });
    try {
      expect(fs.readFileSync(lockFile(dataDir), 'utf8').split(' ')[0]?.trim()).toBe(String(process.pid));
      expect(await reopened.pendingMigrations()).toEqual([]);
      expect((await reopened.pglite!.query<{ n: number }>('select n from lock_probe')).rows).toEqual([{ n: 1 }]);
    } finally {
      await reopened.close();
    }
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });

  it("a lock whose pid now belongs to another process (another start time) is stale; a live owner's is not", () => {
    const dataDir = newDataDir();
    const stat = fs.readFileSync(`/proc/${process.ppid}/stat`, 'utf8');
    const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    const here = `${os.hostname()} ${fs.readlinkSync('/proc/self/ns/pid')}`;
    // The parent lives, but under another start time than the one recorded: the pid was reused.
    fs.writeFileSync(lockFile(dataDir), `${process.ppid} 1 ${here}\n`);
    lockEmbeddedDatabase(dataDir).release();
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
    fs.writeFileSync(lockFile(dataDir), `${process.ppid} ${started} ${here}\n`);
    expect(() => lockEmbeddedDatabase(dataDir)).toThrow(inUse(`another process \\(pid ${process.ppid}\\)`));
    // A file that names no owner (a lock is never written so: it is linked into place whole) is taken at once.
    fs.writeFileSync(lockFile(dataDir), 'garbage');
    const taken = lockEmbeddedDatabase(dataDir);
    expect(fs.readFileSync(lockFile(dataDir), 'utf8')).toBe(
      `${process.pid} ${fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[19]} ${here}\n`,
    );
    taken.release();
    taken.release();
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });

  it('a lock written on another host or container is judged by its heartbeat, not by a pid that means nothing here', () => {
    const dataDir = newDataDir();
    // pid 1 lives here too, but it is not that host's pid 1.
    fs.writeFileSync(lockFile(dataDir), '1 12345 other-host pid:[4026531836]\n');
    expect(() => lockEmbeddedDatabase(dataDir)).toThrow(inUse(/a process on other-host \(pid 1, seen \d+ s ago\)/));
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lockFile(dataDir), old, old);
    lockEmbeddedDatabase(dataDir).release();
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });

  it("release() leaves a lock that is no longer this process's; the same folder by another path is the same lock", () => {
    const dataDir = newDataDir();
    const lock = lockEmbeddedDatabase(dataDir);
    const link = `${dataDir}-link`;
    fs.symlinkSync(dataDir, link);
    folders.push(link);
    expect(() => lockEmbeddedDatabase(link)).toThrow(IN_THIS_PROCESS);
    // Someone took it over meanwhile (judging this owner dead): their lock stays.
    const theirs = `${process.pid} 1 elsewhere pid:[1]\n`;
    fs.writeFileSync(lockFile(dataDir), theirs);
    lock.release();
    expect(fs.readFileSync(lockFile(dataDir), 'utf8')).toBe(theirs);
  });

  it('two processes opening it at the same instant: one opens, the other is refused', async () => {
    const dataDir = newDataDir();
    const outcomes = await Promise.allSettled([holder(dataDir), holder(dataDir)]);
    const opened = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : []));
    try {
      expect(opened).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatch(/is open in (another process \(pid \d+\)|a process that is opening it now)/);
    } finally {
      for (const child of opened) await killed(child);
    }
  });
});

type Run = { code: number | null; stdout: string; stderr: string };

/** A command as `npm run` starts it (tsx), in test mode on `env`'s database. */
function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  const base = { ...process.env };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'NODE_OPTIONS', 'PORT']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env: { ...base, NODE_ENV: 'test', SESSION_SECRET: 'test-secret-test-secret-test-secret-123', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const SETUP_FLAGS = [
  ...Object.entries({
    'province-name': 'Tỉnh Bình Phước',
    'province-code': 'H10',
    'agency-code': '000.00.00.H10',
    'admin-username': 'quantri.tinh',
    'admin-middle-name': 'Trần Thị',
    'admin-given-name': 'Hoa',
    'admin-gender': 'nữ',
    'admin-password': 'Quản-trị-tỉnh-2026!',
  }).flatMap(([k, v]) => [`--${k}`, v]),
  '--yes',
];

/** Every command that opens the configured database, with what it prints when refused (its own prefix). */
const COMMANDS: { name: string; script: string; args: string[]; refusal: RegExp }[] = [
  { name: 'db:migrate', script: 'src/db/migrate-cli.ts', args: [], refusal: /^db:migrate failed: The embedded database in / },
  {
    name: 'setup',
    script: 'src/setup/setup-cli.ts',
    args: SETUP_FLAGS,
    refusal: /^Khởi tạo thất bại, chưa tạo gì: The embedded database in /,
  },
  { name: 'import:units', script: 'src/org/import-units-cli.ts', args: ['units.csv'], refusal: /^import:units: The embedded database in / },
  {
    name: 'import:procedures',
    script: 'src/procedures/import-catalog-cli.ts',
    args: ['procedures.xlsx'],
    refusal: /^import:procedures: The embedded database in /,
  },
  { name: 'audit:verify', script: 'src/audit/verify-cli.ts', args: [], refusal: /^audit:verify: The embedded database in / },
  { name: 'stats:check', script: 'src/statistics/check-cli.ts', args: [], refusal: /^stats:check: The embedded database in / },
];

describe('the commands on a DATA_DIR another process has open', () => {
  let dataDir = '';
  let migrated: Database;
  let other: ChildProcess | null = null;
  let release = () => {};
  beforeAll(async () => {
    migrated = await testDatabase();
    dataDir = newDataDir();
    if (onPostgres) {
      // On PostgreSQL, a DATA_DIR held by a live process that is not the configured database.
      release = lockEmbeddedDatabase(dataDir).release;
    } else {
      other = await holder(dataDir);
    }
  }, 60_000);
  afterAll(async () => {
    release();
    if (other) await killed(other);
  });

  it.skipIf(onPostgres).for(COMMANDS)(
    '$name refuses it, naming the folder, the owner and what to do, and leaves it as it was',
    async (c) => {
      const before = fs.readdirSync(path.join(dataDir, 'pglite')).sort();
      const lock = fs.readFileSync(lockFile(dataDir), 'utf8');
      const r = await run(c.script, c.args, { DATA_DIR: dataDir });
      expect(r.code, r.stderr).toBe(1);
      const line = r.stderr.trim().split('\n').at(-1) ?? '';
      expect(line).toMatch(c.refusal);
      expect(line).toContain(`${fs.realpathSync(dataDir)}/pglite is open in another process (pid ${other?.pid}): stop the app`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(fs.readdirSync(path.join(dataDir, 'pglite')).sort()).toEqual(before);
      expect(fs.readFileSync(lockFile(dataDir), 'utf8')).toBe(lock);
    },
  );

  it('audit:verify runs once the owner is gone (PGlite, after a kill -9), and on PostgreSQL whatever DATA_DIR holds', async () => {
    if (onPostgres) {
      const url = migrated.pool?.options.connectionString;
      expect(url).toBeDefined();
      const r = await run('src/audit/verify-cli.ts', [], { DATA_DIR: dataDir, DATABASE_URL: url ?? '' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Audit chain intact: /);
      return;
    }
    await killed(other!);
    other = null;
    const r = await run('src/audit/verify-cli.ts', [], { DATA_DIR: dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Audit chain intact: /);
    expect(fs.existsSync(lockFile(dataDir))).toBe(false);
  });
});
