import { and, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { procedureVersions } from '../../src/db/schema/index.js';
import { receiveDossier } from '../../src/dossiers/receive-dossier.js';
import { systemActor, type StaffActor } from '../../src/shared/context.js';
import { isId } from '../../src/shared/validate.js';

type Input = { procedureId: string; channel?: string | number; documents?: unknown } & Record<string, unknown>;

/**
 * A dossier received at the counter, for tests about what comes after reception: receiveDossier with the checklist a
 * clerk ticks for a complete dossier — every required document of the procedure's current version, one original each —
 * unless the test gives its own `documents`. An online (channel 2) dossier is never an official's: it comes in as the
 * national portal's pull registers it (the system actor, no checklist), at the procedure's first unit.
 * Tests of the checklist itself call receiveDossier (tests/reception-checklist.test.ts).
 */
export async function receiveAtCounter(db: Db, actor: StaffActor, input: Input, now?: Date, scans?: Parameters<typeof receiveDossier>[4]) {
  if (String(input.channel ?? '').trim() === '2') return receiveDossier(db, systemActor('national-portal:test'), input, now, scans);
  if (input.documents !== undefined || !isId(input.procedureId)) return receiveDossier(db, actor, input, now, scans);
  const [version] = await db
    .select({ documents: procedureVersions.documents })
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, input.procedureId), eq(procedureVersions.current, true)));
  return receiveDossier(db, actor, { ...input, documents: completeChecklist(version?.documents ?? []) }, now, scans);
}

/** The checklist of a complete dossier at the counter (`documents` of the reception input): each required document, one original. */
export const completeChecklist = (documents: ReadonlyArray<{ required: boolean }>) =>
  documents.flatMap((d, index) => (d.required ? [{ index, originals: 1 }] : []));
