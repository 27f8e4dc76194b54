import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossiers, procedureVersions, sectors, units } from '../db/schema/index.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { capacityAtStep, mayViewDossier } from './access.js';
import { openActions } from './transitions.js';
import { dossierHistory } from './dossier-history.js';
import { extensionRefusal } from './extension-rule.js';
import { isId } from '../shared/validate.js';

/**
 * A dossier as an official sees it, if dossiers/access.ts lets them; everyone else is told it does not exist.
 */
export async function viewDossier(db: Queryable, actor: StaffActor, dossierId: string, now: Date) {
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  const [d] = await db.select().from(dossiers).where(eq(dossiers.id, dossierId));
  if (!d) throw errors.notFound('Hồ sơ');
  const [version] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
  if (!(await mayViewDossier(db, actor, d, version!.steps, now))) throw errors.notFound('Hồ sơ');
  const step = version!.steps[d.currentStep]!;
  // Acting on the delegator's behalf shows which delegation (the page says so next to the actions).
  const capacity = await capacityAtStep(db, actor, step, d, now);
  const history = await dossierHistory(db, d.id);
  const [agency] = await db.select().from(units).where(eq(units.id, d.agencyUnitId));
  const [sector] = await db.select().from(sectors).where(eq(sectors.id, version!.sectorId));
  return {
    dossier: d,
    version: version!,
    step,
    agency: agency!,
    sector: sector!,
    history,
    // Gia hạn only while it may be made (extension-rule.ts): offered, it would be refused.
    actions: capacity
      ? openActions(d.status, step).filter(
          (a) =>
            a !== 'extend' ||
            !extensionRefusal(
              d,
              history.some((h) => h.action === 'extend'),
              now,
            ),
        )
      : [],
    capacity,
  };
}
