import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { accounts, dossierEvents, dossiers, procedureVersions, roleGrants, sectors, units } from '../db/schema/index.js';
import type { Actor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { ancestorIds } from '../org/tree.js';
import { canActAtStep } from './policies.js';
import { openActions } from './transitions.js';
import { isId } from '../shared/validate.js';

/**
 * A dossier as an official sees it. Visible to officials with any role at the receiving agency or at
 * a unit of its process (or above them); everyone else is told it does not exist.
 */
export async function viewDossier(db: Queryable, actor: Actor, dossierId: string) {
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  const [d] = await db.select().from(dossiers).where(eq(dossiers.id, dossierId));
  if (!d) throw errors.notFound('Hồ sơ');
  const [version] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
  const related = new Set<string>();
  for (const u of [d.agencyUnitId, ...version!.steps.map((s) => s.unitId ?? d.agencyUnitId)]) for (const a of await ancestorIds(db, u)) related.add(a);
  const [grant] = await db
    .select({ id: roleGrants.id })
    .from(roleGrants)
    .innerJoin(accounts, eq(accounts.id, roleGrants.accountId))
    .where(and(eq(roleGrants.accountId, actor.accountId), inArray(roleGrants.unitId, [...related]), eq(accounts.suspended, false)))
    .limit(1);
  if (!grant) throw errors.notFound('Hồ sơ');
  const step = version!.steps[d.currentStep]!;
  const canAct = await canActAtStep(db, actor, step, d.agencyUnitId);
  const history = await db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id)).orderBy(asc(dossierEvents.id));
  const [agency] = await db.select().from(units).where(eq(units.id, d.agencyUnitId));
  const [sector] = await db.select().from(sectors).where(eq(sectors.id, version!.sectorId));
  return { dossier: d, version: version!, step, agency: agency!, sector: sector!, history, actions: canAct ? openActions(d.status, step) : [] };
}
