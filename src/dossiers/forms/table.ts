/**
 * A ruled table that wraps long cell text and carries on over as many pages as needed, repeating the header
 * row at the top of each new page. pdfkit has no table of its own that does both.
 */
import { bottomLimit, contentWidth, left, type Doc } from './layout.js';
import { nfc } from './format.js';

export type Column = {
  header: string;
  /** Relative width: the columns share the page width in proportion to these. */
  weight: number;
  align?: 'left' | 'center' | 'right';
};

const PAD = 3;

export function table(doc: Doc, columns: Column[], rows: string[][], opts: { fontSize?: number } = {}): void {
  const size = opts.fontSize ?? 10;
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (c.weight / total) * contentWidth(doc));
  const headers = columns.map((c) => nfc(c.header));

  const measure = (cells: string[], font: 'R' | 'B') => {
    doc.font(font).fontSize(size);
    return Math.max(...cells.map((t, i) => doc.heightOfString(t || ' ', { width: widths[i]! - 2 * PAD }))) + 2 * PAD;
  };

  const drawRow = (cells: string[], height: number, header: boolean) => {
    const y = doc.y;
    let x = left(doc);
    doc.font(header ? 'B' : 'R').fontSize(size);
    cells.forEach((text, i) => {
      const w = widths[i]!;
      if (header) doc.save().rect(x, y, w, height).fill('#e8e8e8').restore();
      doc.save().lineWidth(0.5).rect(x, y, w, height).stroke().restore();
      // `height` with `ellipsis` only bites for a row taller than a page, which is cut rather than spilled.
      doc.text(text, x + PAD, y + PAD, {
        width: w - 2 * PAD,
        height: height - 2 * PAD,
        ellipsis: true,
        align: header ? 'center' : (columns[i]!.align ?? 'left'),
      });
      x += w;
    });
    doc.x = left(doc);
    doc.y = y + height;
  };

  const headerHeight = measure(headers, 'B');
  // Tallest row that fits under the header on a fresh page.
  const maxRow = bottomLimit(doc) - doc.page.margins.top - headerHeight - 1;
  const body = rows.map((raw) => {
    const cells = columns.map((_, i) => nfc(raw[i]));
    return { cells, height: Math.min(measure(cells, 'R'), maxRow) };
  });

  // The header never stays alone at the foot of a page: it starts where the first row fits under it.
  if (doc.y + headerHeight + (body[0]?.height ?? 0) > bottomLimit(doc)) doc.addPage();
  drawRow(headers, headerHeight, true);
  for (const row of body) {
    if (doc.y + row.height > bottomLimit(doc)) {
      doc.addPage();
      drawRow(headers, headerHeight, true);
    }
    drawRow(row.cells, row.height, false);
  }
  doc.moveDown(0.5);
}
