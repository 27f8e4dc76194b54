/**
 * `npm run db:workflow`: after a change of STATUSES (src/dossiers/transitions.ts), write the migrations
 * that follow it — drizzle-kit's for the inbox index's predicate (declared in the schema from the same
 * data), then ours for the inbox_counts triggers (src/db/workflow-sql.ts). Does nothing when the
 * committed SQL already matches. Run it holding the schema lock, like `npm run db:generate`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../src/db/client.js';
import { inboxCountsMigration, latestWorkflowMigration } from '../src/db/workflow-sql.js';
import { readMigrations } from '../src/db/migrate.js';

function main() {
  const name = process.argv[2] ?? 'workflow_statuses';
  // The index: drizzle-kit compares the schema (whose predicate comes from STATUSES) with its snapshot.
  execFileSync('npx', ['drizzle-kit', 'generate', '--name', name], { stdio: 'inherit' });
  const wanted = inboxCountsMigration();
  if (latestWorkflowMigration(MIGRATIONS_DIR) === wanted) {
    console.log('db:workflow: the inbox_counts triggers already match STATUSES.');
    return;
  }
  execFileSync('npx', ['drizzle-kit', 'generate', '--custom', '--name', `${name}_counts`], { stdio: 'inherit' });
  const last = readMigrations(MIGRATIONS_DIR).at(-1)!;
  const file = path.join(MIGRATIONS_DIR, `${last.tag}.sql`);
  fs.writeFileSync(file, wanted);
  console.log(`db:workflow: wrote ${path.relative(process.cwd(), file)}.`);
}

main();
