import type { DossierStatus } from '../db/schema/index.js';
import type { DueState } from '../dossiers/list-query.js';
import { CLOCK_STOPPED_STATUS, isOpenStatus } from '../dossiers/transitions.js';

/** A named thing offered in a list (sector, procedure, agency). */
export type Option = { id: string; name: string };

const DUE_BADGES: Record<DueState, [cls: string, label: string]> = {
  'tam-dung': ['paused', 'Tạm dừng tính hạn'],
  'qua-han': ['warn', 'Quá hạn'],
  'sap-den-han': ['soon', 'Sắp đến hạn'],
  'con-han': ['ok', 'Còn hạn'],
};

/**
 * Còn hạn / Sắp đến hạn / Quá hạn, as the inbox and the dossier page colour a due date; Tạm dừng tính hạn while the
 * dossier waits for the applicant's supplement — its clock is stopped and the due date moves on by the pause when it
 * resumes (act-on-dossier.ts), so "sắp đến hạn" would be false alarm. The lists' Hạn xử lý filter reads the same
 * status (dossiers/list-query.ts), so a dossier is listed under the state its badge says. A dossier no longer open
 * (refused, stopped, withdrawn, returned…) has none: its due date is nobody's deadline any more, and the statistics
 * count it by how it ended, not as late — the lists, the inbox and the dossier page all read this one rule.
 */
export function dueStateOf(d: { dueAt: Date; status: DossierStatus }, now: Date, soon: Date): DueState | null {
  if (!isOpenStatus(d.status)) return null;
  if (d.status === CLOCK_STOPPED_STATUS) return 'tam-dung';
  if (d.dueAt < now) return 'qua-han';
  if (d.dueAt < soon) return 'sap-den-han';
  return 'con-han';
}

/** The badge of a due state (a row that decided its state already: memoized rows hold the state, not the clock). */
export function DueStateBadge(p: { state: DueState | null }) {
  if (p.state === null) return null;
  const [cls, label] = DUE_BADGES[p.state];
  return <span class={`badge ${cls}`}>{label}</span>;
}

/** The badge of a dossier's due date now (none once it is finished). */
export function DueBadge(p: { dueAt: Date; now: Date; soon: Date; status: DossierStatus }) {
  return <DueStateBadge state={dueStateOf(p, p.now, p.soon)} />;
}

/** A choice among named things (sectors, procedures, agencies), with a first blank option. */
export function OptionSelect(p: {
  id?: string;
  name: string;
  blank: string;
  options: Option[];
  selected: string | undefined;
  required?: boolean;
}) {
  return (
    <select id={p.id} name={p.name} required={p.required}>
      <option value="">{p.blank}</option>
      {p.options.map((o) => (
        <option value={o.id} selected={o.id === p.selected}>
          {o.name}
        </option>
      ))}
    </select>
  );
}
