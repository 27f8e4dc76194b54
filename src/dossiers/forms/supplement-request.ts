/** Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ. */
import { fmtDateTime, nfc } from './format.js';
import type { FormAgency, FormDossier, FormOfficial } from './index.js';
import { applicantFields, centred, field, heading, numbered, para, renderPdf, signatures, title } from './layout.js';

export function supplementRequestPdf(p: {
  agency: FormAgency;
  dossier: FormDossier;
  official: FormOfficial;
  items: string[];
  reason: string;
  issuedAt: Date;
}): Promise<Buffer> {
  const { agency, dossier, official } = p;
  const name = 'Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ';
  return renderPdf({ title: name }, (doc) => {
    heading(doc, { agency, formNo: 'Mẫu số 02', date: p.issuedAt });
    title(doc, name);
    centred(doc, 'Mã hồ sơ', dossier.code);
    doc.moveDown(0.5);

    para(doc, 'Hồ sơ của:');
    applicantFields(doc, dossier.applicant);
    field(doc, 'Nội dung yêu cầu giải quyết', dossier.procedureName, { bold: true });
    field(doc, 'Thời gian tiếp nhận', fmtDateTime(dossier.receivedAt));

    para(doc, 'Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:', { bold: true });
    numbered(doc, p.items);
    field(doc, 'Lý do', p.reason);
    // The regulation asks for a named contact who guides the applicant through the supplement.
    para(
      doc,
      `Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, Ông/Bà liên hệ với ${nfc(official.name)}` +
        `${official.position ? `, ${nfc(official.position)}` : ''}, ${nfc(agency.name)} để được hướng dẫn.`,
    );
    para(doc, 'Xin trân trọng cảm ơn!', { italic: true });

    signatures(doc, [{ title: 'Người hướng dẫn', hint: '(Ký và ghi rõ họ tên)', name: official.name }]);
  });
}
