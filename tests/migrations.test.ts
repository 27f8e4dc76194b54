/**
 * Migrations (src/db/migrate.ts, docs/decisions/0011-migrations.md): instances starting together migrate once
 * (PostgreSQL advisory lock; one after the other inside a PGlite process), a `-- motcua:no-transaction`
 * migration (CREATE INDEX CONCURRENTLY) applies, the records agree with drizzle's migrator, MIGRATE_ON_START=false
 * refuses a behind schema without migrating, and `npm run db:migrate` applies them alone.
 *
 * Each test works on a fresh database of its own: a new in-memory PGlite, or a new database on the
 * TEST_DATABASE_URL server (dropped with the run's others by the global teardown).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as drizzleMigratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as drizzleMigratePg } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase, queryRows, type Database } from '../src/db/client.js';
import { MigrationError, NO_TRANSACTION_MARKER, readMigrations } from '../src/db/migrate.js';
import { migrateCommand, prepareSchema, SchemaBehindError } from '../src/db/migrate-command.js';
import { loadConfig } from '../src/config.js';
import { freePort } from './support/vneid.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'migrations');
const kind = process.env.MOTCUA_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
const onPostgres = kind === 'postgres';
const TAGS = readMigrations(MIGRATIONS_DIR).map((m) => m.tag);

const opened: Database[] = [];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close().catch(() => undefined);
  for (const c of cleanups.splice(0)) await c();
});

let counter = 0;
/** A new empty database: its URL on the PostgreSQL server, or null for an in-memory PGlite. */
async function freshUrl(): Promise<string> {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${inject('pgBaseName')}_mig${process.env.VITEST_POOL_ID ?? '0'}_${counter++}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  url.pathname = `/${name}`;
  return url.toString();
}

/** `instances` databases over one fresh database (separate pools, as separate processes would have). */
async function fresh(instances = 1): Promise<Database[]> {
  if (!onPostgres) {
    const d = await openDatabase({});
    opened.push(d);
    return Array.from({ length: instances }, () => d);
  }
  const url = await freshUrl();
  const all: Database[] = [];
  for (let i = 0; i < instances; i++) {
    const d = await openDatabase({ url, poolSize: 3 });
    opened.push(d);
    all.push(d);
  }
  return all;
}

type Recorded = { hash: string; created_at: string };
const recorded = (d: Database) =>
  queryRows<Recorded>(d.db, sql`select hash, created_at::text from drizzle.__drizzle_migrations order by id`);
const tableExists = async (d: Database, name: string) =>
  (await queryRows<{ present: boolean }>(d.db, sql`select to_regclass(${name}) is not null as present`))[0]!.present;
const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file, 'utf8')).digest('hex');

