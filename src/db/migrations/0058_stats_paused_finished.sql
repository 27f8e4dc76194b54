-- A dossier stopped (Dừng xử lý) or withdrawn while it waited for a supplement was paused from the moment its clock
-- stopped until it finished: a period that ended meanwhile keeps counting it Tạm dừng tính hạn, not late by its
-- unmoved due date (0057 dropped its paused facts as it finished, so a past period's figures changed after the fact).
-- Such a dossier still holds clock_stopped_at (only supplement_received clears it) and is withdrawn or stopped: the
-- only ways out of 'supplement' besides resuming. Two more facts end the pause on the finishing day: paused_end
-- (paused at the end of a period: paused before the end minus paused_end before it) and paused_m_end (late at the
-- end: paused_m before the end minus paused_m_end before it). Same signature: the triggers and stats_expected stay.
LOCK TABLE "dossiers" IN SHARE ROW EXCLUSIVE MODE;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION stats_dossier_facts(
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
    (accepted AND ((finished_at IS NULL AND status = 'supplement')
        OR (finished_at IS NOT NULL AND status IN ('withdrawn', 'stopped') AND clock_stopped_at IS NOT NULL)),
      stats_local_day(coalesce(clock_stopped_at, received_at)), 'paused'),
    (accepted AND finished_at IS NOT NULL AND status IN ('withdrawn', 'stopped') AND clock_stopped_at IS NOT NULL,
      stats_local_day(finished_at), 'paused_end'),
    (accepted AND finished_at IS NULL AND status = 'supplement', stats_local_day(due_at), 'paused_due'),
    (accepted AND ((finished_at IS NULL AND status = 'supplement')
        OR (finished_at IS NOT NULL AND status IN ('withdrawn', 'stopped') AND clock_stopped_at IS NOT NULL)),
      greatest(stats_local_day(coalesce(clock_stopped_at, received_at)), stats_local_day(due_at)), 'paused_m'),
    (accepted AND finished_at IS NOT NULL AND status IN ('withdrawn', 'stopped') AND clock_stopped_at IS NOT NULL,
      greatest(stats_local_day(finished_at), stats_local_day(due_at)), 'paused_m_end'),
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
-- The paused facts of the dossiers already there, recounted.
DELETE FROM stats_counts WHERE measure IN ('paused', 'paused_due', 'paused_m', 'paused_end', 'paused_m_end');
--> statement-breakpoint
INSERT INTO stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
  SELECT grain, period, unit_id, procedure_id, sector_id, channel, measure, n FROM stats_expected
  WHERE measure IN ('paused', 'paused_due', 'paused_m', 'paused_end', 'paused_m_end') AND n <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7;
