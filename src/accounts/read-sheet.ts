/**
 * Read an uploaded CSV or XLSX into rows of strings keyed by column, checking the file by its
 * content (not its name): XLSX must be a zip container, CSV must be UTF-8 text. One reader for every
 * import (officials here, the unit tree and the procedure catalog in src/org and src/procedures):
 * each names its columns and the headers a real sheet gives them.
 */
import type ExcelJS from 'exceljs';
import { AppError } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { OFFICIAL_COLUMNS, type OfficialColumn } from './official-columns.js';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
const MAX_IMPORT_ROWS = 5000;
/** How far down a title block may push the header row (national exports start with a title and a date). */
const HEADER_SEARCH_ROWS = 20;

/** A data row: its row number in the sheet, its cells by column, and the columns whose XLSX cell was a formula. */
export type TableRow<K extends string> = { line: number; values: Partial<Record<K, string>>; formulas: K[] };

/** The columns of an import: each key with the headers it may appear under (Vietnamese and English). */
export type TableSpec<K extends string> = {
  columns: ReadonlyArray<readonly [K, ...string[]]>;
  /** Columns the header row must have; the first names the header in the message when none is found. */
  required: readonly K[];
};

export type SheetRow = TableRow<OfficialColumn>;

/** A header as compared: folded, punctuation and "(*)" marks dropped ("Phí, lệ phí (*)" → "phi le phi"). */
function headerKey(h: string): string {
  return foldVietnamese(h)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

type Cell = { text: string; formula: boolean };

function cellText(v: ExcelJS.CellValue): string {
  if (v == null) return '';
  if (v instanceof Date) {
    // Excel dates carry no zone: read the calendar date as stored.
    return `${String(v.getUTCDate()).padStart(2, '0')}/${String(v.getUTCMonth() + 1).padStart(2, '0')}/${v.getUTCFullYear()}`;
  }
  if (typeof v === 'object') {
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    return '';
  }
  return String(v);
}

function isFormula(v: ExcelJS.CellValue): boolean {
  return v != null && typeof v === 'object' && ('formula' in v || 'sharedFormula' in v);
}

function mapRows<K extends string>(table: Cell[][], spec: TableSpec<K>): TableRow<K>[] {
  const byHeader = new Map<string, K>();
  for (const [key, ...labels] of spec.columns) {
    for (const label of [key, ...labels]) byHeader.set(headerKey(label), key);
  }
  const nonEmpty = table.flatMap((r, i) => (r.some((c) => c.text.trim() !== '') ? [i] : []));
  if (nonEmpty.length === 0) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
  const headerIdx = nonEmpty.slice(0, HEADER_SEARCH_ROWS).find((i) => {
    const keys = new Set(table[i]!.map((c) => byHeader.get(headerKey(c.text))));
    return spec.required.every((k) => keys.has(k));
  });
  if (headerIdx === undefined) {
    const labelOf = (k: K) => spec.columns.find(([key]) => key === k)?.[1] ?? k;
    throw new AppError(
      'import_header',
      `Không tìm thấy dòng tiêu đề có các cột ${spec.required.map((k) => `"${labelOf(k)}"`).join(', ')}. Vui lòng dùng tệp mẫu.`,
      400,
    );
  }
  const header = table[headerIdx]!.map((h) => byHeader.get(headerKey(h.text)) ?? null);
  const rows: TableRow<K>[] = [];
  for (let i = headerIdx + 1; i < table.length; i++) {
    const r = table[i]!;
    if (r.every((c) => c.text.trim() === '')) continue;
    const values: Partial<Record<K, string>> = {};
    const formulas: K[] = [];
    header.forEach((key, j) => {
      if (!key) return;
      values[key] = (r[j]?.text ?? '').trim();
      if (r[j]?.formula) formulas.push(key);
    });
    rows.push({ line: i + 1, values, formulas });
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new AppError('import_too_many', `Mỗi lần nhập tối đa ${MAX_IMPORT_ROWS} dòng.`, 400);
  }
  return rows;
}

/** Read a CSV or XLSX import against the columns of `spec`. */
export async function readTable<K extends string>(bytes: Uint8Array, spec: TableSpec<K>): Promise<TableRow<K>[]> {
  if (bytes.length === 0) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
  if (bytes.length > MAX_IMPORT_BYTES) throw new AppError('import_too_large', 'Tệp quá lớn (tối đa 5 MB).', 400);
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip) {
    // Loaded on first use: exceljs costs start time and memory (docs/decisions/0029).
    const { Workbook } = (await import('exceljs')).default;
    const wb = new Workbook();
    try {
      await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    } catch {
      throw new AppError('import_unreadable', 'Không đọc được tệp Excel. Vui lòng lưu lại dạng .xlsx và thử lại.', 400);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
    const table: Cell[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: Cell[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = { text: cellText(cell.value), formula: isFormula(cell.value) };
      });
      table[n - 1] = Array.from(cells, (c) => c ?? { text: '', formula: false });
    });
    return mapRows(
      Array.from(table, (r) => r ?? []),
      spec,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('import_encoding', 'Tệp CSV phải được lưu với mã hóa UTF-8, hoặc dùng tệp Excel (.xlsx).', 400);
  }
  if (text.includes('\u0000')) throw new AppError('import_type', 'Tệp không phải CSV hay Excel (.xlsx).', 400);
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  // csv-parse at the first CSV read, not at an instance's start (docs/decisions/0029).
  const { parse } = await import('csv-parse/sync');
  let table: string[][];
  try {
    table = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    throw new AppError('import_csv', `Tệp CSV không đúng định dạng: ${(err as Error).message}`, 400);
  }
  return mapRows(
    table.map((r) => r.map((text) => ({ text, formula: false }))),
    spec,
  );
}

const OFFICIALS: TableSpec<OfficialColumn> = {
  columns: OFFICIAL_COLUMNS.map(([key, label]) => [key, label] as const),
  required: ['username'],
};

export function readSheet(bytes: Uint8Array): Promise<SheetRow[]> {
  return readTable(bytes, OFFICIALS);
}
