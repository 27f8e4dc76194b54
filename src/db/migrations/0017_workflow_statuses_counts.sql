-- motcua:workflow — written by `npm run db:workflow` from STATUSES in src/dossiers/transitions.ts; do not edit.
-- Open statuses: ('submitted','received','processing','supplement','done')
-- No dossier may change while the functions are replaced and the counts are taken again.
LOCK TABLE "dossiers" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION inbox_counts_after_insert() RETURNS trigger AS $$
BEGIN
  INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, count(*) FROM new_rows
  WHERE status IN ('submitted','received','processing','supplement','done') AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, role, status) DO UPDATE SET n = inbox_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION inbox_counts_after_update() RETURNS trigger AS $$
BEGIN
  INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT unit_id, role, status, sum(d) FROM (
    SELECT current_unit_id AS unit_id, "current_role" AS role, status, 1 AS d FROM new_rows WHERE status IN ('submitted','received','processing','supplement','done') AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL
    UNION ALL
    SELECT current_unit_id, "current_role", status, -1 FROM old_rows WHERE status IN ('submitted','received','processing','supplement','done') AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL
  ) AS moves
  GROUP BY 1, 2, 3 HAVING sum(d) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, role, status) DO UPDATE SET n = inbox_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION inbox_counts_after_delete() RETURNS trigger AS $$
BEGIN
  INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, -count(*) FROM old_rows
  WHERE status IN ('submitted','received','processing','supplement','done') AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (unit_id, role, status) DO UPDATE SET n = inbox_counts.n + excluded.n;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
DELETE FROM inbox_counts;
--> statement-breakpoint
INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, count(*)::int FROM "dossiers"
  WHERE status IN ('submitted','received','processing','supplement','done') AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
