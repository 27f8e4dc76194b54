CREATE TABLE "stats_counts" (
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"unit_id" uuid NOT NULL,
	"procedure_id" uuid NOT NULL,
	"sector_id" uuid NOT NULL,
	"channel" smallint NOT NULL,
	"measure" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "stats_counts_grain_period_unit_id_procedure_id_sector_id_channel_measure_pk" PRIMARY KEY("grain","period","unit_id","procedure_id","sector_id","channel","measure")
);
--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "accepted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "supplement_requests" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "e_result" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dossiers" ADD COLUMN "paid_online" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "stats_counts_unit_idx" ON "stats_counts" USING btree ("unit_id","grain","period");--> statement-breakpoint
-- The statistics' counters (docs/decisions/0025-statistics-counters.md). No dossier may change while the flags are
-- backfilled and the counters taken for the first time.
LOCK TABLE "dossiers" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
-- The flags of the dossiers already there (before the triggers that keep them and count them exist).
UPDATE dossiers d SET
  accepted = d.status IN ('received', 'processing', 'payment', 'done', 'returned', 'rejected')
    OR EXISTS (SELECT 1 FROM dossier_events e WHERE e.dossier_id = d.id AND e.action IN ('accept', 'receive')),
  supplement_requests = (SELECT count(*) FROM dossier_events e WHERE e.dossier_id = d.id AND e.action = 'request_supplement'),
  e_result = EXISTS (SELECT 1 FROM dossier_files f WHERE f.dossier_id = d.id AND f.kind = 'result'),
  paid_online = EXISTS (SELECT 1 FROM payments p WHERE p.dossier_id = d.id AND p.status = 'paid');
--> statement-breakpoint
-- A moment's day in Vietnam (UTC+7 all year, no summer time): every statistics day is this one.
CREATE FUNCTION stats_local_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT ((t AT TIME ZONE 'UTC') + interval '7 hours')::date
$$;
--> statement-breakpoint
-- The flags the counters read, kept from the statuses so that no code path can forget them: accepted once the
-- dossier was received at the counter or accepted online (it never goes back), and one more supplement request each
-- time the dossier enters Yêu cầu bổ sung.
CREATE FUNCTION dossiers_stats_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.accepted := NEW.accepted OR NEW.status IN ('received', 'processing', 'payment', 'done', 'returned', 'rejected');
  IF TG_OP = 'UPDATE' THEN
    NEW.accepted := NEW.accepted OR OLD.accepted;
    IF NEW.status = 'supplement' AND OLD.status IS DISTINCT FROM 'supplement' THEN
      NEW.supplement_requests := OLD.supplement_requests + 1;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER dossiers_stats_flags_insert BEFORE INSERT ON dossiers FOR EACH ROW EXECUTE FUNCTION dossiers_stats_flags();
--> statement-breakpoint
CREATE TRIGGER dossiers_stats_flags_update BEFORE UPDATE ON dossiers FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.accepted IS DISTINCT FROM NEW.accepted)
  EXECUTE FUNCTION dossiers_stats_flags();
--> statement-breakpoint
-- An electronic result: a result file is attached (files are attached while processing, before the dossier settles).
CREATE FUNCTION dossiers_e_result_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.dossier_id ELSE NEW.dossier_id END;
BEGIN
  UPDATE dossiers d SET e_result = x.has
  FROM (SELECT EXISTS (SELECT 1 FROM dossier_files f WHERE f.dossier_id = target AND f.kind = 'result') AS has) x
  WHERE d.id = target AND d.e_result IS DISTINCT FROM x.has;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER dossier_files_e_result AFTER INSERT OR DELETE ON dossier_files FOR EACH ROW EXECUTE FUNCTION dossiers_e_result_sync();
--> statement-breakpoint
-- Paid online: a payment of the dossier is paid (every payment goes through the payment gateway).
CREATE FUNCTION dossiers_paid_online_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  target uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.dossier_id ELSE NEW.dossier_id END;
BEGIN
  UPDATE dossiers d SET paid_online = x.paid
  FROM (SELECT EXISTS (SELECT 1 FROM payments p WHERE p.dossier_id = target AND p.status = 'paid') AS paid) x
  WHERE d.id = target AND d.paid_online IS DISTINCT FROM x.paid;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER payments_paid_online AFTER INSERT OR UPDATE OF status OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION dossiers_paid_online_sync();
