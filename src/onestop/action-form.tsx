/**
 * The dossier page's workflow forms: one form per action (each carries `seen`, the latest history row the page
 * showed, so a stale form is told what happened: dossiers/moved-on.ts), the action the step expects first and
 * the others folded under "Thao tác khác"; Chuyển bước tiếp theo chooses who handles the next step, and a
 * leader's Phân công lại gives the current step to someone else (dossiers/assign-dossier.ts).
 */
import type { AssignmentChoices } from '../dossiers/assign-dossier.js';
import type { StepHolder } from '../dossiers/access.js';
import { ACTION_LABELS, actionAt, expectedAction, type ActionDef, type DossierAction } from '../dossiers/transitions.js';
import type { ProcessStep } from '../db/schema/index.js';
import { CsrfField } from '../web/layout.js';

const holderLabel = (h: StepHolder) => `${h.name}${h.position ? ` — ${h.position}` : ''}`;

function HolderSelect(p: { id: string; holders: StepHolder[]; selected: string | null }) {
  return (
    <select id={p.id} name="assignee">
      <option value="" selected={p.selected === null}>
        Để đơn vị phân công
      </option>
      {p.holders.map((h) => (
        <option value={h.id} selected={h.id === p.selected}>
          {holderLabel(h)}
        </option>
      ))}
    </select>
  );
}

/** An action form refused: what was posted in it and the messages of its fields. */
export type RefusedAction = { action: DossierAction; values: Record<string, string>; errors: Record<string, string> };

function ActionForm(p: {
  dossierId: string;
  action: DossierAction;
  /** The action as it works at the dossier's step (transitions.ts actionAt): its fields are the form's. */
  def: ActionDef;
  csrfToken: string;
  seen: number | null;
  assignment: AssignmentChoices;
  refused?: RefusedAction | undefined;
}) {
  const a = p.action;
  const def = p.def;
  const next = p.assignment.next;
  const kept = p.refused?.values ?? {};
  const errs = p.refused?.errors ?? {};
  // A field's message beside it, tied to it for screen readers; the first one refused gets the focus.
  const firstRefused = ['note', 'items', 'supplementScan', 'newDueDate'].find((f) => errs[f]);
  const field = (name: string) => ({
    ...(errs[name] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `err-${name}-${a}` } : {}),
    ...(name === firstRefused ? { autofocus: true } : {}),
  });
  const message = (name: string) =>
    errs[name] ? (
      <p class="field-error" id={`err-${name}-${a}`}>
        {errs[name]}
      </p>
    ) : null;
  return (
    <form
      method="post"
      action={`/tiepnhan/ho-so/${p.dossierId}/xu-ly`}
      class="action-form"
      data-action={a}
      id={`xu-ly-${a}`}
      {...(a === 'supplement_received' ? { enctype: 'multipart/form-data' } : {})}
    >
      <CsrfField token={p.csrfToken} />
      <input type="hidden" name="action" value={a} />
      {p.seen === null ? null : <input type="hidden" name="seen" value={String(p.seen)} />}
      <strong>{ACTION_LABELS[a]}</strong>
      {def.inputs.assignee && next ? (
        <>
          <label for={`assignee-${a}`}>Người xử lý bước tiếp theo</label>
          <HolderSelect id={`assignee-${a}`} holders={next.holders} selected={next.proposed} />
        </>
      ) : null}
      {def.inputs.note === 'required' ? (
        <>
          <label for={`note-${a}`}>Lý do / nội dung</label>
          <input id={`note-${a}`} name="note" value={kept.note ?? ''} required {...field('note')} />
          {message('note')}
        </>
      ) : (
        <>
          <label for={`note-${a}`}>Ghi chú</label>
          <input id={`note-${a}`} name="note" value={kept.note ?? ''} {...field('note')} />
          {message('note')}
        </>
      )}
      {def.inputs.items ? (
        <>
          <label for={`items-${a}`}>Giấy tờ cần bổ sung (mỗi dòng một mục)</label>
          <textarea id={`items-${a}`} name="items" rows={3} required {...field('items')}>
            {kept.items ?? ''}
          </textarea>
          {message('items')}
        </>
      ) : null}
      {a === 'supplement_received' ? (
        <>
          <label for={`supplementScan-${a}`}>Bản quét hồ sơ bổ sung (PDF hoặc ảnh, nếu có)</label>
          <input
            type="file"
            id={`supplementScan-${a}`}
            name="supplementScan"
            accept=".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
            {...field('supplementScan')}
          />
          {message('supplementScan')}
        </>
      ) : null}
      {def.inputs.newDueDate ? (
        <>
          <label for={`newDueDate-${a}`}>Ngày hẹn trả mới</label>
          <input
            id={`newDueDate-${a}`}
            name="newDueDate"
            placeholder="dd/mm/yyyy"
            inputmode="numeric"
            value={kept.newDueDate ?? ''}
            required
            {...field('newDueDate')}
          />
          {message('newDueDate')}
        </>
      ) : null}
      {def.inputs.returnChannel ? (
        <>
          <label for="returnChannel">Hình thức trả kết quả</label>
          <select id="returnChannel" name="returnChannel">
            <option value="1">Trực tiếp</option>
            <option value="3">Bưu chính công ích</option>
            <option value="2">Trực tuyến</option>
          </select>
        </>
      ) : null}
      <button type="submit" class={def.danger ? 'danger' : 'primary'}>
        {ACTION_LABELS[a]}
      </button>
    </form>
  );
}

