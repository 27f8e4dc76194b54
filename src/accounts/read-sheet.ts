/**
 * Read an uploaded CSV or XLSX into rows of strings keyed by column, checking the file by its
 * content (not its name): XLSX must be a zip container, CSV must be UTF-8 text.
 */
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { AppError } from '../shared/errors.js';
import { foldVietnamese } from '../shared/text.js';
import { OFFICIAL_COLUMNS, type OfficialColumn } from './official-columns.js';

const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
const MAX_IMPORT_ROWS = 5000;

export type SheetRow = { line: number; values: Partial<Record<OfficialColumn, string>> };

const byHeader = new Map<string, OfficialColumn>(
  OFFICIAL_COLUMNS.flatMap(([key, label]) => [
    [foldVietnamese(label), key],
    [foldVietnamese(key), key],
  ]),
);

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

function mapRows(table: string[][]): SheetRow[] {
  const headerIdx = table.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (headerIdx < 0) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
  const header = table[headerIdx]!.map((h) => byHeader.get(foldVietnamese(h)) ?? null);
  if (!header.includes('username')) {
    throw new AppError('import_header', 'Không tìm thấy dòng tiêu đề có cột "Tên tài khoản". Vui lòng dùng tệp mẫu.', 400);
  }
  const rows: SheetRow[] = [];
  for (let i = headerIdx + 1; i < table.length; i++) {
    const r = table[i]!;
    if (r.every((c) => c.trim() === '')) continue;
    const values: SheetRow['values'] = {};
    header.forEach((key, j) => {
      if (key) values[key] = (r[j] ?? '').trim();
    });
    rows.push({ line: i + 1, values });
  }
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new AppError('import_too_many', `Mỗi lần nhập tối đa ${MAX_IMPORT_ROWS} dòng.`, 400);
  }
  return rows;
}

export async function readSheet(bytes: Uint8Array): Promise<SheetRow[]> {
  if (bytes.length === 0) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
  if (bytes.length > MAX_IMPORT_BYTES) throw new AppError('import_too_large', 'Tệp quá lớn (tối đa 5 MB).', 400);
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip) {
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    } catch {
      throw new AppError('import_unreadable', 'Không đọc được tệp Excel. Vui lòng lưu lại dạng .xlsx và thử lại.', 400);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
    const table: string[][] = [];
    ws.eachRow({ includeEmpty: true }, (row, n) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = cellText(cell.value);
      });
      table[n - 1] = Array.from(cells, (c) => c ?? '');
    });
    return mapRows(Array.from(table, (r) => r ?? []));
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
  let table: string[][];
  try {
    table = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: false }) as string[][];
  } catch (err) {
    throw new AppError('import_csv', `Tệp CSV không đúng định dạng: ${(err as Error).message}`, 400);
  }
  return mapRows(table);
}
