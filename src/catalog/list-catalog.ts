/**
 * The public catalog's search in SQL (Danh sách thủ tục hành chính): the current version of each procedure,
 * searched by folded name and filtered by sector, implementing unit and online level, in pages of the catalog's
 * order (folded name by code point, then id; keyset). Pages are served from memory (catalog-index.ts); this is
 * the specification it is tested against, and what bench/catalog.ts measures of the database. Also the procedure
 * page, the API's whole versions and the filters' choices, read from the database (migration 0022;
 * docs/decisions/0015-catalog-search.md).
 */
import crypto from 'node:crypto';
import { and, asc, eq, fillPlaceholders, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { procedureVersions as pv, procedures, sectors } from '../db/schema/index.js';
import { queryRows } from '../db/client.js';
import { errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';
import { receivingAgencyReceives } from '../org/active-agency.js';
import type { CatalogIndex } from './catalog-index.js';
import { type CatalogCursor, ONLINE_LEVELS, type OnlineLevel, searchTerms, toTsQuery } from './catalog-query.js';

export type CatalogFilter = {
  q?: string;
  sectorId?: string;
  unitId?: string;
  onlineLevel?: OnlineLevel;
  after?: CatalogCursor;
  limit: number;
};

/** The folded name's words, as the search index holds them (the same expression as the index's). */
const nameWords = sql`to_tsvector('simple'::regconfig, ${pv.nameFolded})`;

/**
 * The catalog's order compares folded names by code point, whatever the database's collation: the in-memory
 * catalog (catalog-index.ts) gives exactly this order and these keyset pages.
 */
const byCodePoint = sql`${pv.nameFolded} collate "C"`;

/** A page's values, by placeholder name; a filter that is absent has none (it changes the statement's shape). */
function valuesOf(f: CatalogFilter): Record<string, string | number> {
  const v: Record<string, string | number> = { limit: f.limit + 1 };
  const terms = searchTerms(f.q);
  if (terms.length) v.words = toTsQuery(terms);
  if (f.sectorId) v.sectorId = f.sectorId;
  if (f.unitId) v.unitIds = JSON.stringify([f.unitId]);
  if (f.onlineLevel) v.onlineLevel = f.onlineLevel;
  if (f.after) {
    v.afterName = f.after.name;
    v.afterId = f.after.id;
  }
  return v;
}

/**
 * A current version is offered only while its receiving agency receives (active, with an agency code): reception refuses any
 * other (org/active-agency.ts).
 * The list, the in-memory catalog (catalog-index.ts), the procedure's page and the Cơ quan filter all say so.
 */
export const offered = receivingAgencyReceives(sql`${pv}`);

/** The conditions for the filters present, each value a placeholder (the statement is prepared once per shape). */
function conditions(has: Record<string, unknown>): SQL[] {
  const p = sql.placeholder;
  // Written out, not a parameter: the indexes are partial on `current`, and a generic plan must see it is true.
  const where: SQL[] = [sql`${pv.current}`, offered];
  if ('words' in has) where.push(sql`${nameWords} @@ to_tsquery('simple'::regconfig, ${p('words')})`);
  if ('sectorId' in has) where.push(sql`${pv.sectorId} = ${p('sectorId')}::uuid`);
  if ('unitIds' in has) where.push(sql`${pv.unitIds} @> ${p('unitIds')}::jsonb`);
  if ('onlineLevel' in has) where.push(sql`${pv.onlineLevel} = ${levelLiteral(has.onlineLevel)}`);
  if ('afterName' in has) where.push(sql`(${byCodePoint}, ${pv.procedureId}) > (${p('afterName')} collate "C", ${p('afterId')}::uuid)`);
  return where;
}

/**
 * The online level written into the SQL (one of two values; part of the statement's shape): as a parameter, its
 * generic plan looked dearer than a custom one and PostgreSQL planned every such view again.
 */
function levelLiteral(level: unknown): SQL {
  if (!ONLINE_LEVELS.includes(level as OnlineLevel)) throw new Error(`not an online level: ${String(level)}`);
  return sql.raw(`'${level as OnlineLevel}'`);
}

/** What a list page shows of an entry (and its place in the order, for the cursor): no documents, steps or form. */
const LIST_FIELDS = {
  procedureId: pv.procedureId,
  name: pv.name,
  nameFolded: pv.nameFolded,
  workingDays: pv.workingDays,
  workingHours: pv.workingHours,
  fee: pv.fee,
  onlineLevel: pv.onlineLevel,
  code: procedures.code,
  sector: sectors.name,
};

/**
 * The rows of a page (one more than the page, to know whether another follows), chosen on procedure_versions
 * alone, narrow, in the catalog's order; the statements below join only those — a common word matches hundreds
 * of procedures, and joining or carrying documents for all of them before the limit cost more than the search
 * (0015). `has` holds the filters present (valuesOf); the values are placeholders.
 */
function pageIds(db: Queryable, has: Record<string, unknown>, rows: 'placeholder' | 'written out') {
  return db
    .select({ id: pv.id })
    .from(pv)
    .where(and(...conditions(has)))
    .orderBy(asc(byCodePoint), asc(pv.procedureId))
    .limit(rows === 'placeholder' ? sql.placeholder('limit') : writtenOut(Number(has.limit)))
    .as('page');
}

/**
 * A row count written into the SQL. With `limit $n` a generic plan cannot know the page is 21 rows, so PostgreSQL
 * planned every view of a page without a search again (0.35–0.45 ms of planning for 0.2 ms of execution); the
 * list page's count is fixed, so those statements are generic. A search keeps `limit $n`: written out, its generic
 * plan (the search words unknown) cost the server twice the CPU of planning each search (bench/catalog.ts, SQL×20
 * db CPU 0.44–0.62 against 0.22–0.24 ms). Drizzle's dialect writes any SQL given as the limit
 * (`typeof limit === 'object'`); its type names only numbers and placeholders.
 */
const writtenOut = (rows: number) => sql.raw(String(Math.trunc(rows))) as unknown as number;

/** The list page's one statement: only what the list shows. */
function listStatement(db: Queryable, has: Record<string, unknown>) {
  const page = pageIds(db, has, 'words' in has ? 'placeholder' : 'written out'); // see writtenOut
  return db
    .select(LIST_FIELDS)
    .from(page)
    .innerJoin(pv, eq(pv.id, page.id))
    .innerJoin(procedures, eq(procedures.id, pv.procedureId))
    .innerJoin(sectors, eq(sectors.id, pv.sectorId))
    .orderBy(asc(byCodePoint), asc(pv.procedureId));
}

/** The list page's statement with its values filled in, for EXPLAIN (bench/catalog.ts). */
export function catalogStatement(db: Queryable, f: CatalogFilter): { sql: string; params: unknown[] } {
  const values = valuesOf(f);
  const q = listStatement(db, values).toSQL();
  return { sql: q.sql, params: fillPlaceholders(q.params, values) };
}

type Preparable<T> = { toSQL(): { sql: string }; prepare(name: string): { execute(values: Record<string, unknown>): Promise<T[]> } };
const prepared = new WeakMap<object, Map<string, { execute(values: Record<string, unknown>): Promise<unknown[]> }>>();

/**
 * Runs a statement built and prepared once per database and `shape` (the caller's key for everything that changes
 * its text): PostgreSQL plans it once per pooled connection, and Drizzle does not build the SQL on every page
 * view — each cost more than running it (0015, "Speed"). Named after its text; PGlite runs it unnamed.
 */
function runPrepared<T>(db: Queryable, shape: string, build: () => Preparable<T>, values: Record<string, unknown>): Promise<T[]> {
  let byShape = prepared.get(db);
  if (!byShape) {
    byShape = new Map();
    prepared.set(db, byShape);
  }
  let stmt = byShape.get(shape);
  if (!stmt) {
    const query = build();
    stmt = query.prepare(`mc_${crypto.createHash('sha1').update(query.toSQL().sql).digest('base64url').slice(0, 22)}`);
    byShape.set(shape, stmt);
  }
  return stmt.execute(values) as Promise<T[]>;
}

/** A page of the list: its statement's shape is which filters are present. */
function runPage(db: Queryable, f: CatalogFilter) {
  const values = valuesOf(f);
  // The online level and the row count are written into the statement, so they are part of its shape.
  const shape = `list:${Object.keys(values).join(',')}:${values.onlineLevel ?? ''}:${values.limit}`;
  return runPrepared(db, shape, () => listStatement(db, values), values);
}

/** A page's entries and where the next page starts (null on the last page), from its rows (one more than a page). */
function pageOf<T>(rows: T[], limit: number, cursorOf: (row: T) => CatalogCursor) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const next: CatalogCursor | null = rows.length > limit && last ? cursorOf(last) : null;
  return { items, next };
}

/**
 * One page of the catalog in SQL, what the list shows of each entry and where the next page starts: the
 * specification of CatalogIndex.page (tests/catalog-index.test.ts) and the database's share in bench/catalog.ts.
 */
export async function searchCatalogSql(db: Queryable, f: CatalogFilter) {
  const rows = await runPage(db, f);
  return pageOf(rows, f.limit, (r) => ({ name: r.nameFolded, id: r.procedureId }));
}

/**
 * One page of the API's list (GET /api/v1/procedures): chosen in memory, then the whole versions
 * (presentProcedure's shape) read by id, in the page's order.
 */
export async function listCatalog(db: Queryable, catalog: CatalogIndex, f: CatalogFilter) {
  const page = await catalog.page(f);
  return {
    items: await catalogVersions(
      db,
      page.items.map((e) => e.versionId),
    ),
    next: page.next,
  };
}

/** Versions by id, in that order. A version's content never changes once written (a save writes the next one). */
async function catalogVersions(db: Queryable, versionIds: string[]) {
  if (!versionIds.length) return [];
  const rows = await runPrepared(db, 'api-versions', () => versionsStatement(db), { ids: `{${versionIds.join(',')}}` });
  const byId = new Map(rows.map((r) => [r.version.id, r]));
  return versionIds.flatMap((id) => byId.get(id) ?? []);
}

function versionsStatement(db: Queryable) {
  return db
    .select({ version: pv, code: procedures.code, sector: sectors.name })
    .from(pv)
    .innerJoin(procedures, eq(procedures.id, pv.procedureId))
    .innerJoin(sectors, eq(sectors.id, pv.sectorId))
    .where(sql`${pv.id} = any(${sql.placeholder('ids')}::uuid[])`);
}

type TemplateInfo = { id: string; fileName: string; size: number };

/**
 * A procedure's page: its current version with code, sector, the names of its implementing units and its
 * templates' file names, in one statement. Not found (404) for a malformed id, an unknown one, or a
 * procedure without a current version.
 */
export async function loadCatalogProcedure(db: Queryable, procedureId: string) {
  if (!isId(procedureId)) throw errors.notFound('Thủ tục hành chính');
  const [row] = await runPrepared(db, 'procedure', () => procedureStatement(db), { id: procedureId });
  if (!row) throw errors.notFound('Thủ tục hành chính');
  return row;
}

function procedureStatement(db: Queryable) {
  return db
    .select({
      version: pv,
      code: procedures.code,
      sector: sectors.name,
      units: sql<string[]>`coalesce((select json_agg(u.name order by u.sort_order, u.name) from units u
        where u.id in (select x::uuid from jsonb_array_elements_text(${pv.unitIds}) x)), '[]'::json)`,
      templates: sql<TemplateInfo[]>`coalesce((select json_agg(json_build_object('id', t.id, 'fileName', t.file_name, 'size', t.size))
        from procedure_templates t
        where t.id in (select (d->>'template')::uuid from jsonb_array_elements(${pv.documents}) d where d->>'template' is not null)), '[]'::json)`,
    })
    .from(pv)
    .innerJoin(procedures, eq(procedures.id, pv.procedureId))
    .innerJoin(sectors, eq(sectors.id, pv.sectorId))
    .where(and(sql`${pv.procedureId} = ${sql.placeholder('id')}::uuid`, sql`${pv.current}`, offered));
}

export type CatalogFilters = {
  sectors: Array<{ id: string; name: string }>;
  units: Array<{ id: string; name: string }>;
};

/**
 * The filters' choices: sectors and active implementing units that have a current procedure the catalog offers
 * (its receiving agency active), by name.
 */
export async function catalogFilters(db: Queryable): Promise<CatalogFilters> {
  const [sectorRows, unitRows] = await Promise.all([
    queryRows<{ id: string; name: string }>(
      db,
      sql`select s.id, s.name from sectors s
          where exists (select 1 from procedure_versions pv where pv.sector_id = s.id and pv.current and ${receivingAgencyReceives(sql`pv`)})
          order by s.name`,
    ),
    queryRows<{ id: string; name: string }>(
      db,
      sql`select u.id, u.name from units u
          where u.active and u.id in (select x::uuid from procedure_versions pv, jsonb_array_elements_text(pv.unit_ids) x
            where pv.current and ${receivingAgencyReceives(sql`pv`)})
          order by u.name`,
    ),
  ]);
  return { sectors: sectorRows, units: unitRows };
}
