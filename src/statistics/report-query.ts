/**
 * The query of Báo cáo tình hình giải quyết TTHC, as its page, its drill-down and its downloads read it: the unit, the
 * grouping, the period (a month, quarter, six months or year by its number, or từ ngày – đến ngày as dd/mm/yyyy or
 * yyyy-mm-dd) and an optional sector or procedure. A value that cannot be read is named at its field (the page answers
 * 400 with the form), never passed on. Absent values take the defaults: the period is this month; the unit is left to
 * the caller (the widest unit the official reads).
 */
import { z } from 'zod';
import { param, parseQuery, periodInOrder } from '../shared/validate.js';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { PERIOD_KINDS, presetPeriod, type PeriodKind } from './periods.js';
import { GROUP_BY, type GroupBy } from './report-types.js';

/** Where the report lives (the drill-down below it, the downloads beside it: .xlsx, .pdf). */
export const REPORT_PATH = '/tiepnhan/thong-ke/tinh-hinh-giai-quyet';

const dateMessage = (which: string) => `${which} không hợp lệ. Vui lòng nhập một ngày có thật theo dạng dd/mm/yyyy, ví dụ 05/11/2026.`;

/** The number of each preset's periods in a year. */
const PERIODS_IN_YEAR: Record<Exclude<PeriodKind, 'custom'>, number> = { month: 12, quarter: 4, half: 2, year: 1 };

const ReportQuerySchema = periodInOrder(
  z.object({
    unit: param.id('Đơn vị không hợp lệ: vui lòng chọn lại trong danh sách.'),
    groupBy: param.oneOf(
      Object.keys(GROUP_BY) as [GroupBy, ...GroupBy[]],
      'Cách nhóm báo cáo không hợp lệ: vui lòng chọn lại trong danh sách.',
    ),
    period: param.oneOf(
      Object.keys(PERIOD_KINDS) as [PeriodKind, ...PeriodKind[]],
      'Kỳ báo cáo không hợp lệ: vui lòng chọn tháng, quý, 6 tháng, năm hoặc từ ngày – đến ngày.',
    ),
    year: param.int(2000, 2099, 'Năm không hợp lệ: vui lòng nhập năm từ 2000 đến 2099.'),
    n: param.int(1, 12, 'Số thứ tự của kỳ không hợp lệ: tháng từ 1 đến 12, quý từ 1 đến 4, 6 tháng là 1 hoặc 2.'),
    from: param.date(dateMessage('Từ ngày')),
    to: param.date(dateMessage('Đến ngày')),
    sector: param.id('Lĩnh vực không hợp lệ: vui lòng chọn lại trong danh sách.'),
    procedure: param.id('Thủ tục không hợp lệ: vui lòng chọn lại trong danh sách.'),
  }),
  'from',
  'to',
  'Đến ngày phải cùng ngày hoặc sau từ ngày.',
);

/** The report's query once read: a period of whole days (both included, yyyy-mm-dd) and how it was chosen. */
export type ReportQuery = {
  unit: string | undefined;
  groupBy: GroupBy;
  period: PeriodKind;
  year: number;
  n: number;
  from: string;
  to: string;
  sector: string | undefined;
  procedure: string | undefined;
};

/** The query's fields the form and the links carry. */
export const REPORT_QUERY_NAMES = ['unit', 'groupBy', 'period', 'year', 'n', 'from', 'to', 'sector', 'procedure'] as const;

/**
 * Reads the address's query (empty values are absent); `today` (yyyy-mm-dd, Vietnam) gives the default period. From and
 * to without a preset mean Từ ngày – đến ngày; a preset without its number takes today's.
 */
export function readReportQuery(
  raw: Record<string, string | undefined>,
  today: string,
): { ok: true; q: ReportQuery } | { ok: false; fields: FieldErrors } {
  const present = Object.fromEntries(
    Object.entries(raw).filter(([k, v]) => v !== undefined && v !== '' && (REPORT_QUERY_NAMES as readonly string[]).includes(k)),
  );
  let v: z.output<typeof ReportQuerySchema>;
  try {
    v = parseQuery(ReportQuerySchema, present);
  } catch (err) {
    if (err instanceof AppError && err.fields) return { ok: false, fields: err.fields };
    throw err;
  }
  const fields: FieldErrors = {};
  const kind: PeriodKind = v.period ?? (v.from || v.to ? 'custom' : 'month');
  const year = v.year ?? Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  let from: string;
  let to: string;
  let n = 1;
  if (kind === 'custom') {
    if (!v.from) fields.from = 'Vui lòng nhập từ ngày (dd/mm/yyyy).';
    if (!v.to) fields.to = 'Vui lòng nhập đến ngày (dd/mm/yyyy).';
    from = v.from ?? today;
    to = v.to ?? today;
    if (from < '2000-01-01' || to > '2099-12-31') fields.from ??= 'Kỳ báo cáo phải trong khoảng năm 2000–2099.';
  } else {
    const count = PERIODS_IN_YEAR[kind];
    // A year has one period: its number, if any was sent, is not read.
    n = kind === 'year' ? 1 : (v.n ?? Math.ceil((month * count) / 12));
    if (n > count) fields.n = `Số thứ tự của kỳ không hợp lệ: ${PERIOD_KINDS[kind].toLowerCase()} từ 1 đến ${count}.`;
    ({ from, to } = presetPeriod(kind, year, Math.min(n, count)));
  }
  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return {
    ok: true,
    q: { unit: v.unit, groupBy: v.groupBy ?? 'unit', period: kind, year, n, from, to, sector: v.sector, procedure: v.procedure },
  };
}

/**
 * The report's query as the use case takes it and the links carry it (the drill-down, the downloads): the resolved unit
 * and period as days, so a link means the same report whatever day it is opened.
 */
export function reportParams(q: ReportQuery & { unit: string }): Record<string, string> {
  const out: Record<string, string> = { unit: q.unit, groupBy: q.groupBy, from: q.from, to: q.to };
  if (q.sector) out.sector = q.sector;
  if (q.procedure) out.procedure = q.procedure;
  return out;
}
