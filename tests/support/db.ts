/**
 * One database per test worker, migrated once, emptied between tests with TRUNCATE.
 * PGlite in memory by default; a fresh database on the PostgreSQL server for the postgres project.
 */
import { inject } from 'vitest';
import pg from 'pg';
import { sql } from 'drizzle-orm';
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

const TABLES = ['api_clients', 'dossier_files', 'dossier_events', 'dossier_code_counters', 'inbox_counts', 'dossiers', 'procedure_versions', 'procedure_templates', 'procedures', 'sectors', 'calendar_days', 'audit_log', 'citizen_sessions', 'citizens', 'identity_links', 'oidc_transactions', 'settings', 'sessions', 'login_throttle', 'used_captchas', 'role_grants', 'account_identities', 'pending_identity_logins', 'accounts', 'persons', 'units'];

export async function resetDatabase(database: Database): Promise<void> {
  await database.db.execute(sql.raw(`truncate ${TABLES.map((t) => `"${t}"`).join(', ')} restart identity cascade`));
}
