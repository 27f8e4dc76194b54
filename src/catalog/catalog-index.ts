/**
 * The public catalog in memory: every current version offered (its receiving agency active and coded: `offered` in
 * list-catalog.ts), its list fields and the words of its folded name, loaded from the database once and kept until
 * the change feed says the catalog (or anything cached) changed — in this process or another one on the same
 * database (src/db/changes.ts, migration 0038; a unit made inactive is such a change). A page of /thu-tuc or of
 * GET /api/v1/procedures is chosen here without a database round trip: with a few thousand current procedures the
 * round trips and the statement cost more than the search (docs/decisions/0015-catalog-search.md, "Speed").
 *
 * The same answers as the SQL search (list-catalog.ts, the specification; tests/catalog-index.test.ts compares
 * both): the words of a name are PostgreSQL's own (`tsvector_to_array(to_tsvector('simple', name_folded))`,
 * read with the rows), every searched word must be one of them, the last one as a prefix; the order and the
 * keyset cursor compare the folded name by code point (`collate "C"`), then the procedure's id.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { ChangeFeed } from '../db/changes.js';
import { procedureVersions as pv, procedures, sectors } from '../db/schema/index.js';
import { type CatalogCursor, searchTerms } from './catalog-query.js';
import { type CatalogFilter, catalogFilters, offered } from './list-catalog.js';
import { type FilterOptions, filterOptions } from './filter-options.js';

function loadEntries(db: Db) {
  return db
    .select({
      versionId: pv.id,
      procedureId: pv.procedureId,
      name: pv.name,
      nameFolded: pv.nameFolded,
      workingDays: pv.workingDays,
      workingHours: pv.workingHours,
      fee: pv.fee,
      onlineLevel: pv.onlineLevel,
      sectorId: pv.sectorId,
      unitIds: pv.unitIds,
      code: procedures.code,
      sector: sectors.name,
      words: sql<string[]>`tsvector_to_array(to_tsvector('simple'::regconfig, ${pv.nameFolded}))`,
    })
    .from(pv)
    .innerJoin(procedures, eq(procedures.id, pv.procedureId))
    .innerJoin(sectors, eq(sectors.id, pv.sectorId))
    .where(and(sql`${pv.current}`, offered));
}

type CatalogEntry = Omit<Awaited<ReturnType<typeof loadEntries>>[number], 'words'> & { words: Set<string> };

/**
 * Code-point order, as PostgreSQL's "C" collation compares UTF-8 bytes. JavaScript's `<` compares UTF-16 code
 * units, which differs for characters above U+FFFF against U+E000–U+FFFF: surrogates are moved above those.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return shift(x) - shift(y);
  }
  return a.length - b.length;
}
const shift = (u: number) => (u >= 0xd800 ? (u >= 0xe000 ? u - 0x800 : u + 0x2000) : u);

/** Before (< 0), at (0) or after (> 0) a place in the catalog's order. Ids are lower-case uuids: text order is uuid order. */
const compareTo = (e: { nameFolded: string; procedureId: string }, c: CatalogCursor) =>
  compareCodePoints(e.nameFolded, c.name) || (e.procedureId < c.id ? -1 : e.procedureId > c.id ? 1 : 0);

type Snapshot = {
  /** In the catalog's order. */
  entries: CatalogEntry[];
  /** Each word: the positions of the entries whose name has it, ascending. */
  postings: Map<string, Int32Array>;
  /** Every word, sorted (words with a common prefix are next to each other). */
  words: string[];
  filters: FilterOptions;
};

async function loadSnapshot(db: Db): Promise<Snapshot> {
  const [rows, choices] = await Promise.all([loadEntries(db), catalogFilters(db)]);
  const entries: CatalogEntry[] = rows
    .map((r) => ({ ...r, words: new Set(r.words) }))
    .sort((a, b) => compareTo(a, { name: b.nameFolded, id: b.procedureId }));
  const lists = new Map<string, number[]>();
  entries.forEach((e, i) => {
    for (const w of e.words) {
      const list = lists.get(w);
      if (list) list.push(i);
      else lists.set(w, [i]);
    }
  });
  const postings = new Map([...lists].map(([w, list]) => [w, Int32Array.from(list)]));
  return { entries, postings, words: [...postings.keys()].sort(), filters: filterOptions(choices) };
}

/** The first position in `sorted` (ascending) at or after `from`. */
function lowerBound(sorted: ArrayLike<number>, from: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The entries whose name has a word beginning with `prefix`, as a mark per position. */
function prefixMarks(s: Snapshot, prefix: string): Uint8Array {
  const marks = new Uint8Array(s.entries.length);
  let lo = 0;
  let hi = s.words.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.words[mid]! < prefix) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < s.words.length && s.words[i]!.startsWith(prefix); i++) for (const p of s.postings.get(s.words[i]!)!) marks[p] = 1;
  return marks;
}

