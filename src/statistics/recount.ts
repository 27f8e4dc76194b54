/**
 * The kept counters against a recount from the dossiers (the view stats_expected of migration 0047, the same facts
 * the triggers add): `npm run stats:check` lists what differs and, with --repair, takes the counters again. Bulk loads
 * of history (scripts/seed-large.ts) switch the triggers off and take the counters once at the end.
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.js';

export type CounterDrift = {
  grain: string;
  period: string;
  unitId: string;
  procedureId: string;
  channel: number;
  measure: string;
  kept: number;
  expected: number;
};

/** The counters that differ from a recount (at most `limit`), and how many differ in all. */
export async function counterDrift(db: Db, limit = 50): Promise<{ total: number; rows: CounterDrift[] }> {
  const rows = await queryRows<{
    grain: string;
    period: string;
    unit_id: string;
    procedure_id: string;
    channel: number;
    measure: string;
    kept: number;
    expected: number;
    total: number;
  }>(
    db,
    sql`select coalesce(k.grain, e.grain) as grain, coalesce(k.period, e.period)::text as period,
          coalesce(k.unit_id, e.unit_id)::text as unit_id, coalesce(k.procedure_id, e.procedure_id)::text as procedure_id,
          coalesce(k.channel, e.channel)::int as channel, coalesce(k.measure, e.measure) as measure,
          coalesce(k.n, 0) as kept, coalesce(e.n, 0) as expected, count(*) over ()::int as total
        from (select * from stats_counts where n <> 0) k
        full join (select * from stats_expected where n <> 0) e
          on (k.grain, k.period, k.unit_id, k.procedure_id, k.sector_id, k.channel, k.measure)
           = (e.grain, e.period, e.unit_id, e.procedure_id, e.sector_id, e.channel, e.measure)
        where k.n is distinct from e.n
        order by 1, 2, 3, 4, 5, 6
        limit ${limit}`,
  );
  return {
    total: rows[0]?.total ?? 0,
    rows: rows.map((r) => ({
      grain: r.grain,
      period: r.period,
      unitId: r.unit_id,
      procedureId: r.procedure_id,
      channel: r.channel,
      measure: r.measure,
      kept: r.kept,
      expected: r.expected,
    })),
  };
}

/**
 * Takes the counters again from the dossiers, in one transaction that holds the dossiers still (no transition may
 * slip between the recount and the write). Returns the number of counter rows.
 */
export async function rebuildCounters(db: Db): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table dossiers, dossier_events, dossier_ratings in share row exclusive mode`);
    await tx.execute(sql`delete from stats_counts`);
    const [row] = await queryRows<{ n: number }>(
      tx,
      sql`with added as (
            insert into stats_counts (grain, period, unit_id, procedure_id, sector_id, channel, measure, n)
            select grain, period, unit_id, procedure_id, sector_id, channel, measure, n from stats_expected where n <> 0
            returning 1
          ) select count(*)::int as n from added`,
    );
    return row?.n ?? 0;
  });
}
