/**
 * The workflow as data — the one place that says which statuses a dossier has and what each action
 * does. Everything else reads it:
 * - the status column's type and the inbox index's predicate (src/db/schema/dossiers.ts),
 * - the inbox's tabs and its open-status literal (inbox.ts),
 * - the triggers that keep inbox_counts (a migration written from STATUSES by `npm run db:workflow`),
 * - applying an action (act-on-dossier.ts), the actions offered on a dossier (openActions),
 * - the forms a dossier has (dossier-forms.ts, the dossier page), the API's TrangThaiHoSo codes and labels.
 *
 * Adding a status is one entry in STATUSES, then `npm run db:workflow` (which generates the index and
 * trigger migrations); tests/workflow-definition.test.ts fails until that is done. Only
 * act-on-dossier.ts (and reception, which creates a dossier) changes a dossier's status.
 */
import type { ProcessStep } from '../db/schema/procedures.js';
import type { FormNumber } from './dossier-forms.js';

/** The inbox's tabs, in the order they are shown. */
const INBOX_TAB_LABELS = {
  'cho-tiep-nhan': 'Chờ tiếp nhận (trực tuyến)',
  'cho-xu-ly': 'Chờ xử lý',
  'bo-sung': 'Chờ bổ sung',
  'cho-tra': 'Chờ trả kết quả',
} as const;
export type InboxTab = keyof typeof INBOX_TAB_LABELS;

type StatusDef = {
  /** TrangThaiHoSo of the national portal (Cổng DVC quốc gia). */
  code: number;
  label: string;
  /**
   * The inbox tab an open dossier in this status waits in; null = closed (it waits for no one). Only
   * open statuses are in the inbox index and counted in inbox_counts.
   */
  tab: InboxTab | null;
};

/** Every status of a dossier. The order is the order of the SQL lists written from it. */
export const STATUSES = {
  submitted: { code: 1, label: 'Mới đăng ký', tab: 'cho-tiep-nhan' },
  received: { code: 2, label: 'Được tiếp nhận', tab: 'cho-xu-ly' },
  /** Refused at reception: an online dossier the desk does not accept (Mẫu 03). */
  refused: { code: 3, label: 'Không được tiếp nhận', tab: null },
  processing: { code: 4, label: 'Đang xử lý', tab: 'cho-xu-ly' },
  supplement: { code: 5, label: 'Yêu cầu bổ sung giấy tờ', tab: 'bo-sung' },
  payment: { code: 6, label: 'Yêu cầu thực hiện nghĩa vụ tài chính', tab: null },
  withdrawn: { code: 7, label: 'Công dân yêu cầu rút hồ sơ', tab: null },
  stopped: { code: 8, label: 'Dừng xử lý', tab: null },
  done: { code: 9, label: 'Đã xử lý xong', tab: 'cho-tra' },
  returned: { code: 10, label: 'Đã trả kết quả', tab: null },
  /**
   * Refused after reception: the dossier was received, then found not to meet the conditions (Mẫu 03, "từ chối
   * giải quyết"). The national portal has no code of its own for it: its processing ended without a result, which
   * TrangThaiHoSo calls 8 Dừng xử lý (docs/decisions/0018).
   */
  rejected: { code: 8, label: 'Không đủ điều kiện giải quyết', tab: null },
} as const satisfies Record<string, StatusDef>;
export type DossierStatus = keyof typeof STATUSES;

export const STATUS_KEYS = Object.keys(STATUSES) as [DossierStatus, ...DossierStatus[]];
const statusDef = (s: DossierStatus): StatusDef => STATUSES[s];

/** Each status's TrangThaiHoSo code and label (what the API and the pages show). */
export const DOSSIER_STATUSES = Object.fromEntries(STATUS_KEYS.map((s) => [s, statusDef(s).code])) as Record<DossierStatus, number>;
export const STATUS_LABELS = Object.fromEntries(STATUS_KEYS.map((s) => [s, statusDef(s).label])) as Record<DossierStatus, string>;
/** Open: waiting in an inbox tab for someone (a finished dossier's due date is no longer anyone's deadline). */
export const isOpenStatus = (s: DossierStatus): boolean => statusDef(s).tab !== null;

/** The statuses of open dossiers (those waiting in an inbox tab), in STATUSES order. */
export const OPEN_STATUSES: readonly DossierStatus[] = STATUS_KEYS.filter(isOpenStatus);

/**
 * The open statuses as a SQL list, `('submitted','received',…)`: the inbox index's predicate, the
 * inbox statement's literal and the counts triggers' filter are all this text, so that PostgreSQL can
 * prove a query implies the index predicate whatever the parameters (docs/decisions/0008).
 */
