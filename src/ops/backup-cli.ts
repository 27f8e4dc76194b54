/** `npm run backup -- --out <folder>`: see --help and docs/decisions/0027. */
import path from 'node:path';
import { loadConfigOrExit } from '../config.js';
import { backup } from './backup.js';
import { commandArgs } from './cli-args.js';
import { megabytes } from './copy-files.js';

const HELP = `npm run backup -- --out <new folder>

Backs up the configured database and its local files into a new folder:
  PostgreSQL (DATABASE_URL): pg_dump, custom format (database.pgdump); the app may keep running.
  PGlite (DATA_DIR):         the data directory as PGlite dumps it (pglite-datadir.tar.gz); stop the app first.
  Files under DATA_DIR/files are copied into files/; files in a bucket (STORAGE_URL) are NOT in the backup.
  backup.json, written last, holds the row counts, the migration and the SHA-256 of the database file.

Restore: npm run restore -- --from <folder> (same kind of database, empty; --help there).`;

const config = loadConfigOrExit();
const args = commandArgs({ out: { type: 'string' } }, HELP);
if (!args.out) {
  console.error(`--out <folder> is required.\n\n${HELP}`);
  process.exit(2);
}
try {
  const m = await backup(config, args.out);
  const rows = Object.values(m.counts).reduce((a, b) => a + b, 0);
  console.log(`Backup of ${rows} rows in ${Object.keys(m.counts).length} tables at migration ${m.migration} → ${path.resolve(args.out)}`);
  console.log(m.files ? `Files: ${m.files.files} (${megabytes(m.files.bytes)}) copied.` : `Files: in ${m.storage}, not in this backup.`);
  console.log(
    m.audit.ok
      ? `Audit chain intact: ${m.audit.checked} entries verified.`
      : `WARNING: the audit chain is broken at entry #${m.audit.firstBadId} in the database backed up.`,
  );
} catch (err) {
  console.error(`backup failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
