/** Mẫu 05: Thông báo dừng giải quyết hồ sơ. */
import { fmtDate, nfc } from './format.js';
import type { FormAgency, FormDossier } from './index.js';
import { HEAD_SIGNATURE, field, heading, para, renderPdf, signatures, title } from './layout.js';

export function stopNoticePdf(p: { agency: FormAgency; dossier: FormDossier; reason: string; issuedAt: Date }): Promise<Buffer> {
  const { agency, dossier } = p;
  const agencyName = nfc(agency.name);
  const applicant = nfc(dossier.applicant.fullName);
  return renderPdf({ title: 'Thông báo dừng giải quyết hồ sơ' }, (doc) => {
    heading(doc, { agency, formNo: 'Mẫu số 05', date: p.issuedAt });
    // Administrative notices carry the kind of paper as the title and the subject on a "Về việc" line.
    title(doc, 'Thông báo', 'Về việc dừng giải quyết hồ sơ');
    field(doc, 'Kính gửi', `Ông/Bà ${applicant}`, { bold: true });
    doc.moveDown(0.3);

    para(
      doc,
      `Ngày ${fmtDate(dossier.receivedAt)}, ${agencyName} tiếp nhận hồ sơ của Ông/Bà ${applicant} ` +
        `(hình thức nộp: ${nfc(dossier.channelLabel).toLocaleLowerCase('vi')}).`,
      { indent: 28 },
    );
    field(doc, 'Mã hồ sơ', dossier.code, { bold: true });
    field(doc, 'Nội dung yêu cầu giải quyết', dossier.procedureName, { bold: true });
    para(doc, `${agencyName} thông báo dừng giải quyết hồ sơ nêu trên.`, { indent: 28 });
    field(doc, 'Lý do', p.reason);
    para(doc, `Ông/Bà có thể tra cứu tình trạng hồ sơ bằng mã tra cứu ${nfc(dossier.lookupCode)}. Xin thông báo để Ông/Bà được biết./.`, {
      indent: 28,
    });

    signatures(doc, [HEAD_SIGNATURE]);
  });
}
