/**
 * The situation report as an Excel workbook laid out like Biểu số 06/VPCP/KSTT: the title block, three header rows of
 * merged cells, the numbered columns, one row per unit, sector or procedure, and TỔNG CỘNG as SUM formulas (their
 * values stored too, so a viewer that does not calculate shows them). Counts as '#,##0', the rate as '0.0%'; printed
 * A4 landscape, one page wide, the header repeated on every page. Pure: the report in, the bytes out.
 */
import type ExcelJS from 'exceljs';
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
  headerCells,
  RATE_COLUMN,
  RATE_PARTS,
  reportingUnit,
  type SituationExport,
  titleLines,
  TOTAL_LABEL,
  UNIT_OF_COUNT,
} from './export-layout.js';
import type { SituationFigures } from './report-types.js';

const FONT = 'Times New Roman';
const COUNT_FORMAT = '#,##0';
const RATE_FORMAT = '0.0%';
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };

/** The first header row: six lines of title block and a blank one above it. */
export const XLSX_HEADER_ROW = 8;

/** Column letter of a 0-based column (the form has 18, A–R). */
const letter = (col: number) => String.fromCharCode(65 + col);

/** The on-time rate of a row as a formula of its own cells, with the report's value stored beside it. */
function rateFormula(row: number, rate: number | null): ExcelJS.CellFormulaValue {
  const [g, h, i] = [letter(RATE_PARTS.settled), letter(RATE_PARTS.early), letter(RATE_PARTS.onTime)];
  return { formula: `IF(${g}${row}=0,"",(${h}${row}+${i}${row})/${g}${row})`, result: rate ?? '' };
}

/** Writes one line of the title block across `from`–`to` columns. */
function titleLine(
  ws: ExcelJS.Worksheet,
  row: number,
  from: number,
  to: number,
  text: string,
  font: Partial<ExcelJS.Font>,
  align: 'left' | 'center' | 'right',
) {
  ws.mergeCells(row, from + 1, row, to + 1);
  const cell = ws.getCell(row, from + 1);
  cell.value = text;
  cell.font = { name: FONT, size: 12, ...font };
  cell.alignment = { horizontal: align, vertical: 'middle', wrapText: true };
}

