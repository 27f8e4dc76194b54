/**
 * The word index of the lists' text search (src/dossiers/search-words.ts, migration 0039) only narrows what LIKE
 * checks: whatever substring of a code or of a folded applicant is typed, the dossier must pass the index's query —
 * else a search from the index would miss a dossier the walk of the list finds. And the lists answer a search from
 * the index exactly as by LIKE, whatever list and term.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { searchWordsQuery } from '../src/dossiers/search-words.js';
import { listTracking, TRACKING_LISTS, type TrackingList } from '../src/dossiers/tracking.js';
import { foldVietnamese } from '../src/shared/text.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const NOW = vn('2026-11-25T09:00');
const SOON = vn('2026-11-26T09:00');

/** Every substring of `text` (trimmed as the lists trim a search) that the word index can narrow. */
function substrings(text: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < text.length; i++)
    for (let j = i + 1; j <= text.length; j++) {
      const term = text.slice(i, j).trim();
      if (term && searchWordsQuery(term)) out.add(term);
    }
  return [...out];
}

describe('the word index of the lists’ search', () => {
  it('lets through every dossier whose code or folded applicant holds the term, and cuts nothing typed into tsquery', async () => {
    const code = '000.00.31.H10-261125-0042';
    const folded = foldVietnamese('Nguyễn Thị Thu Hương 070193518274 0936-112-233');
    const terms = [...substrings(code), ...substrings(folded), "o'neil & huong | !thu", 'Đặng Văn Tường'];
    const pairs = terms.flatMap((term) => {
      const query = searchWordsQuery(term);
      return query ? [{ term, query }] : [];
    });
    const rows = await queryRows<{ term: string; ok: boolean }>(
      t.database.db,
      sql`select term, dossier_search_words(${code}, ${folded}) @@ query::tsquery as ok
          from jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as x(term text, query text)`,
    );
    const missed = rows.filter((r) => !r.ok && (code.includes(r.term.toUpperCase()) || folded.includes(foldVietnamese(r.term))));
    expect(missed).toEqual([]);
    expect(rows.length).toBeGreaterThan(500);
    // Runs of one or two characters are left to LIKE: too common to narrow anything.
    expect(searchWordsQuery('an')).toBeNull();
    expect(searchWordsQuery('H10-2611')).toBe(`(('h10' | '_h10') & '2611':*)`);
  });

  it('finds in every list what LIKE finds: a fragment inside a word, a code across its dots and dashes, a phone', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const liquor = (await currentProcedure(t.database, '2.000633')).p.id;
    const received = [];
    for (const [i, fullName] of ['Nguyễn Văn Thanh', 'Trần Thị Khánh', 'Lê Hoàng Oanh'].entries())
      received.push(
        await receiveAtCounter(t.database.db, clerk, { procedureId: liquor, channel: '1', fullName }, vn(`2026-11-1${i}T09:00`)),
      );
    const all = await queryRows<{ id: string; code: string; folded: string }>(
      t.database.db,
      sql`select id, code, applicant_folded as folded from dossiers`,
    );
    const code = received[1]!.code;
    const terms = ['an', 'anh', 'hanh', 'Khánh', 'van thanh', code.slice(-9), code.slice(4, 14), 'khong-co-ai'];
    for (const list of Object.keys(TRACKING_LISTS) as TrackingList[]) {
      const listed = new Set((await listTracking(t.database.db, clerk, list, { limit: 200 }, NOW, SOON)).rows.map((r) => r.id));
      for (const q of terms) {
        const like = all.filter((d) => listed.has(d.id) && (d.code.includes(q.toUpperCase()) || d.folded.includes(foldVietnamese(q))));
        const found = (await listTracking(t.database.db, clerk, list, { q }, NOW, SOON)).rows.map((r) => r.id);
        expect(new Set(found), `${list}, q=${q}`).toEqual(new Set(like.map((d) => d.id)));
      }
    }
  });
});
