/**
 * One database per test worker, migrated once, emptied between tests with TRUNCATE.
 * PGlite in memory by default; a fresh database on the PostgreSQL server for the postgres project.
 */
import { inject } from 'vitest';
import pg from 'pg';
import { getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../src/db/schema/index.js';
import { openDatabase, type Database } from '../../src/db/client.js';

// Keyed by kind: a worker may serve files of both projects.
const shared = new Map<string, Promise<Database>>();

async function open(): Promise<Database> {
  if (process.env.MOTCUA_TEST_DB === 'postgres') {
    const url = new URL(process.env.TEST_DATABASE_URL!);
    const name = `${inject('pgBaseName')}_w${process.env.VITEST_POOL_ID ?? '0'}`;
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    url.pathname = `/${name}`;
    const db = await openDatabase({ url: url.toString(), poolSize: 8 });
    await db.migrate();
    return db;
  }
  const db = await openDatabase({});
  await db.migrate();
  return db;
}

export function testDatabase(): Promise<Database> {
  const kind = process.env.MOTCUA_TEST_DB ?? 'pglite';
  let db = shared.get(kind);
  if (!db) {
    db = open();
    shared.set(kind, db);
  }
  return db;
}

/** Every table of the schema: a new table is emptied between tests without anyone listing it. */
const exported: Record<string, unknown> = schema;
const TABLES = Object.values(exported).flatMap((v) => (is(v, PgTable) ? [getTableName(v)] : []));

export async function resetDatabase(database: Database): Promise<void> {
  // pg-boss's jobs live in its own schema (migration 0015): a job left by another test file is not this one's.
  await database.db.execute(
    sql.raw(`truncate ${[...TABLES.map((t) => `"${t}"`), 'pgboss.job', 'pgboss.archive'].join(', ')} restart identity cascade`),
  );
}
