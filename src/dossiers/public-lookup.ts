import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, procedureVersions, units } from '../db/schema/index.js';

/** "Võ Thị Hồng Nhung" → "Võ T. H. N.": enough for the applicant to recognise, not to identify. */
function maskName(name: string): string {
  const [first, ...rest] = name.split(' ').filter(Boolean);
  return [first, ...rest.map((w) => `${w[0]}.`)].join(' ');
}

/** Tra cứu hồ sơ: both the dossier code and the lookup code from the receipt must match. */
export async function lookupDossier(db: Queryable, code: string, lookupCode: string) {
  const c = code.trim().toUpperCase();
  const l = lookupCode.trim().toUpperCase().replace(/\s/g, '');
  if (!c || !l) return null;
  const [row] = await db
    .select({ d: dossiers, procedureName: procedureVersions.name, agencyName: units.name })
    .from(dossiers)
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .innerJoin(units, eq(units.id, dossiers.agencyUnitId))
    .where(and(eq(dossiers.code, c), eq(dossiers.lookupCode, l)));
  if (!row) return null;
  return {
    code: row.d.code,
    procedureName: row.procedureName,
    agencyName: row.agencyName,
    applicant: maskName(row.d.applicant.fullName),
    status: row.d.status,
    receivedAt: row.d.receivedAt,
    dueAt: row.d.dueAt,
    returnedAt: row.d.returnedAt,
  };
}
