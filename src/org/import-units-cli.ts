/** `npm run import:units -- <file> [--apply] [--as <username>]`: the unit tree from a CSV or XLSX (import-units.ts). */
import pino from 'pino';
import { readTable } from '../accounts/read-sheet.js';
import { loadConfigOrExit } from '../config.js';
import { openCommandDatabase } from '../db/command-database.js';
import { runImportCommand } from '../shared/import-command.js';
import { logSerializers } from '../web/observability.js';
import { importUnits } from './import-units.js';
import { UNIT_SHEET } from './import-units-columns.js';

const config = loadConfigOrExit();
const database = await openCommandDatabase('import:units', config);
// A failed apply's error goes to stderr as JSON, beside the report's lines (shared/import-plan.ts).
const logger = pino({ level: config.logLevel, serializers: logSerializers }, pino.destination(2));
try {
  const { exitCode, lines } = await runImportCommand(database.db, process.argv.slice(2), {
    name: 'import:units',
    systemLabel: 'cli:import-units',
    logger,
    run: async (db, actor, bytes, opts) => importUnits(db, actor, await readTable(bytes, UNIT_SHEET), opts),
  });
  for (const line of lines) (exitCode === 0 ? console.log : console.error)(line);
  process.exitCode = exitCode;
} finally {
  await database.close();
}