/** One page in the catalog's order: `limit` entries after the cursor, and where the next page starts. */
function page(s: Snapshot, f: CatalogFilter): { items: CatalogEntry[]; next: CatalogCursor | null } {
  const { entries } = s;
  // Where the page starts: the first entry after the cursor (binary search; the cursor need not be an entry).
  let start = 0;
  if (f.after) {
    const after = f.after;
    let hi = entries.length;
    while (start < hi) {
      const mid = (start + hi) >>> 1;
      if (compareTo(entries[mid]!, after) <= 0) start = mid + 1;
      else hi = mid;
    }
  }
  const terms = searchTerms(f.q);
  const whole = terms.slice(0, -1);
  const prefix = terms.at(-1);
  // The rarest whole word chooses the candidates; without one, every entry from the start is one.
  let candidates: ArrayLike<number> | null = null;
  for (const w of whole) {
    const list = s.postings.get(w);
    if (!list) return { items: [], next: null };
    if (!candidates || list.length < candidates.length) candidates = list;
  }
  const marks = prefix !== undefined ? prefixMarks(s, prefix) : null;
  const matches = (i: number) => {
    const e = entries[i]!;
    return (
      (!marks || marks[i] === 1) &&
      whole.every((w) => e.words.has(w)) &&
      (!f.sectorId || e.sectorId === f.sectorId) &&
      (!f.unitId || e.unitIds.includes(f.unitId)) &&
      (!f.onlineLevel || e.onlineLevel === f.onlineLevel)
    );
  };
  const found: CatalogEntry[] = [];
  if (candidates) {
    for (let k = lowerBound(candidates, start); k < candidates.length && found.length <= f.limit; k++)
      if (matches(candidates[k]!)) found.push(entries[candidates[k]!]!);
  } else {
    for (let i = start; i < entries.length && found.length <= f.limit; i++) if (matches(i)) found.push(entries[i]!);
  }
  const items = found.slice(0, f.limit);
  const last = items.at(-1);
  return { items, next: found.length > f.limit && last ? { name: last.nameFolded, id: last.procedureId } : null };
}

/**
 * When no name has every word searched (page() found nothing): the names with the most of those words — each whole,
 * the last one as a prefix, as page() reads them — under the same filters, in the catalog's order, at most `max`;
 * none when no name has two of them. A person types the name they know ("trich luc khai sinh"), not the
 * catalog's ("Đăng ký khai sinh"): an empty page is a dead end, the nearest names are a way on.
 */
function nearMatches(s: Snapshot, f: Omit<CatalogFilter, 'after' | 'limit'>, max: number): CatalogEntry[] {
  // A word typed twice counts once.
  const terms = [...new Set(searchTerms(f.q))];
  if (terms.length < 2) return [];
  const score = new Uint8Array(s.entries.length);
  terms.forEach((w, k) => {
    if (k === terms.length - 1) {
      const marks = prefixMarks(s, w);
      for (let i = 0; i < marks.length; i++) score[i]! += marks[i]!;
    } else for (const i of s.postings.get(w) ?? []) score[i]! += 1;
  });
  const allowed = (e: CatalogEntry) =>
    (!f.sectorId || e.sectorId === f.sectorId) &&
    (!f.unitId || e.unitIds.includes(f.unitId)) &&
    (!f.onlineLevel || e.onlineLevel === f.onlineLevel);
  let best = 0;
  s.entries.forEach((e, i) => {
    if (score[i]! > best && allowed(e)) best = score[i]!;
  });
  // One word in common is noise ("luc" finds "điện lực" for "trich luc"): two at least.
  if (best < 2) return [];
  return s.entries.filter((e, i) => score[i] === best && allowed(e)).slice(0, max);
}

export type CatalogPage = ReturnType<typeof page>;

/**
 * The catalog of one process: loaded on first use, dropped on any change the feed reports, and not trusted while
 * the feed is not live (each request then loads it again: slower, never stale).
 */
export class CatalogIndex {
  private generation = 0;
  private cached: { generation: number; snapshot: Promise<Snapshot> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly changes: ChangeFeed,
  ) {
    changes.subscribe(() => {
      this.generation++;
    });
  }

  private snapshot(): Promise<Snapshot> {
    const hit = this.cached;
    if (hit && hit.generation === this.generation && this.changes.isLive()) return hit.snapshot;
    const snapshot = loadSnapshot(this.db);
    const entry = { generation: this.generation, snapshot };
    this.cached = entry;
    // A failed load is not kept.
    snapshot.catch(() => {
      if (this.cached === entry) this.cached = null;
    });
    return snapshot;
  }

  /** A page of the catalog (the portal's 20, the API's `limit`). */
  async page(f: CatalogFilter): Promise<CatalogPage> {
    return page(await this.snapshot(), f);
  }

  /** The names nearest a search that found nothing (see nearMatches): the portal's page offers them. */
  async nearMatches(f: Omit<CatalogFilter, 'after' | 'limit'>, max: number): Promise<CatalogEntry[]> {
    return nearMatches(await this.snapshot(), f, max);
  }

  /** The filters' choices (sectors and units that have a current procedure), as rendered <option>s. */
  async filters(): Promise<FilterOptions> {
    return (await this.snapshot()).filters;
  }
}
