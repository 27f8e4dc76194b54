/** `npm run db:move -- --to postgres://…`: see --help and docs/decisions/0027. */
import path from 'node:path';
import { loadConfigOrExit } from '../config.js';
import { openBlobStore } from '../storage/index.js';
import { copyLocalFilesTo, countLocalFiles, megabytes } from './copy-files.js';
import { blobCheckWarning } from './blob-check.js';
import { commandArgs } from './cli-args.js';
import { moveDatabase } from './db-move.js';

const HELP = `npm run db:move -- --to postgres://user@host:5432/database [--files-to s3://bucket/prefix]

Copies the embedded database of DATA_DIR (stop the app first: one process owns it) into an EMPTY PostgreSQL
database: the schema at the same migration, every row, every sequence, in one transaction; then compares the row
counts, the sequences and the audit chain with the source. A target holding any table is refused untouched.

Files: with local storage they stay in DATA_DIR/files. Run the app on the server with the same DATA_DIR (or a copy
of DATA_DIR/files), or give --files-to s3://bucket/prefix (with the STORAGE_S3_* settings) to copy them into a
bucket first, for instances on several machines, and start those with STORAGE_URL set to it.

The password: in PGPASSWORD or ~/.pgpass, not in --to (every user of the machine sees a command's arguments in ps).

Afterwards start the app with DATABASE_URL set to the target (docs/deploy.md).`;

const config = loadConfigOrExit();
const args = commandArgs({ to: { type: 'string' }, 'files-to': { type: 'string' } }, HELP);
/** The address of --to, read once; null when it is not a postgres:// address that can be read (port, host…). */
function targetOf(to: string | undefined): URL | null {
  if (!to || !/^postgres(ql)?:\/\//.test(to)) return null;
  try {
    return new URL(to);
  } catch {
    return null;
  }
}
const target = targetOf(args.to);
if (!args.to || !target) {
  // The address itself is never printed: it may hold a password.
  console.error(
    `--to must be a postgres:// or postgresql:// address (postgres://user@host:5432/database); the one given cannot be read (check its host, its port — at most 65535 — and that special characters are percent-encoded).\n\n${HELP}`,
  );
  process.exit(2);
}
// Not refused (the move may still be wanted), but said: the command line was readable by every user of the machine.
if (target.password)
  console.error(
    'Warning: --to holds a password, which every user of this machine can read in the process list while the move runs: give it in PGPASSWORD or ~/.pgpass instead, and change it if others use this machine.',
  );
// The bucket's settings are the configuration's, with --files-to as its STORAGE_URL (checked like it).
const filesTo = args['files-to'] ? loadConfigOrExit({ ...process.env, STORAGE_URL: args['files-to'] }).storage : null;

try {
  // Files first: blobs are named by their content, so a copy that a failed move leaves in the bucket is harmless.
  const copied = filesTo && config.storage.kind === 'local' ? await copyLocalFilesTo(config.storage.dir, openBlobStore(filesTo)) : null;
  // The storage the moved database will run with: the bucket the files were copied to, else the configured one.
  const runsWith = copied && filesTo ? filesTo : config.storage;
  const report = await moveDatabase({ dataDir: config.dataDir, targetUrl: args.to, store: openBlobStore(runsWith) });
  const width = Math.max(...report.tables.map((t) => t.table.length));
  for (const t of report.tables)
    console.log(`  ${t.table.padEnd(width)}  ${String(t.source).padStart(10)} → ${String(t.target).padStart(10)}`);
  console.log(`Sequences: ${report.sequences} set to the source's values.`);
  console.log(
    report.audit.ok
      ? `Audit chain intact on the target: ${report.audit.checked} entries verified.`
      : `Audit chain broken on the target at entry #${report.audit.firstBadId}, exactly as in the source (the copy is faithful; investigate the source).`,
  );
  if (config.storage.kind === 's3') {
    console.log(`Files: in s3://${config.storage.bucket}/${config.storage.prefix} already; start the app with the same STORAGE_URL.`);
  } else if (copied) {
    console.log(
      `Files: ${copied.files} copied (${megabytes(copied.bytes)}), ${copied.alreadyThere} already in ${args['files-to']}; start the app with STORAGE_URL=${args['files-to']}.`,
    );
  } else {
    const files = await countLocalFiles(config.storage.dir);
    console.log(
      `Files: ${files.files} (${megabytes(files.bytes)}) stay in ${path.resolve(config.storage.dir)}: start the app with the same DATA_DIR, or copy that folder to DATA_DIR/files of the machine that runs it. For several machines, copy them into a bucket (--files-to s3://…, or any S3 tool: the keys are sha256/ab/<hash> under the prefix) and set STORAGE_URL.`,
    );
  }
  if (report.blobs) {
    const storage = runsWith.kind === 'local' ? path.resolve(runsWith.dir) : `s3://${runsWith.bucket}/${runsWith.prefix}`;
    const missing = blobCheckWarning(report.blobs, storage);
    if (missing) console.error(missing);
    else console.log(`Files: all ${report.blobs.checked} the rows name are in ${storage}.`);
  }
  console.log(`Done: the database is at migration ${report.migration}. Start the app with DATABASE_URL set to the target.`);
} catch (err) {
  console.error(`db:move failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