--> statement-breakpoint
-- What one dossier counts for, as (day, measure) — the one definition; src/statistics/measures.ts says the same in
-- words and the report reads these names. Received on its reception day, due on its due day, closed (settled,
-- withdrawn, stopped, refused after reception) on its finishing day; closed_m on the later of the finishing and due
-- days, closed_due on the due day (in progress and late at the end of a period: due before the end minus closed_m
-- before the end; today: due before today minus closed_due before today).
CREATE FUNCTION stats_dossier_facts(
  status text, accepted boolean, channel integer, received_at timestamptz, due_at timestamptz, finished_at timestamptz,
  supplement_requests integer, digitised boolean, e_result boolean, paid_online boolean, fee integer
) RETURNS TABLE (day date, measure text) LANGUAGE sql IMMUTABLE AS $$
  SELECT f.day, f.measure FROM (VALUES
    (accepted, stats_local_day(received_at), 'received'),
    (accepted AND digitised, stats_local_day(received_at), 'digitised'),
    (accepted AND channel = 2 AND e_result, stats_local_day(received_at), 'online_e_result'),
    (accepted AND fee > 0, stats_local_day(received_at), 'fee_due'),
    (accepted AND fee > 0 AND paid_online, stats_local_day(received_at), 'paid_online'),
    (accepted, stats_local_day(due_at), 'due'),
    (accepted AND finished_at IS NOT NULL, stats_local_day(finished_at), 'closed'),
    (accepted AND finished_at IS NOT NULL, greatest(stats_local_day(finished_at), stats_local_day(due_at)), 'closed_m'),
    (accepted AND finished_at IS NOT NULL, stats_local_day(due_at), 'closed_due'),
    (accepted AND finished_at IS NOT NULL AND status IN ('done', 'returned'), stats_local_day(finished_at),
      CASE WHEN finished_at > due_at THEN 'settled_late'
           WHEN stats_local_day(finished_at) < stats_local_day(due_at) THEN 'settled_early'
           ELSE 'settled_on_time' END),
    (accepted AND finished_at IS NOT NULL AND status IN ('done', 'returned') AND finished_at <= due_at AND supplement_requests <= 1,
      stats_local_day(finished_at), 'settled_nat_on_time'),
    (accepted AND finished_at IS NOT NULL AND status IN ('done', 'returned') AND e_result, stats_local_day(finished_at), 'settled_e_result'),
    (finished_at IS NOT NULL AND status = 'withdrawn', stats_local_day(finished_at), 'withdrawn'),
    (finished_at IS NOT NULL AND status = 'stopped', stats_local_day(finished_at), 'stopped'),
    (finished_at IS NOT NULL AND status IN ('refused', 'rejected'), stats_local_day(finished_at), 'refused')
  ) AS f(applies, day, measure)
  WHERE f.applies
