/** `npm run restore -- --from <folder>`: see --help and docs/decisions/0027. */
import { loadConfigOrExit } from '../config.js';
import { blobCheckWarning } from './blob-check.js';
import { commandArgs } from './cli-args.js';
import { megabytes } from './copy-files.js';
import { restore } from './restore.js';

const HELP = `npm run restore -- --from <backup folder>

Restores a backup of \`npm run backup\` into the configured database, which must be EMPTY:
  PostgreSQL: create an empty database (createdb), set DATABASE_URL to it, run this; pg_restore runs in one
              transaction (an error leaves the database empty).
  PGlite:     set DATA_DIR to a folder without a database (no DATA_DIR/pglite), unset DATABASE_URL, run this.
  The backup's files go into the configured file storage (DATA_DIR/files, or the STORAGE_URL bucket) first, which
  must be empty when local, each checked against the SHA-256 its name carries: a file altered or damaged in the
  backup, or one that cannot be written, refuses the restore with the database left empty and the local files
  copied removed. Files that were in a bucket are not in the backup: the bucket keeps them.
Then the row counts are compared with the backup's manifest and the audit chain is verified; exit 1 names what
differs (the restored data stays for investigation). Last, every file the rows name is looked up in the storage:
those missing (deleted since the backup, past the storage's trash retention) are named in a warning. Start the app
on it as usual.`;

const config = loadConfigOrExit();
const args = commandArgs({ from: { type: 'string' } }, HELP);
if (!args.from) {
  console.error(`--from <folder> is required.\n\n${HELP}`);
  process.exit(2);
}
try {
  const r = await restore(config, args.from);
  console.log(`Restored ${r.rows} rows in ${r.tables} tables (migration ${r.migration}).`);
  if (r.files) console.log(`Files: ${r.files.files} (${megabytes(r.files.bytes)}) restored.`);
  for (const d of r.countsDiffer)
    console.error(`Rows differ in ${d.table}: backup ${d.expected ?? 'none'}, restored ${d.restored ?? 'none'}.`);
  if (r.audit.ok) console.log(`Audit chain intact: ${r.audit.checked} entries verified.`);
  else
    console.error(
      `Audit chain BROKEN at entry #${r.audit.firstBadId} (${r.audit.reason === 'content_altered' ? 'its content was altered' : 'an entry was removed or inserted'}): the backup holds altered data.`,
    );
  const storage = config.storage.kind === 'local' ? config.storage.dir : `s3://${config.storage.bucket}/${config.storage.prefix}`;
  const missing = blobCheckWarning(r.blobs, storage);
  if (missing) console.error(missing);
  else console.log(`Files: all ${r.blobs.checked} the rows name are in ${storage}.`);
  if (r.countsDiffer.length > 0 || !r.audit.ok) process.exitCode = 1;
} catch (err) {
  console.error(`restore failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
