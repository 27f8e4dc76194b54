-- motcua:no-transaction
-- The counters' reader (src/statistics/counters.ts) reads (grain, period) ranges filtered by unit and measure from this
-- index alone (docs/decisions/0025). Built without blocking the transitions that write the counters; safe to run again.
DROP INDEX CONCURRENTLY IF EXISTS "stats_counts_read_idx";
--> statement-breakpoint
CREATE INDEX CONCURRENTLY "stats_counts_read_idx" ON "stats_counts" USING btree ("grain","period","unit_id","measure","procedure_id","sector_id","channel","n");
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "stats_counts_unit_idx";
