/** Mẫu 07: Sổ theo dõi hồ sơ — the dossiers of one unit over a period, on landscape pages. */
import { fmtDate } from './format.js';
import type { FormAgency, FormRegisterRow } from './index.js';
import { heading, para, renderPdf, title } from './layout.js';
import { table, type Column } from './table.js';

const COLUMNS: Column[] = [
  { header: 'STT', weight: 4, align: 'center' },
  // Wide enough for a whole code ("000.00.13.H10-261123-0001") on one line at 9 pt.
  { header: 'Mã hồ sơ', weight: 18 },
  { header: 'Thủ tục hành chính', weight: 21 },
  { header: 'Người nộp hồ sơ', weight: 13 },
  { header: 'Ngày nhận', weight: 8, align: 'center' },
  { header: 'Hẹn trả', weight: 8, align: 'center' },
  { header: 'Ngày xử lý xong', weight: 8, align: 'center' },
  { header: 'Ngày trả kết quả', weight: 8, align: 'center' },
  { header: 'Trạng thái', weight: 10 },
  { header: 'Tiến độ', weight: 8 },
];

export function registerPdf(p: { agency: FormAgency; from: Date; to: Date; rows: FormRegisterRow[] }): Promise<Buffer> {
  const name = 'Sổ theo dõi hồ sơ';
  return renderPdf({ title: name, landscape: true }, (doc) => {
    heading(doc, { agency: p.agency, formNo: 'Mẫu số 07' });
    title(doc, name, `Từ ngày ${fmtDate(p.from)} đến ngày ${fmtDate(p.to)}`);

    const rows = p.rows.map((r, i) => [
      String(i + 1),
      r.code,
      r.procedureName,
      r.applicant,
      fmtDate(r.receivedAt),
      fmtDate(r.dueAt),
      fmtDate(r.finishedAt),
      fmtDate(r.returnedAt),
      r.status,
      r.timeliness,
    ]);
    table(doc, COLUMNS, rows, { fontSize: 9 });
    para(doc, p.rows.length === 0 ? 'Không có hồ sơ trong kỳ.' : `Tổng số: ${p.rows.length} hồ sơ.`, { bold: true });
  });
}
