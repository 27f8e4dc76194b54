/**
 * The per-row report of a catalog import (the unit tree, the procedure catalog): what each row of the sheet
 * would do or did, or why it was refused. One refused row refuses the whole file (all or nothing).
 */

type ImportRowStatus = 'created' | 'updated' | 'unchanged' | 'refused';

export type ImportRowReport = {
  /** The row number in the sheet, as the spreadsheet shows it. */
  line: number;
  status: ImportRowStatus;
  /** What the row names (a unit's name and code, a procedure's code), shortened for display. */
  subject: string;
  /** For an update, what changes; for a refusal, why (Vietnamese, for the administrator). */
  details: string[];
};

export type ImportReport = {
  rows: ImportRowReport[];
  /** True once written; false for a dry run or when a row was refused. */
  applied: boolean;
  counts: Record<ImportRowStatus, number>;
};

const LABELS: Record<ImportRowStatus, string> = {
  created: 'tạo mới',
  updated: 'cập nhật',
  unchanged: 'không đổi',
  refused: 'TỪ CHỐI',
};

/** A cell's value as the report quotes it: one line, at most 80 characters (a huge cell is not echoed whole). */
export function quote(value: string): string {
  const line = value.replace(/\s+/g, ' ').trim();
  return `"${line.length > 80 ? `${line.slice(0, 77)}…` : line}"`;
}

export function makeReport(rows: ImportRowReport[], applied: boolean): ImportReport {
  const counts: Record<ImportRowStatus, number> = { created: 0, updated: 0, unchanged: 0, refused: 0 };
  for (const r of rows) counts[r.status]++;
  return { rows: [...rows].sort((a, b) => a.line - b.line), applied, counts };
}

/** The report as the command prints it (and the admin screen shows it): one line per row, then the outcome. */
export function formatReport(report: ImportReport): string[] {
  const out: string[] = [];
  for (const r of report.rows) {
    const head = `Dòng ${String(r.line).padStart(4)}  ${LABELS[r.status].padEnd(9)}  ${r.subject}`;
    out.push(r.details.length ? `${head}: ${r.details.join('; ')}` : head);
  }
  const { created, updated, unchanged, refused } = report.counts;
  out.push(`Tổng: ${report.rows.length} dòng — ${created} tạo mới, ${updated} cập nhật, ${unchanged} không đổi, ${refused} từ chối.`);
  if (refused > 0) out.push('Không ghi gì: tệp còn dòng bị từ chối. Sửa các dòng trên rồi nhập lại.');
  else if (report.applied) out.push('Đã ghi vào cơ sở dữ liệu.');
  else out.push('Chạy thử: chưa ghi gì. Thêm --apply để ghi.');
  return out;
}

/** A text cell that a spreadsheet would run as a formula when the data is exported again (CSV injection). */
export function looksLikeFormula(value: string): boolean {
  return /^[=+@]/.test(value.trim());
}
