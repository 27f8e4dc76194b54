/**
 * The one database access path: Drizzle over either PGlite (embedded, files under DATA_DIR)
 * or node-postgres (DATABASE_URL). Both speak the same PostgreSQL dialect; see
 * docs/decisions/0002-database.md for why two drivers rather than pglite-socket.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { type ExtractTablesWithRelations, type SQL, sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { errorChain } from './database-errors.js';
import { type EmbeddedLock, lockEmbeddedDatabase } from './embedded-lock.js';
import * as schema from './schema/index.js';
import { type ChannelListener, type ListenHandlers, pgChannelListener, pgliteChannelListener } from './listen.js';
import { changeFeedTiming, type ChangeFeedTiming } from '../config.js';
import {
  applyMigrations,
  pendingMigrations,
  readMigrations,
  type MigrateOptions,
  type MigrationConnection,
  type MigrationReport,
} from './migrate.js';

type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything that can run a query: the database or a transaction inside it. */
export type Queryable = Db | Tx;

export type Database = {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** The server connection pool (its counts feed /metrics); absent on PGlite, which has none. */
  pool?: pg.Pool;
  /** The embedded database itself; absent on a server. For libraries that bring their own SQL (the job queue, src/jobs). */
  pglite?: PGlite;
  /**
   * Applies the pending SQL migrations (src/db/migrate.ts). On PostgreSQL under an advisory lock, so instances
   * starting together never both migrate; on PGlite one process owns the data directory, and calls in it run
   * one after the other.
   */
  migrate(opts?: MigrateOptions): Promise<MigrationReport>;
  /** Tags of the migrations not yet applied (for a start with MIGRATE_ON_START=false). */
  pendingMigrations(opts?: Pick<MigrateOptions, 'folder'>): Promise<string[]>;
  /**
   * Notifications on `channel` (LISTEN), from every process on this database: one listening connection per
   * channel, shared by every caller, closed with the database (src/db/listen.ts). `ready` resolves once listening;
   * `isLive` says whether notifications are known to arrive now (on a server: its heartbeat came back within the
   * bound); `stop` removes these handlers.
   */
  listen(channel: string, handlers: ListenHandlers): { ready: Promise<void>; isLive(): boolean; stop(): void };
  close(): Promise<void>;
};

/** One listener per channel, created on first use. */
function channelListeners(create: (channel: string) => ChannelListener) {
  const byChannel = new Map<string, ChannelListener>();
  return {
    listen(channel: string, handlers: ListenHandlers) {
      let l = byChannel.get(channel);
      if (!l) {
        l = create(channel);
        byChannel.set(channel, l);
      }
      return { ready: l.ready, isLive: l.isLive, stop: l.add(handlers) };
    },
    closeAll: () => Promise.all([...byChannel.values()].map((l) => l.close())),
  };
}

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type DatabaseOptions = {
  url?: string;
  dataDir?: string;
  /** DATA_DIR's lock, already taken by this process for a longer task (restore): handed over, released on close. */
  lock?: EmbeddedLock;
  poolSize?: number;
  /**
   * The statement_timeout of every pooled connection, in ms (0 or unset: none). Only the app server's pool sets it
   * (DB_STATEMENT_TIMEOUT_MS): a request's statement past it is cancelled (57014) and the request answers 503,
   * instead of holding a connection the others wait for. Migrations (on their own connection) run without it;
   * the CLIs, seed:large and the benchmark open their pools without it. PGlite has no pool and ignores it.
   */
  statementTimeoutMs?: number;
  /**
   * A pooled connection broke while idle (server restarted, connection killed: 57P01, network cut). The pool
   * has already dropped it and opens a new one when needed; this only reports it (default: one line on stderr).
   */
  onConnectionError?: (err: Error) => void;
  /**
   * The listening connection's heartbeat and the bound past which it is not trusted (CHANGE_FEED_HEARTBEAT_MS; the
   * config module's default when unset). PGlite has no connection to lose and ignores it.
   */
  changeFeed?: ChangeFeedTiming;
};

export { EmbeddedDatabaseInUse } from './embedded-lock.js';

/**
 * The server pool's time limits, in one place. A request that cannot get a connection (server down or
 * unreachable, every connection busy) fails after connectionTimeoutMillis instead of waiting without end;
 * TCP keepalive notices a peer that vanished without closing (network cut, host gone) on a quiet
 * connection. The statement time limit is the caller's (DatabaseOptions.statementTimeoutMs): the app's requests
 * have one, migrations, seed:large and the benchmark run legitimately long statements.
 */
const POOL_LIMITS = {
  connectionTimeoutMillis: 5_000,
  idleTimeoutMillis: 30_000,
  keepAlive: true,
  keepAliveInitialDelayMillis: 10_000,
  // JIT compilation off for this application's sessions: its statements are short (an inbox page runs in
  // about a millisecond), but the planner's cost estimate for a list walked with a filter passes
  // jit_above_cost, and compiling then cost 77–500 ms on statements that run in 0.5 ms (docs/decisions/0008,
  // "A search that few dossiers match"). Set per connection, so the server's other users keep their setting.
  options: '-c jit=off',
} as const satisfies pg.PoolConfig;

