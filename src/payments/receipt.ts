/**
 * Biên lai thu phí, lệ phí of a paid payment, as PDF (the one-stop forms' layout: national heading, embedded
 * Vietnamese font). Only the paying citizen gets it; an unpaid order has none.
 */
import type { Queryable } from '../db/client.js';
import type { CitizenActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { fmtDateTime } from '../dossiers/forms/format.js';
import { centred, field, heading, para, renderPdf, title } from '../dossiers/forms/layout.js';
import { amountInWords, formatVnd } from './amount-words.js';
import { collectingAgency, paymentStatus } from './payment-status.js';

export async function paymentReceiptPdf(db: Queryable, actor: CitizenActor, paymentId: string): Promise<{ pdf: Buffer; fileName: string }> {
  const p = await paymentStatus(db, actor, paymentId);
  const paidAt = p.paidAt;
  if (p.status !== 'paid' || !paidAt)
    throw new AppError('receipt_not_available', 'Chưa có biên lai: lệ phí của giao dịch này chưa được thanh toán thành công.', 404);
  const agency = await collectingAgency(db, p.dossier.agencyUnitId);
  const name = 'Biên lai thu phí, lệ phí';
  const pdf = await renderPdf({ title: name }, (doc) => {
    heading(doc, { agency, date: paidAt });
    title(doc, name, '(Thanh toán trực tuyến)');
    centred(doc, 'Mã giao dịch', p.transactionId ?? '');
    doc.moveDown(0.5);
    field(doc, 'Mã hồ sơ', p.dossier.code, { bold: true });
    field(doc, 'Thủ tục hành chính', p.dossier.procedureName);
    field(doc, 'Khoản thu', 'Lệ phí giải quyết thủ tục hành chính');
    field(doc, 'Số tiền', `${formatVnd(p.amount)} đồng`, { bold: true });
    field(doc, 'Viết bằng chữ', amountInWords(p.amount));
    field(doc, 'Hình thức thanh toán', 'Trực tuyến qua nền tảng thanh toán');
    field(doc, 'Thời gian thanh toán', fmtDateTime(paidAt));
    field(doc, 'Mã đơn hàng', p.id);
    doc.moveDown(0.8);
    para(doc, 'Biên lai được lập tự động từ xác nhận của nền tảng thanh toán.', { italic: true });
  });
  return { pdf, fileName: `bien-lai-le-phi-${p.dossier.code ?? p.id}.pdf` };
}
