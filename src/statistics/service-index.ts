/**
 * Chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) for a unit's subtree and each of its report rows, over
 * a period — read from the kept counters (counters.ts), never by scanning dossiers. Each indicator carries its formula
 * in words, so the page prints what was computed. What the counters cannot know is said, not invented.
 *
 * How the groups' points are given to what the counters measure (QĐ 766 names the groups and thresholds, not this
 * split; a group whose measures we do not all have gives its points to the ones we have, evenly):
 * - Tiến độ, kết quả giải quyết, 20: on time as the national portal counts (finished by the due moment, which our
 *   clock stops move, and at most one supplement request) ÷ settled; points in proportion (no threshold below 100 %).
 * - Cung cấp dịch vụ trực tuyến, 22: 11 for online dossiers with an electronic result ÷ received (full at 50 %), 11 for
 *   fee dossiers paid online ÷ fee dossiers (full at 80 %). "Procedures offered online" is a catalogue figure, not a
 *   dossier one, and is left out rather than guessed.
 * - Số hóa hồ sơ, 22: 11 for digitised ÷ received, 11 for electronic results ÷ settled (each full at 80 %). Reuse of
 *   stored data (DuocLayTuKhoDMQG) is not recorded, so it is left out.
 * - Mức độ hài lòng, 18: 100 % − (% late + % disliked), in proportion. Late = settled late nationally + in progress
 *   past due, over settled + in progress; disliked = ratings of 1–2 of 5 over the period's ratings. Complaints
 *   (phản ánh, kiến nghị) have no channel yet: not subtracted, and the page says so.
 * - Công khai, minh bạch, 18: not measured (UNMEASURED says why); the total is out of the measured points (82).
 * An indicator with nothing to measure (no dossier in its denominator) has no points and is left out of the maximum.
 */
import type { Queryable } from '../db/client.js';
import type { StaffActor } from '../shared/context.js';
import { todayInVietnam } from '../shared/dates.js';
import { parseInput } from '../shared/validate.js';
import type { CounterSum, Measure } from './counters.js';
import type { DrillCell, Period } from './report-types.js';
import { readStatisticsScope } from './scope.js';
import { figuresOf, IN_PROGRESS_MEASURES, SituationInput, sumReportCounters, type Windows } from './situation-report.js';

/** The five groups of QĐ 766 and their points. */
export const SERVICE_GROUPS = {
  transparency: { name: 'Công khai, minh bạch', points: 18 },
  progress: { name: 'Tiến độ, kết quả giải quyết', points: 20 },
  online: { name: 'Cung cấp dịch vụ trực tuyến', points: 22 },
  digitisation: { name: 'Số hóa hồ sơ', points: 22 },
  satisfaction: { name: 'Mức độ hài lòng', points: 18 },
} as const;
type ServiceGroup = keyof typeof SERVICE_GROUPS;

/** A count in a formula; `cell` names the drill-down list of the dossiers it counts (when there is one). */
export type Term = { label: string; n: number; cell?: DrillCell };

export type Indicator = {
  key: IndicatorKey;
  group: ServiceGroup;
  name: string;
  /** The formula in words, as printed next to the indicator. */
  formula: string;
  numerator: Term;
  denominator: Term;
  /** A second share the rate is made of (satisfaction: the dislikes among the ratings). */
  second?: { numerator: Term; denominator: Term };
  /** The dossiers that cost points (the rest of the denominator; for satisfaction the late ones), for the drill-down. */
  causing: Term[];
  /** numerator ÷ denominator (satisfaction: 1 − it); null when the denominator is 0 (nothing to measure). */
  rate: number | null;
  /** The rate at which the points are full; below it, points = rate × maxPoints ÷ threshold. */
  threshold: number;
  maxPoints: number;
  points: number | null;
  /** What the figure leaves out, said on the page. */
  note?: string;
};

/** A group the counters cannot measure: shown with its reason, never scored. */
type Unmeasured = { group: ServiceGroup; name: string; maxPoints: number; reason: string };

