/** Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả. */
import { fmtDate, fmtDateTime, nfc } from './format.js';
import type { FormAgency, FormDossier } from './index.js';
import { HEAD_SIGNATURE, field, heading, para, renderPdf, signatures, title } from './layout.js';

export function apologyPdf(p: {
  agency: FormAgency;
  dossier: FormDossier;
  reason: string;
  newDueAt: Date;
  issuedAt: Date;
}): Promise<Buffer> {
  const { agency, dossier } = p;
  const agencyName = nfc(agency.name);
  const applicant = nfc(dossier.applicant.fullName);
  const name = 'Phiếu xin lỗi và hẹn lại ngày trả kết quả';
  return renderPdf({ title: name }, (doc) => {
    heading(doc, { agency, formNo: 'Mẫu số 04', date: p.issuedAt });
    title(doc, name);
    field(doc, 'Kính gửi', `Ông/Bà ${applicant}`, { bold: true });
    doc.moveDown(0.3);

    para(doc, `Ngày ${fmtDate(dossier.receivedAt)}, ${agencyName} tiếp nhận giải quyết hồ sơ của Ông/Bà ${applicant}.`, {
      indent: 28,
    });
    field(doc, 'Nội dung yêu cầu giải quyết', dossier.procedureName, { bold: true });
    field(doc, 'Mã hồ sơ', dossier.code, { bold: true });
    field(doc, 'Thời gian hẹn trả kết quả giải quyết hồ sơ', fmtDateTime(dossier.dueAt));
    para(doc, `Tuy nhiên đến nay, ${agencyName} chưa trả kết quả giải quyết hồ sơ của Ông/Bà.`, { indent: 28 });
    field(doc, 'Lý do', p.reason);
    para(
      doc,
      `Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của Ông/Bà. ${agencyName} xin lỗi Ông/Bà ` +
        `và sẽ trả kết quả giải quyết hồ sơ cho Ông/Bà vào lúc ${fmtDateTime(p.newDueAt)}.`,
      { indent: 28 },
    );
    para(doc, 'Kính mong nhận được sự thông cảm của Ông/Bà vì sự chậm trễ này./.', { indent: 28 });

    signatures(doc, [HEAD_SIGNATURE]);
  });
}
