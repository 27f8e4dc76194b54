/**
 * WHICH DOSSIERS ARE A CITIZEN'S — the one rule, read as sentences:
 * - A citizen sees the dossiers they submitted on the portal.
 * - A citizen sees the dossiers whose applicant carries the number their VNeID login proved, of the same kind: their
 *   CCCD (a person's account) or their tax code (an organisation's account). A number typed at the counter names the
 *   applicant; it is the VNeID login that proves the citizen is that applicant.
 * - The kind is part of the number: since 7/2025 a household business's tax code is its owner's CCCD, the same 12
 *   digits. An organisation's account (used by its staff) does not see the owner's dossiers, nor the owner the
 *   organisation's.
 * - Nothing else: another citizen's dossier answers exactly like a missing one.
 * The SQL condition that lists and counts and the check that opens one dossier are built here from the same parts, and
 * the number and kind a submission writes (provenIdentity) are the ones they match.
 */
import { and, eq, or, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { citizens, dossiers, type ApplicantIdKind } from '../db/schema/index.js';
import type { CitizenActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';

type CitizenRow = typeof citizens.$inferSelect;
export type Dossier = typeof dossiers.$inferSelect;

type Facts = Pick<CitizenRow, 'id' | 'accountType' | 'cccd' | 'taxCode' | 'loa'>;

/** A number a VNeID login proved and which kind it is: what a dossier's applicant_id_number and applicant_id_kind hold. */
export type ProvenIdentity = { kind: ApplicantIdKind; number: string };

/**
 * The number a citizen's VNeID login proved, with its kind: CCCD for a person, tax code for an organisation — at
 * identification level 2 only (verified in person). A level-1 account sees the dossiers it submitted, not every
 * dossier that names its number. Nộp hồ sơ writes this pair; the rule below matches it.
 */
export function provenIdentity(citizen: Pick<CitizenRow, 'accountType' | 'cccd' | 'taxCode' | 'loa'>): ProvenIdentity | null {
  if (citizen.loa < 2) return null;
  const organisation = citizen.accountType === 2;
  const number = (organisation ? citizen.taxCode : citizen.cccd) || null;
  return number === null ? null : { kind: organisation ? 'tax_code' : 'cccd', number };
}

/** The number alone of provenIdentity (null: none proved), e.g. to choose the shape of a prepared statement. */
export function provenNumber(citizen: Pick<CitizenRow, 'accountType' | 'cccd' | 'taxCode' | 'loa'>): string | null {
  return provenIdentity(citizen)?.number ?? null;
}

/** The SQL condition "this dossier is the citizen's", for lists and counts (indexes: dossiers_citizen_idx, dossiers_applicant_number_idx). */
export function citizenDossiersWhere(citizen: Facts): SQL {
  return citizensCondition(citizen.id, provenIdentity(citizen));
}

/**
 * The same condition for a prepared statement: the citizen's id, proven number and its kind as the placeholders
 * `citizenId`, `provenNumber` and `provenKind` (citizenValues gives them); `withNumber` as provenNumber(citizen) !== null.
 */
export function citizenDossiersWherePrepared(withNumber: boolean): SQL {
  return citizensCondition(
    sql.placeholder('citizenId'),
    withNumber ? { number: sql.placeholder('provenNumber'), kind: sql.placeholder('provenKind') } : null,
  );
}

/** The placeholders' values of citizenDossiersWherePrepared for this citizen. */
export function citizenValues(citizen: Facts) {
  const proven = provenIdentity(citizen);
  return { citizenId: citizen.id, provenNumber: proven?.number ?? null, provenKind: proven?.kind ?? null };
}

/**
 * Submitted by the citizen, or naming the number they proved as that kind. The kind is not in
 * dossiers_applicant_number_idx (applicant_id_number, created_at): the index finds the few rows of one number, and
 * the kind is a residual filter on them (EXPLAIN of the portal's list and counts: an index scan, or a BitmapOr of both
 * indexes, with applicant_id_kind under Filter).
 */
function citizensCondition(
  id: string | Placeholder,
  proven: { number: string | Placeholder; kind: ApplicantIdKind | Placeholder } | null,
): SQL {
  const own = eq(dossiers.citizenId, id);
  if (proven === null) return own;
  return or(own, and(eq(dossiers.applicantIdNumber, proven.number), eq(dossiers.applicantIdKind, proven.kind))) ?? own;
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
