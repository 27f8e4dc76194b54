/**
 * The administrator's procedure form (Quản trị → Thủ tục) filled in as the page fills it for the current version:
 * what saveProcedure receives when the administrator changes only what `over` says. `documents` may be given as the
 * version's documents rearranged (`change`) or as the form's text (in `over`).
 */
import type { ProcedureDocument, procedureVersions } from '../../src/db/schema/index.js';
import { declarationToText } from '../../src/procedures/declaration-form.js';

type Version = typeof procedureVersions.$inferSelect;

/** A document as the form's text writes it: one line, "(nếu có)" when not required. */
export const documentLine = (d: ProcedureDocument) => (d.required ? d.name : `${d.name} (nếu có)`);

export function procedureForm(
  code: string,
  v: Version,
  over: Record<string, unknown> = {},
  change: (docs: ProcedureDocument[]) => ProcedureDocument[] = (docs) => docs,
) {
  return {
    code,
    name: v.name,
    sectorId: v.sectorId,
    unitId: v.unitIds[0],
    limitKind: v.workingHours ? 'hours' : 'days',
    limit: String(v.workingHours ?? v.workingDays),
    after1500NextDay: v.after1500NextDay ? '1' : '',
    fee: String(v.fee),
    feeNote: v.feeNote ?? '',
    resultName: v.resultName,
    resultWithoutDocument: v.resultWithoutDocument ?? '',
    onlineLevel: v.onlineLevel,
    documents: change([...v.documents])
      .map(documentLine)
      .join('\n'),
    declaration: declarationToText(v.declaration),
    steps: v.steps.map((s) => ({ name: s.name, unitId: s.unitId ?? '', role: s.role, share: String(s.share) })),
    ...over,
  };
}
