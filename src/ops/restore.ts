/**
 * `npm run restore -- --from <folder>` (docs/decisions/0027): a backup of `npm run backup` into the configured
 * database, which must be empty — PostgreSQL (DATABASE_URL) by pg_restore in one transaction, PGlite (DATA_DIR)
 * by loading the dumped data directory — and the local files into file storage. The files go first, each checked
 * against the SHA-256 its name carries (copy-files.ts), then the database. Then the restored database is checked:
 * its row counts against the manifest, its audit chain, and that every file its rows name is in the storage (a
 * bucket is not in the backup: blob-check.ts). A failure before that check leaves the database as empty as it was
 * and a local file storage as it was (the files copied are removed again; in a bucket, files already checked and
 * uploaded stay: named by their content, they are harmless).
 */
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { z } from 'zod';
import type { Config } from '../config.js';
import { openDatabase } from '../db/client.js';
import { type EmbeddedLock, lockEmbeddedDatabase } from '../db/embedded-lock.js';
import { verifyAuditChain, type ChainReport } from '../audit/verify.js';
import { openBlobStore } from '../storage/index.js';
import { FILES_DIR, MANIFEST, sha256File } from './backup.js';
import { clientSql, connectEmptyTarget, pgliteSql } from './db-move.js';
import { type BlobCheck, checkNamedBlobs } from './blob-check.js';
import { copyLocalFilesTo, copyVerifiedFilesFolder, type FilesSummary } from './copy-files.js';
import { countRows, listTables, type Sql } from './inventory.js';
import { OpsError } from './ops-error.js';
import { findPgTool, runPgTool, splitPassword } from './pg-tools.js';

