/**
 * The public catalog (Danh sách thủ tục hành chính): the current version of each procedure, searched by
 * folded name and filtered by sector, implementing unit and online level, in pages of the catalog's order
 * (folded name, then id; keyset). One statement per page, each answered from an index on the current
 * versions (migration 0022; docs/decisions/0015-catalog-search.md).
 */
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { procedureVersions as pv, procedures, sectors } from '../db/schema/index.js';
import { queryRows } from '../db/client.js';
import { errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';
import { type CatalogCursor, type OnlineLevel, searchTerms, toTsQuery } from './catalog-query.js';

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

function conditions(f: CatalogFilter): SQL[] {
  const terms = searchTerms(f.q);
  const where: SQL[] = [eq(pv.current, true)];
  if (terms.length) where.push(sql`${nameWords} @@ to_tsquery('simple'::regconfig, ${toTsQuery(terms)})`);
  if (f.sectorId) where.push(eq(pv.sectorId, f.sectorId));
  if (f.unitId) where.push(sql`${pv.unitIds} @> ${JSON.stringify([f.unitId])}::jsonb`);
  if (f.onlineLevel) where.push(eq(pv.onlineLevel, f.onlineLevel));
  if (f.after) where.push(sql`(${pv.nameFolded}, ${pv.procedureId}) > (${f.after.name}, ${f.after.id}::uuid)`);
  return where;
}

/**
 * The one statement of a page (one row more than the page, to know whether another follows): the page's rows
 * are chosen on procedure_versions alone, narrow, then joined — a common word matches hundreds of procedures,
 * and joining or carrying documents for all of them before the limit cost more than the search (0015).
 * bench/catalog.ts explains it.
 */
export function catalogStatement(db: Queryable, f: CatalogFilter) {
  const page = db
    .select({ id: pv.id })
    .from(pv)
    .where(and(...conditions(f)))
    .orderBy(asc(pv.nameFolded), asc(pv.procedureId))
    .limit(f.limit + 1)
    .as('page');
  return db
    .select({ version: pv, code: procedures.code, sector: sectors.name })
    .from(page)
    .innerJoin(pv, eq(pv.id, page.id))
    .innerJoin(procedures, eq(procedures.id, pv.procedureId))
    .innerJoin(sectors, eq(sectors.id, pv.sectorId))
    .orderBy(asc(pv.nameFolded), asc(pv.procedureId));
}

/**
 * One page of the catalog: its entries (the shape presentProcedure takes) and where the next page starts,
 * null on the last page.
 */
export async function listCatalog(db: Queryable, f: CatalogFilter) {
  const rows = await catalogStatement(db, f);
  const items = rows.slice(0, f.limit);
  const last = items[items.length - 1];
  const next: CatalogCursor | null = rows.length > f.limit && last ? { name: last.version.nameFolded, id: last.version.procedureId } : null;
  return { items, next };
}
export type CatalogPage = Awaited<ReturnType<typeof listCatalog>>;

export type TemplateInfo = { id: string; fileName: string; size: number };

/**
 * A procedure's page: its current version with code, sector, the names of its implementing units and its
 * templates' file names, in one statement. Not found (404) for a malformed id, an unknown one, or a
 * procedure without a current version.
 */
export async function loadCatalogProcedure(db: Queryable, procedureId: string) {
  if (!isId(procedureId)) throw errors.notFound('Thủ tục hành chính');
  const [row] = await db
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
    .where(and(eq(pv.procedureId, procedureId), eq(pv.current, true)));
  if (!row) throw errors.notFound('Thủ tục hành chính');
  return row;
}

export type CatalogFilters = {
  sectors: Array<{ id: string; name: string }>;
  units: Array<{ id: string; name: string }>;
};

/** The filters' choices: sectors and implementing units that have a current procedure, by name. */
export async function catalogFilters(db: Queryable): Promise<CatalogFilters> {
  const [sectorRows, unitRows] = await Promise.all([
    queryRows<{ id: string; name: string }>(
      db,
      sql`select s.id, s.name from sectors s
          where exists (select 1 from procedure_versions pv where pv.sector_id = s.id and pv.current)
          order by s.name`,
    ),
    queryRows<{ id: string; name: string }>(
      db,
      sql`select u.id, u.name from units u
          where u.id in (select x::uuid from procedure_versions pv, jsonb_array_elements_text(pv.unit_ids) x where pv.current)
          order by u.name`,
    ),
  ]);
  return { sectors: sectorRows, units: unitRows };
}
