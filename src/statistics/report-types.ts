/**
 * The shapes of the statistics reports: what src/statistics/situation-report.ts reads from the kept counters
 * (stats_counts, migration 0047) and what the pages, the charts and the exports render. Nothing here names an
 * applicant: the reports are aggregates (issue 15, "nobody sees the applicants' personal data").
 */

/** A report's rows: the units under the chosen one (each with its subtree), the sectors, or the procedures. */
export const GROUP_BY = { unit: 'Đơn vị', sector: 'Lĩnh vực', procedure: 'Thủ tục' } as const;
export type GroupBy = keyof typeof GROUP_BY;

/** A period of whole days in Asia/Ho_Chi_Minh, both ends included (yyyy-mm-dd). */
export type Period = { from: string; to: string };

/**
 * Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP) and the figures beside it, for one row or the total.
 * - received: Số hồ sơ nhận giải quyết — total = online + direct + carriedOver; online = channel 2, direct = channels 1
 *   and 3 (trực tiếp, bưu chính công ích), received (accepted) within the period; carriedOver = received before the
 *   period and not closed before it.
 * - settled: Số hồ sơ đã giải quyết — a result issued (Đã xử lý xong, then Đã trả kết quả) within the period: early =
 *   finished on a day before the due day, onTime = on the due day by the due time, late = after the due time.
 * - inProgress: Số hồ sơ đang giải quyết at the end of the period (or today, for a period not over): received and
 *   not closed = withinDeadline + late + paused. paused (Tạm dừng tính hạn): waiting for the applicant's supplement
 *   then — its clock stopped, so its due date is no deadline (it moves on by the pause when the dossier resumes), as
 *   the officials' lists say; for a period over, a dossier waiting now since a day before the end, or one that waited
 *   then and was stopped or withdrawn since without resuming (one that waited then and resumed since is judged by its
 *   moved due date). late = not paused and due on a day before the period's
 *   end (or before today); withinDeadline = the rest.
 * - closed otherwise within the period: withdrawn (Công dân rút hồ sơ), stopped (Dừng xử lý), refused (Từ chối: not
 *   accepted at the desk, or refused after reception as not meeting the conditions).
 * - supplementRequests: requests to supplement (Mẫu 02) made within the period.
 * - onTimeRate: (early + onTime) ÷ settled, null when nothing was settled.
 */
export type SituationFigures = {
  received: { total: number; online: number; direct: number; carriedOver: number };
  settled: { total: number; early: number; onTime: number; late: number };
  inProgress: { total: number; withinDeadline: number; late: number; paused: number };
  withdrawn: number;
  stopped: number;
  refused: number;
  supplementRequests: number;
  onTimeRate: number | null;
};

/** One row of the report: `key` is the unit, sector or procedure id (the drill-down's `group`). */
export type SituationRow = { key: string; label: string; figures: SituationFigures };

export type SituationReport = {
  /** The unit whose subtree the report covers. */
  unit: { id: string; name: string };
  groupBy: GroupBy;
  period: Period;
  /** The day the figures were read (in-progress lateness is counted to the earlier of it and the period's end). */
  asOf: string;
  rows: SituationRow[];
  total: SituationFigures;
};

/**
 * The cells a leader can open as a list of dossiers (the drill-down). Each names the dossiers counted in that figure,
 * with the same rule as the counters (stats_dossier_facts() in migrations 0047 and 0057, and cellCondition()).
 */
export const DRILL_CELLS = {
  received_total: 'Tổng số hồ sơ nhận giải quyết',
  received: 'Nhận trong kỳ',
  received_online: 'Nhận trực tuyến',
  received_direct: 'Nhận trực tiếp, bưu chính',
  carried_over: 'Từ kỳ trước chuyển sang',
  settled: 'Đã giải quyết',
  settled_early: 'Giải quyết trước hạn',
  settled_on_time: 'Giải quyết đúng hạn',
  settled_late: 'Giải quyết quá hạn',
  in_progress: 'Đang giải quyết',
  in_progress_within: 'Đang giải quyết trong hạn',
  in_progress_late: 'Đang giải quyết quá hạn',
  in_progress_paused: 'Đang giải quyết, tạm dừng tính hạn (chờ bổ sung)',
  withdrawn: 'Rút hồ sơ',
  stopped: 'Dừng xử lý',
  refused: 'Từ chối',
  // The service index's (service-index.ts): the dossiers that cost an indicator points.
  settled_nat_late: 'Giải quyết trễ hạn (cách tính của Cổng DVC quốc gia)',
  not_online_e_result: 'Nhận trong kỳ, không phải trực tuyến có kết quả điện tử',
  fee_not_paid_online: 'Có phí, lệ phí, chưa thanh toán trực tuyến',
  not_digitised: 'Nhận trong kỳ, chưa số hóa',
  settled_without_e_result: 'Đã giải quyết, không có kết quả điện tử',
} as const;
export type DrillCell = keyof typeof DRILL_CELLS;
