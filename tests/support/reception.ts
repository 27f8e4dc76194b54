import { and, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { procedureVersions } from '../../src/db/schema/index.js';
import { receiveDossier } from '../../src/dossiers/receive-dossier.js';
import type { StaffActor } from '../../src/shared/context.js';
import { isId } from '../../src/shared/validate.js';

type Input = { procedureId: string; channel?: string | number; documents?: unknown } & Record<string, unknown>;

/**
 * A dossier received at the counter, for tests about what comes after reception: receiveDossier with the checklist a
 * clerk ticks for a complete dossier — every required document of the procedure's current version, one original each —
 * unless the test gives its own `documents`. An online (channel 2) dossier has no counter checklist and gets none.
 * Tests of the checklist itself call receiveDossier (tests/reception-checklist.test.ts).
 */
export async function receiveAtCounter(db: Db, actor: StaffActor, input: Input, now?: Date, scans?: Parameters<typeof receiveDossier>[4]) {
  const online = String(input.channel ?? '').trim() === '2';
  if (input.documents !== undefined || online || !isId(input.procedureId)) return receiveDossier(db, actor, input, now, scans);
  const [version] = await db
    .select({ documents: procedureVersions.documents })
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, input.procedureId), eq(procedureVersions.current, true)));
  return receiveDossier(db, actor, { ...input, documents: completeChecklist(version?.documents ?? []) }, now, scans);
}

/** The checklist of a complete dossier at the counter (`documents` of the reception input): each required document, one original. */
export const completeChecklist = (documents: ReadonlyArray<{ required: boolean }>) =>
  documents.flatMap((d, index) => (d.required ? [{ index, originals: 1 }] : []));
