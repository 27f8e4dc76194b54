/**
 * Migration 0064 (procedure codes are one procedure whatever their case, docs/decisions/0030): on a database with
 * procedures saved before it, codes typed in lower case are upper-cased and the unique index on upper(code) is built;
 * codes that differ only in case stop the migration with a message naming them, and nothing is changed.
 *
 * Each test works on a fresh database: a new in-memory PGlite, or a new database on the TEST_DATABASE_URL server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { MIGRATIONS_DIR, openDatabase, queryRows, type Database } from '../src/db/client.js';
import { MigrationError, readMigrations } from '../src/db/migrate.js';

const TAG = '0064_procedure_code_upper';
const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';

const opened: Database[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close().catch(() => undefined);
  for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true });
});

let counter = 0;
async function fresh(): Promise<Database> {
  if (!onPostgres) {
    const d = await openDatabase({});
    opened.push(d);
    return d;
  }
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const name = `${inject('pgBaseName')}_pcode${process.env.VITEST_POOL_ID ?? '0'}_${counter++}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  url.pathname = `/${name}`;
  const d = await openDatabase({ url: url.toString(), poolSize: 3 });
  opened.push(d);
  return d;
}

/** The committed migrations before 0064, as a folder of their own (same files, so the same hashes). */
function migrationsBefore(): string {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ tag: string }>;
  };
  const upTo = journal.entries.findIndex((e) => e.tag === TAG);
  expect(upTo).toBeGreaterThan(0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'motcua-mig-'));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, 'meta'));
  const entries = journal.entries.slice(0, upTo);
  fs.writeFileSync(path.join(dir, 'meta', '_journal.json'), JSON.stringify({ ...journal, entries }));
  for (const e of entries) fs.copyFileSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`), path.join(dir, `${e.tag}.sql`));
  return dir;
}

/** 0064 and the migrations committed after it, in order: what a database migrated up to 0063 has pending. */
function fromTag(): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ tag: string }>;
  };
  return journal.entries.slice(journal.entries.findIndex((e) => e.tag === TAG)).map((e) => e.tag);
}

async function migratedBefore0064(codes: string[]): Promise<Database> {
  const d = await fresh();
  const folder = migrationsBefore();
  await d.migrate({ folder });
  expect(await d.pendingMigrations()).toEqual(fromTag());
  for (const code of codes) await d.db.execute(sql`insert into procedures (code) values (${code})`);
  return d;
}

const codes = async (d: Database) =>
  (await queryRows<{ code: string }>(d.db, sql`select code from procedures order by code`)).map((r) => r.code);

describe('migration 0064: procedure codes in capitals, unique whatever their case', () => {
  it('upper-cases codes saved in lower case and then refuses a second spelling of a code', async () => {
    const d = await migratedBefore0064(['1.001234.000.00.00.h10', '2.000633', 'tt-noi-bo']);
    expect((await d.migrate()).applied).toEqual(fromTag());
    expect(await codes(d)).toEqual(['1.001234.000.00.00.H10', '2.000633', 'TT-NOI-BO']);
    const twin = await d.db.execute(sql`insert into procedures (code) values ('tt-noi-bo')`).then(
      () => null,
      (e: unknown) => e as { cause?: { code?: string }; code?: string },
    );
    expect(twin?.cause?.code ?? twin?.code).toBe('23505');
    expect(readMigrations(MIGRATIONS_DIR).find((m) => m.tag === TAG)?.transactional).toBe(true);
  });

  it('codes that differ only in case stop the migration, named, and nothing is changed', async () => {
    const d = await migratedBefore0064(['1.001234.000.00.00.H10', '1.001234.000.00.00.h10', '2.000633', 'abc-1']);
    const err = await d.migrate().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toContain(TAG);
    expect((err as Error).message).toContain('1.001234.000.00.00.H10, 1.001234.000.00.00.h10');
    expect((err as Error).message).not.toContain('2.000633');
    expect(await codes(d)).toEqual(['1.001234.000.00.00.H10', '1.001234.000.00.00.h10', '2.000633', 'abc-1']);
    expect(await d.pendingMigrations()).toEqual(fromTag());
  });
});