$$;
--> statement-breakpoint
-- The key columns of a dossier's counters.
CREATE FUNCTION stats_zero_uuid() RETURNS uuid LANGUAGE sql IMMUTABLE AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;
--> statement-breakpoint
-- The counters a statement's dossiers add (new rows, +1) and take away (old rows, -1), at the three grains, in
-- primary-key order (two transactions adding to the same counters lock them in the same order). `SET LOCAL
-- motcua.stats_counts = 'off'` skips them: for bulk loads of history (scripts/seed-large.ts), which recount after.
CREATE FUNCTION stats_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT n.agency_unit_id AS unit_id, coalesce(n.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(n.sector_id, stats_zero_uuid()) AS sector_id,
      n.channel::smallint AS channel, f.measure, f.day, 1 AS d
    FROM new_rows n JOIN procedure_versions pv ON pv.id = n.procedure_version_id
    CROSS JOIN LATERAL stats_dossier_facts(n.status, n.accepted, n.channel, n.received_at, n.due_at, n.finished_at,
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee) AS f
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION stats_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT n.agency_unit_id AS unit_id, coalesce(n.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(n.sector_id, stats_zero_uuid()) AS sector_id,
      n.channel::smallint AS channel, f.measure, f.day, 1 AS d
    FROM new_rows n JOIN procedure_versions pv ON pv.id = n.procedure_version_id
    CROSS JOIN LATERAL stats_dossier_facts(n.status, n.accepted, n.channel, n.received_at, n.due_at, n.finished_at,
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee) AS f
    UNION ALL
    SELECT n.agency_unit_id AS unit_id, coalesce(n.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(n.sector_id, stats_zero_uuid()) AS sector_id,
      n.channel::smallint AS channel, f.measure, f.day, -1 AS d
    FROM old_rows n JOIN procedure_versions pv ON pv.id = n.procedure_version_id
    CROSS JOIN LATERAL stats_dossier_facts(n.status, n.accepted, n.channel, n.received_at, n.due_at, n.finished_at,
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee) AS f
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION stats_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT n.agency_unit_id AS unit_id, coalesce(n.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(n.sector_id, stats_zero_uuid()) AS sector_id,
      n.channel::smallint AS channel, f.measure, f.day, -1 AS d
    FROM old_rows n JOIN procedure_versions pv ON pv.id = n.procedure_version_id
    CROSS JOIN LATERAL stats_dossier_facts(n.status, n.accepted, n.channel, n.received_at, n.due_at, n.finished_at,
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee) AS f
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Requests to supplement are events (a dossier may have several), counted on the day of the request.
CREATE FUNCTION stats_supplements_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT d.agency_unit_id AS unit_id, coalesce(d.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(d.sector_id, stats_zero_uuid()) AS sector_id,
      d.channel::smallint AS channel, 'supplement' AS measure, stats_local_day(e.at) AS day, 1 AS d
    FROM new_rows e JOIN dossiers d ON d.id = e.dossier_id WHERE e.action = 'request_supplement'
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION stats_supplements_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT d.agency_unit_id AS unit_id, coalesce(d.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(d.sector_id, stats_zero_uuid()) AS sector_id,
      d.channel::smallint AS channel, 'supplement' AS measure, stats_local_day(e.at) AS day, -1 AS d
    FROM old_rows e JOIN dossiers d ON d.id = e.dossier_id WHERE e.action = 'request_supplement'
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Đánh giá mức độ hài lòng, counted on the day of the rating: every rating, and the dislikes (1 or 2 of 5).
CREATE FUNCTION stats_ratings_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT d.agency_unit_id AS unit_id, coalesce(d.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(d.sector_id, stats_zero_uuid()) AS sector_id,
      d.channel::smallint AS channel, m.measure, stats_local_day(r.at) AS day, 1 AS d
    FROM new_rows r JOIN dossiers d ON d.id = r.dossier_id
    CROSS JOIN LATERAL (VALUES ('rated', true), ('disliked', r.score <= 2)) AS m(measure, applies) WHERE m.applies
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION stats_ratings_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('motcua.stats_counts', true) = 'off' THEN
    RETURN NULL;
  END IF;
  INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int
  FROM (
    SELECT d.agency_unit_id AS unit_id, coalesce(d.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(d.sector_id, stats_zero_uuid()) AS sector_id,
      d.channel::smallint AS channel, m.measure, stats_local_day(r.at) AS day, -1 AS d
    FROM old_rows r JOIN dossiers d ON d.id = r.dossier_id
    CROSS JOIN LATERAL (VALUES ('rated', true), ('disliked', r.score <= 2)) AS m(measure, applies) WHERE m.applies
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER dossiers_stats_counts_insert AFTER INSERT ON dossiers REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_counts_after_insert();
--> statement-breakpoint
CREATE TRIGGER dossiers_stats_counts_update AFTER UPDATE ON dossiers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_counts_after_update();
--> statement-breakpoint
CREATE TRIGGER dossiers_stats_counts_delete AFTER DELETE ON dossiers REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_counts_after_delete();
--> statement-breakpoint
CREATE TRIGGER dossier_events_stats_insert AFTER INSERT ON dossier_events REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_supplements_after_insert();
--> statement-breakpoint
CREATE TRIGGER dossier_events_stats_delete AFTER DELETE ON dossier_events REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_supplements_after_delete();
--> statement-breakpoint
CREATE TRIGGER dossier_ratings_stats_insert AFTER INSERT ON dossier_ratings REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_ratings_after_insert();
--> statement-breakpoint
CREATE TRIGGER dossier_ratings_stats_delete AFTER DELETE ON dossier_ratings REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION stats_ratings_after_delete();
--> statement-breakpoint
-- What the counters must hold, recounted from the dossiers and their history: `npm run stats:check` compares, the
-- tests compare after every kind of transition, and `npm run stats:check -- --repair` writes it back.
CREATE VIEW stats_expected AS
  SELECT g.grain, g.period, x.unit_id, x.procedure_id, x.sector_id, x.channel, x.measure, sum(x.d)::int AS n
  FROM (
    SELECT n.agency_unit_id AS unit_id, coalesce(n.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(n.sector_id, stats_zero_uuid()) AS sector_id,
      n.channel::smallint AS channel, f.measure, f.day, 1 AS d
    FROM dossiers n JOIN procedure_versions pv ON pv.id = n.procedure_version_id
    CROSS JOIN LATERAL stats_dossier_facts(n.status, n.accepted, n.channel, n.received_at, n.due_at, n.finished_at,
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee) AS f
    UNION ALL
    SELECT d.agency_unit_id AS unit_id, coalesce(d.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(d.sector_id, stats_zero_uuid()) AS sector_id,
      d.channel::smallint AS channel, 'supplement' AS measure, stats_local_day(e.at) AS day, 1 AS d
    FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id WHERE e.action = 'request_supplement'
    UNION ALL
    SELECT d.agency_unit_id AS unit_id, coalesce(d.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(d.sector_id, stats_zero_uuid()) AS sector_id,
      d.channel::smallint AS channel, m.measure, stats_local_day(r.at) AS day, 1 AS d
    FROM dossier_ratings r JOIN dossiers d ON d.id = r.dossier_id
    CROSS JOIN LATERAL (VALUES ('rated', true), ('disliked', r.score <= 2)) AS m(measure, applies) WHERE m.applies
  ) AS x(unit_id, procedure_id, sector_id, channel, measure, day, d)
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7;
--> statement-breakpoint
INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT grain, period, unit_id, procedure_id, sector_id, channel, measure, n FROM stats_expected WHERE n <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7;
