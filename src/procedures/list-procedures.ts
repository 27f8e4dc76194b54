import { asc, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { procedureVersions, procedures, sectors } from '../db/schema/index.js';

/** The catalog: the current version of every procedure, with its code and sector, by code. */
export async function listCurrentProcedures(db: Queryable) {
  return db
    .select({ version: procedureVersions, code: procedures.code, sector: sectors.name })
    .from(procedureVersions)
    .innerJoin(procedures, eq(procedures.id, procedureVersions.procedureId))
    .innerJoin(sectors, eq(sectors.id, procedureVersions.sectorId))
    .where(eq(procedureVersions.current, true))
    .orderBy(asc(procedures.code));
}
export type CatalogEntry = Awaited<ReturnType<typeof listCurrentProcedures>>[number];