describe(`migrations on ${kind}`, () => {
  it('applies every committed migration once, records drizzle’s hash and time, and then has nothing pending', async () => {
    const [d] = await fresh();
    expect(await d!.pendingMigrations()).toEqual(TAGS);
    expect((await d!.migrate()).applied).toEqual(TAGS);
    expect((await d!.migrate()).applied).toEqual([]);
    expect(await d!.pendingMigrations()).toEqual([]);
    const journal = readMigrations(MIGRATIONS_DIR);
    expect(await recorded(d!)).toEqual(
      journal.map((m) => ({ hash: sha256(path.join(MIGRATIONS_DIR, `${m.tag}.sql`)), created_at: String(m.when) })),
    );
  });

  it('agrees with drizzle’s own migrator: a database ours migrated is current for it (it applies nothing) and holds its records', async () => {
    // Drizzle's migrator runs every pending migration in one transaction, so it cannot apply a
    // `-- motcua:no-transaction` one (CREATE INDEX CONCURRENTLY); what must agree is the record it reads.
    const [ours] = await fresh();
    await ours!.migrate();
    const before = await recorded(ours!);
    expect(before).toEqual(
      readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).map((m) => ({ hash: m.hash, created_at: String(m.folderMillis) })),
    );
    if (onPostgres) await drizzleMigratePg(drizzlePg(ours!.pool!), { migrationsFolder: MIGRATIONS_DIR });
    else await drizzleMigratePglite(drizzlePglite(ours!.pglite!), { migrationsFolder: MIGRATIONS_DIR });
    expect(await recorded(ours!)).toEqual(before);
  });

  it('instances migrating a fresh database at the same moment all succeed, and each migration is applied once', async () => {
    const instances = await fresh(3);
    const waits: Array<number | null> = [];
    const reports = await Promise.all(instances.map((d) => d.migrate({ onLockWait: (pid) => waits.push(pid) })));
    const applied = reports.flatMap((r) => r.applied);
    expect(applied.sort()).toEqual([...TAGS].sort());
    expect(reports.filter((r) => r.applied.length > 0)).toHaveLength(1);
    const rows = await recorded(instances[0]!);
    expect(rows).toHaveLength(TAGS.length);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(TAGS.length);
    // On PostgreSQL the others waited for the lock, told who held it (a backend pid), and found nothing left.
    if (onPostgres) {
      expect(waits.length).toBeGreaterThan(0);
      for (const pid of waits) expect(pid).toEqual(expect.any(Number));
    }
  });

  it('a -- motcua:no-transaction migration builds its index CONCURRENTLY, between transactional ones, also when instances race', async () => {
    const folder = path.join(FIXTURES, 'concurrently');
    const fixture = readMigrations(folder);
    expect(fixture.map((m) => m.transactional)).toEqual([true, false, true]);
    expect(fs.readFileSync(path.join(folder, '0001_items_code_index.sql'), 'utf8').startsWith(NO_TRANSACTION_MARKER)).toBe(true);
    // Two instances: the waiting one must not stop the index build (nor be stopped by it: no "deadlock detected").
    const instances = await fresh(2);
    const reports = await Promise.all(instances.map((d) => d.migrate({ folder, onLockWait: () => undefined })));
    expect(reports.flatMap((r) => r.applied).sort()).toEqual(fixture.map((m) => m.tag));
    const d = instances[0]!;
    const [index] = await queryRows<{ valid: boolean }>(
      d.db,
      sql`select i.indisvalid as valid from pg_index i where i.indexrelid = to_regclass('fixture_items_code_idx')`,
    );
    expect(index).toEqual({ valid: true });
    const [columns] = await queryRows<{ n: number }>(
      d.db,
      sql`select count(*)::int as n from information_schema.columns where table_name = 'fixture_items' and column_name = 'note'`,
    );
    expect(columns!.n).toBe(1);
    expect((await recorded(d)).map((r) => r.created_at)).toEqual(fixture.map((m) => String(m.when)));
    expect((await d.migrate({ folder })).applied).toEqual([]);
  });

  it('a failing migration rolls back its transaction, is not recorded, names itself, and leaves the lock free', async () => {
    const [d] = await fresh();
    const broken = path.join(FIXTURES, 'broken');
    const err = await d!.migrate({ folder: broken }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/^migration 0001_bad failed: .*fixture_missing/);
    // Both migrations were pending, so both ran in the one transaction that rolled back.
    expect(await tableExists(d!, 'fixture_good')).toBe(false);
    expect(await tableExists(d!, 'fixture_half')).toBe(false);
    expect(await d!.pendingMigrations({ folder: broken })).toEqual(['0000_good', '0001_bad']);
    // Nothing waits for a lock left behind.
    let waited = false;
    await d!.migrate({ folder: path.join(FIXTURES, 'concurrently'), onLockWait: () => (waited = true) });
    expect(waited).toBe(false);
  });

  it('MIGRATE_ON_START=false: a behind schema stops the start, naming the migrations and the command, without migrating', async () => {
    expect(loadConfig({}).migrateOnStart).toBe(true);
    expect(loadConfig({ MIGRATE_ON_START: 'false' }).migrateOnStart).toBe(false);
    expect(() => loadConfig({ MIGRATE_ON_START: 'later' })).toThrow(/MIGRATE_ON_START/);

    const [d] = await fresh();
    const log = { info: () => undefined, warn: () => undefined };
    const err = await prepareSchema(d!, false, log).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchemaBehindError);
    expect((err as SchemaBehindError).pending).toEqual(TAGS);
    expect((err as Error).message).toContain('npm run db:migrate');
    expect(await tableExists(d!, 'drizzle.__drizzle_migrations')).toBe(false);
    expect(await tableExists(d!, 'units')).toBe(false);
    // Once a separate step migrated, the start goes on without touching the schema.
    expect((await prepareSchema(d!, true, log)).applied).toEqual(TAGS);
    expect((await prepareSchema(d!, false, log)).applied).toEqual([]);
  });

  it('migrateCommand (npm run db:migrate) applies the pending migrations and closes the database', async () => {
    const lines: string[] = [];
    if (onPostgres) {
      const url = await freshUrl();
      expect((await migrateCommand({ databaseUrl: url, dataDir: '/nonexistent' }, (l) => lines.push(l))).applied).toEqual(TAGS);
      expect((await migrateCommand({ databaseUrl: url, dataDir: '/nonexistent' }, (l) => lines.push(l))).applied).toEqual([]);
      expect(lines.join('\n')).not.toContain('/nonexistent');
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-migrate-'));
      cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
      expect((await migrateCommand({ databaseUrl: undefined, dataDir: dir }, (l) => lines.push(l))).applied).toEqual(TAGS);
      // Closed: the directory can be opened again by the next process.
      expect((await migrateCommand({ databaseUrl: undefined, dataDir: dir }, (l) => lines.push(l))).applied).toEqual([]);
    }
    expect(lines.join('\n')).toContain(`Applied ${TAGS.length} migration(s)`);
    expect(lines.join('\n')).toContain('The schema is up to date; nothing to apply.');
  });
});

