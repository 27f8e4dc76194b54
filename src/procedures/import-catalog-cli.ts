/** `npm run import:procedures -- <file> [--apply] [--as <username>]`: the procedure catalog from the national database's export. */
import pino from 'pino';
import { readTable } from '../accounts/read-sheet.js';
import { loadConfigOrExit } from '../config.js';
import { openCommandDatabase } from '../db/command-database.js';
import { runImportCommand } from '../shared/import-command.js';
import { logSerializers } from '../web/observability.js';
import { importCatalog } from './import-catalog.js';
import { CATALOG_SHEET } from './import-catalog-columns.js';

const config = loadConfigOrExit();
const database = await openCommandDatabase('import:procedures', config);
// A failed apply's error goes to stderr as JSON, beside the report's lines (shared/import-plan.ts).
const logger = pino({ level: config.logLevel, serializers: logSerializers }, pino.destination(2));
try {
  const { exitCode, lines } = await runImportCommand(database.db, process.argv.slice(2), {
    name: 'import:procedures',
    systemLabel: 'cli:import-procedures',
    logger,
    run: async (db, actor, bytes, opts) => importCatalog(db, actor, await readTable(bytes, CATALOG_SHEET), opts),
  });
  for (const line of lines) (exitCode === 0 ? console.log : console.error)(line);
  process.exitCode = exitCode;
} finally {
  await database.close();
}
