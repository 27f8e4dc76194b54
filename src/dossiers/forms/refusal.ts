/** Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ. */
import { fmtDateTime, nfc } from './format.js';
import type { FormAgency, FormDossier, FormOfficial } from './index.js';
import { applicantFields, centred, field, heading, para, renderPdf, signatures, title } from './layout.js';

export function refusalPdf(p: {
  agency: FormAgency;
  dossier: FormDossier;
  official: FormOfficial;
  reason: string;
  issuedAt: Date;
}): Promise<Buffer> {
  const { agency, dossier } = p;
  const name = 'Phiếu từ chối tiếp nhận giải quyết hồ sơ';
  return renderPdf({ title: name }, (doc) => {
    heading(doc, { agency, formNo: 'Mẫu số 03', date: p.issuedAt });
    title(doc, name);
    centred(doc, 'Mã hồ sơ', dossier.code);
    doc.moveDown(0.5);

    para(doc, `${nfc(agency.name)} tiếp nhận hồ sơ của:`);
    applicantFields(doc, dossier.applicant);
    field(doc, 'Nội dung yêu cầu giải quyết', dossier.procedureName, { bold: true });
    field(doc, 'Thời gian tiếp nhận', fmtDateTime(dossier.receivedAt));

    para(doc, `Qua xem xét, ${nfc(agency.name)} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:`);
    para(doc, p.reason, { indent: 18 });
    para(doc, 'Xin thông báo cho Ông/Bà được biết và thực hiện./.');

    signatures(doc, [{ title: 'Người tiếp nhận hồ sơ', hint: '(Ký và ghi rõ họ tên)', name: p.official.name }]);
  });
}
