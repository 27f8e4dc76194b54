-- motcua:no-transaction
-- The word index of a text search in the lists beside the inbox (src/dossiers/search-words.ts, docs/decisions/0008
-- "A search that few dossiers match"): the runs of [a-z0-9] of the lower-cased code and of the folded applicant, each
-- whole and each proper suffix of three characters or more marked with '_'. Built CONCURRENTLY (minutes at a million
-- dossiers, writes go on); safe to run again (docs/decisions/0011).
CREATE OR REPLACE FUNCTION dossier_search_words(code text, folded text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select array_to_tsvector(array(
    select case when i = 1 then w else '_' || substr(w, i) end
    from unnest(regexp_split_to_array(lower(code) || ' ' || folded, '[^a-z0-9]+')) as w, generate_series(1, length(w) - 2) as i
    union
    select w from unnest(regexp_split_to_array(lower(code) || ' ' || folded, '[^a-z0-9]+')) as w where w <> ''))
$$;--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "dossiers_search_words_idx";--> statement-breakpoint
CREATE INDEX CONCURRENTLY "dossiers_search_words_idx" ON "dossiers" USING gin (dossier_search_words("code", "applicant_folded"));
