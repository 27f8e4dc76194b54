/**
 * Demo mẫu đơn, tờ khai: small but real files generated when the demo data is loaded (no binaries in the
 * repository) — two blank PDF forms drawn with the one-stop forms' pdfkit furniture and an Excel list.
 * They go through the same checks and storage as an administrator's upload.
 */
import type { Db } from '../db/client.js';
import { para, renderPdf, signatures, title, type Doc } from '../dossiers/forms/layout.js';
import { putTemplateFile, storeTemplate } from '../procedures/document-templates.js';

type DemoTemplate = { procedureCode: string; document: string; fileName: string; make: () => Promise<Uint8Array> };

const BLANK = '…'.repeat(40);

/** The national heading of a citizen's application (no agency block: the applicant writes it). */
function nationalHeading(doc: Doc) {
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  doc.font('B').fontSize(12).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', { width, align: 'center' });
  doc.font('B').fontSize(13).text('Độc lập - Tự do - Hạnh phúc', { width, align: 'center' });
  doc.font('R').fontSize(12).text('―――――――', { width, align: 'center' });
}

function blankForm(name: string, addressee: string, lines: string[], closing: string, signer: string) {
  return () =>
    renderPdf({ title: name }, (doc) => {
      nationalHeading(doc);
      title(doc, name);
      para(doc, `Kính gửi: ${addressee}`, { bold: true });
      doc.moveDown(0.4);
      for (const l of lines) para(doc, `${l}: ${BLANK}`);
      doc.moveDown(0.4);
      para(doc, closing, { indent: 28 });
      signatures(doc, [{ title: signer, hint: '(Ký, ghi rõ họ tên)' }]);
    }).then((b) => new Uint8Array(b));
}

async function memberList(): Promise<Uint8Array> {
  // Loaded on first use: exceljs costs start time and memory (docs/decisions/0029).
  const { Workbook } = (await import('exceljs')).default;
  const wb = new Workbook();
  wb.creator = 'MotCua';
  const ws = wb.addWorksheet('Danh sách thành viên');
  ws.addRow(['DANH SÁCH THÀNH VIÊN CÔNG TY TRÁCH NHIỆM HỮU HẠN HAI THÀNH VIÊN TRỞ LÊN']);
  ws.addRow([]);
  const header = ws.addRow([
    'STT',
    'Tên thành viên',
    'Ngày sinh (cá nhân)',
    'Số định danh cá nhân / Mã số doanh nghiệp',
    'Địa chỉ liên lạc',
    'Phần vốn góp (đồng)',
    'Tỷ lệ (%)',
    'Chữ ký',
  ]);
  header.font = { bold: true };
  for (let i = 1; i <= 5; i++) ws.addRow([i]);
  ws.columns.forEach((col, i) => {
    col.width = [6, 28, 16, 26, 30, 18, 10, 14][i];
  });
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const DEMO_TEMPLATES: DemoTemplate[] = [
  {
    procedureCode: '2.000633',
    document: 'Đơn đề nghị cấp Giấy phép bán lẻ sản phẩm rượu',
    fileName: 'Đơn đề nghị cấp Giấy phép bán lẻ sản phẩm rượu.pdf',
    make: blankForm(
      'Đơn đề nghị cấp Giấy phép bán lẻ sản phẩm rượu',
      'Sở Công Thương',
      ['Tên thương nhân', 'Địa chỉ trụ sở chính', 'Số điện thoại', 'Mã số doanh nghiệp', 'Địa điểm kinh doanh', 'Mặt hàng kinh doanh'],
      'Thương nhân cam kết thực hiện đúng các quy định về kinh doanh rượu và những nội dung đã kê khai trên đây là đúng sự thật.',
      'Người đại diện theo pháp luật',
    ),
  },
  {
    procedureCode: '1.001193',
    document: 'Tờ khai đăng ký khai sinh',
    fileName: 'Tờ khai đăng ký khai sinh.pdf',
    make: blankForm(
      'Tờ khai đăng ký khai sinh',
      'Ủy ban nhân dân xã, phường',
      [
        'Họ, chữ đệm, tên người yêu cầu',
        'Số định danh cá nhân',
        'Quan hệ với người được khai sinh',
        'Họ, chữ đệm, tên người được khai sinh',
        'Ngày, tháng, năm sinh',
        'Nơi sinh',
        'Giới tính',
        'Họ, chữ đệm, tên người mẹ',
        'Họ, chữ đệm, tên người cha',
      ],
      'Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật về cam đoan của mình.',
      'Người yêu cầu',
    ),
  },
  { procedureCode: '2.001610', document: 'Danh sách thành viên', fileName: 'Danh sách thành viên.xlsx', make: memberList },
];

let made: Promise<Array<DemoTemplate & { bytes: Uint8Array }>> | null = null;

/** Stores the demo templates (generated once per process) and returns their ids by procedure code and document. */
export async function seedTemplates(db: Db): Promise<Map<string, string>> {
  made ??= Promise.all(DEMO_TEMPLATES.map(async (t) => ({ ...t, bytes: await t.make() }))).catch((err: unknown) => {
    made = null;
    throw err;
  });
  const ids = new Map<string, string>();
  for (const t of await made) {
    const checked = await putTemplateFile({ name: t.fileName, bytes: t.bytes });
    ids.set(`${t.procedureCode}|${t.document}`, await storeTemplate(db, checked, null));
  }
  return ids;
}
