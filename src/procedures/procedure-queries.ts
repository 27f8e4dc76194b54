import { and, asc, desc, eq, like } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { procedureVersions, procedures, sectors } from '../db/schema/index.js';
import { escapeLike, foldVietnamese } from '../shared/text.js';

/** The sectors (lĩnh vực), by name: the choices of filters and forms. */
export function listSectors(db: Queryable) {
  return db.select({ id: sectors.id, name: sectors.name }).from(sectors).orderBy(asc(sectors.name));
}

/** The current version of every procedure as a choice (id, name, sector), by name. */
export function listProcedureChoices(db: Queryable) {
  return db
    .select({ id: procedureVersions.procedureId, name: procedureVersions.name, sectorId: procedureVersions.sectorId })
    .from(procedureVersions)
    .where(eq(procedureVersions.current, true))
    .orderBy(asc(procedureVersions.name));
}

/** Quản trị → Thủ tục hành chính: current versions whose name contains `q` (folded), by sector and name. */
export function searchProcedures(db: Queryable, q: string) {
  return db
    .select({
      id: procedures.id,
      code: procedures.code,
      name: procedureVersions.name,
      version: procedureVersions.version,
      sector: sectors.name,
      workingDays: procedureVersions.workingDays,
      workingHours: procedureVersions.workingHours,
    })
    .from(procedures)
    .innerJoin(procedureVersions, and(eq(procedureVersions.procedureId, procedures.id), eq(procedureVersions.current, true)))
    .innerJoin(sectors, eq(sectors.id, procedureVersions.sectorId))
    .where(q ? like(procedureVersions.nameFolded, `%${escapeLike(foldVietnamese(q))}%`) : undefined)
    .orderBy(asc(sectors.name), asc(procedureVersions.name));
}

export type ProcedureVersion = typeof procedureVersions.$inferSelect;

/** A procedure with all its versions, newest first; undefined when there is no such procedure. */
export async function loadProcedureWithVersions(db: Queryable, procedureId: string) {
  const [procedure] = await db.select().from(procedures).where(eq(procedures.id, procedureId));
  if (!procedure) return undefined;
  const versions = await db
    .select()
    .from(procedureVersions)
    .where(eq(procedureVersions.procedureId, procedureId))
    .orderBy(desc(procedureVersions.version));
  return { procedure, versions };
}
