/**
 * Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP) as the exports lay it out — the title block, the header of merged
 * cells, the numbered columns and the figures of each row — written once here so that the XLSX (export-xlsx.ts) and
 * the PDF (export-pdf.ts) print the same form. Pure: a report in, words and numbers out.
 */
import { formatDate } from '../shared/dates.js';
import type { GroupBy, SituationFigures, SituationReport } from './report-types.js';

/** A report with the names of the sector or procedure it was narrowed to (null when it was not). */
export type SituationExport = { report: SituationReport; sector: string | null; procedure: string | null };

/** The columns: STT, the row's name, then the 16 counts and the on-time rate, in the form's order. */
export const COLUMN_COUNT = 19;
/** The first figure's column (0-based): A is STT, B the row's name. */
export const FIRST_FIGURE = 2;
/** The last column, the on-time rate: a share, where every other figure is a count. */
export const RATE_COLUMN = COLUMN_COUNT - 1;

/** The counts of one row in the columns' order (1)…(16); the rate (17) is figures.onTimeRate. */
export function counts(f: SituationFigures): number[] {
  return [
    f.received.total,
    f.received.online,
    f.received.direct,
    f.received.carriedOver,
    f.settled.total,
    f.settled.early,
    f.settled.onTime,
    f.settled.late,
    f.inProgress.total,
    f.inProgress.withinDeadline,
    f.inProgress.late,
    f.inProgress.paused,
    f.withdrawn,
    f.stopped,
    f.refused,
    f.supplementRequests,
  ];
}

/** Column (0-based) of the figures the rate is made of: ((6) + (7)) ÷ (5). */
export const RATE_PARTS = { settled: FIRST_FIGURE + 4, early: FIRST_FIGURE + 5, onTime: FIRST_FIGURE + 6 } as const;

const NAME_HEADER: Record<GroupBy, string> = { unit: 'Tên đơn vị', sector: 'Lĩnh vực giải quyết', procedure: 'Thủ tục hành chính' };

/** One cell of the header: its top-left corner (row 0–2, column 0-based) and how many rows and columns it covers. */
export type HeaderCell = { row: number; col: number; rows: number; cols: number; label: string };
export const HEADER_ROWS = 3;

/**
 * The header as the form prints it: three levels, a group over its columns, "Trong kỳ" over the two channels. A cell
 * without anything under it reaches down to the last header row.
 */
export function headerCells(groupBy: GroupBy): HeaderCell[] {
  const whole = (col: number, label: string): HeaderCell => ({ row: 0, col, rows: 3, cols: 1, label });
  const under = (col: number, label: string): HeaderCell => ({ row: 1, col, rows: 2, cols: 1, label });
  return [
    whole(0, 'STT'),
    whole(1, NAME_HEADER[groupBy]),
    { row: 0, col: 2, rows: 1, cols: 4, label: 'Số hồ sơ nhận giải quyết' },
    under(2, 'Tổng số'),
    { row: 1, col: 3, rows: 1, cols: 2, label: 'Trong kỳ' },
    { row: 2, col: 3, rows: 1, cols: 1, label: 'Trực tuyến' },
    { row: 2, col: 4, rows: 1, cols: 1, label: 'Trực tiếp, dịch vụ bưu chính' },
    under(5, 'Từ kỳ trước chuyển sang'),
    { row: 0, col: 6, rows: 1, cols: 4, label: 'Số hồ sơ đã giải quyết' },
    under(6, 'Tổng số'),
    under(7, 'Trước hạn'),
    under(8, 'Đúng hạn'),
    under(9, 'Quá hạn'),
    // The form's (9)–(11), and beside them the dossiers waiting for a supplement, which are neither (10) nor (11): their
    // clock is stopped (the lists' Tạm dừng tính hạn), so (9) = (10) + (11) + (12).
    { row: 0, col: 10, rows: 1, cols: 4, label: 'Số hồ sơ đang giải quyết' },
    under(10, 'Tổng số'),
    under(11, 'Trong hạn'),
    under(12, 'Quá hạn'),
    under(13, 'Tạm dừng tính hạn'),
    whole(14, 'Rút hồ sơ'),
    whole(15, 'Dừng xử lý'),
    whole(16, 'Từ chối'),
    whole(17, 'Yêu cầu bổ sung'),
    whole(18, 'Tỷ lệ đúng hạn'),
  ];
}

/** The row under the header that numbers the columns, as the forms do: A, B, (1)…(17). */
export const COLUMN_NUMBERS = ['A', 'B', ...Array.from({ length: COLUMN_COUNT - FIRST_FIGURE }, (_, i) => `(${i + 1})`)];

/** How the totals of the numbered columns are made, printed under the table. */
export const COLUMN_NOTE =
  'Ghi chú: (1) = (2) + (3) + (4); (5) = (6) + (7) + (8); (9) = (10) + (11) + (12), (12) là hồ sơ đang chờ bổ sung (tạm dừng tính hạn), không tính trong hạn hay quá hạn; (17) = [(6) + (7)] ÷ (5).';

export const FORM_NUMBER = 'BIỂU SỐ 06/VPCP/KSTT';
export const FORM_BASIS = 'Ban hành kèm theo Thông tư số 01/2020/TT-VPCP';
export const FORM_TITLE = 'TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH';
export const TOTAL_LABEL = 'TỔNG CỘNG';

/** The lines under the title: the unit (and what the report was narrowed to), the period and the day of the figures. */
export function titleLines(x: SituationExport): { unit: string; scope: string | null; period: string; asOf: string } {
  const narrowed = [x.sector ? `Lĩnh vực: ${x.sector}` : null, x.procedure ? `Thủ tục: ${x.procedure}` : null].filter(Boolean);
  return {
    unit: `Đơn vị: ${x.report.unit.name}`,
    scope: narrowed.length ? narrowed.join('; ') : null,
    period: `Kỳ báo cáo: từ ngày ${formatDate(x.report.period.from)} đến ngày ${formatDate(x.report.period.to)}`,
    asOf: `Số liệu tính đến ngày ${formatDate(x.report.asOf)}`,
  };
}

/** The unit that reports, top right of the form. */
export const reportingUnit = (x: SituationExport) => `Đơn vị báo cáo: ${x.report.unit.name}`;
export const UNIT_OF_COUNT = 'Đơn vị tính: hồ sơ';

/**
 * The file's name: the form, the unit and the period. Characters a file system refuses are replaced; the download
 * header adds the ASCII stand-in (web/download.ts).
 */
export function exportFileName(r: SituationReport, extension: 'xlsx' | 'pdf'): string {
  const unit = r.unit.name.replace(/[\\/:*?"<>|]+/g, '-').trim();
  return `Biểu 06 - Tình hình giải quyết TTHC - ${unit} - ${r.period.from} đến ${r.period.to}.${extension}`;
}
