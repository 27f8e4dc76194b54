/**
 * WHICH DOSSIERS ARE A CITIZEN'S — the one rule, read as sentences:
 * - A citizen sees the dossiers they submitted on the portal.
 * - A citizen sees the dossiers whose applicant carries the number their VNeID login proved: their CCCD (a
 *   person's account) or their tax code (an organisation's account). A number typed at the counter names the
 *   applicant; it is the VNeID login that proves the citizen is that applicant.
 * - Nothing else: another citizen's dossier answers exactly like a missing one.
 * The SQL condition that lists and counts and the check that opens one dossier are built here from the same parts.
 */
import { and, eq, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { citizens, dossiers } from '../db/schema/index.js';
import type { CitizenActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';

type CitizenRow = typeof citizens.$inferSelect;
export type Dossier = typeof dossiers.$inferSelect;

/**
 * The number a citizen's VNeID login proved: CCCD for a person, tax code for an organisation — at identification
 * level 2 only (verified in person). A level-1 account sees the dossiers it submitted, not every dossier that names
 * its number.
 */
export function provenNumber(citizen: Pick<CitizenRow, 'accountType' | 'cccd' | 'taxCode' | 'loa'>): string | null {
  if (citizen.loa < 2) return null;
  return (citizen.accountType === 2 ? citizen.taxCode : citizen.cccd) || null;
}

/** The SQL condition "this dossier is the citizen's", for lists and counts (indexes: dossiers_citizen_idx, dossiers_applicant_number_idx). */
export function citizenDossiersWhere(citizen: Pick<CitizenRow, 'id' | 'accountType' | 'cccd' | 'taxCode' | 'loa'>): SQL {
  return citizensCondition(citizen.id, provenNumber(citizen));
}

/**
 * The same condition for a prepared statement: the citizen's id and proven number as the placeholders `citizenId`
 * and `provenNumber` (citizenValues gives them); `withNumber` as provenNumber(citizen) !== null.
 */
export function citizenDossiersWherePrepared(withNumber: boolean): SQL {
  return citizensCondition(sql.placeholder('citizenId'), withNumber ? sql.placeholder('provenNumber') : null);
}

/** The placeholders' values of citizenDossiersWherePrepared for this citizen. */
export function citizenValues(citizen: Pick<CitizenRow, 'id' | 'accountType' | 'cccd' | 'taxCode' | 'loa'>) {
  return { citizenId: citizen.id, provenNumber: provenNumber(citizen) };
}

function citizensCondition(id: string | Placeholder, number: string | Placeholder | null): SQL {
  const own = eq(dossiers.citizenId, id);
  return (number !== null ? or(own, eq(dossiers.applicantIdNumber, number)) : own) ?? own;
}

async function citizenRow(db: Queryable, actor: CitizenActor): Promise<CitizenRow> {
  const [row] = await db.select().from(citizens).where(eq(citizens.id, actor.citizenId));
  if (!row) throw errors.notFound('Hồ sơ');
  return row;
}

/**
 * The dossier if it is the citizen's, else the not-found error (a malformed id, another citizen's id and a
 * missing id answer the same). With `forUpdate`, the row is locked for the caller's transaction.
 */
export async function requireCitizenDossier(db: Queryable, actor: CitizenActor, dossierId: string, forUpdate = false): Promise<Dossier> {
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  const citizen = await citizenRow(db, actor);
  const query = db
    .select()
    .from(dossiers)
    .where(and(eq(dossiers.id, dossierId), citizenDossiersWhere(citizen)));
  const [d] = forUpdate ? await query.for('update') : await query;
  if (!d) throw errors.notFound('Hồ sơ');
  return d;
}