export async function situationXlsx(x: SituationExport): Promise<Uint8Array> {
  const { report } = x;
  // Loaded on first use: exceljs costs start time and memory (docs/decisions/0029).
  const { Workbook } = (await import('exceljs')).default;
  const wb = new Workbook();
  wb.creator = 'MotCua';
  wb.title = 'Tình hình, kết quả giải quyết thủ tục hành chính';
  // Excel recalculates on opening; the stored results serve viewers that do not calculate.
  wb.calcProperties.fullCalcOnLoad = true;
  const ws = wb.addWorksheet('Biểu 06', {
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      // 0: as many pages high as the rows need.
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      printTitlesRow: `${XLSX_HEADER_ROW}:${XLSX_HEADER_ROW + HEADER_ROWS}`,
    },
    headerFooter: { oddFooter: '&L&"Times New Roman,Italic"&9Biểu số 06/VPCP/KSTT&R&"Times New Roman,Italic"&9Trang &P/&N' },
  });
  ws.properties.defaultRowHeight = 18;
  ws.columns = Array.from({ length: COLUMN_COUNT }, (_, col) => ({
    width: col === 0 ? 6 : col === 1 ? 42 : col === RATE_COLUMN ? 11 : 12,
  }));

  const lines = titleLines(x);
  const last = COLUMN_COUNT - 1;
  titleLine(ws, 1, 0, 4, FORM_NUMBER, { bold: true }, 'left');
  titleLine(ws, 2, 0, 4, FORM_BASIS, { italic: true, size: 11 }, 'left');
  titleLine(ws, 1, last - 4, last, reportingUnit(x), {}, 'right');
  titleLine(ws, 2, last - 4, last, UNIT_OF_COUNT, { italic: true, size: 11 }, 'right');
  titleLine(ws, 3, 0, last, FORM_TITLE, { bold: true, size: 14 }, 'center');
  titleLine(ws, 4, 0, last, lines.scope ? `${lines.unit} — ${lines.scope}` : lines.unit, { bold: true }, 'center');
  titleLine(ws, 5, 0, last, lines.period, { italic: true }, 'center');
  titleLine(ws, 6, 0, last, lines.asOf, { italic: true }, 'center');

  for (const h of headerCells(report.groupBy)) {
    const top = XLSX_HEADER_ROW + h.row;
    if (h.rows > 1 || h.cols > 1) ws.mergeCells(top, h.col + 1, top + h.rows - 1, h.col + h.cols);
    ws.getCell(top, h.col + 1).value = h.label;
  }
  const numbersRow = XLSX_HEADER_ROW + HEADER_ROWS;
  ws.getRow(numbersRow).values = COLUMN_NUMBERS;
  for (let r = XLSX_HEADER_ROW; r <= numbersRow; r++) {
    const row = ws.getRow(r);
    row.height = r === numbersRow ? 18 : 36;
    for (let col = 1; col <= COLUMN_COUNT; col++) {
      const cell = row.getCell(col);
      cell.font = { name: FONT, size: r === numbersRow ? 10 : 11, bold: r !== numbersRow, italic: r === numbersRow };
      cell.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
      cell.border = THIN;
      if (r !== numbersRow) cell.fill = HEADER_FILL;
    }
  }

  const first = numbersRow + 1;
  const figureCells = (row: ExcelJS.Row, f: SituationFigures) => {
    counts(f).forEach((n, i) => {
      row.getCell(FIRST_FIGURE + i + 1).value = n;
    });
    row.getCell(RATE_COLUMN + 1).value = rateFormula(row.number, f.onTimeRate);
  };
  report.rows.forEach((r, i) => {
    const row = ws.getRow(first + i);
    row.getCell(1).value = i + 1;
    row.getCell(2).value = r.label;
    figureCells(row, r.figures);
  });

  const totalRow = ws.getRow(first + report.rows.length);
  ws.mergeCells(totalRow.number, 1, totalRow.number, 2);
  totalRow.getCell(1).value = TOTAL_LABEL;
  if (report.rows.length === 0) {
    // Nothing to add up: the totals are written as they are (zeros).
    figureCells(totalRow, report.total);
  } else {
    counts(report.total).forEach((n, i) => {
      const col = letter(FIRST_FIGURE + i);
      totalRow.getCell(FIRST_FIGURE + i + 1).value = { formula: `SUM(${col}${first}:${col}${totalRow.number - 1})`, result: n };
    });
    totalRow.getCell(RATE_COLUMN + 1).value = rateFormula(totalRow.number, report.total.onTimeRate);
  }

  for (let r = first; r <= totalRow.number; r++) {
    const row = ws.getRow(r);
    const total = r === totalRow.number;
    for (let col = 1; col <= COLUMN_COUNT; col++) {
      const cell = row.getCell(col);
      cell.border = THIN;
      cell.font = { name: FONT, size: 11, bold: total };
      const figure = col > FIRST_FIGURE;
      cell.alignment = { vertical: 'middle', wrapText: col === 2, horizontal: figure ? 'right' : col === 1 ? 'center' : 'left' };
      if (figure) cell.numFmt = col === RATE_COLUMN + 1 ? RATE_FORMAT : COUNT_FORMAT;
    }
  }
  if (report.rows.length === 0) {
    titleLine(ws, totalRow.number + 1, 0, last, 'Không có hồ sơ trong kỳ báo cáo.', { italic: true }, 'left');
  }
  titleLine(ws, totalRow.number + 2, 0, last, COLUMN_NOTE, { italic: true, size: 11 }, 'left');

  // The title block scrolls away; the header, the numbered row and the names stay.
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: numbersRow, topLeftCell: `C${first}` }];
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