/** Real processes: `npm run db:migrate`, and `npm start` with MIGRATE_ON_START=false on a database it must not touch. */
describe(`commands on ${kind}`, () => {
  function baseEnv(target: { url?: string; dataDir?: string }): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of Object.keys(env)) if (/^(VNEID|REGISTRY|SSO)_/.test(k)) delete env[k];
    for (const k of [
      'PUBLIC_URL',
      'SESSION_SECRET',
      'DEMO_DATA',
      'TRUST_PROXY',
      'NODE_OPTIONS',
      'DATA_DIR',
      'DATABASE_URL',
      'MIGRATE_ON_START',
      'PORT',
      'SIM_PORT',
    ])
      delete env[k];
    env.NODE_ENV = 'development';
    env.LOG_LEVEL = 'warn';
    if (target.url) env.DATABASE_URL = target.url;
    if (target.dataDir) env.DATA_DIR = target.dataDir;
    return env;
  }

  function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, out });
      });
    });
  }

  async function target(): Promise<{ url?: string; dataDir?: string }> {
    if (onPostgres) return { url: await freshUrl() };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-migrate-'));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return { dataDir: dir };
  }

  async function pendingIn(t: { url?: string; dataDir?: string }): Promise<string[]> {
    const d = await openDatabase(t.url ? { url: t.url, poolSize: 1 } : { dataDir: t.dataDir! });
    try {
      return await d.pendingMigrations();
    } finally {
      await d.close();
    }
  }

  it('MIGRATE_ON_START=false on a fresh database: the start exits 1 with the message, and nothing was migrated; npm run db:migrate then exits 0', async () => {
    const t = await target();
    const env = baseEnv(t);
    const start = await run(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      ...env,
      MIGRATE_ON_START: 'false',
      PORT: String(await freePort()),
    });
    expect(start.code, start.out).toBe(1);
    expect(start.out).toContain('The database schema is behind this version of MotCua');
    expect(start.out).toContain('npm run db:migrate');
    expect(start.out).not.toMatch(/listening|MotCua đang chạy/);
    expect(await pendingIn(t)).toEqual(TAGS);

    const migrated = await run('npm', ['run', '--silent', 'db:migrate'], env);
    expect(migrated.code, migrated.out).toBe(0);
    expect(migrated.out).toContain(`Applied ${TAGS.length} migration(s)`);
    expect(await pendingIn(t)).toEqual([]);
  }, 120_000);
});