function reportConnectionError(err: Error) {
  console.warn(`database connection lost (the pool reconnects on the next query): ${err.message}`);
}

/**
 * A node-postgres pool that survives its server going away. An 'error' event without a listener kills the
 * process, and node-postgres emits one (a) on the pool when an idle connection breaks and (b) on a checked-out
 * client (a transaction's, Drizzle's migrator's) when its connection breaks, even while a query is running.
 * (a) is reported; (b) needs no action: the running or next query fails with the error, and the pool
 * discards the broken client when it is released.
 */
function createPool(
  url: string,
  poolSize: number,
  statementTimeoutMs: number,
  onConnectionError: (err: Error) => void = reportConnectionError,
): pg.Pool {
  // Set at connection start, like jit: no round trip per checkout, and a server restart's new connections have it too.
  const options = statementTimeoutMs > 0 ? `${POOL_LIMITS.options} -c statement_timeout=${statementTimeoutMs}` : POOL_LIMITS.options;
  const pool = new pg.Pool({ connectionString: url, max: poolSize, ...POOL_LIMITS, options });
  pool.on('error', (err) => onConnectionError(err));
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return pool;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.url) {
    const pool = createPool(opts.url, opts.poolSize ?? 10, opts.statementTimeoutMs ?? 0, opts.onConnectionError);
    // Fail fast with a clear error rather than on the first request.
    const client = await pool.connect();
    client.release();
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    const { heartbeatMs, staleMs } = opts.changeFeed ?? changeFeedTiming();
    // The heartbeat goes through the pool, the way every change reaches the listener (src/db/listen.ts).
    const heartbeat = {
      intervalMs: heartbeatMs,
      staleMs,
      // Named: parsed once per pooled connection, like the hot reads (queryStatement).
      notify: (channel: string, payload: string) =>
        pool.query({ name: 'mc_heartbeat', text: 'select pg_notify($1, $2)', values: [channel, payload] }),
    };
    const listeners = channelListeners((channel) =>
      pgChannelListener(opts.url!, channel, opts.onConnectionError ?? reportConnectionError, heartbeat),
    );
    return {
      db,
      kind: 'postgres',
      pool,
      migrate: (o = {}) => migratePostgres(pool, readMigrations(o.folder ?? MIGRATIONS_DIR), o.onLockWait),
      pendingMigrations: async (o = {}) => {
        const migrations = readMigrations(o.folder ?? MIGRATIONS_DIR);
        const pending = await pendingMigrations({ query: async (text, params) => (await pool.query(text, params)).rows }, migrations);
        return pending.map((m) => m.tag);
      },
      listen: listeners.listen,
      close: async () => {
        await listeners.closeAll();
        await pool.end();
      },
    };
  }
  // No dataDir means an in-memory database (tests). DATA_DIR's lock is taken before anything is loaded or created:
  // refused while another process has it open; a killed owner's is taken over, and PGlite recovers its files.
  const lock = opts.lock ?? (opts.dataDir ? lockEmbeddedDatabase(opts.dataDir) : null);
  let client: PGlite;
  try {
    // The embedded driver is loaded only here: a server on PostgreSQL never pays for it (docs/decisions/0029).
    const { PGlite: Embedded } = await import('@electric-sql/pglite');
    client = lock ? new Embedded(lock.dir) : new Embedded();
    await client.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const { drizzle: drizzlePglite } = await import('drizzle-orm/pglite');
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const conn = pgliteConnection(client);
  const listeners = channelListeners((channel) => pgliteChannelListener(client, channel));
  // One process has the data directory open (the lock above); inside it, migrations run one after the other.
  let migrating: Promise<unknown> = Promise.resolve();
  return {
    db,
    kind: 'pglite',
    pglite: client,
    migrate: (o = {}) => {
      const run = migrating.then(() => applyMigrations(conn, readMigrations(o.folder ?? MIGRATIONS_DIR)));
      migrating = run.catch(() => undefined);
      return run;
    },
    pendingMigrations: async (o = {}) => (await pendingMigrations(conn, readMigrations(o.folder ?? MIGRATIONS_DIR))).map((m) => m.tag),
    listen: listeners.listen,
    close: async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
  };
}

function pgliteConnection(client: PGlite): MigrationConnection {
  return {
    query: async <T>(text: string, params?: unknown[]) => (await client.query<T>(text, params)).rows,
    exec: async (text) => void (await client.exec(text)),
    transaction: async (fn) =>
      void (await client.transaction((tx) =>
        fn({
          query: async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows,
          exec: async (text) => void (await tx.exec(text)),
        }),
      )),
  };
}

/**
 * The key of the session-level advisory lock held while migrating (the audit sealer's is 7411001, src/audit/seal.ts).
 * Advisory locks are per database, like the migrations.
 */
