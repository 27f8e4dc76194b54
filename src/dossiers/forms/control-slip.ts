/** Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ — one table row per hand-over of the paper dossier. */
import { fmtDateTime } from './format.js';
import type { FormAgency, FormDossier, FormHandover } from './index.js';
import { centred, field, heading, para, renderPdf, title } from './layout.js';
import { table, type Column } from './table.js';

const COLUMNS: Column[] = [
  { header: 'STT', weight: 5, align: 'center' },
  { header: 'Bước xử lý', weight: 13 },
  { header: 'Đơn vị', weight: 13 },
  { header: 'Người giao', weight: 11 },
  { header: 'Người nhận', weight: 11 },
  { header: 'Thời gian giao', weight: 12 },
  { header: 'Thời gian nhận', weight: 12 },
  { header: 'Kết quả', weight: 10, align: 'center' },
  { header: 'Ghi chú', weight: 11 },
];

export function controlSlipPdf(p: { agency: FormAgency; dossier: FormDossier; handovers: FormHandover[] }): Promise<Buffer> {
  const { agency, dossier } = p;
  const name = 'Phiếu kiểm soát quá trình giải quyết hồ sơ';
  return renderPdf({ title: name }, (doc) => {
    // The slip is opened when the dossier is received and travels with it, so it is dated on reception.
    heading(doc, { agency, formNo: 'Mẫu số 06', date: dossier.receivedAt });
    title(doc, name);
    centred(doc, 'Mã hồ sơ', dossier.code);
    para(doc, '(Kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả)', { italic: true });
    doc.moveDown(0.3);

    field(doc, 'Người nộp hồ sơ', dossier.applicant.fullName, { bold: true });
    field(doc, 'Nội dung yêu cầu giải quyết', dossier.procedureName, { bold: true });
    field(doc, 'Thời gian nhận hồ sơ', fmtDateTime(dossier.receivedAt));
    field(doc, 'Thời gian hẹn trả kết quả', fmtDateTime(dossier.dueAt));
    doc.moveDown(0.5);

    const rows = p.handovers.map((h, i) => [
      String(i + 1),
      h.step,
      h.unitName,
      h.fromName,
      h.toName,
      fmtDateTime(h.givenAt),
      fmtDateTime(h.receivedAt),
      h.result,
      h.note ?? '',
    ]);
    table(doc, COLUMNS, rows, { fontSize: 9 });
    para(doc, 'Kết quả: Trước hạn / Đúng hạn / Quá hạn so với thời hạn của bước xử lý.', { italic: true });
  });
}
