/**
 * The situation report as a PDF in the forms' layout and font (dossiers/forms/layout.ts: A4, embedded Noto Serif,
 * loaded at the first PDF): Biểu số 06/VPCP/KSTT on landscape pages — the title block, the three-level header drawn
 * cell by cell with its merged cells, the numbered columns, the rows, TỔNG CỘNG. Rows carry on over as many pages as
 * needed with the header repeated; every page's foot names the report and its page. Pure: the report in, the bytes out.
 */
import { nfc } from '../dossiers/forms/format.js';
import { bottomLimit, contentWidth, type Doc, left, renderPdf } from '../dossiers/forms/layout.js';
import {
  COLUMN_COUNT,
  COLUMN_NOTE,
  COLUMN_NUMBERS,
  counts,
  FIRST_FIGURE,
  FORM_BASIS,
  FORM_NUMBER,
  FORM_TITLE,
  HEADER_ROWS,
  type HeaderCell,
  headerCells,
  reportingUnit,
  type SituationExport,
  titleLines,
  TOTAL_LABEL,
  UNIT_OF_COUNT,
} from './export-layout.js';
import type { SituationFigures } from './report-types.js';

const PAD = 2.5;
const HEADER_SIZE = 7.5;
const BODY_SIZE = 8;
const NUMBERS_SIZE = 7;
/** The smallest size a figure is shrunk to when it is wider than its column (a province's year: 1.234.567). */
const MIN_SIZE = 5;
const STT_WIDTH = 22;
const NAME_WIDTH = 150;

