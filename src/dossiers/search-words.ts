/**
 * The word index of a text search in the lists beside the inbox (dossiers/tracking.ts), so that a search few
 * dossiers match is found from the index instead of walking a list of hundreds of thousands of dossiers.
 *
 * The search itself stays the inbox's: `code like '%TERM%' or applicant_folded like '%term%'` (a substring, not
 * words). The index only narrows the rows that LIKE then checks, so it must never leave out a row LIKE would keep.
 * `dossier_search_words(code, applicant_folded)` (migration 0038, a GIN index over it) cuts the lower-cased code and
 * the folded applicant (name, identity number, phone) into runs of [a-z0-9] and stores each run whole ('nguyen')
 * and each of its proper suffixes of three characters or more, marked ('_guyen', '_uyen', '_yen'). A term is cut
 * the same way; a run of the term found inside the text is:
 * - between two separators of the term: a whole run of the text → 'run';
 * - at the term's end, after a separator: the start of a run → 'run':*;
 * - at the term's start, before a separator: the end of a run → 'run' | '_run';
 * - the whole term: anywhere in a run → 'run':* | '_run':*.
 * Runs of one or two characters that are not between separators are left out of the query (they match almost
 * every row; the LIKE still checks them), which is why short proper suffixes need not be stored. Core PostgreSQL
 * only (tsvector, GIN), so PGlite needs no extension (docs/decisions/0015 for why not pg_trgm).
 */
import { sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { foldVietnamese } from '../shared/text.js';

const RUN = /[a-z0-9]+/g;

/** The clauses of one LIKE pattern's text (without its %), all required; null when none narrows anything. */
function patternQuery(text: string): string | null {
  const clauses: string[] = [];
  for (const m of text.matchAll(RUN)) {
    const run = m[0];
    const afterSeparator = m.index > 0;
    const beforeSeparator = m.index + run.length < text.length;
    if (afterSeparator && beforeSeparator) clauses.push(`'${run}'`);
    else if (run.length < 3) continue;
    else if (afterSeparator) clauses.push(`'${run}':*`);
    else if (beforeSeparator) clauses.push(`('${run}' | '_${run}')`);
    else clauses.push(`('${run}':* | '_${run}':*)`);
  }
  return clauses.length > 0 ? clauses.join(' & ') : null;
}

/**
 * The tsquery (text, cast with ::tsquery) that every dossier the search `term` finds also matches: the code's
 * pattern (upper-cased, as the code is stored) or the folded applicant's. Null when either pattern has no run
 * long enough to narrow: then only the walk of the list finds the matches.
 */
export function searchWordsQuery(term: string): string | null {
  const patterns = new Set([term.toUpperCase().toLowerCase(), foldVietnamese(term)]);
  const queries: string[] = [];
  for (const pattern of patterns) {
    const q = patternQuery(pattern);
    if (q === null) return null;
    queries.push(`(${q})`);
  }
  return queries.join(' | ');
}

type Explained = { 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> };

/**
 * How many dossiers PostgreSQL's statistics say the word index lets through for `words` (searchWordsQuery): the
 * estimate of a plan made for this value (an unnamed statement is planned with its parameters), from the most
 * common lexemes ANALYZE keeps for the index's expression, prefixes included. Asked first because reading the
 * index costs in the matches of its commonest clause, which no LIMIT stops: 'nguyen' (a third of the dossiers)
 * took 1–3 s of the index alone, where walking the list finds a page of such a term in a few milliseconds.
 */
export async function estimatedHits(db: Queryable, words: string): Promise<number> {
  const [row] = await queryRows<Explained>(
    db,
    sql`explain (format json) select 1 from dossiers d where dossier_search_words(d.code, d.applicant_folded) @@ ${words}::tsquery`,
  );
  return row?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? Number.POSITIVE_INFINITY;
}
