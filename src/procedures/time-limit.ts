/**
 * A procedure's thời hạn giải quyết, in its three kinds, as one reading for every screen, the import and the deadline
 * arithmetic (calendar/deadlines.ts):
 * - N ngày làm việc (working_days = N > 0): due at the close of the Nth working day after the reception day;
 * - N giờ làm việc (working_hours = N): N hours of office time from reception;
 * - trong ngày làm việc (working_days = 0): due at the close of the (deemed) reception day — "received before 15:00,
 *   returned the same day" (chứng thực, for instance). Not 8 working hours: a dossier received at 09:00 is due at
 *   17:00 that day, not at 09:00 the next.
 */
export type LimitKind = 'days' | 'hours' | 'same_day';

type Limit = { workingDays: number | null; workingHours: number | null };

/**
 * How many hours a same-day procedure's steps may share (the steps' shares are in working hours): one legal working
 * day (Bộ luật Lao động: 8 hours). A step's due time is the internal guidance of its handler; the dossier's own due
 * time is the close of the day whatever the steps add up to.
 */
const SAME_DAY_STEP_HOURS = 8;

export function limitKindOf(v: Limit): LimitKind {
  if (v.workingHours != null && v.workingHours > 0) return 'hours';
  return v.workingDays === 0 ? 'same_day' : 'days';
}

/** The columns a kind and its number are stored in; a same-day limit has no number. */
export function limitColumns(kind: LimitKind, limit: number | undefined): Limit {
  if (kind === 'same_day') return { workingDays: 0, workingHours: null };
  if (kind === 'hours') return { workingDays: null, workingHours: limit ?? null };
  return { workingDays: limit == null ? null : Math.round(limit), workingHours: null };
}

/** What the steps' shares are counted in: working days for a limit in days, working hours otherwise. */
export const shareUnit = (kind: LimitKind): 'ngày' | 'giờ' => (kind === 'days' ? 'ngày' : 'giờ');

/** The most the steps' shares may add up to, in shareUnit. */
export const stepBudget = (kind: LimitKind, limit: number | undefined): number =>
  kind === 'same_day' ? SAME_DAY_STEP_HOURS : (limit ?? 0);

const number = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });

/** "15 ngày làm việc", "4 giờ làm việc", "Trong ngày làm việc", or "Không quy định". */
export function timeLimitText(v: Limit): string {
  const kind = limitKindOf(v);
  if (kind === 'same_day') return 'Trong ngày làm việc';
  if (kind === 'hours') return `${number.format(v.workingHours!)} giờ làm việc`;
  return v.workingDays == null ? 'Không quy định' : `${number.format(v.workingDays)} ngày làm việc`;
}