export const OPEN_STATUSES_SQL = `(${OPEN_STATUSES.map((s) => `'${s}'`).join(',')})`;

/** Each tab: its label and the statuses it shows. */
export const INBOX_TABS = Object.fromEntries(
  (Object.keys(INBOX_TAB_LABELS) as InboxTab[]).map((tab) => [
    tab,
    { label: INBOX_TAB_LABELS[tab], statuses: STATUS_KEYS.filter((s) => statusDef(s).tab === tab) },
  ]),
) as Record<InboxTab, { label: string; statuses: DossierStatus[] }>;
export const INBOX_TAB_KEYS = Object.keys(INBOX_TAB_LABELS) as [InboxTab, ...InboxTab[]];

type StepRole = ProcessStep['role'];

export type ActionDef = {
  label: string;
  /** Statuses in which the action is allowed. */
  from: readonly DossierStatus[];
  /** Step roles at which it is allowed (the actor must hold that role for the step). */
  roles: readonly StepRole[];
  /** The applicant may take it on the portal, on their own dossier (src/portal/citizen-dossiers.ts), at any step. */
  byApplicant?: true;
  /**
   * Where the dossier goes: the same step, the next or the previous one, or on to the result step
   * (there must be a step after this one; a process without a result step keeps the dossier where it is).
   */
  step: 'same' | 'next' | 'previous' | 'result';
  /**
   * The new status; null = unchanged; 'resume' = the status it had when the clock was stopped; a map = by the
   * status the dossier leaves (statusAfter).
   */
  to: DossierStatus | 'resume' | null | { readonly [from in DossierStatus]?: DossierStatus };
  /**
   * The clock: 'start' sets the reception time and the due dates (an online dossier accepted), 'stop'
   * stops it, 'resume' restarts it with the working time that was left, 'reschedule' sets a later
   * due date (newDueDate); null = unchanged.
   */
  clock: 'start' | 'stop' | 'resume' | 'reschedule' | null;
  /** Sets finishedAt: the dossier is settled (refused, stopped, approved). */
  finishes: boolean;
  /** The form (Mẫu) this action issues, printed from its history row; null = none. */
  form: FormNumber | null;
  /** What the official must give: a note (reason) required or optional, and the action's own fields. */
  inputs: { note: 'required' | 'optional'; items?: true; newDueDate?: true; returnChannel?: true; assignee?: true };
  /** The name under which a procedure's step lists it (ProcessStep.actions), if not its own. */
  listedAs?: string;
  /** Shown as a destructive action. */
  danger?: true;
  /**
   * What the action does instead at an approval step that another approval step follows (actionAt): a level of a
   * multi-level approval hands the dossier on rather than settling it.
   */
  belowLastApproval?: { step: 'next'; to: DossierStatus; finishes: false; inputs: ActionDef['inputs'] };
};

