/**
 * The two ways migrations run (docs/decisions/0011-migrations.md): at start (MIGRATE_ON_START, the default), or
 * as a separate deployment step, `npm run db:migrate`, after which instances start with MIGRATE_ON_START=false
 * and refuse to serve a schema older than their code.
 */
import type { Config, StorageConfig } from '../config.js';
import { openBlobStore } from '../storage/index.js';
import { moveDatabaseFiles } from '../storage/move-database-files.js';
import { openDatabase, redactPassword, type Database } from './client.js';
import type { MigrationReport } from './migrate.js';

type StartLog = {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
};

/** MIGRATE_ON_START=false and the database lacks migrations this code needs. */
export class SchemaBehindError extends Error {
  readonly pending: string[];
  constructor(pending: string[]) {
    super(
      `The database schema is behind this version of MotCua: ${pending.length} migration(s) not applied (${pending.join(', ')}). ` +
        'MIGRATE_ON_START=false, so run `npm run db:migrate` first, or start with MIGRATE_ON_START=true.',
    );
    this.name = 'SchemaBehindError';
    this.pending = pending;
  }
}

/** At start: migrate (waiting for another instance that is migrating), or with migrateOnStart false only check. */
export async function prepareSchema(database: Database, migrateOnStart: boolean, log: StartLog): Promise<MigrationReport> {
  if (!migrateOnStart) {
    const pending = await database.pendingMigrations();
    if (pending.length > 0) throw new SchemaBehindError(pending);
    return { applied: [] };
  }
  const report = await database.migrate({
    onLockWait: (holderPid) => log.warn({ holderPid }, 'another instance is migrating the database; waiting for it'),
  });
  if (report.applied.length > 0) log.info({ applied: report.applied }, 'migrations applied');
  return report;
}

/** For main.ts: prepareSchema, or the behind schema's message on stderr and exit code 1 (nothing is served). */
export async function prepareSchemaOrExit(database: Database, migrateOnStart: boolean, log: StartLog): Promise<void> {
  try {
    await prepareSchema(database, migrateOnStart, log);
  } catch (err) {
    if (err instanceof SchemaBehindError) {
      console.error(err.message);
      await database.close().catch(() => undefined);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * `npm run db:migrate`: applies the pending migrations to the configured database and closes it; with `storage`,
 * then moves the files still kept in the database into file storage (docs/decisions/0012).
 */
export async function migrateCommand(
  config: Pick<Config, 'databaseUrl' | 'dataDir'> & { storage?: StorageConfig },
  print: (line: string) => void = console.log,
): Promise<MigrationReport> {
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl, poolSize: 2 } : { dataDir: config.dataDir });
  try {
    print(`Database: ${database.kind === 'postgres' ? redactPassword(config.databaseUrl!) : `PGlite ${config.dataDir}`}`);
    const report = await database.migrate({
      onLockWait: (holderPid) => print(`Another instance (backend ${holderPid ?? '?'}) is migrating this database; waiting for it…`),
    });
    print(
      report.applied.length > 0
        ? `Applied ${report.applied.length} migration(s): ${report.applied.join(', ')}.`
        : 'The schema is up to date; nothing to apply.',
    );
    if (config.storage) {
      const moved = await moveDatabaseFiles(database.db, openBlobStore(config.storage));
      if (moved.dossierFiles || moved.templates)
        print(`Moved ${moved.dossierFiles} dossier file(s) and ${moved.templates} template(s) from the database to file storage.`);
    }
    return report;
  } finally {
    await database.close();
  }
}
