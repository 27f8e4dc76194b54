/** Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả. */
import { countsText } from '../procedure-terms.js';
import { fmtDateTime, nfc } from './format.js';
import type { FormAgency, FormDossier, FormOfficial } from './index.js';
import { BODY_SIZE, applicantFields, contentWidth, field, heading, left, numbered, para, renderPdf, signatures, title } from './layout.js';

const QR_SIZE = 84;

export async function receiptPdf(p: {
  agency: FormAgency;
  dossier: FormDossier;
  official: FormOfficial;
  lookupUrl: string;
  issuedAt: Date;
}): Promise<Buffer> {
  const { agency, dossier } = p;
  // Medium error correction: the receipt is handled and folded, and a URL this short still makes a small code.
  // Loaded on first use: qrcode costs start time and memory (docs/decisions/0029).
  const { default: QRCode } = await import('qrcode');
  const qr = await QRCode.toBuffer(p.lookupUrl, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 6 });
  const name = 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả';

  return renderPdf({ title: name }, (doc) => {
    heading(doc, { agency, formNo: 'Mẫu số 01', date: p.issuedAt });
    title(doc, name);

    // The codes sit left of the QR code, which the applicant scans to follow the dossier online.
    const top = doc.y;
    const qrX = left(doc) + contentWidth(doc) - QR_SIZE;
    doc.image(qr, qrX, top, { width: QR_SIZE });
    doc
      .font('I')
      .fontSize(8)
      .text('Quét mã để tra cứu hồ sơ', qrX - 10, top + QR_SIZE + 1, {
        width: QR_SIZE + 20,
        align: 'center',
      });
    const textWidth = contentWidth(doc) - QR_SIZE - 12;
    doc
      .font('R')
      .fontSize(BODY_SIZE)
      .text('Mã hồ sơ: ', left(doc), top + 4, { width: textWidth, continued: true });
    doc.font('B').text(nfc(dossier.code));
    doc.font('R').text('Mã tra cứu: ', { width: textWidth, continued: true });
    doc.font('B').text(nfc(dossier.lookupCode));
    doc
      .font('R')
      .fontSize(10)
      .text(`Tra cứu tại: ${nfc(p.lookupUrl)}`, { width: textWidth });
    doc.y = Math.max(doc.y, top + QR_SIZE + 12) + 6;
    doc.x = left(doc);

    para(doc, `${nfc(agency.name)} tiếp nhận hồ sơ của:`);
    applicantFields(doc, dossier.applicant);
    field(doc, 'Nội dung yêu cầu giải quyết', dossier.procedureName, { bold: true });
    field(doc, 'Hình thức nộp hồ sơ', dossier.channelLabel);

    para(doc, '1. Thành phần hồ sơ nộp gồm:');
    if (dossier.documents.length === 0) para(doc, '(Không có giấy tờ kèm theo)', { italic: true, indent: 18 });
    numbered(
      doc,
      dossier.documents.map((d) => {
        const counts = countsText(d);
        return counts ? `${nfc(d.name)} (${counts})` : nfc(d.name);
      }),
    );
    para(doc, '2. Số lượng hồ sơ: 01 bộ.');
    field(doc, '3. Thời gian nhận hồ sơ', fmtDateTime(dossier.receivedAt));
    field(doc, '4. Thời hạn giải quyết', dossier.timeLimit ?? 'Không quy định');
    field(doc, '5. Thời gian hẹn trả kết quả giải quyết hồ sơ', fmtDateTime(dossier.dueAt), { bold: true });
    field(doc, '6. Phí, lệ phí', dossier.fee ?? 'Không mất phí');
    para(doc, `7. Ông/Bà tra cứu tình trạng hồ sơ bằng mã tra cứu ${nfc(dossier.lookupCode)} hoặc quét mã QR ở trên.`);

    signatures(doc, [
      { title: 'Người nộp hồ sơ', hint: '(Ký và ghi rõ họ tên)', name: dossier.applicant.fullName },
      { title: 'Người tiếp nhận hồ sơ', hint: '(Ký và ghi rõ họ tên)', name: p.official.name },
    ]);
  });
}
