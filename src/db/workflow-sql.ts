/**
 * The SQL that follows the workflow's statuses (src/dossiers/transitions.ts), written from the data:
 * the triggers that keep inbox_counts count only open statuses, and the partial inbox index covers
 * only them. The index is declared in the schema (drizzle-kit writes its migration); the triggers are
 * written here, as a migration, by `npm run db:workflow` (scripts/db-workflow.ts).
 * tests/workflow-definition.test.ts fails when the committed SQL differs from what the data gives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { OPEN_STATUSES_SQL } from '../dossiers/transitions.js';
import { readMigrations } from './migrate.js';

/** The first line of a migration written by `npm run db:workflow`. */
const WORKFLOW_MIGRATION_MARK =
  '-- motcua:workflow — written by `npm run db:workflow` from STATUSES in src/dossiers/transitions.ts; do not edit.';

/** The inbox index's predicate, as drizzle-kit writes it into the schema snapshot and the migration. */
export const inboxIndexPredicate = (open = OPEN_STATUSES_SQL) => `"dossiers"."status" in ${open}`;

const BREAK = '\n--> statement-breakpoint\n';

/**
 * The migration that (re)defines the counting triggers' functions for the open statuses and recounts
 * inbox_counts from the dossiers (a status that became open is counted, one that closed is dropped).
 * Statement-level, with transition tables: a bulk change is one aggregated upsert, taken in key order
 * so that two transactions cannot deadlock on the counter rows (docs/decisions/0008).
 */
export function inboxCountsMigration(open = OPEN_STATUSES_SQL): string {
  const counted = `status IN ${open} AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL`;
  const statements = [
    `${WORKFLOW_MIGRATION_MARK}
-- Open statuses: ${open}
-- No dossier may change while the functions are replaced and the counts are taken again.
LOCK TABLE "dossiers" IN SHARE ROW EXCLUSIVE MODE`,
    `CREATE OR REPLACE FUNCTION inbox_counts_after_insert() RETURNS trigger AS $$
BEGIN
  INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, count(*) FROM new_rows
  WHERE ${counted}
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, role, status) DO UPDATE SET n = inbox_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql`,
    `CREATE OR REPLACE FUNCTION inbox_counts_after_update() RETURNS trigger AS $$
BEGIN
  INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT unit_id, role, status, sum(d) FROM (
    SELECT current_unit_id AS unit_id, "current_role" AS role, status, 1 AS d FROM new_rows WHERE ${counted}
    UNION ALL
    SELECT current_unit_id, "current_role", status, -1 FROM old_rows WHERE ${counted}
  ) AS moves
  GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, role, status) DO UPDATE SET n = inbox_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql`,
    `CREATE OR REPLACE FUNCTION inbox_counts_after_delete() RETURNS trigger AS $$
BEGIN
  INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, -count(*) FROM old_rows
  WHERE ${counted}
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, role, status) DO UPDATE SET n = inbox_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql`,
    `DELETE FROM inbox_counts`,
    `INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, count(*)::int FROM "dossiers"
  WHERE ${counted}
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  ];
  return `${statements.join(`;${BREAK}`)};\n`;
}

/** The text of the latest committed migration written by `npm run db:workflow`, or null. */
export function latestWorkflowMigration(folder: string): string | null {
  const texts = readMigrations(folder).map((m) => fs.readFileSync(path.join(folder, `${m.tag}.sql`), 'utf8'));
  return texts.filter((t) => t.startsWith(WORKFLOW_MIGRATION_MARK)).at(-1) ?? null;
}
