import { date, index, integer, pgTable, primaryKey, smallint, text, uuid } from 'drizzle-orm/pg-core';

/**
 * The statistics' kept counters (issue 15, docs/decisions/0025-statistics-counters.md): how many dossiers of a
 * receiving agency and procedure, by channel, count in a measure on a day, a month and a year. Each dossier's facts
 * (stats_dossier_facts() in migrations 0047 and 0057: received on day r, due on day d, settled early on day c…) are added and
 * taken away by statement triggers on dossiers and dossier_events in the changing transaction, at the three grains at
 * once, so a period's sum reads at most a few years, months and days per (unit, procedure, channel, measure) however
 * many dossiers there are. Never written by the application; `npm run stats:check` recounts them from the dossiers.
 */
export const statsCounts = pgTable(
  'stats_counts',
  {
    /** 'y' a year, 'm' a month, 'd' a day; `period` is its first day. */
    grain: text('grain').$type<'y' | 'm' | 'd'>().notNull(),
    period: date('period', { mode: 'string' }).notNull(),
    unitId: uuid('unit_id').notNull(),
    procedureId: uuid('procedure_id').notNull(),
    /** The dossier's sector as received (a procedure's versions may change sector); the zero uuid for none. */
    sectorId: uuid('sector_id').notNull(),
    channel: smallint('channel').notNull(),
    measure: text('measure').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.grain, t.period, t.unitId, t.procedureId, t.sectorId, t.channel, t.measure] }),
    // sumCounters reads one (grain, period) range per piece of a window, filtered by unit and measure, from the index
    // alone: every column it reads trails the range (Drizzle has no INCLUDE). Measured: 11 ms instead of 45 ms for the
    // province's year to date (docs/decisions/0025).
    index('stats_counts_read_idx').on(t.grain, t.period, t.unitId, t.measure, t.procedureId, t.sectorId, t.channel, t.n),
  ],
);
