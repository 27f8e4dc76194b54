/**
 * The one database access path: Drizzle over either PGlite (embedded, files under DATA_DIR)
 * or node-postgres (DATABASE_URL). Both speak the same PostgreSQL dialect; see
 * docs/decisions/0002-database.md for why two drivers rather than pglite-socket.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import * as schema from './schema/index.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or a transaction inside it. */
export type Queryable = Db | Tx;

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs the committed SQL migrations. */
  migrate(): Promise<void>;
  close(): Promise<void>;
};

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type DatabaseOptions = { url?: string; dataDir?: string; poolSize?: number };

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // Fail fast with a clear error rather than on the first request.
    const client = await pool.connect();
    client.release();
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      migrate: () => migratePg(db as never, { migrationsFolder: MIGRATIONS_DIR }),
      close: () => pool.end(),
    };
  }
  // No dataDir means an in-memory database (tests).
  if (opts.dataDir) fs.mkdirSync(opts.dataDir, { recursive: true });
  const client = opts.dataDir ? new PGlite(path.join(opts.dataDir, 'pglite')) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => client.close(),
  };
}

/** A database URL fit to print: the password replaced by ***. */
export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Raw SQL returning rows: both drivers answer `{ rows }`. Use only where the query builder cannot say it. */
export async function queryRows<T>(db: Queryable, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

type PreparedStatement = { execute(values?: Record<string, unknown>): Promise<{ rows: unknown[] }> };
type PreparingDb = {
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
  session: {
    prepareQuery(query: { sql: string; params: unknown[] }, fields: undefined, name: string, arrayMode: boolean): PreparedStatement;
  };
};

const statements = new WeakMap<object, Map<string, PreparedStatement>>();

/**
 * Raw SQL for a hot read path, with its values as named placeholders (`sql.placeholder('x')`):
 * built once per database and `shape` — the caller's key for everything that changes the text — and
 * run as a named prepared statement, so PostgreSQL plans it once per pooled connection. For the inbox,
 * building the SQL and planning it each time cost more than running it. PGlite runs it unnamed.
 *
 * Drizzle prepares only its query builder's statements; this calls the same session method its
 * `execute` uses (PgDatabase.dialect and .session, on databases and transactions alike).
 */
export async function queryStatement<T>(db: Queryable, shape: string, build: () => SQL, values: Record<string, unknown>): Promise<T[]> {
  let byShape = statements.get(db);
  if (!byShape) statements.set(db, (byShape = new Map()));
  let prepared = byShape.get(shape);
  if (!prepared) {
    const { dialect, session } = db as unknown as PreparingDb;
    const built = dialect.sqlToQuery(build());
    // Named after the text, so two shapes that happen to build the same SQL share one statement.
    const name = `mc_${crypto.createHash('sha1').update(built.sql).digest('base64url').slice(0, 22)}`;
    prepared = session.prepareQuery(built, undefined, name, false);
    byShape.set(shape, prepared);
  }
  const res = await prepared.execute(values);
  return res.rows as T[];
}
