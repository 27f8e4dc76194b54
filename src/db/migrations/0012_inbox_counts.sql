CREATE TABLE "inbox_counts" (
	"unit_id" uuid NOT NULL,
	"role" text NOT NULL,
	"status" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "inbox_counts_unit_id_role_status_pk" PRIMARY KEY("unit_id","role","status")
);
--> statement-breakpoint
-- Hand-written below: the triggers that keep inbox_counts. Statement-level, with transition tables,
-- so a bulk insert is one aggregated upsert; every upsert takes the counter rows in key order, so two
-- transactions moving dossiers in opposite directions cannot deadlock. Only open statuses count:
-- the same list as the inbox index's predicate and OPEN_STATUSES in src/dossiers/inbox.ts.
CREATE FUNCTION inbox_counts_after_insert() RETURNS trigger AS $$
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
CREATE FUNCTION inbox_counts_after_update() RETURNS trigger AS $$
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
CREATE FUNCTION inbox_counts_after_delete() RETURNS trigger AS $$
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
CREATE FUNCTION inbox_counts_after_truncate() RETURNS trigger AS $$
BEGIN
  DELETE FROM inbox_counts;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- No dossier may change while the triggers are created and the counts are taken.
LOCK TABLE "dossiers" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE TRIGGER dossiers_inbox_counts_insert AFTER INSERT ON "dossiers"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_counts_after_insert();
--> statement-breakpoint
CREATE TRIGGER dossiers_inbox_counts_update AFTER UPDATE ON "dossiers"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_counts_after_update();
--> statement-breakpoint
CREATE TRIGGER dossiers_inbox_counts_delete AFTER DELETE ON "dossiers"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION inbox_counts_after_delete();
--> statement-breakpoint
CREATE TRIGGER dossiers_inbox_counts_truncate AFTER TRUNCATE ON "dossiers"
  FOR EACH STATEMENT EXECUTE FUNCTION inbox_counts_after_truncate();
--> statement-breakpoint
INSERT INTO inbox_counts (unit_id, role, status, n)
  SELECT current_unit_id, "current_role", status, count(*)::int FROM "dossiers"
  WHERE status IN ('submitted','received','processing','supplement','done') AND current_unit_id IS NOT NULL AND "current_role" IS NOT NULL
  GROUP BY 1, 2, 3;