/** Every action of the internal workflow, in the order they are offered. */
export const ACTION_DEFS = {
  accept: {
    label: 'Tiếp nhận hồ sơ trực tuyến',
    from: ['submitted'],
    roles: ['reception'],
    step: 'same',
    to: 'received',
    clock: 'start',
    finishes: false,
    form: '01',
    inputs: { note: 'optional' },
  },
  handover: {
    label: 'Chuyển bước tiếp theo',
    from: ['received', 'processing'],
    roles: ['reception', 'processing'],
    step: 'next',
    to: 'processing',
    clock: null,
    finishes: false,
    form: null,
    inputs: { note: 'optional', assignee: true },
  },
  return: {
    label: 'Trả lại bước trước',
    from: ['processing'],
    roles: ['processing', 'approval'],
    step: 'previous',
    to: 'processing',
    clock: null,
    finishes: false,
    form: null,
    inputs: { note: 'required' },
  },
  request_supplement: {
    label: 'Yêu cầu bổ sung hồ sơ',
    from: ['submitted', 'received', 'processing'],
    roles: ['reception', 'processing'],
    step: 'same',
    to: 'supplement',
    clock: 'stop',
    finishes: false,
    form: '02',
    inputs: { note: 'required', items: true },
  },
  supplement_received: {
    label: 'Đã nhận hồ sơ bổ sung',
    from: ['supplement'],
    roles: ['reception', 'processing'],
    byApplicant: true,
    step: 'same',
    to: 'resume',
    clock: 'resume',
    finishes: false,
    form: null,
    inputs: { note: 'optional' },
    listedAs: 'request_supplement',
  },
  refuse: {
    label: 'Từ chối giải quyết',
    from: ['submitted', 'received', 'processing'],
    roles: ['reception', 'processing', 'approval'],
    step: 'same',
    // Not accepted at the desk (an online dossier), or not meeting the conditions once received.
    to: { submitted: 'refused', received: 'rejected', processing: 'rejected' },
    clock: null,
    finishes: true,
    form: '03',
    inputs: { note: 'required' },
    danger: true,
  },
  stop: {
    label: 'Dừng giải quyết',
    from: ['processing', 'supplement'],
    roles: ['processing', 'approval'],
    step: 'same',
    to: 'stopped',
    clock: null,
    finishes: true,
    form: '05',
    inputs: { note: 'required' },
    danger: true,
  },
  extend: {
    label: 'Gia hạn (xin lỗi, hẹn lại)',
    from: ['received', 'processing'],
    roles: ['processing', 'approval'],
    step: 'same',
    to: null,
    clock: 'reschedule',
    finishes: false,
    form: '04',
    inputs: { note: 'required', newDueDate: true },
  },
  approve: {
    label: 'Phê duyệt',
    from: ['processing'],
    roles: ['approval'],
    step: 'result',
    to: 'done',
    clock: null,
    finishes: true,
    form: null,
    inputs: { note: 'optional' },
    // Lãnh đạo phòng xem xét, trình Lãnh đạo Sở phê duyệt: below the last approval level, this level's approval moves
    // the dossier to the next step, still being processed, and may name who takes it there (decision 0006).
    belowLastApproval: { step: 'next', to: 'processing', finishes: false, inputs: { note: 'optional', assignee: true } },
  },
  withdraw: {
    label: 'Rút hồ sơ',
    from: ['submitted', 'received', 'processing', 'supplement'],
    roles: [],
    byApplicant: true,
    step: 'same',
    to: 'withdrawn',
    clock: null,
    finishes: true,
    form: null,
    inputs: { note: 'optional' },
    danger: true,
  },
  return_result: {
    label: 'Trả kết quả',
    from: ['done'],
    roles: ['result'],
    step: 'same',
    to: 'returned',
    clock: null,
    finishes: false,
    form: null,
    inputs: { note: 'optional', returnChannel: true },
  },
} as const satisfies Record<string, ActionDef>;
export type DossierAction = keyof typeof ACTION_DEFS;

/**
 * The status in which a dossier's legal clock is stopped: request_supplement (the action that stops it) leaves the
 * dossier there and supplement_received resumes it with the working time that was left, so meanwhile its due_at is
 * not a deadline. Such a dossier is neither Còn hạn, Sắp đến hạn nor Quá hạn but Tạm dừng tính hạn (the due badge,
 * the lists' Hạn xử lý filter).
 */
export const CLOCK_STOPPED_STATUS = ACTION_DEFS.request_supplement.to;

export const ACTIONS = Object.keys(ACTION_DEFS) as [DossierAction, ...DossierAction[]];
export const actionDef = (a: DossierAction): ActionDef => ACTION_DEFS[a];
export const ACTION_LABELS = Object.fromEntries(ACTIONS.map((a) => [a, actionDef(a).label])) as Record<DossierAction, string>;

/**
 * Đính kèm kết quả (attach-result.ts) changes no status, but where it is allowed is workflow too: while
 * the dossier is being processed, at a processing or approval step.
 */
const RESULT_FILES = { statuses: ['processing'], roles: ['processing', 'approval'] } as const satisfies {
  statuses: readonly DossierStatus[];
  roles: readonly StepRole[];
};
/** The roles of the steps where the result is recorded and attached (GET /api/v1/me offers those operations by them). */
export const RESULT_STEP_ROLES: readonly StepRole[] = RESULT_FILES.roles;
export function mayAttachResultAt(status: DossierStatus, step: ProcessStep): boolean {
  const rule: { statuses: readonly DossierStatus[]; roles: readonly StepRole[] } = RESULT_FILES;
  return rule.statuses.includes(status) && rule.roles.includes(step.role);
}

/** Whether an approval step follows step `at` of a process: an approval given at `at` is not the last level. */
export function laterApprovalStep(steps: readonly ProcessStep[], at: number): boolean {
  return steps.some((s, i) => i > at && s.role === 'approval');
}

/**
 * Which approval level step `at` is, of how many the process has (1 of 1 in the usual process). The history and the
 * audit row of a Phê duyệt keep it, so a first level's approval reads as that level's, not as the decision.
 */
export function approvalLevel(steps: readonly ProcessStep[], at: number): { level: number; of: number } {
  const levels = steps.flatMap((s, i) => (s.role === 'approval' ? [i] : []));
  return { level: levels.indexOf(at) + 1, of: levels.length };
}