/** The part of backup.json a restore relies on. */
const Manifest = z.object({
  format: z.literal('motcua-backup-1'),
  kind: z.enum(['pglite', 'postgres']),
  migration: z.string().nullable(),
  database: z.object({ file: z.string().regex(/^[\w.-]+$/), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  files: z.object({ files: z.number(), bytes: z.number() }).nullable(),
  counts: z.record(z.string(), z.number()),
});

export type RestoreReport = {
  kind: 'pglite' | 'postgres';
  migration: string | null;
  /** Tables whose restored row count differs from the manifest's. */
  countsDiffer: { table: string; expected: number | undefined; restored: number | undefined }[];
  tables: number;
  rows: number;
  files: (FilesSummary & { alreadyThere?: number }) | null;
  audit: ChainReport;
  /** Whether every file the restored rows name is in the configured storage (blob-check.ts). */
  blobs: BlobCheck;
};

type RestoreConfig = Pick<Config, 'databaseUrl' | 'dataDir' | 'storage'>;

function readManifest(from: string): z.infer<typeof Manifest> {
  const file = path.join(from, MANIFEST);
  if (!fs.existsSync(file))
    throw new OpsError(`${path.resolve(from)} is not a backup: ${MANIFEST} not found (a backup cut short has none).`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (!(err instanceof SyntaxError)) throw err;
    throw new OpsError(`${path.resolve(file)} is not a MotCua backup manifest: it is not valid JSON.`, { cause: err });
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success)
    throw new OpsError(`${path.resolve(file)} is not a MotCua backup manifest: ${parsed.error.issues[0]?.message ?? 'unreadable'}.`);
  return parsed.data;
}

export async function restore(config: RestoreConfig, from: string, print: (line: string) => void = console.log): Promise<RestoreReport> {
  const manifest = readManifest(from);
  // Absolute: a relative one (`--from .`) would hand pg_restore a name starting with "-" as an option.
  const dump = path.resolve(from, manifest.database.file);
  if (!fs.existsSync(dump) || (await sha256File(dump)) !== manifest.database.sha256)
    throw new OpsError(
      `The backup's database file ${dump} is missing, damaged or altered (its SHA-256 is not the manifest's); nothing restored.`,
    );
  const kind = config.databaseUrl ? 'postgres' : 'pglite';
  if (manifest.kind !== kind)
    throw new OpsError(
      manifest.kind === 'pglite'
        ? 'This is a backup of the embedded database: restore it with DATA_DIR and no DATABASE_URL, then `npm run db:move` to a server.'
        : 'This is a backup of a PostgreSQL database: set DATABASE_URL to an empty database to restore it.',
    );
  // The embedded database's lock, held from here to the end: the app must not open what is being restored.
  const lock = config.databaseUrl ? null : lockEmbeddedDatabase(config.dataDir);
  try {
    return await restoreInto(config, from, manifest, dump, kind, lock, print);
  } finally {
    lock?.release();
  }
}

async function restoreInto(
  config: RestoreConfig,
  from: string,
  manifest: z.infer<typeof Manifest>,
  dump: string,
  kind: RestoreReport['kind'],
  lock: EmbeddedLock | null,
  print: (line: string) => void,
): Promise<RestoreReport> {
  // The database first, then the file storage: each refused before anything is written.
  if (config.databaseUrl) await (await connectEmptyTarget(config.databaseUrl)).end();
  else refuseExistingPglite(config.dataDir);
  const filesFrom = path.join(from, FILES_DIR);
  if (
    config.storage.kind === 'local' &&
    fs.existsSync(path.join(config.storage.dir, 'sha256')) &&
    fs.readdirSync(path.join(config.storage.dir, 'sha256')).length > 0
  )
    throw new OpsError(`Refused: the file storage ${path.resolve(config.storage.dir)} already holds files; restore into an empty one.`);
  if (fs.existsSync(filesFrom)) refuseLinks(filesFrom);

  // The files before the database: each is checked as it is copied (a refusal leaves the database untouched), and
  // a database that then fails to restore takes the local files copied with it.
  const copied = !fs.existsSync(filesFrom)
    ? null
    : config.storage.kind === 'local'
      ? await copyVerifiedFilesFolder(filesFrom, config.storage.dir, manifest.files)
      : await copyLocalFilesTo(filesFrom, openBlobStore(config.storage)).catch((err) => {
          // Those uploaded before are checked and named by their content: harmless in the bucket.
          throw new OpsError(`${err instanceof Error ? err.message : String(err)} The database was not restored.`, { cause: err });
        });
  try {
    if (config.databaseUrl) await restorePostgres(config.databaseUrl, dump);
    else await restorePglite(config.dataDir, dump);
  } catch (err) {
    if (!copied || !('remove' in copied) || config.storage.kind !== 'local') throw err;
    await copied.remove();
    throw new OpsError(
      `${err instanceof Error ? err.message : String(err)} The files copied into ${path.resolve(config.storage.dir)} were removed again.`,
      { cause: err },
    );
  }
  print(`Database restored from ${dump}.`);
  const files = copied && {
    files: copied.files,
    bytes: copied.bytes,
    ...('alreadyThere' in copied ? { alreadyThere: copied.alreadyThere } : {}),
  };

  const database = await openDatabase(
    config.databaseUrl ? { url: config.databaseUrl, poolSize: 2 } : { dataDir: config.dataDir, ...(lock ? { lock } : {}) },
  );
  try {
    const sql: Sql = database.pglite
      ? pgliteSql(database.pglite)
      : async <T>(text: string, params?: unknown[]) => (await database.pool!.query(text, params)).rows as T[];
    const tables = await listTables(sql);
    const counts = await countRows(sql, tables);
    const names = new Set([...counts.keys(), ...Object.keys(manifest.counts)]);
    const countsDiffer = [...names]
      .filter((t) => counts.get(t) !== manifest.counts[t])
      .map((t) => ({ table: t, expected: manifest.counts[t], restored: counts.get(t) }));
    return {
      kind,
      migration: manifest.migration,
      countsDiffer,
      tables: tables.length,
      rows: [...counts.values()].reduce((a, b) => a + b, 0),
      files,
      audit: await verifyAuditChain(database.db),
      blobs: await checkNamedBlobs(database.db, openBlobStore(config.storage)),
    };
  } finally {
    await database.close();
  }
}

/** pg_restore into the empty database, in one transaction: an error rolls everything back (--exit-on-error). */
async function restorePostgres(url: string, dump: string): Promise<void> {
  const client = await connectEmptyTarget(url);
  let serverMajor: number;
  try {
    const [v] = await clientSql(client)<{ n: number }>(`select current_setting('server_version_num')::int as n`);
    serverMajor = Math.floor(v!.n / 10000);
  } finally {
    await client.end();
  }
  const tool = await findPgTool('pg_restore', serverMajor);
  const { url: bare, password } = splitPassword(url);
  // The objects belong to the role restoring them (the backup's owners and grants may not exist on this server).
  await runPgTool(
    tool,
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${bare}`, dump],
    password,
  ).catch((err) => {
    throw new OpsError(`${err instanceof Error ? err.message : String(err)} Rolled back: the database is as empty as it was.`, {
      cause: err,
    });
  });
}

/** PGlite starts on the dumped data directory (its loadDataDir), written into DATA_DIR/pglite, which must not hold one. */
async function restorePglite(dataDir: string, dump: string): Promise<void> {
  const dir = refuseExistingPglite(dataDir);
  fs.mkdirSync(dir, { recursive: true });
  try {
    const client = new PGlite(dir, { loadDataDir: new Blob([await fs.promises.readFile(dump)]) });
    await client.waitReady;
    await client.close();
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new OpsError(`PGlite could not load ${dump}: ${err instanceof Error ? err.message : String(err)}; nothing restored.`, {
      cause: err,
    });
  }
}

/**
 * The backup's files folder holds folders and regular files only. A symbolic link (or a device, a FIFO) put there
 * would be copied into the live storage as it is: downloads would serve the server file it points to, and the
 * collector would delete in the folder a linked trash points to.
 */
function refuseLinks(dir: string): void {
  const stack = [dir];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const stat = fs.lstatSync(next);
    if (stat.isDirectory()) for (const name of fs.readdirSync(next)) stack.push(path.join(next, name));
    else if (!stat.isFile())
      throw new OpsError(
        `Refused: ${path.resolve(next)} in the backup is not a regular file nor a folder (a symbolic link?): the backup was altered; nothing restored.`,
      );
  }
}

function refuseExistingPglite(dataDir: string): string {
  const dir = path.join(dataDir, 'pglite');
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)
    throw new OpsError(`Refused: ${path.resolve(dir)} already holds a database; restore into a DATA_DIR without one.`);
  return dir;
}
