/**
 * `npm run db:move -- --to postgres://…` (docs/decisions/0027): the embedded database of DATA_DIR copied into an
 * empty PostgreSQL database, exactly — the schema at the source's migration, every row of every table (ours,
 * drizzle's migrations, pg-boss's queues and jobs, the statistics counters, the audit chain) and every sequence.
 *
 * One transaction on the target does it all: the migrations (our migrator, up to the source's last one), the
 * rows and the sequences, and the row counts are compared before COMMIT. A failure anywhere rolls it back, so
 * the target is either a whole copy or as empty as it was. Inside it `session_replication_role = replica`
 * switches off the target's triggers and foreign-key checks: the rows are copied as they are, and a trigger
 * (the statistics counters of migration 0047, the audit log's guards) must not count or judge them a second time.
 * The source is read in one snapshot, table by table through a cursor, a batch at a time.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR, openDatabase, redactPassword, type Database } from '../db/client.js';
import { applyMigrations, readMigrations, type MigrationConnection } from '../db/migrate.js';
import { verifyAuditChain, type ChainReport } from '../audit/verify.js';
import type { BlobStore } from '../storage/blob.js';
import { type BlobCheck, checkNamedBlobs } from './blob-check.js';
import { OpsError } from './ops-error.js';
import {
  countRows,
  listTables,
  qualified,
  quoteIdent,
  readSequences,
  recordedMigrations,
  whyNotEmpty,
  type Sql,
  type TableInfo,
} from './inventory.js';

/** Rows fetched from the source and inserted into the target at a time. */
const BATCH_ROWS = 500;
/** The migration lock of src/db/client.ts: nobody migrates the target while the move fills it. */
const MIGRATION_LOCK_KEY = 7411002;

type TableReport = { table: string; source: number; target: number };
export type MoveReport = {
  /** The last migration of the source, applied to the target. */
  migration: string;
  tables: TableReport[];
  sequences: number;
  audit: ChainReport;
  /** Whether every file the moved rows name is in the storage the target will run with (`store`); null: not asked. */
  blobs: BlobCheck | null;
};

export type MoveOptions = {
  dataDir: string;
  targetUrl: string;
  print?: (line: string) => void;
  /** Tests: another folder of migrations. */
  migrationsDir?: string;
  /** The file storage the moved database will run with: every file its rows name is looked up in it at the end. */
  store?: BlobStore;
};

/**
 * The embedded database's folder under DATA_DIR, refused when it is not one (src/db/client.ts opens DATA_DIR/pglite).
 * Whoever opens it takes DATA_DIR's lock (src/db/embedded-lock.ts).
 */
export function pgliteDirOf(dataDir: string): string {
  const dir = path.join(dataDir, 'pglite');
  if (!fs.existsSync(path.join(dir, 'PG_VERSION')))
    throw new OpsError(
      `No embedded database in ${path.resolve(dataDir)}: ${dir}/PG_VERSION not found. Set DATA_DIR to the folder the app ran with.`,
    );
  return dir;
}

export const pgliteSql =
  (q: { query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }> }): Sql =>
  async <T>(text: string, params?: unknown[]) =>
    (await q.query<T>(text, params)).rows;

export const clientSql =
  (client: pg.ClientBase): Sql =>
  async <T>(text: string, params?: unknown[]) =>
    (await client.query(text, params)).rows as T[];