const COUNT = new Intl.NumberFormat('vi-VN');
const RATE = new Intl.NumberFormat('vi-VN', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A row's cells as printed: STT, the name, the counts in vi-VN digits ("1.234"), the rate as "95,3%" or empty. */
function cellsOf(stt: string, label: string, f: SituationFigures): string[] {
  return [stt, nfc(label), ...counts(f).map((n) => COUNT.format(n)), f.onTimeRate === null ? '' : RATE.format(f.onTimeRate)];
}

type Grid = { xs: number[]; widths: number[] };

function grid(doc: Doc): Grid {
  const rest = (contentWidth(doc) - STT_WIDTH - NAME_WIDTH) / (COLUMN_COUNT - FIRST_FIGURE);
  const widths = [STT_WIDTH, NAME_WIDTH, ...Array.from({ length: COLUMN_COUNT - FIRST_FIGURE }, () => rest)];
  const xs: number[] = [];
  widths.reduce((x, w) => {
    xs.push(x);
    return x + w;
  }, left(doc));
  return { xs, widths };
}

const span = (g: Grid, col: number, cols: number) => g.widths.slice(col, col + cols).reduce((s, w) => s + w, 0);

/** The heights of the three header levels: each as tall as its tallest one-level cell, a deeper cell's deficit added last. */
function headerHeights(doc: Doc, g: Grid, cells: HeaderCell[]): number[] {
  doc.font('B').fontSize(HEADER_SIZE);
  const need = (h: HeaderCell) => doc.heightOfString(h.label, { width: span(g, h.col, h.cols) - 2 * PAD }) + 2 * PAD;
  const heights = Array.from({ length: HEADER_ROWS }, (_, level) =>
    Math.max(12, ...cells.filter((h) => h.row === level && h.rows === 1).map(need)),
  );
  for (const h of cells.filter((c) => c.rows > 1)) {
    const have = heights.slice(h.row, h.row + h.rows).reduce((s, x) => s + x, 0);
    const deficit = need(h) - have;
    if (deficit > 0) heights[h.row + h.rows - 1]! += deficit;
  }
  return heights;
}

/** Text in a box, vertically centred, shrunk until it fits on one line when `fit` (a figure must never wrap). */
function boxText(
  doc: Doc,
  text: string,
  x: number,
  y: number,
  w: number,
  h: number,
  o: { align: 'left' | 'center' | 'right'; size: number; fit?: boolean },
) {
  let size = o.size;
  doc.fontSize(size);
  while (o.fit && size > MIN_SIZE && doc.widthOfString(text) > w - 2 * PAD) {
    size -= 0.5;
    doc.fontSize(size);
  }
  const height = Math.min(doc.heightOfString(text || ' ', { width: w - 2 * PAD }), h - 2 * PAD);
  doc.text(text, x + PAD, y + (h - height) / 2, {
    width: w - 2 * PAD,
    height: h - 2 * PAD,
    align: o.align,
    ellipsis: true,
    lineBreak: !o.fit,
  });
}

function frame(doc: Doc, x: number, y: number, w: number, h: number, fill?: string) {
  if (fill) doc.save().rect(x, y, w, h).fill(fill).restore();
  doc.save().lineWidth(0.5).rect(x, y, w, h).stroke().restore();
}

/** The header (its merged cells as single boxes) and the numbered row under it, from doc.y. */
function drawHeader(doc: Doc, g: Grid, cells: HeaderCell[], heights: number[], numbersHeight: number) {
  const top = doc.y;
  const levelY = [top];
  for (let i = 1; i < heights.length; i++) levelY.push(levelY[i - 1]! + heights[i - 1]!);
  doc.font('B');
  for (const h of cells) {
    const [x, y, w] = [g.xs[h.col]!, levelY[h.row]!, span(g, h.col, h.cols)];
    const ht = heights.slice(h.row, h.row + h.rows).reduce((s, v) => s + v, 0);
    frame(doc, x, y, w, ht, '#e8e8e8');
    boxText(doc, h.label, x, y, w, ht, { align: 'center', size: HEADER_SIZE });
  }
  const numbersY = top + heights.reduce((s, v) => s + v, 0);
  doc.font('I');
  COLUMN_NUMBERS.forEach((label, col) => {
    frame(doc, g.xs[col]!, numbersY, g.widths[col]!, numbersHeight);
    boxText(doc, label, g.xs[col]!, numbersY, g.widths[col]!, numbersHeight, { align: 'center', size: NUMBERS_SIZE, fit: true });
  });
  doc.y = numbersY + numbersHeight;
}

function drawRow(doc: Doc, g: Grid, cells: string[], height: number, total: boolean) {
  const y = doc.y;
  doc.font(total ? 'B' : 'R');
  if (total) {
    // TỔNG CỘNG spans STT and the name, as the merged cell of the form.
    const w = g.widths[0]! + g.widths[1]!;
    frame(doc, g.xs[0]!, y, w, height);
    boxText(doc, TOTAL_LABEL, g.xs[0]!, y, w, height, { align: 'center', size: BODY_SIZE });
  }
  cells.forEach((text, col) => {
    if (total && col < FIRST_FIGURE) return;
    const [x, w] = [g.xs[col]!, g.widths[col]!];
    frame(doc, x, y, w, height);
    const figure = col >= FIRST_FIGURE;
    boxText(doc, text, x, y, w, height, { align: figure ? 'right' : col === 0 ? 'center' : 'left', size: BODY_SIZE, fit: figure });
  });
  doc.x = left(doc);
  doc.y = y + height;
}

/** The title block: the form's number top left, the reporting unit top right, the title and its lines centred. */
function titleBlock(doc: Doc, x: SituationExport) {
  const x0 = left(doc);
  const width = contentWidth(doc);
  const top = doc.page.margins.top;
  const side = width * 0.38;
  doc.font('B').fontSize(10).text(FORM_NUMBER, x0, top, { width: side });
  doc.font('I').fontSize(9).text(FORM_BASIS, x0, doc.y, { width: side });
  const leftBottom = doc.y;
  doc
    .font('R')
    .fontSize(10)
    .text(nfc(reportingUnit(x)), x0 + width - side, top, { width: side, align: 'right' });
  doc
    .font('I')
    .fontSize(9)
    .text(UNIT_OF_COUNT, x0 + width - side, doc.y, { width: side, align: 'right' });
  doc.y = Math.max(leftBottom, doc.y) + 8;

  const lines = titleLines(x);
  const centre = (text: string, font: 'R' | 'B' | 'I', size: number) =>
    doc.font(font).fontSize(size).text(nfc(text), x0, doc.y, { width, align: 'center' });
  centre(FORM_TITLE, 'B', 13);
  centre(lines.unit, 'B', 11);
  if (lines.scope) centre(lines.scope, 'R', 10);
  centre(lines.period, 'I', 10);
  centre(lines.asOf, 'I', 10);
  doc.moveDown(0.6);
  doc.x = x0;
}

export function situationPdf(x: SituationExport): Promise<Buffer> {
  const { report } = x;
  const lines = titleLines(x);
  const footer = `Biểu số 06/VPCP/KSTT — ${report.unit.name} — ${lines.period}`;
  return renderPdf({ title: 'Tình hình, kết quả giải quyết thủ tục hành chính', landscape: true, footer }, (doc) => {
    titleBlock(doc, x);
    const g = grid(doc);
    const cells = headerCells(report.groupBy);
    const heights = headerHeights(doc, g, cells);
    const numbersHeight = NUMBERS_SIZE + 2 * PAD + 3;
    const headerHeight = heights.reduce((s, v) => s + v, 0) + numbersHeight;
    // Tallest row that fits under the header on a fresh page: a longer name is cut rather than spilled.
    const maxRow = bottomLimit(doc) - doc.page.margins.top - headerHeight - 1;
    const measure = (label: string, total: boolean) => {
      doc.font(total ? 'B' : 'R').fontSize(BODY_SIZE);
      const w = total ? g.widths[0]! + g.widths[1]! : g.widths[1]!;
      return Math.min(maxRow, doc.heightOfString(label, { width: w - 2 * PAD }) + 2 * PAD);
    };
    const body = [
      ...report.rows.map((r, i) => ({
        cells: cellsOf(String(i + 1), r.label, r.figures),
        height: measure(nfc(r.label), false),
        total: false,
      })),
      { cells: cellsOf('', TOTAL_LABEL, report.total), height: measure(TOTAL_LABEL, true), total: true },
    ];

    if (doc.y + headerHeight + body[0]!.height > bottomLimit(doc)) doc.addPage();
    drawHeader(doc, g, cells, heights, numbersHeight);
    for (const row of body) {
      if (doc.y + row.height > bottomLimit(doc)) {
        doc.addPage();
        drawHeader(doc, g, cells, heights, numbersHeight);
      }
      drawRow(doc, g, row.cells, row.height, row.total);
    }
    doc.moveDown(0.5);
    doc.font('I').fontSize(8);
    if (report.rows.length === 0) doc.text('Không có hồ sơ trong kỳ báo cáo.', left(doc), doc.y, { width: contentWidth(doc) });
    doc.text(COLUMN_NOTE, left(doc), doc.y, { width: contentWidth(doc) });
  });
}
