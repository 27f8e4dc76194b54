/** `npm run db:migrate`: apply the pending migrations, alone (no server); exit 0, or 1 with the failure. */
import { loadConfigOrExit } from '../config.js';
import { migrateCommand } from './migrate-command.js';

const config = loadConfigOrExit();
try {
  await migrateCommand(config);
} catch (err) {
  console.error(`db:migrate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
