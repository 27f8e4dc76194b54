/**
 * The internal workflow as data: for each action, where it may happen (status, step role) and
 * where it leads. `act-on-dossier.ts` applies it; nothing else changes a dossier's status.
 */
import type { DossierStatus, ProcessStep } from '../db/schema/index.js';

export const ACTIONS = [
  'accept',
  'handover',
  'return',
  'request_supplement',
  'supplement_received',
  'refuse',
  'stop',
  'extend',
  'approve',
  'return_result',
] as const;
export type DossierAction = (typeof ACTIONS)[number];

export const ACTION_LABELS: Record<DossierAction, string> = {
  accept: 'Tiếp nhận hồ sơ trực tuyến',
  handover: 'Chuyển bước tiếp theo',
  return: 'Trả lại bước trước',
  request_supplement: 'Yêu cầu bổ sung hồ sơ',
  supplement_received: 'Đã nhận hồ sơ bổ sung',
  refuse: 'Từ chối giải quyết',
  stop: 'Dừng giải quyết',
  extend: 'Gia hạn (xin lỗi, hẹn lại)',
  approve: 'Phê duyệt',
  return_result: 'Trả kết quả',
};

export type Rule = {
  /** Statuses in which the action is allowed. */
  from: DossierStatus[];
  /** Step roles at which it is allowed (the actor must hold that role for the step). */
  roles: ProcessStep['role'][];
  /** Which step it moves to (relative), and the new status; null = unchanged. */
  move: -1 | 0 | 1;
  to: DossierStatus | null;
  /** A note (reason) is required. */
  needsNote: boolean;
};

export const RULES: Record<DossierAction, Rule> = {
  accept: { from: ['submitted'], roles: ['reception'], move: 0, to: 'received', needsNote: false },
  handover: { from: ['received', 'processing'], roles: ['reception', 'processing'], move: 1, to: 'processing', needsNote: false },
  return: { from: ['processing'], roles: ['processing', 'approval'], move: -1, to: 'processing', needsNote: true },
  request_supplement: { from: ['submitted', 'received', 'processing'], roles: ['reception', 'processing'], move: 0, to: 'supplement', needsNote: true },
  supplement_received: { from: ['supplement'], roles: ['reception', 'processing'], move: 0, to: null, needsNote: false },
  refuse: { from: ['submitted', 'received', 'processing'], roles: ['reception', 'processing', 'approval'], move: 0, to: 'refused', needsNote: true },
  stop: { from: ['processing', 'supplement'], roles: ['processing', 'approval'], move: 0, to: 'stopped', needsNote: true },
  extend: { from: ['received', 'processing'], roles: ['processing', 'approval'], move: 0, to: null, needsNote: true },
  approve: { from: ['processing'], roles: ['approval'], move: 1, to: 'done', needsNote: false },
  return_result: { from: ['done'], roles: ['result'], move: 0, to: 'returned', needsNote: false },
};

/** The actions open on a dossier in this status at a step with this role. */
export function openActions(status: DossierStatus, step: ProcessStep): DossierAction[] {
  return ACTIONS.filter((a) => {
    const r = RULES[a];
    const listed = a === 'supplement_received' ? 'request_supplement' : a;
    if (step.actions.length && !step.actions.includes(listed)) return false;
    // The approval step approves rather than hands over.
    return r.from.includes(status) && r.roles.includes(step.role) && !(a === 'handover' && step.role === 'approval');
  });
}