/** Connects to the target and refuses it unless it is empty; the caller ends the client. */
export async function connectEmptyTarget(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new OpsError(`Cannot connect to ${redactPassword(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const why = await whyNotEmpty(clientSql(client));
  if (why) {
    await client.end();
    throw new OpsError(
      `Refused: the target database ${redactPassword(url)} is not empty (${why}); nothing was written. Give an empty database (createdb).`,
    );
  }
  return client;
}

export async function moveDatabase(opts: MoveOptions): Promise<MoveReport> {
  const print = opts.print ?? console.log;
  pgliteDirOf(opts.dataDir);
  // The source first: refused while the app (or a command) has it open, before the target is touched.
  const source: Database = await openDatabase({ dataDir: opts.dataDir });
  let connected: pg.Client | null = null;
  try {
    const target = await connectEmptyTarget(opts.targetUrl);
    connected = target;
    const pglite = source.pglite!;
    const src = pgliteSql(pglite);
    const migrations = readMigrations(opts.migrationsDir ?? MIGRATIONS_DIR);
    const recorded = await recordedMigrations(src);
    const last = recorded?.at(-1);
    if (!last) throw new OpsError(`${opts.dataDir} holds no migrated MotCua database (no migration recorded): nothing to move.`);
    const upTo = migrations.findIndex((m) => m.when === last.when);
    if (upTo < 0)
      throw new OpsError('The embedded database was migrated by a newer version of MotCua than this one; move it with that version.');
    const sourceAudit = await verifyAuditChain(source.db);
    print(`Source: PGlite ${path.resolve(opts.dataDir)}, at migration ${migrations[upTo]!.tag}.`);
    print(`Target: ${redactPassword(opts.targetUrl)} (empty).`);

    const tables = await pglite.transaction(async (tx) => {
      // One snapshot of the source for every table and sequence.
      await tx.query('set transaction isolation level repeatable read, read only');
      return copyInOneTransaction(pgliteSql(tx), target, migrations.slice(0, upTo + 1), print);
    });
    const sourceSequences = await readSequences(src);
    const targetSequences = new Map((await readSequences(clientSql(target))).map((s) => [`${s.schema}.${s.name}`, s]));
    for (const s of sourceSequences) {
      const t = targetSequences.get(`${s.schema}.${s.name}`);
      if (t?.lastValue !== s.lastValue || t.isCalled !== s.isCalled)
        throw new OpsError(
          `Sequence ${s.schema}.${s.name} differs after the copy (source ${s.lastValue}, target ${t?.lastValue ?? 'missing'}).`,
        );
    }
    // Fresh planner statistics: the copied tables have never been analysed on the target.
    await target.query('analyze');

    const moved = await openDatabase({ url: opts.targetUrl, poolSize: 2 });
    let audit: ChainReport;
    let blobs: BlobCheck | null = null;
    try {
      audit = await verifyAuditChain(moved.db);
      if (opts.store) blobs = await checkNamedBlobs(moved.db, opts.store);
    } finally {
      await moved.close();
    }
    if (JSON.stringify(audit) !== JSON.stringify(sourceAudit))
      throw new OpsError(
        `The copy is committed but its audit chain does not check as the source's does (source ${JSON.stringify(sourceAudit)}, target ${JSON.stringify(audit)}). Drop the target database before trying again.`,
      );
    return { migration: migrations[upTo]!.tag, tables, sequences: sourceSequences.length, audit, blobs };
  } finally {
    await connected?.end().catch(() => undefined);
    await source.close().catch(() => undefined);
  }
}

/** Schema, rows and sequences into the target in one transaction, rolled back whole on any failure. */
async function copyInOneTransaction(
  src: Sql,
  target: pg.Client,
  migrations: ReturnType<typeof readMigrations>,
  print: (line: string) => void,
): Promise<TableReport[]> {
  const dst = clientSql(target);
  await target.query('begin');
  try {
    const [locked] = await dst<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [MIGRATION_LOCK_KEY]);
    if (!locked?.ok) throw new OpsError('Another process is migrating the target database; stop it and try again.');
    // Asked first, so a role that may not is told at once; the migrations themselves run with the triggers on.
    try {
      await target.query('set local session_replication_role = replica');
      await target.query('set local session_replication_role = origin');
    } catch (err) {
      throw new OpsError(
        'The target role may not switch off triggers for the copy (session_replication_role): connect as the database owner with superuser, or GRANT SET ON PARAMETER session_replication_role TO <role> first.',
        { cause: err },
      );
    }
    await applyMigrations(insideTransaction(target), migrations);
    await createJobPartitions(src, dst);

    const tables = await listTables(src);
    await sameTables(tables, await listTables(dst));
    await target.query('set local session_replication_role = replica');
    // Rows the migrations wrote (drizzle's record, pg-boss's version, seed rows) are the source's to give.
    for (const t of tables) await target.query(`delete from only ${qualified(t)}`);
    const reports: TableReport[] = [];
    for (const t of tables) reports.push({ table: `${t.schema}.${t.name}`, source: await copyTable(src, target, t), target: 0 });
    for (const s of await readSequences(src))
      await target.query(`select setval($1, $2::bigint, $3)`, [qualified(s), s.lastValue, s.isCalled]);
    const counts = await countRows(dst, tables);
    for (const r of reports) r.target = counts.get(r.table) ?? -1;
    const sourceCounts = await countRows(src, tables);
    const wrong = reports.filter((r) => r.target !== r.source || sourceCounts.get(r.table) !== r.source);
    if (wrong.length > 0)
      throw new OpsError(
        `Row counts differ after the copy (${wrong.map((r) => `${r.table}: ${r.source} → ${r.target}`).join(', ')}); rolled back.`,
      );
    await target.query('commit');
    print(`Copied ${reports.reduce((n, r) => n + r.source, 0)} rows of ${reports.length} tables in one transaction.`);
    return reports;
  } catch (err) {
    await target.query('rollback').catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    throw new OpsError(`${why}${why.endsWith('rolled back.') ? '' : ' Rolled back: the target is as empty as it was.'}`, { cause: err });
  }
}

