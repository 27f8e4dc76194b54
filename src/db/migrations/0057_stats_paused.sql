-- The statistics count a dossier whose deadline clock is stopped (Yêu cầu bổ sung: status 'supplement', the
-- CLOCK_STOPPED_STATUS of src/dossiers/transitions.ts) as Tạm dừng tính hạn, never as in progress within or past its
-- deadline: its due date is not a deadline meanwhile (it moves on by the pause when the dossier resumes), as the
-- officials' lists and due badges already say (docs/decisions/0025). stats_dossier_facts() takes the moment the clock
-- stopped and adds three facts; the counters' triggers and the recount pass it. No dossier may change while the
-- definition changes and the new facts are counted for the dossiers already there.
LOCK TABLE "dossiers" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
DROP VIEW stats_expected;
--> statement-breakpoint
DROP FUNCTION stats_dossier_facts(text, boolean, integer, timestamptz, timestamptz, timestamptz, integer, boolean, boolean, boolean, integer);
--> statement-breakpoint
-- What one dossier counts for, as (day, measure) — the one definition (0047's, plus the paused facts). Received on its
-- reception day, due on its due day, closed (settled, withdrawn, stopped, refused after reception) on its finishing
-- day; closed_m on the later of the finishing and due days, closed_due on the due day (in progress and late at the end
-- of a period: due before the end minus closed_m before the end; today: due before today minus closed_due before
-- today). A dossier waiting for a supplement now is paused on the day its clock stopped (paused at the end of a period:
-- paused before the end — it has waited since), paused_due on its due day and paused_m on the later of the two: late
-- at the end takes away paused_m before the end, late today paused_due before today (today every waiting dossier is
-- paused, as in the lists). One stopped without a recorded moment counts as paused since its reception.
CREATE FUNCTION stats_dossier_facts(
  status text, accepted boolean, channel integer, received_at timestamptz, due_at timestamptz, finished_at timestamptz,
  supplement_requests integer, digitised boolean, e_result boolean, paid_online boolean, fee integer,
  clock_stopped_at timestamptz
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
    (accepted AND finished_at IS NULL AND status = 'supplement', stats_local_day(coalesce(clock_stopped_at, received_at)), 'paused'),
    (accepted AND finished_at IS NULL AND status = 'supplement', stats_local_day(due_at), 'paused_due'),
    (accepted AND finished_at IS NULL AND status = 'supplement',
      greatest(stats_local_day(coalesce(clock_stopped_at, received_at)), stats_local_day(due_at)), 'paused_m'),
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
-- The counters' triggers, unchanged but for the moment the clock stopped passed to the facts.
CREATE OR REPLACE FUNCTION stats_counts_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee, n.clock_stopped_at) AS f
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stats_counts_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
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
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee, n.clock_stopped_at) AS f
    UNION ALL
    SELECT n.agency_unit_id AS unit_id, coalesce(n.procedure_id, stats_zero_uuid()) AS procedure_id, coalesce(n.sector_id, stats_zero_uuid()) AS sector_id,
      n.channel::smallint AS channel, f.measure, f.day, -1 AS d
    FROM old_rows n JOIN procedure_versions pv ON pv.id = n.procedure_version_id
    CROSS JOIN LATERAL stats_dossier_facts(n.status, n.accepted, n.channel, n.received_at, n.due_at, n.finished_at,
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee, n.clock_stopped_at) AS f
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stats_counts_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
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
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee, n.clock_stopped_at) AS f
  ) AS x
  CROSS JOIN LATERAL (VALUES ('d', x.day), ('m', date_trunc('month', x.day)::date), ('y', date_trunc('year', x.day)::date)) AS g(grain, period)
  GROUP BY 1, 2, 3, 4, 5, 6, 7 HAVING sum(x.d) <> 0 ORDER BY 1, 2, 3, 4, 5, 6, 7
  ON CONFLICT (grain, period, unit_id, procedure_id, sector_id, channel, measure) DO UPDATE SET n = stats_counts.n + excluded.n;
  RETURN NULL;
END
$$;
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
      n.supplement_requests, n.digitised, n.e_result, n.paid_online, pv.fee, n.clock_stopped_at) AS f
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
-- The new facts of the dossiers already there (the other measures are unchanged).
INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT grain, period, unit_id, procedure_id, sector_id, channel, measure, n FROM stats_expected
  WHERE measure IN ('paused', 'paused_due', 'paused_m') AND n <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7;