/** The actions open to the official: the one the step expects first, the others under "Thao tác khác". */
export function ActionForms(p: {
  dossierId: string;
  actions: DossierAction[];
  status: Parameters<typeof expectedAction>[0];
  step: ProcessStep;
  /** The process and the dossier's place in it: Phê duyệt below the last approval level chooses the next step's holder. */
  steps: readonly ProcessStep[];
  at: number;
  csrfToken: string;
  seen: number | null;
  assignment: AssignmentChoices;
  refused?: RefusedAction | undefined;
}) {
  const first = expectedAction(p.status, p.step, p.actions);
  const others = p.actions.filter((a) => a !== first);
  const form = (a: DossierAction) => (
    <ActionForm
      dossierId={p.dossierId}
      action={a}
      def={actionAt(a, p.steps, p.at)}
      csrfToken={p.csrfToken}
      seen={p.seen}
      assignment={p.assignment}
      refused={p.refused?.action === a ? p.refused : undefined}
    />
  );
  // A refused form among the folded ones is shown unfolded, with what was typed in it.
  const unfold = p.refused !== undefined && others.includes(p.refused.action);
  return (
    <>
      {first ? <div class="actions">{form(first)}</div> : null}
      {others.length ? (
        first ? (
          <details class="more-actions" open={unfold}>
            <summary>Thao tác khác ({others.length})</summary>
            <div class="actions">{others.map(form)}</div>
          </details>
        ) : (
          <div class="actions">{others.map(form)}</div>
        )
      ) : null}
    </>
  );
}

/** Phân công lại, for a leader of the current step's unit. */
export function ReassignForm(p: {
  dossierId: string;
  csrfToken: string;
  seen: number | null;
  holders: StepHolder[];
  current: string | null;
}) {
  return (
    <form method="post" action={`/tiepnhan/ho-so/${p.dossierId}/phan-cong`} class="inline-form" id="reassign">
      <CsrfField token={p.csrfToken} />
      {p.seen === null ? null : <input type="hidden" name="seen" value={String(p.seen)} />}
      <label for="reassign-assignee">Người xử lý bước hiện tại</label>
      <HolderSelect id="reassign-assignee" holders={p.holders} selected={p.current} />
      <button type="submit">Phân công lại</button>
    </form>
  );
}
