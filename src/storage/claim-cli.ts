/** `npm run storage:claim [-- --replace <database id>]`: see --help and docs/decisions/0020 ("The wrong database"). */
import path from 'node:path';
import { loadConfigOrExit } from '../config.js';
import { redactPassword } from '../db/client.js';
import { openCommandDatabase } from '../db/command-database.js';
import { commandArgs } from '../ops/cli-args.js';
import { MARKER_NAME } from './blob.js';
import { openBlobStore } from './index.js';
import { ClaimRefusedError, claimStore, databaseIdentity } from './owner.js';

const HELP = `npm run storage:claim [-- --replace <database id>]

Claims the configured file storage (DATA_DIR/files, or the STORAGE_URL bucket) for the configured database: writes
${MARKER_NAME} at its root naming this database's id (its settings row database.id). The daily clean-up
(storage.gc) moves and deletes only in a storage that names its own database, and writes the marker by itself only
over an empty storage: a storage that already holds files waits for this command, run once on PRODUCTION with
production's environment (never on a test or staging copy pointed at production's files).

A storage whose marker names another database is refused unless --replace gives that database's id: claim it only
when that database is gone, or is a copy that must not own these files.`;

const config = loadConfigOrExit();
const args = commandArgs({ replace: { type: 'string' } }, HELP);
const storage =
  config.storage.kind === 'local'
    ? path.resolve(config.storage.dir)
    : `s3://${config.storage.bucket}/${config.storage.prefix}${config.storage.endpoint ? ` at ${config.storage.endpoint}` : ''}`;
const database = await openCommandDatabase('storage:claim', config);
try {
  const where = config.databaseUrl ? redactPassword(config.databaseUrl) : `PGlite in ${path.resolve(config.dataDir)}`;
  console.log(`Database: ${await databaseIdentity(database.db)} (${where}).`);
  console.log(`Storage:  ${storage}.`);
  const r = await claimStore(database.db, openBlobStore(config.storage), new Date(), args.replace ? { replace: args.replace } : {});
  console.log(
    r.outcome === 'already'
      ? `Already claimed: ${MARKER_NAME} names this database; nothing written.`
      : r.outcome === 'replaced'
        ? `Claimed: ${MARKER_NAME} named ${r.previous}, now names this database.`
        : `Claimed: ${MARKER_NAME} written, naming this database. The next storage.gc run collects here.`,
  );
} catch (err) {
  if (!(err instanceof ClaimRefusedError)) throw err;
  console.error(`storage:claim refused: ${err.message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