/**
 * An action's definition at step `at` of a process: its own, or — Phê duyệt at an approval step another approval step
 * follows — that level's hand-over (ActionDef.belowLastApproval). Only the last approval level settles the dossier.
 */
export function actionAt(action: DossierAction, steps: readonly ProcessStep[], at: number): ActionDef {
  const def = actionDef(action);
  return def.belowLastApproval && laterApprovalStep(steps, at) ? { ...def, ...def.belowLastApproval } : def;
}

/**
 * Whether one of these open actions moves the dossier to the next step with the choice of who takes it there
 * (Chuyển bước tiếp theo; Phê duyệt below the last approval level): the dossier page then offers the next step's holders.
 */
export function choosesNextHolder(open: readonly DossierAction[], steps: readonly ProcessStep[], at: number): boolean {
  return open.some((a) => actionAt(a, steps, at).inputs.assignee === true);
}

/**
 * The status an action (as actionAt defines it there) leaves a dossier in when it leaves `from` ('resume' is read
 * from the history by the caller).
 */
export function statusAfter(def: ActionDef, from: DossierStatus): DossierStatus | 'resume' {
  const to = def.to;
  if (to === null) return from;
  if (typeof to === 'string') return to;
  return to[from] ?? from;
}

/** History rows written outside the workflow actions (reception, online submission, result files, the recorded result, assignment). */
const OTHER_EVENTS: Record<string, string> = {
  receive: 'Tiếp nhận hồ sơ',
  submit: 'Nộp hồ sơ trực tuyến',
  attach_result: 'Đính kèm kết quả',
  record_result: 'Ghi nhận kết quả',
  assign: 'Phân công xử lý',
  calendar_recompute: 'Tính lại hạn giải quyết',
};

/**
 * The label of a history row's action; given the row's data, a Phê duyệt of a multi-level approval names its level
 * ("Phê duyệt (cấp 1/2)": act-on-dossier.ts records approvalLevel / approvalLevels), so the officials' history and
 * Mẫu 06 tell a first level's approval from the decision.
 */
export function eventLabel(action: string, data?: Readonly<Record<string, unknown>>): string {
  const label = action in ACTION_DEFS ? ACTION_LABELS[action as DossierAction] : (OTHER_EVENTS[action] ?? action);
  const level = data?.approvalLevel;
  const of = data?.approvalLevels;
  return action === 'approve' && typeof level === 'number' && typeof of === 'number' && of > 1 ? `${label} (cấp ${level}/${of})` : label;
}

/** Whether the action is allowed on a dossier in this status at this step (the actor's role is checked apart). */
export function allowedAt(action: DossierAction, status: DossierStatus, step: ProcessStep): boolean {
  const def = actionDef(action);
  // The procedure's process may narrow what is allowed at a step (an empty list allows what the role allows).
  if (step.actions.length && !step.actions.includes(def.listedAs ?? action)) return false;
  return def.from.includes(status) && def.roles.includes(step.role);
}

/**
 * The names a step of this role may list in ProcessStep.actions to narrow what allowedAt lets through: a list holding
 * another name is not a narrowing of this role (saveProcedure resets it when a step's role changes).
 */
export function listableAt(role: ProcessStep['role']): ReadonlySet<string> {
  return new Set(ACTIONS.filter((a) => (actionDef(a).roles as readonly string[]).includes(role)).map((a) => actionDef(a).listedAs ?? a));
}

/** Whether the applicant may take the action on their dossier in this status. */
export function allowedForApplicant(action: DossierAction, status: DossierStatus): boolean {
  const def = actionDef(action);
  return def.byApplicant === true && def.from.includes(status);
}

/**
 * Of the actions open, the one the step expects of a dossier in this status (the dossier page offers it first):
 * accept an online dossier, take the supplement, approve at an approval step, return a result, else hand over.
 */
export function expectedAction(status: DossierStatus, step: ProcessStep, open: readonly DossierAction[]): DossierAction | null {
  const want: DossierAction =
    status === 'submitted'
      ? 'accept'
      : status === 'supplement'
        ? 'supplement_received'
        : status === 'done'
          ? 'return_result'
          : step.role === 'approval'
            ? 'approve'
            : 'handover';
  return open.includes(want) ? want : (open.find((a) => !actionDef(a).danger) ?? null);
}

/** The actions open on a dossier in this status at this step. */
export function openActions(status: DossierStatus, step: ProcessStep): DossierAction[] {
  return ACTIONS.filter((a) => allowedAt(a, status, step));
}

/** The action that issues a form (Mẫu 02–05), if one does. */
export function actionIssuing(form: FormNumber): DossierAction | null {
  return ACTIONS.find((a) => actionDef(a).form === form) ?? null;
}
