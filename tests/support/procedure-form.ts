/**
 * The administrator's procedure form (Quản trị → Thủ tục) filled in as the page fills it for the current version:
 * what saveProcedure receives when the administrator changes only what `over` says. `documents` may be given as the
 * version's documents rearranged (`change`) or as the form's text (in `over`).
 */
import type { ProcedureDocument, procedureVersions } from '../../src/db/schema/index.js';
import { procedureFormValues, procedureInputOf } from '../../src/procedures/procedure-form.js';

export { documentLine } from '../../src/procedures/procedure-form.js';

type Version = typeof procedureVersions.$inferSelect;

export function procedureForm(
  code: string,
  v: Version,
  over: Record<string, unknown> = {},
  change: (docs: ProcedureDocument[]) => ProcedureDocument[] = (docs) => docs,
) {
  return { ...procedureInputOf(procedureFormValues(code, { ...v, documents: change([...v.documents]) })), ...over };
}
