import { and, asc, eq, gte, inArray, lt } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, procedureVersions, STATUS_LABELS, units } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { TIMELINESS_LABELS, timeliness } from '../calendar/deadlines.js';
import { ancestorIds } from '../org/tree.js';
import { mayReadRegister, registerDossierIds } from './access.js';
import { registerPdf } from './forms/index.js';
import { isId } from '../shared/validate.js';

/**
 * Mẫu 07 — Sổ theo dõi hồ sơ: the dossiers a receiving agency received in a period, for the officials
 * dossiers/access.ts lets read it — of those, the ones the reader sees (registerDossierIds): every row opens.
 */
export async function dossierRegisterPdf(db: Queryable, actor: StaffActor, agencyUnitId: string, from: Date, to: Date) {
  const rows = await dossierRegisterRows(db, actor, agencyUnitId, from, to);
  const chain = await ancestorIds(db, agencyUnitId);
  const [agency] = await db.select().from(units).where(eq(units.id, agencyUnitId));
  const [root] = chain.length
    ? await db
        .select()
        .from(units)
        .where(eq(units.id, chain[chain.length - 1]!))
    : [];
  const parent = chain[1] ? (await db.select().from(units).where(eq(units.id, chain[1])))[0] : undefined;
  return registerPdf({
    agency: { name: agency!.name, parentName: parent?.name ?? null, place: (root?.name ?? '').replace(/^(Tỉnh|Thành phố)\s+/i, '') },
    from,
    to: new Date(to.getTime() - 1),
    rows: rows.map(({ d, procedureName }) => ({
      code: d.code,
      procedureName,
      applicant: d.applicant.fullName,
      receivedAt: d.receivedAt,
      dueAt: d.dueAt,
      finishedAt: d.finishedAt,
      returnedAt: d.returnedAt,
      status: STATUS_LABELS[d.status],
      timeliness: d.finishedAt ? TIMELINESS_LABELS[timeliness(d.dueAt, d.finishedAt)] : '',
    })),
  });
}

/** The register's rows: of the agency's dossiers received in [from, to), those the reader sees; 404 for an agency they may not read. */
export async function dossierRegisterRows(db: Queryable, actor: StaffActor, agencyUnitId: string, from: Date, to: Date) {
  if (!isId(agencyUnitId)) throw errors.notFound('Đơn vị');
  if (!(await mayReadRegister(db, actor, agencyUnitId))) throw errors.notFound('Đơn vị');
  return db
    .select({ d: dossiers, procedureName: procedureVersions.name })
    .from(dossiers)
    .innerJoin(procedureVersions, eq(procedureVersions.id, dossiers.procedureVersionId))
    .where(
      and(
        eq(dossiers.agencyUnitId, agencyUnitId),
        gte(dossiers.receivedAt, from),
        lt(dossiers.receivedAt, to),
        inArray(dossiers.id, registerDossierIds(actor, agencyUnitId)),
      ),
    )
    .orderBy(asc(dossiers.receivedAt))
    .limit(20_000);
}
