/**
 * Page furniture shared by the one-stop forms: the document itself with its embedded font, the national
 * heading, titles, labelled fields, numbered lists and signature blocks. Sizes follow the administrative
 * document style of Nghị định 30/2020/NĐ-CP (A4, 13 pt body, margins 20/15/20/30 mm).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type {} from 'pdfkit';
import { nfc, placeDateLine, upper } from './format.js';
import type { FormAgency, FormApplicant } from './index.js';

export type Doc = PDFKit.PDFDocument;

const MM = 72 / 25.4;
/**
 * The decree asks for 13–14 pt Times New Roman; Noto Serif has a much larger x-height, so 12 pt of it reads
 * as large as 14 pt Times and keeps a one-page form on one page.
 */
export const BODY_SIZE = 12;
const HEADING_SIZE = 11;

/**
 * Noto Serif (SIL Open Font License 1.1) from the @expo-google-fonts/noto-serif package: each of its files is a
 * complete static font covering every Vietnamese letter and tone mark, unlike the unicode-range subsets of the
 * web-font packages, which split one alphabet over several files. A serif face, as official papers use.
 */
const FONT_FILES = {
  R: '400Regular/NotoSerif_400Regular.ttf',
  B: '700Bold/NotoSerif_700Bold.ttf',
  I: '400Regular_Italic/NotoSerif_400Regular_Italic.ttf',
} as const;
type FontName = keyof typeof FONT_FILES;

let fontCache: Record<FontName, Buffer> | null = null;
function fonts(): Record<FontName, Buffer> {
  if (!fontCache) {
    const require = createRequire(import.meta.url);
    const load = (file: string) => readFileSync(require.resolve(`@expo-google-fonts/noto-serif/${file}`));
    fontCache = { R: load(FONT_FILES.R), B: load(FONT_FILES.B), I: load(FONT_FILES.I) };
  }
  return fontCache;
}

/**
 * Creates an A4 document, lets `draw` fill it, numbers the pages if there are several, and returns the bytes. With a
 * `footer`, every page, even a lone one, carries it on the left and its number on the right: a report's printed pages
 * get separated and each must say what it belongs to.
 */
