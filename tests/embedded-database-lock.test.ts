/**
 * PGlite has no lock on its data directory: a second process on the same files damages the database. While a
 * process has it open PGlite keeps postmaster.pid there; every command that opens DATA_DIR refuses such a folder
 * through one check (embeddedDatabaseDir in src/db/client.ts), and the app server alone opens it anyway (a killed
 * server leaves the file, and starting the app is how the folder is made clean again). On PostgreSQL a stale
 * DATA_DIR is nobody's concern: the commands open the server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedDatabaseDir, EmbeddedDatabaseInUse, openDatabase, type Database } from '../src/db/client.js';
import { migrateCommand } from '../src/db/migrate-command.js';
import { testDatabase } from './support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
const IN_USE =
  /^The embedded database in .*\/pglite is open in another process \(postmaster\.pid\): stop the app and any command on this DATA_DIR first\. If none runs \(one was killed\), start the app once and stop it cleanly\.$/;

const folders: string[] = [];
const newDataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-lock-'));
  folders.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
});

/** What a killed process leaves: the folder of a database closed cleanly, with PGlite's postmaster.pid back in it. */
async function leftByAKilledProcess(): Promise<string> {
  const dataDir = newDataDir();
  const open = await openDatabase({ dataDir });
  const pid = fs.readFileSync(path.join(dataDir, 'pglite', 'postmaster.pid'));
  await open.migrate();
  await open.close();
  expect(fs.existsSync(path.join(dataDir, 'pglite', 'postmaster.pid'))).toBe(false);
  fs.writeFileSync(path.join(dataDir, 'pglite', 'postmaster.pid'), pid);
  return dataDir;
}

describe.skipIf(onPostgres)('the embedded database open in another process', () => {
  it('is refused by every opener, with what to do, and opened once the other one closed', async () => {
    const dataDir = newDataDir();
    const running = await openDatabase({ dataDir });
    try {
      expect(() => embeddedDatabaseDir(dataDir)).toThrow(EmbeddedDatabaseInUse);
      const refused = await openDatabase({ dataDir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(EmbeddedDatabaseInUse);
      expect(refused instanceof Error && refused.message).toMatch(IN_USE);
      // db:migrate's function (spawn-free): refused before it applies anything.
      await expect(migrateCommand({ databaseUrl: undefined, dataDir }, () => {})).rejects.toThrow(IN_USE);
    } finally {
      await running.close();
    }
    expect(embeddedDatabaseDir(dataDir)).toBe(path.join(dataDir, 'pglite'));
    const lines: string[] = [];
    expect((await migrateCommand({ databaseUrl: undefined, dataDir }, (l) => lines.push(l))).applied.length).toBeGreaterThan(0);
    expect(lines[0]).toBe(`Database: PGlite ${dataDir}`);
  });

  it('left behind by a killed process: refused by the commands; the app server opens it, and closing cleanly removes the file', async () => {
    const dataDir = await leftByAKilledProcess();
    await expect(openDatabase({ dataDir })).rejects.toThrow(IN_USE);
    const server = await openDatabase({ dataDir, reopenAfterKill: true });
    expect(await server.pendingMigrations()).toEqual([]);
    await server.close();
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'postmaster.pid'))).toBe(false);
    const again = await openDatabase({ dataDir });
    await again.close();
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
  beforeAll(async () => {
    migrated = await testDatabase();
    dataDir = onPostgres ? newDataDir() : await leftByAKilledProcess();
    // On PostgreSQL, a DATA_DIR with postmaster.pid that is not the configured database.
    if (onPostgres) {
      fs.mkdirSync(path.join(dataDir, 'pglite'));
      fs.writeFileSync(path.join(dataDir, 'pglite', 'postmaster.pid'), '-42\n');
    }
  });

  it.skipIf(onPostgres).for(COMMANDS)('$name refuses it, naming the folder and what to do, and leaves it as it was', async (c) => {
    const before = fs.readdirSync(path.join(dataDir, 'pglite')).sort();
    const r = await run(c.script, c.args, { DATA_DIR: dataDir });
    expect(r.code, r.stderr).toBe(1);
    const line = r.stderr.trim().split('\n').at(-1) ?? '';
    expect(line).toMatch(c.refusal);
    expect(line).toContain(`${fs.realpathSync(dataDir)}/pglite is open in another process (postmaster.pid): stop the app`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(path.join(dataDir, 'pglite')).sort()).toEqual(before);
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'postmaster.pid'))).toBe(true);
  });

  it('audit:verify runs once nothing holds the folder (PGlite), and on PostgreSQL whatever DATA_DIR holds', async () => {
    if (onPostgres) {
      const url = migrated.pool?.options.connectionString;
      expect(url).toBeDefined();
      const r = await run('src/audit/verify-cli.ts', [], { DATA_DIR: dataDir, DATABASE_URL: url ?? '' });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Audit chain intact: /);
      return;
    }
    fs.rmSync(path.join(dataDir, 'pglite', 'postmaster.pid'));
    const r = await run('src/audit/verify-cli.ts', [], { DATA_DIR: dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Audit chain intact: /);
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'postmaster.pid'))).toBe(false);
  });
});