const MIGRATION_LOCK_KEY = 7411002;
/** How often a waiting instance asks for the lock again. */
const MIGRATION_LOCK_POLL_MS = 250;

/**
 * Migrates a PostgreSQL database on one dedicated connection that holds the migration lock throughout. A
 * waiting instance polls pg_try_advisory_lock between idle pauses rather than blocking in pg_advisory_lock: a
 * session blocked in that call holds a snapshot, which CREATE INDEX CONCURRENTLY in the migrating session waits
 * for, and PostgreSQL then ends one of the two with "deadlock detected" (docs/decisions/0011-migrations.md).
 */
async function migratePostgres(
  pool: pg.Pool,
  migrations: ReturnType<typeof readMigrations>,
  onLockWait: MigrateOptions['onLockWait'],
): Promise<MigrationReport> {
  const client = await pool.connect();
  const query = async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[];
  const conn: MigrationConnection = {
    query,
    exec: async (text) => void (await client.query(text)),
    transaction: async (fn) => {
      await client.query('BEGIN');
      try {
        await fn(conn);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    },
  };
  try {
    // A migration (an index built concurrently, a backfill) may run far longer than a request's limit; RESET below
    // gives the connection back to the pool with the pool's own setting.
    await client.query('set statement_timeout = 0');
    let waited = false;
    for (;;) {
      const [got] = await query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [MIGRATION_LOCK_KEY]);
      if (got?.locked) break;
      if (!waited) {
        waited = true;
        const [holder] = await query<{ pid: number }>(
          `select pid from pg_locks where locktype = 'advisory' and granted and classid = 0 and objid = $1 and objsubid = 1 and database = (select oid from pg_database where datname = current_database())`,
          [MIGRATION_LOCK_KEY],
        );
        (onLockWait ?? ((pid) => console.warn(`another instance (backend ${pid ?? '?'}) is migrating the database; waiting for it`)))(
          holder?.pid ?? null,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_POLL_MS));
    }
    const report = await applyMigrations(conn, migrations);
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    await client.query('reset statement_timeout');
    client.release();
    return report;
  } catch (err) {
    // Closing the session releases the lock and whatever a failed statement left open.
    client.release(true);
    throw err;
  }
}

/** A database URL fit to print: the password replaced by ***. */
export function redactPassword(url: string): string {
  const masked = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  // libpq also takes a password from a `password` parameter (its name may be %-encoded), and a client key's
  // passphrase from `sslpassword`: masked whatever their spelling.
  const q = masked.indexOf('?');
  if (q < 0) return masked;
  const params = masked
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      let name = key;
      try {
        name = decodeURIComponent(key);
      } catch {
        // A broken escape is not a name libpq knows; left as written.
      }
      return eq >= 0 && /^(ssl)?password$/i.test(name) ? `${key}=***` : pair;
    });
  return `${masked.slice(0, q)}?${params.join('&')}`;
}

/** The database answers a trivial query (GET /readyz); throws when it does not. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.execute(sql`select 1`);
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
  if (!byShape) {
    byShape = new Map();
    statements.set(db, byShape);
  }
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

/** Whether SQLSTATE `code` is somewhere in `err` (inside DrizzleQueryError and AggregateError only, see below). */
function hasCode(err: unknown, test: (code: string) => boolean): boolean {
  for (const e of errorChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && test(code)) return true;
  }
  return false;
}

/**
 * Whether a statement was cancelled (SQLSTATE 57014 query_canceled): past the pool's statement_timeout
 * (DB_STATEMENT_TIMEOUT_MS), or by an administrator's pg_cancel_backend. The statement's transaction is rolled back;
 * the connection stays usable. The request answers 504 "try again" (app.tsx), never 500.
 */
export function isStatementCancelled(err: unknown): boolean {
  return hasCode(err, (code) => code === '57014');
}

/** SQLSTATEs that mean the server went away or cannot take us now (not a fault of the statement). */
const UNAVAILABLE_SQLSTATES = new Set([
  '57P01', // admin_shutdown: terminated by pg_ctl stop/restart or pg_terminate_backend
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or shutting down
  '53300', // too_many_connections
]);
/** Socket-level failures (Node's codes) when connecting or talking to the server. */
const UNAVAILABLE_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** node-postgres and pg-pool say these in words only. */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end on the pool',
];

/**
 * Whether an error means "the database cannot be reached right now" (server stopped, restarting,
 * connection killed or timed out) rather than a fault of the query. Looks inside Drizzle's
 * DrizzleQueryError and AggregateError (connecting to several addresses), and nowhere else: a failed
 * fetch to another system, whose cause also says ECONNREFUSED, is not the database.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of errorChain(err)) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      // SQLSTATE class 08: connection exception.
      if (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || UNAVAILABLE_NET_CODES.has(code)) return true;
    }
    if (UNAVAILABLE_MESSAGES.some((m) => e.message.includes(m))) return true;
  }
  return false;
}