export async function renderPdf(
  opts: { title: string; landscape?: boolean; footer?: string },
  draw: (doc: Doc) => void | Promise<void>,
): Promise<Buffer> {
  const landscape = opts.landscape ?? false;
  // Loaded on first use: pdfkit costs start time and memory (docs/decisions/0029).
  const { default: PdfDocument } = await import('pdfkit');
  const doc: Doc = new PdfDocument({
    size: 'A4',
    layout: landscape ? 'landscape' : 'portrait',
    // The binding edge is on the left of a portrait page; a landscape register is bound at the top.
    margins: landscape
      ? { top: 20 * MM, bottom: 15 * MM, left: 15 * MM, right: 15 * MM }
      : { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM },
    bufferPages: true,
    info: { Title: nfc(opts.title), Creator: 'MotCua' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const f = fonts();
  for (const name of Object.keys(f) as FontName[]) doc.registerFont(name, f[name]);
  doc.font('R').fontSize(BODY_SIZE);
  await draw(doc);
  numberPages(doc, opts.footer === undefined ? undefined : nfc(opts.footer));
  doc.end();
  return done;
}

function numberPages(doc: Doc, footer: string | undefined): void {
  const { start, count } = doc.bufferedPageRange();
  if (count < 2 && footer === undefined) return;
  for (let i = 0; i < count; i++) {
    doc.switchToPage(start + i);
    const bottom = doc.page.margins.bottom;
    const y = doc.page.height - bottom / 2 - 5;
    // Writing inside the bottom margin would make pdfkit open a new page: lift the margin while we write.
    doc.page.margins.bottom = 0;
    const number = `Trang ${i + 1}/${count}`;
    doc.font('I').fontSize(9);
    if (footer === undefined) {
      doc.text(number, left(doc), y, { width: contentWidth(doc), align: 'center', lineBreak: false });
    } else {
      const numberWidth = doc.widthOfString(number) + 2;
      doc.text(footer, left(doc), y, { width: contentWidth(doc) - numberWidth - 12, lineBreak: false, ellipsis: true });
      doc.text(number, left(doc) + contentWidth(doc) - numberWidth, y, { width: numberWidth, align: 'right', lineBreak: false });
    }
    doc.page.margins.bottom = bottom;
  }
}

export const left = (doc: Doc) => doc.page.margins.left;
export const contentWidth = (doc: Doc) => doc.page.width - doc.page.margins.left - doc.page.margins.right;
export const bottomLimit = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** Text placed at an explicit x leaves doc.x there; put it back so the next paragraph starts at the margin. */
function resetX(doc: Doc): void {
  doc.x = left(doc);
}

/** Starts a new page when fewer than `height` points are left on this one. */
function keepTogether(doc: Doc, height: number): void {
  if (doc.y + height > bottomLimit(doc)) doc.addPage();
}

/**
 * The national heading: the agency on the left (parent agency above it), the country's name and motto on the
 * right, underlined; under them the place and date line when the form is dated, and the form number above all.
 */
export function heading(doc: Doc, p: { agency: FormAgency; formNo?: string; date?: Date }): void {
  const x0 = left(doc);
  const width = contentWidth(doc);
  const top = doc.page.margins.top;
  if (p.formNo) {
    doc
      .font('I')
      .fontSize(10)
      .text(p.formNo, x0, top - 14, { width, align: 'right' });
  }
  // The right column is as wide as the country's name, which must stay on one line; the agency's names wrap
  // in what is left.
  const national = 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM';
  const gutter = 10;
  const rw = doc.font('B').fontSize(HEADING_SIZE).widthOfString(national) + 6;
  // On a landscape page the agency block keeps about the width of the national one instead of taking the rest.
  const lw = Math.min(width - rw - gutter, rw * 1.2);
  const rx = x0 + width - rw;

  doc.font('R').fontSize(HEADING_SIZE);
  if (p.agency.parentName) doc.text(upper(p.agency.parentName), x0, top, { width: lw, align: 'center' });
  doc.font('B').text(upper(p.agency.name), x0, p.agency.parentName ? doc.y : top, { width: lw, align: 'center' });
  const leftBottom = doc.y + 4;
  rule(doc, x0 + lw / 2, leftBottom, lw / 3);

  doc.font('B').fontSize(HEADING_SIZE).text(national, rx, top, { width: rw, align: 'center' });
  doc.fontSize(HEADING_SIZE + 1).text('Độc lập - Tự do - Hạnh phúc', rx, doc.y, { width: rw, align: 'center' });
  const mottoBottom = doc.y + 3;
  rule(doc, rx + rw / 2, mottoBottom, doc.widthOfString('Độc lập - Tự do - Hạnh phúc'));
  let rightBottom = mottoBottom;
  if (p.date) {
    doc
      .font('I')
      .fontSize(BODY_SIZE)
      .text(placeDateLine(p.agency.place, p.date), rx, mottoBottom + 8, {
        width: rw,
        align: 'center',
      });
    rightBottom = doc.y;
  }
  doc.y = Math.max(leftBottom, rightBottom) + 14;
  resetX(doc);
  doc.font('R').fontSize(BODY_SIZE);
}

/** A horizontal rule of `length` centred on `cx`. */
function rule(doc: Doc, cx: number, y: number, length: number): void {
  doc
    .save()
    .lineWidth(0.6)
    .moveTo(cx - length / 2, y)
    .lineTo(cx + length / 2, y)
    .stroke()
    .restore();
}

/** The form's title in bold capitals, with an optional bold subtitle ("Về việc …"). */
export function title(doc: Doc, text: string, subtitle?: string): void {
  doc.moveDown(0.5);
  doc
    .font('B')
    .fontSize(BODY_SIZE + 1)
    .text(upper(text), left(doc), doc.y, { width: contentWidth(doc), align: 'center' });
  if (subtitle)
    doc
      .font('B')
      .fontSize(BODY_SIZE)
      .text(nfc(subtitle), { width: contentWidth(doc), align: 'center' });
  doc.moveDown(0.8);
  resetX(doc);
  doc.font('R').fontSize(BODY_SIZE);
}

/** A line centred under the title, e.g. "Mã hồ sơ: …", the value in bold. */
export function centred(doc: Doc, label: string, value: string): void {
  // pdfkit centres each run of a `continued` line on its own, so the two runs are measured and placed by hand.
  const head = `${label}: `;
  const v = nfc(value);
  const wHead = doc.font('R').fontSize(BODY_SIZE).widthOfString(head);
  const wValue = doc.font('B').widthOfString(v);
  const x = left(doc) + Math.max(0, (contentWidth(doc) - wHead - wValue) / 2);
  const y = doc.y;
  doc.font('R').text(head, x, y, { lineBreak: false });
  doc.font('B').text(v, x + wHead, y, { lineBreak: false });
  doc.y = y + doc.currentLineHeight(true);
  resetX(doc);
  doc.font('R');
}

/** "Label: value", the value in bold when it identifies the dossier or the person. Omitted when empty. */
export function field(doc: Doc, label: string, value: string | null | undefined, opts: { bold?: boolean } = {}): void {
  const v = nfc(value);
  if (!v) return;
  resetX(doc);
  doc.font('R').fontSize(BODY_SIZE).text(`${label}: `, { continued: true, align: 'left' });
  doc.font(opts.bold ? 'B' : 'R').text(v, { align: 'left' });
  doc.font('R');
}

/** A justified paragraph of body text. */
export function para(doc: Doc, text: string, opts: { bold?: boolean; italic?: boolean; indent?: number } = {}): void {
  resetX(doc);
  doc
    .font(opts.bold ? 'B' : opts.italic ? 'I' : 'R')
    .fontSize(BODY_SIZE)
    .text(nfc(text), { align: 'justify', indent: opts.indent ?? 0, paragraphGap: 2 });
  doc.font('R');
}

/** A numbered list with a hanging indent, so wrapped lines stay clear of the numbers. */
export function numbered(doc: Doc, items: string[], indent = 18): void {
  const x0 = left(doc) + indent;
  const numWidth = 22;
  const width = contentWidth(doc) - indent - numWidth;
  doc.font('R').fontSize(BODY_SIZE);
  items.forEach((item, i) => {
    const text = nfc(item);
    keepTogether(doc, doc.heightOfString(text, { width }));
    const y = doc.y;
    doc.text(`${i + 1}.`, x0, y, { width: numWidth });
    doc.text(text, x0 + numWidth, y, { width, align: 'left' });
  });
  resetX(doc);
}

/** The applicant's particulars as printed on forms 01–03; missing optional particulars are left out. */
export function applicantFields(doc: Doc, a: FormApplicant): void {
  field(doc, 'Ông/Bà', a.fullName, { bold: true });
  field(doc, 'Số định danh cá nhân/CCCD', a.cccd);
  field(doc, 'Địa chỉ', a.address);
  field(doc, 'Số điện thoại', a.phone);
  field(doc, 'Email', a.email);
}

export type SignatureColumn = { title: string; hint: string; name?: string | null };

/**
 * Signature blocks side by side, each with its role, the instruction in italics, room to sign and the
 * printed name. A single block sits in the right half, as on official papers. Never split across pages.
 */
export function signatures(doc: Doc, columns: SignatureColumn[]): void {
  const room = 56;
  doc.moveDown(0.8);
  keepTogether(doc, 40 + room + 20);
  const width = contentWidth(doc);
  const colWidth = columns.length === 1 ? width / 2 : width / columns.length;
  const x0 = columns.length === 1 ? left(doc) + width / 2 : left(doc);
  const top = doc.y;
  let bottom = top;
  columns.forEach((c, i) => {
    const x = x0 + i * colWidth;
    doc.font('B').fontSize(BODY_SIZE).text(upper(c.title), x, top, { width: colWidth, align: 'center' });
    doc
      .font('I')
      .fontSize(BODY_SIZE - 1)
      .text(c.hint, x, doc.y, { width: colWidth, align: 'center' });
    const name = nfc(c.name);
    if (name)
      doc
        .font('B')
        .fontSize(BODY_SIZE)
        .text(name, x, doc.y + room, { width: colWidth, align: 'center' });
    bottom = Math.max(bottom, doc.y);
  });
  doc.y = bottom;
  resetX(doc);
  doc.font('R').fontSize(BODY_SIZE);
}

/**
 * The signature of a notice the agency issues in its own name (Mẫu 04, 05): its head or the person they authorise
 * signs and stamps it, whoever prepared it — as the forms of Thông tư 01/2018/TT-VPCP print it. The name is left for
 * the signer to write: the official who issued the notice in the application is not the signer.
 */
export const HEAD_SIGNATURE: SignatureColumn = {
  title: 'Thủ trưởng cơ quan / Người được ủy quyền',
  hint: '(Ký, ghi rõ họ tên và đóng dấu)',
};
