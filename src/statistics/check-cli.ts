/**
 * `npm run stats:check [-- --repair]`: compares the statistics' kept counters with a recount from the dossiers and
 * their history; exit 0 when they agree (or were repaired), 1 when they differ, 2 on an unknown argument.
 */
import { loadConfigOrExit } from '../config.js';
import { openCommandDatabase } from '../db/command-database.js';
import { counterDrift, rebuildCounters } from './recount.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--repair');
if (unknown.length) {
  console.error(`Unknown argument: ${unknown.join(' ')}\nUsage: npm run stats:check [-- --repair]`);
  process.exit(2);
}
const config = loadConfigOrExit();
const database = await openCommandDatabase('stats:check', config);
try {
  const started = Date.now();
  const drift = await counterDrift(database.db);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (drift.total === 0) {
    console.log(`Statistics counters equal a recount from the dossiers (${secs} s).`);
  } else {
    console.error(`${drift.total} statistics counter(s) differ from a recount (${secs} s). The first ones:`);
    for (const d of drift.rows)
      console.error(
        `  ${d.grain} ${d.period} unit ${d.unitId} procedure ${d.procedureId} channel ${d.channel} ${d.measure}: kept ${d.kept}, recount ${d.expected}`,
      );
    if (args.includes('--repair')) {
      const rows = await rebuildCounters(database.db);
      const after = await counterDrift(database.db);
      console.log(`Repaired: ${rows} counter rows taken again from the dossiers; ${after.total} differ now.`);
      if (after.total) process.exitCode = 1;
    } else {
      console.error('Run `npm run stats:check -- --repair` to take them again from the dossiers.');
      process.exitCode = 1;
    }
  }
} finally {
  await database.close();
}
