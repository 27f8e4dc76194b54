/**
 * The administrator's procedure form (Quản trị → Thủ tục) as flat fields: what the page shows for a version, and the
 * shape saveProcedure's input takes back from the fields posted (steps.N.field → steps[N]). One mapping for the page
 * and for anything else that needs "the form as the page would fill it" (tests save a version unchanged but for one
 * field through it).
 */
import type { ProcedureDocument, procedureVersions } from '../db/schema/index.js';
import { declarationToText } from './declaration-form.js';
import { limitKindOf } from './time-limit.js';

export type ProcedureFormValues = Record<string, string>;
type Version = typeof procedureVersions.$inferSelect;

/** The form has six step rows; empty ones are dropped by the input's schema. */
export const STEP_ROWS = 6;

/** A document as the form's text writes it: one line, "(nếu có)" when not required. */
export const documentLine = (d: ProcedureDocument) => (d.required ? d.name : `${d.name} (nếu có)`);

/** The fields of the form filled in from a version of the procedure with this code. */
export function procedureFormValues(code: string, v: Version): ProcedureFormValues {
  return {
    code,
    name: v.name,
    sectorId: v.sectorId,
    unitId: v.unitIds[0] ?? '',
    limitKind: limitKindOf(v),
    limit: limitKindOf(v) === 'same_day' ? '' : String(v.workingHours ?? v.workingDays ?? ''),
    after1500NextDay: v.after1500NextDay ? '1' : '',
    fee: String(v.fee),
    feeNote: v.feeNote ?? '',
    resultName: v.resultName,
    resultWithoutDocument: v.resultWithoutDocument ?? '',
    onlineLevel: v.onlineLevel,
    documents: v.documents.map(documentLine).join('\n'),
    declaration: declarationToText(v.declaration),
    ...Object.fromEntries(
      v.steps.flatMap((st, i) => [
        [`steps.${i}.name`, st.name],
        [`steps.${i}.unitId`, st.unitId ?? ''],
        [`steps.${i}.role`, st.role],
        [`steps.${i}.share`, String(st.share)],
        [`steps.${i}.actions`, st.actions.join(',')],
      ]),
    ),
  };
}

/** Posted fields → the shape ProcedureInput parses. */
export function procedureInputOf(flat: ProcedureFormValues) {
  const steps = Array.from({ length: STEP_ROWS }, (_, i) => ({
    name: flat[`steps.${i}.name`] ?? '',
    unitId: flat[`steps.${i}.unitId`] ?? '',
    role: flat[`steps.${i}.role`] ?? '',
    share: flat[`steps.${i}.share`] ?? '',
    actions: flat[`steps.${i}.actions`] ?? '',
  }));
  return { ...flat, steps };
}