export type IndexScore = {
  indicators: Indicator[];
  /** Sum of the points of the indicators that have a rate, out of the sum of their maximum points. */
  points: number;
  measuredMax: number;
};

type ServiceIndexRow = { key: string; label: string; score: IndexScore };

export type ServiceIndex = {
  unit: { id: string; name: string };
  period: Period;
  asOf: string;
  total: IndexScore;
  rows: ServiceIndexRow[];
  unmeasured: Unmeasured[];
  /** The total's indicators that lose points, the most points lost first. */
  losses: Array<{ key: IndicatorKey; name: string; lost: number }>;
};

type IndicatorKey = 'on_time' | 'online_e_result' | 'online_payment' | 'digitised' | 'e_result' | 'satisfaction';

/** Full when the rate reaches the threshold, else in proportion (QĐ 766: rate × points ÷ threshold). */
export function pointsFor(rate: number | null, threshold: number, maxPoints: number): number | null {
  if (rate === null) return null;
  return rate >= threshold ? maxPoints : (rate * maxPoints) / threshold;
}

const ratio = (num: number, den: number) => (den > 0 ? num / den : null);

/** An indicator whose rate is numerator ÷ denominator and whose cost is the rest of the denominator. */
function indicator(base: Omit<Indicator, 'rate' | 'points' | 'causing'> & { causing: Omit<Term, 'n'> }): Indicator {
  const rate = ratio(base.numerator.n, base.denominator.n);
  return {
    ...base,
    causing: [{ ...base.causing, n: base.denominator.n - base.numerator.n }],
    rate,
    points: pointsFor(rate, base.threshold, base.maxPoints),
  };
}

/** The counts one score is made of: the period's sums by measure, and the in-progress figures of the report. */
export type IndexCounts = {
  received: number;
  onlineEResult: number;
  digitised: number;
  feeDue: number;
  paidOnline: number;
  settled: number;
  settledNatOnTime: number;
  settledEResult: number;
  inProgress: number;
  inProgressLate: number;
  rated: number;
  disliked: number;
};

/** The counts of one group (or all) from the counters' sums; in progress as the situation report makes it. */
function countsOf(sums: Array<CounterSum<Windows>>, running: boolean): IndexCounts {
  const at = (measure: Measure) => sums.reduce((n, s) => (s.window === 'period' && s.measure === measure ? n + s.n : n), 0);
  const f = figuresOf(sums, running);
  return {
    received: at('received'),
    onlineEResult: at('online_e_result'),
    digitised: at('digitised'),
    feeDue: at('fee_due'),
    paidOnline: at('paid_online'),
    settled: f.settled.total,
    settledNatOnTime: at('settled_nat_on_time'),
    settledEResult: at('settled_e_result'),
    inProgress: f.inProgress.total,
    inProgressLate: f.inProgress.late,
    rated: at('rated'),
    disliked: at('disliked'),
  };
}

/**
 * 100 % − (% late + % with complaints or dislikes). Late: the settled ones late as the national portal counts and the
 * ones in progress past their due date, over both. Dislikes: the ratings of 1 or 2 of 5 among the period's ratings
 * (a dossier unrated says nothing either way). Complaints (phản ánh, kiến nghị) have no channel yet: not subtracted, said.
 */
