/** `npm run audit:verify`: seal the entries written since the last seal, then check the audit trail; exit 1 naming the first altered entry. */
import { loadConfigOrExit } from '../config.js';
import { openCommandDatabase } from '../db/command-database.js';
import { sealAuditChain } from './seal.js';
import { verifyAuditChain } from './verify.js';

const config = loadConfigOrExit();
const database = await openCommandDatabase('audit:verify', config);
try {
  const { sealed } = await sealAuditChain(database.db);
  const report = await verifyAuditChain(database.db);
  if (report.ok) {
    const pending = report.unsealed
      ? ` (${report.unsealed} committed after the seal: checked by their own hash, chained at the next seal)`
      : '';
    console.log(`Audit chain intact: ${report.checked} entries verified, ${sealed} of them sealed now${pending}.`);
  } else {
    console.error(
      `Audit chain BROKEN at entry #${report.firstBadId} (${report.reason === 'content_altered' ? 'its content was altered' : 'its link to the previous entry is broken: an entry was removed or inserted'}); ${report.checked} entries before it are intact.`,
    );
    process.exitCode = 1;
  }
} finally {
  await database.close();
}
