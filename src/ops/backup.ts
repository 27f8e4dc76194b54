/**
 * `npm run backup -- --out <folder>` (docs/decisions/0027): the configured database and the local files, in a new
 * folder with a manifest (backup.json, written last: a folder without it is not a backup).
 *
 * - PostgreSQL: pg_dump's custom format, taken in the snapshot where the manifest's row counts and audit check
 *   were read (pg_dump --snapshot), so the manifest describes exactly what the dump holds. The app may run.
 * - PGlite: PGlite's own dumpDataDir (a gzipped tar of the data directory). One process owns the directory:
 *   stop the app first.
 * - Files under DATA_DIR/files are copied beside it; files in a bucket (STORAGE_URL) are not (the bucket's own
 *   versioning or replication keeps them).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/pglite';
import type { Config } from '../config.js';
import { MIGRATIONS_DIR, openDatabase, redactPassword, type Db } from '../db/client.js';
import { lockEmbeddedDatabase } from '../db/embedded-lock.js';
import { readMigrations } from '../db/migrate.js';
import { verifyAuditChain, type ChainReport } from '../audit/verify.js';
import * as schema from '../db/schema/index.js';
import { clientSql, pgliteDirOf, pgliteSql } from './db-move.js';
import { copyFilesFolder, type FilesSummary } from './copy-files.js';
import { countRows, listTables, recordedMigrations, type Sql } from './inventory.js';
import { OpsError } from './ops-error.js';
import { findPgTool, runPgTool, splitPassword } from './pg-tools.js';

export const MANIFEST = 'backup.json';
const PG_DUMP_FILE = 'database.pgdump';
const PGLITE_FILE = 'pglite-datadir.tar.gz';
export const FILES_DIR = 'files';

export type BackupManifest = {
  format: 'motcua-backup-1';
  kind: 'pglite' | 'postgres';
  createdAt: string;
  /** The last migration the database had. */
  migration: string | null;
  database: { file: string; sha256: string; bytes: number };
  /** Local files copied into FILES_DIR; null when they live in a bucket (not in the backup). */
  files: FilesSummary | null;
  storage: string;
  /** Rows per table (`schema.name`) at the moment of the backup. */
  counts: Record<string, number>;
  audit: ChainReport;
};

type BackupConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'storage'>;

/** What a database says of itself for a manifest (its last migration, its rows per table), in the caller's snapshot. */
async function describe(sql: Sql): Promise<Pick<BackupManifest, 'migration' | 'counts'>> {
  const recorded = await recordedMigrations(sql);
  const last = recorded?.at(-1);
  const migration = last ? (readMigrations(MIGRATIONS_DIR).find((m) => m.when === last.when)?.tag ?? `newer (${last.when})`) : null;
  return { migration, counts: Object.fromEntries(await countRows(sql, await listTables(sql))) };
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function backup(config: BackupConfig, out: string, print: (line: string) => void = console.log): Promise<BackupManifest> {
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0)
    throw new OpsError(`Refused: ${path.resolve(out)} is not empty; give a new folder.`);
  // A backup holds every citizen's data, the password hashes and the TOTP secrets: its folder is its owner's alone
  // (an existing empty one too), whatever the umask, and so is every file written in it.
  fs.mkdirSync(out, { recursive: true, mode: 0o700 });
  fs.chmodSync(out, 0o700);
  try {
    const kind = config.databaseUrl ? 'postgres' : 'pglite';
    const file = path.join(out, kind === 'postgres' ? PG_DUMP_FILE : PGLITE_FILE);
    const described = config.databaseUrl ? await dumpPostgres(config.databaseUrl, file) : await dumpPglite(config.dataDir, file);
    print(`Database (${kind === 'postgres' ? redactPassword(config.databaseUrl!) : `PGlite ${path.resolve(config.dataDir)}`}) → ${file}`);
    const files = config.storage.kind === 'local' ? await copyFilesFolder(config.storage.dir, path.join(out, FILES_DIR)) : null;
    const manifest: BackupManifest = {
      format: 'motcua-backup-1',
      kind,
      createdAt: new Date().toISOString(),
      ...described,
      database: { file: path.basename(file), sha256: await sha256File(file), bytes: fs.statSync(file).size },
      files,
      storage: config.storage.kind === 'local' ? 'local' : `s3://${config.storage.bucket}/${config.storage.prefix}`,
    };
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(path.join(out, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    return manifest;
  } catch (err) {
    // Nothing half-written is left to be mistaken for a backup.
    fs.rmSync(out, { recursive: true, force: true });
    throw err;
  }
}

/** pg_dump in the snapshot where the manifest is read: counts and dump describe the same moment. */
async function dumpPostgres(url: string, file: string) {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch (err) {
    throw new OpsError(`Cannot connect to ${redactPassword(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    const [v] = await clientSql(client)<{ n: number }>(`select current_setting('server_version_num')::int as n`);
    const tool = await findPgTool('pg_dump', Math.floor(v!.n / 10000));
    await client.query('begin isolation level repeatable read read only');
    const [snap] = await clientSql(client)<{ id: string }>('select pg_export_snapshot() as id');
    const described = await describe(clientSql(client));
    const { url: bare, password } = splitPassword(url);
    await runPgTool(tool, ['--format=custom', `--file=${file}`, `--snapshot=${snap!.id}`, `--dbname=${bare}`], password);
    await client.query('commit');
    // The chain is checked in a snapshot of its own (the verifier opens its transaction): audit rows are only ever
    // added and sealed, so what the dump holds was intact if this is.
    const database = await openDatabase({ url, poolSize: 1 });
    try {
      return { ...described, audit: await verifyAuditChain(database.db) };
    } finally {
      await database.close();
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dumpPglite(dataDir: string, file: string) {
  pgliteDirOf(dataDir);
  const lock = lockEmbeddedDatabase(dataDir);
  const client = new PGlite(lock.dir);
  try {
    await client.waitReady;
    const described = {
      ...(await describe(pgliteSql(client))),
      audit: await verifyAuditChain(drizzle(client, { schema }) as unknown as Db),
    };
    const blob = await client.dumpDataDir('gzip');
    await fs.promises.writeFile(file, Buffer.from(await blob.arrayBuffer()), { mode: 0o600 });
    return described;
  } finally {
    await client.close().finally(lock.release);
  }
}
