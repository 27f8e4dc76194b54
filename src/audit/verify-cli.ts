/** `npm run audit:verify`: check the audit hash chain; exit 1 naming the first altered entry. */
import { loadConfigOrExit } from '../config.js';
import { openDatabase } from '../db/client.js';
import { verifyAuditChain } from './verify.js';

const config = loadConfigOrExit();
const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: config.dataDir });
try {
  const report = await verifyAuditChain(database.db);
  if (report.ok) {
    console.log(`Audit chain intact: ${report.checked} entries verified.`);
  } else {
    console.error(
      `Audit chain BROKEN at entry #${report.firstBadId} (${report.reason === 'content_altered' ? 'its content was altered' : 'its link to the previous entry is broken: an entry was removed or inserted'}); ${report.checked} entries before it are intact.`,
    );
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
