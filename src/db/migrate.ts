/**
 * Our migration runner (docs/decisions/0011-migrations.md). It reads the folder drizzle-kit writes
 * (meta/_journal.json + <tag>.sql, statements split at `--> statement-breakpoint`) and records what it
 * applied in drizzle's own table, drizzle.__drizzle_migrations, with drizzle's hash (SHA-256 of the file) and
 * created_at (the journal's `when`), and decides what is pending by drizzle's rule (every migration newer than
 * the last recorded one). Two things drizzle's migrator cannot do:
 * - a migration whose first line is `-- motcua:no-transaction` runs outside any transaction, one statement at
 *   a time (CREATE INDEX CONCURRENTLY); the other pending migrations run as drizzle runs them, consecutive ones
 *   in one transaction;
 * - on PostgreSQL the caller holds an advisory lock around it (src/db/client.ts), so instances starting
 *   together never both migrate.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The first line of a migration that must run outside a transaction. */
export const NO_TRANSACTION_MARKER = '-- motcua:no-transaction';
const BREAKPOINT = '--> statement-breakpoint';
/** Drizzle's defaults, so drizzle-kit and databases migrated before this runner agree with it. */
const MIGRATIONS_SCHEMA = 'drizzle';
const MIGRATIONS_TABLE = `${MIGRATIONS_SCHEMA}."__drizzle_migrations"`;

export type Migration = {
  tag: string;
  /** The journal's `when` (ms), recorded as created_at. */
  when: number;
  /** SHA-256 (hex) of the file's text: what drizzle records. */
  hash: string;
  statements: string[];
  transactional: boolean;
};

export type MigrateOptions = {
  /** Another folder of migrations (tests); default src/db/migrations. */
  folder?: string;
  /** Called once when another instance holds the migration lock, with its backend pid when known. */
  onLockWait?: (holderPid: number | null) => void;
};

export type MigrationReport = {
  /** Tags of the migrations this call applied, in order (empty when the schema was already current). */
  applied: string[];
};

/** One database connection as the runner needs it; both drivers are adapted to it in client.ts. */
export type MigrationConnection = {
  /** One statement, with $n parameters. */
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** A piece of a migration file, without parameters (may hold several statements, or a function body). */
  exec(text: string): Promise<void>;
  /** Runs fn in one transaction on this connection. */
  transaction(fn: (tx: Omit<MigrationConnection, 'transaction'>) => Promise<void>): Promise<void>;
};

const Journal = z.object({
  entries: z.array(z.object({ idx: z.number(), when: z.number().int(), tag: z.string().regex(/^[\w-]+$/) })),
});

/** A migration folder that cannot be read, or a migration that failed (its tag and the database's message). */
export class MigrationError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function readMigrations(folder: string): Migration[] {
  const journalPath = path.join(folder, 'meta', '_journal.json');
  if (!fs.existsSync(journalPath)) throw new MigrationError(`migrations: ${journalPath} not found`);
  const journal = Journal.parse(JSON.parse(fs.readFileSync(journalPath, 'utf8')));
  let previous = -Infinity;
  return journal.entries.map((entry) => {
    // Drizzle's pending rule compares `when` with the last recorded one: it must only grow.
    if (entry.when <= previous)
      throw new MigrationError(`migrations: ${entry.tag} is not newer than the migration before it in the journal`);
    previous = entry.when;
    const file = path.join(folder, `${entry.tag}.sql`);
    if (!fs.existsSync(file)) throw new MigrationError(`migrations: ${file} not found`);
    const text = fs.readFileSync(file, 'utf8');
    const transactional = text.trimStart().split('\n', 1)[0]!.trim() !== NO_TRANSACTION_MARKER;
    const statements = text.split(BREAKPOINT).filter((s) => s.trim() !== '');
    return { tag: entry.tag, when: entry.when, hash: crypto.createHash('sha256').update(text).digest('hex'), statements, transactional };
  });
}

/** The `when` of the last recorded migration, or null when none is (or the table does not exist yet). */
async function lastApplied(conn: Pick<MigrationConnection, 'query'>): Promise<number | null> {
  const [present] = await conn.query<{ present: boolean }>(`select to_regclass('${MIGRATIONS_TABLE}') is not null as present`);
  if (!present?.present) return null;
  const [last] = await conn.query<{ created_at: string | number | null }>(
    `select created_at from ${MIGRATIONS_TABLE} order by created_at desc limit 1`,
  );
  return last?.created_at == null ? null : Number(last.created_at);
}

/** The migrations of `migrations` not yet applied to the database, by drizzle's rule. */
export async function pendingMigrations(conn: Pick<MigrationConnection, 'query'>, migrations: Migration[]): Promise<Migration[]> {
  const last = await lastApplied(conn);
  return migrations.filter((m) => last === null || last < m.when);
}

/** Applies the pending migrations. The caller makes sure no other runner works on the same database meanwhile. */
export async function applyMigrations(conn: MigrationConnection, migrations: Migration[]): Promise<MigrationReport> {
  await conn.exec(`CREATE SCHEMA IF NOT EXISTS ${MIGRATIONS_SCHEMA}`);
  await conn.exec(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
  const pending = await pendingMigrations(conn, migrations);
  const record = (c: Pick<MigrationConnection, 'query'>, m: Migration) =>
    c.query(`insert into ${MIGRATIONS_TABLE} (hash, created_at) values ($1, $2)`, [m.hash, m.when]);
  const applied: string[] = [];
  for (let i = 0; i < pending.length; ) {
    const first = pending[i]!;
    if (!first.transactional) {
      // Outside a transaction: a failure leaves the statements before it applied and the migration
      // unrecorded, so such a migration is written to be run again (see the decision record).
      for (const statement of first.statements) await run(conn, first, statement);
      await record(conn, first);
      applied.push(first.tag);
      i++;
      continue;
    }
    // Consecutive transactional migrations: one transaction, as drizzle's migrator does.
    let end = i;
    while (end < pending.length && pending[end]!.transactional) end++;
    const batch = pending.slice(i, end);
    await conn.transaction(async (tx) => {
      for (const m of batch) {
        for (const statement of m.statements) await run(tx, m, statement);
        await record(tx, m);
      }
    });
    applied.push(...batch.map((m) => m.tag));
    i = end;
  }
  return { applied };
}

async function run(conn: Pick<MigrationConnection, 'exec'>, m: Migration, statement: string): Promise<void> {
  try {
    await conn.exec(statement);
  } catch (err) {
    throw new MigrationError(`migration ${m.tag} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}