function satisfaction(c: IndexCounts, natLate: number): Indicator {
  const late = natLate + c.inProgressLate;
  const lateShare = ratio(late, c.settled + c.inProgress);
  const dislikeShare = ratio(c.disliked, c.rated);
  const rate = lateShare === null && dislikeShare === null ? null : Math.max(0, 1 - (lateShare ?? 0) - (dislikeShare ?? 0));
  return {
    key: 'satisfaction',
    group: 'satisfaction',
    name: 'Mức độ hài lòng trong tiếp nhận, giải quyết',
    formula:
      '100% − (tỷ lệ hồ sơ trễ hạn + tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc không hài lòng). Tỷ lệ trễ hạn = (đã giải quyết trễ hạn theo cách tính quốc gia + đang giải quyết quá hạn, không tính hồ sơ tạm dừng tính hạn chờ bổ sung) ÷ (đã giải quyết + đang giải quyết); tỷ lệ không hài lòng = số đánh giá 1–2 sao ÷ số đánh giá trong kỳ.',
    numerator: { label: 'Trễ hạn (đã và đang giải quyết)', n: late },
    denominator: { label: 'Đã giải quyết và đang giải quyết', n: c.settled + c.inProgress },
    second: { numerator: { label: 'Đánh giá không hài lòng (1–2 sao)', n: c.disliked }, denominator: { label: 'Đánh giá', n: c.rated } },
    causing: [
      { label: 'Đã giải quyết trễ hạn (cách tính quốc gia)', n: natLate, cell: 'settled_nat_late' },
      { label: 'Đang giải quyết quá hạn', n: c.inProgressLate, cell: 'in_progress_late' },
      { label: 'Đánh giá không hài lòng', n: c.disliked },
    ],
    rate,
    threshold: 1,
    maxPoints: 18,
    points: pointsFor(rate, 1, 18),
    note: 'Chưa có kênh ghi nhận phản ánh, kiến nghị: điểm này trừ phần trễ hạn và phần đánh giá không hài lòng, chưa trừ phần phản ánh, kiến nghị.',
  };
}

/** The six measurable indicators and their points (pure: the tests give it counts). */
export function scoreOf(c: IndexCounts): IndexScore {
  const natLate = c.settled - c.settledNatOnTime;
  const indicators: Indicator[] = [
    indicator({
      key: 'on_time',
      group: 'progress',
      name: 'Tỷ lệ hồ sơ giải quyết đúng hạn (theo cách tính của Cổng DVC quốc gia)',
      formula:
        'Số hồ sơ giải quyết đúng hạn ÷ số hồ sơ đã giải quyết trong kỳ. Thời gian công dân bổ sung hồ sơ không tính; hồ sơ yêu cầu bổ sung quá 1 lần tính là trễ hạn.',
      numerator: { label: 'Đúng hạn (không quá 1 lần bổ sung)', n: c.settledNatOnTime },
      denominator: { label: 'Đã giải quyết', n: c.settled, cell: 'settled' },
      causing: { label: 'Trễ hạn theo cách tính quốc gia', cell: 'settled_nat_late' },
      threshold: 1,
      maxPoints: 20,
    }),
    indicator({
      key: 'online_e_result',
      group: 'online',
      name: 'Tỷ lệ hồ sơ trực tuyến có kết quả điện tử',
      formula: 'Số hồ sơ nộp trực tuyến có kết quả điện tử ÷ tổng số hồ sơ tiếp nhận trong kỳ. Đạt điểm tối đa khi ≥ 50%.',
      numerator: { label: 'Trực tuyến có kết quả điện tử', n: c.onlineEResult },
      denominator: { label: 'Tiếp nhận', n: c.received, cell: 'received' },
      causing: { label: 'Không phải trực tuyến có kết quả điện tử', cell: 'not_online_e_result' },
      threshold: 0.5,
      maxPoints: 11,
    }),
    indicator({
      key: 'online_payment',
      group: 'online',
      name: 'Tỷ lệ hồ sơ có phí, lệ phí được thanh toán trực tuyến',
      formula: 'Số hồ sơ có phí, lệ phí đã thanh toán trực tuyến ÷ số hồ sơ có phí, lệ phí tiếp nhận trong kỳ. Đạt điểm tối đa khi ≥ 80%.',
      numerator: { label: 'Thanh toán trực tuyến', n: c.paidOnline },
      denominator: { label: 'Có phí, lệ phí', n: c.feeDue },
      causing: { label: 'Có phí, chưa thanh toán trực tuyến', cell: 'fee_not_paid_online' },
      threshold: 0.8,
      maxPoints: 11,
    }),
    indicator({
      key: 'digitised',
      group: 'digitisation',
      name: 'Tỷ lệ hồ sơ được số hóa',
      formula: 'Số hồ sơ được số hóa thành phần hồ sơ ÷ tổng số hồ sơ tiếp nhận trong kỳ. Đạt điểm tối đa khi ≥ 80%.',
      numerator: { label: 'Được số hóa', n: c.digitised },
      denominator: { label: 'Tiếp nhận', n: c.received, cell: 'received' },
      causing: { label: 'Chưa số hóa', cell: 'not_digitised' },
      threshold: 0.8,
      maxPoints: 11,
    }),
    indicator({
      key: 'e_result',
      group: 'digitisation',
      name: 'Tỷ lệ kết quả giải quyết được số hóa (kết quả điện tử)',
      formula: 'Số hồ sơ đã giải quyết có kết quả điện tử ÷ số hồ sơ đã giải quyết trong kỳ. Đạt điểm tối đa khi ≥ 80%.',
      numerator: { label: 'Có kết quả điện tử', n: c.settledEResult },
      denominator: { label: 'Đã giải quyết', n: c.settled, cell: 'settled' },
      causing: { label: 'Đã giải quyết, không có kết quả điện tử', cell: 'settled_without_e_result' },
      threshold: 0.8,
      maxPoints: 11,
    }),
    satisfaction(c, natLate),
  ];
  const scored = indicators.filter((i) => i.points !== null);
  return {
    indicators,
    points: scored.reduce((s, i) => s + (i.points ?? 0), 0),
    measuredMax: scored.reduce((s, i) => s + i.maxPoints, 0),
  };
}