/**
 * The migrator on the move's connection, inside its transaction: its own transactions join the move's, and a
 * migration written to run outside any (CREATE INDEX CONCURRENTLY) builds its index plainly, which on a database
 * nobody else uses yet is the same index.
 */
function insideTransaction(client: pg.Client): MigrationConnection {
  const conn: MigrationConnection = {
    query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
    exec: async (text) => void (await client.query(text.replace(/\bINDEX\s+CONCURRENTLY\b/gi, 'INDEX'))),
    transaction: (fn) => fn(conn),
  };
  return conn;
}

/**
 * pg-boss keeps each queue's jobs in a partition its create_queue makes when the queue is first used
 * (migration 0015): the same partitions on the target, by the same function (their names derive from the queue's).
 * The queue rows themselves are replaced by the source's with the other rows.
 */
async function createJobPartitions(src: Sql, dst: Sql): Promise<void> {
  const [present] = await src<{ ok: boolean }>(`select to_regclass('pgboss.queue') is not null as ok`);
  if (!present?.ok) return;
  for (const q of await src<{ name: string; policy: string | null }>('select name, policy from pgboss.queue order by name'))
    await dst('select pgboss.create_queue($1, json_build_object($2::text, $3::text))', [q.name, 'policy', q.policy]);
}

async function sameTables(source: TableInfo[], target: TableInfo[]): Promise<void> {
  const byName = new Map(target.map((t) => [`${t.schema}.${t.name}`, t]));
  for (const s of source) {
    const t = byName.get(`${s.schema}.${s.name}`);
    if (!t) throw new OpsError(`Table ${s.schema}.${s.name} of the source is not made by the migrations: it cannot be copied.`);
    if (t.columns.join(',') !== s.columns.join(','))
      throw new OpsError(`Table ${s.schema}.${s.name} has other columns in the source (${s.columns.join(', ')}) than its migrations make.`);
    byName.delete(`${s.schema}.${s.name}`);
  }
  if (byName.size > 0) throw new OpsError(`The migrations make tables the source lacks: ${[...byName.keys()].join(', ')}.`);
}

/**
 * Streams one table: a cursor on the source, each row as JSON text (row_to_json keeps every type's exact text:
 * timestamps with their offset, bytea in hex, json as written), inserted by json_populate_recordset, which reads
 * each value back with its column type's own input function. Returns the rows copied.
 */
async function copyTable(src: Sql, target: pg.Client, t: TableInfo): Promise<number> {
  const cols = t.columns.map(quoteIdent).join(', ');
  const insert = `insert into ${qualified(t)} (${cols}) select ${cols} from json_populate_recordset(null::${qualified(t)}, $1::json)`;
  await src(`declare motcua_move no scroll cursor for select row_to_json(t)::text as r from only ${qualified(t)} t`);
  let copied = 0;
  try {
    for (;;) {
      const rows = await src<{ r: string }>(`fetch ${BATCH_ROWS} from motcua_move`);
      if (rows.length === 0) break;
      await target.query(insert, [`[${rows.map((row) => row.r).join(',')}]`]);
      copied += rows.length;
    }
  } finally {
    await src('close motcua_move');
  }
  return copied;
}
