import type { DossierStatus } from '../db/schema/index.js';
import { CLOCK_STOPPED_STATUS } from '../dossiers/transitions.js';

/** A named thing offered in a list (sector, procedure, agency). */
export type Option = { id: string; name: string };

/**
 * Còn hạn / Sắp đến hạn / Quá hạn, as the inbox and the dossier page colour a due date; Tạm dừng tính hạn while the
 * dossier waits for the applicant's supplement — its clock is stopped and the due date moves on by the pause when it
 * resumes (act-on-dossier.ts), so "sắp đến hạn" would be false alarm. The lists' Hạn xử lý filter reads the same
 * status (dossiers/list-query.ts), so a dossier is listed under the state its badge says.
 */
export function DueBadge(p: { dueAt: Date; now: Date; soon: Date; status: DossierStatus }) {
  if (p.status === CLOCK_STOPPED_STATUS) return <span class="badge paused">Tạm dừng tính hạn</span>;
  if (p.dueAt < p.now) return <span class="badge warn">Quá hạn</span>;
  if (p.dueAt < p.soon) return <span class="badge soon">Sắp đến hạn</span>;
  return <span class="badge ok">Còn hạn</span>;
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