/** Công khai, minh bạch: about publishing procedures and dossier status, which no counter records. */
const UNMEASURED: Unmeasured[] = [
  {
    group: 'transparency',
    name: SERVICE_GROUPS.transparency.name,
    maxPoints: SERVICE_GROUPS.transparency.points,
    reason:
      'Chưa đo được: nhóm này chấm việc công khai thủ tục và đồng bộ trạng thái hồ sơ lên Cổng Dịch vụ công quốc gia. ' +
      'Số liệu đồng bộ nằm trong hàng đợi gửi trạng thái, không có trong bộ đếm thống kê; đếm từ đó cho một kỳ dài ' +
      'phải đọc gần như mọi bản ghi trạng thái của mọi hồ sơ, nên hệ thống không tính điểm nhóm này.',
  },
];

const MEASURES: Measure[] = [
  'received',
  'online_e_result',
  'digitised',
  'fee_due',
  'paid_online',
  'settled_early',
  'settled_on_time',
  'settled_late',
  'settled_nat_on_time',
  'settled_e_result',
  ...IN_PROGRESS_MEASURES,
  'rated',
  'disliked',
];

/** The index of a unit's subtree and of each report row, for an actor who reads its statistics (else not found). */
export async function readServiceIndex(db: Queryable, actor: StaffActor, raw: unknown, now: Date): Promise<ServiceIndex> {
  // The situation report's input (unit, from, to; a sector or procedure narrows the dossiers counted).
  const q = parseInput(SituationInput, raw);
  const scope = await readStatisticsScope(db, actor, q.unit);
  const asOf = todayInVietnam(now);
  // The situation report's windows, so in progress and late are the report's figures.
  const { running, sums } = await sumReportCounters(db, q, scope, asOf, 'unit', MEASURES);
  const byRow = new Map<string, Array<CounterSum<Windows>>>();
  for (const s of sums) byRow.set(s.group, [...(byRow.get(s.group) ?? []), s]);
  const total = scoreOf(countsOf(sums, running));
  return {
    unit: scope.unit,
    period: { from: q.from, to: q.to },
    asOf,
    total,
    rows: scope.rows.map((r) => ({ key: r.key, label: r.label, score: scoreOf(countsOf(byRow.get(r.key) ?? [], running)) })),
    unmeasured: UNMEASURED,
    losses: total.indicators
      .filter((i) => i.points !== null && i.points < i.maxPoints)
      .map((i) => ({ key: i.key, name: i.name, lost: i.maxPoints - (i.points ?? 0) }))
      .sort((a, b) => b.lost - a.lost),
  };
}
