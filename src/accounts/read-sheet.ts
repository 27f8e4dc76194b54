/**
 * Read an uploaded CSV or XLSX into rows of strings keyed by column, checking the file by its
 * content (not its name): XLSX must be a zip container, CSV must be UTF-8 text. One reader for every
 * import (officials here, the unit tree and the procedure catalog in src/org and src/procedures):
 * each names its columns and the headers a real sheet gives them.
 *
 * The file is parsed in a worker thread with its own heap limit and a time limit (PARSE_WORKER_SOURCE): a file that
 * unzips or parses into more than that — a zip bomb, millions of empty cells, a CSV of empty fields — ends the
 * worker, never the server, and the administrator gets a 400. Cheap bounds come first: an XLSX's central directory
 * (declared sizes, compression ratios, entry count) before anything is inflated; rows with values, characters and
 * CSV fields per record while parsing.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Options as CsvOptions } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { AppError } from '../shared/errors.js';
import { zipDirectory } from '../shared/file-types.js';
import { foldVietnamese } from '../shared/text.js';
import { OFFICIAL_COLUMNS, type OfficialColumn } from './official-columns.js';

export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
const MAX_IMPORT_ROWS = 5000;
/** How far down a title block may push the header row (national exports start with a title and a date). */
const HEADER_SEARCH_ROWS = 20;
/** Rows with values a sheet may have: the data rows, the header and a title block; parsing stops past it. */
const MAX_SHEET_ROWS = MAX_IMPORT_ROWS + HEADER_SEARCH_ROWS;
/** An XLSX's bounds by its central directory: all entries unzipped (a 5,000-row officials sheet is ~2 MB), … */
const MAX_UNZIPPED_BYTES = 20 * 1024 * 1024;
/** … one entry's compression ratio (real sheets stay near 10; counted for entries over 1 MB), and the entries. */
const MAX_ZIP_RATIO = 100;
const MAX_ZIP_ENTRIES = 300;
/** Non-empty cells, and characters of their values, the worker hands back (shared strings repeated in many cells stay bounded). */
const MAX_SHEET_CELLS = 200_000;
const MAX_SHEET_CHARS = 16 * 1024 * 1024;
/** Fields of one CSV record, and characters of one record. */
const MAX_CSV_FIELDS = 100;
const MAX_CSV_RECORD_CHARS = 256 * 1024;
/** The parsing worker's heap and time, and how many parse at once (each may use that heap). */
const PARSE_HEAP_MB = 96;
const PARSE_TIME_MS = 20_000;
const MAX_PARSES = 2;
/**
 * Imports waiting for a turn, at most; one more is refused at once. Each holds its file (≤ MAX_IMPORT_BYTES, and a
 * CSV's text besides) while it waits, so without a bound a burst of posts — one administrator's script, or a page
 * submitted again and again — would gather them all in memory. Eight wait at most four parse times.
 */
const MAX_WAITING_PARSES = 8;

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
/** A sheet row with values: its row number and its cells by zero-based column (sparse: a cell in column XFD is one entry). */
type Line = { line: number; cells: Map<number, Cell> };

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

const blank = (r: Line) => [...r.cells.values()].every((c) => c.text.trim() === '');

function mapRows<K extends string>(table: Line[], spec: TableSpec<K>): TableRow<K>[] {
  const byHeader = new Map<string, K>();
  for (const [key, ...labels] of spec.columns) {
    for (const label of [key, ...labels]) byHeader.set(headerKey(label), key);
  }
  const nonEmpty = table.filter((r) => !blank(r));
  if (nonEmpty.length === 0) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
  const headerIdx = nonEmpty.slice(0, HEADER_SEARCH_ROWS).findIndex((r) => {
    const keys = new Set([...r.cells.values()].map((c) => byHeader.get(headerKey(c.text))));
    return spec.required.every((k) => keys.has(k));
  });
  if (headerIdx < 0) {
    const labelOf = (k: K) => spec.columns.find(([key]) => key === k)?.[1] ?? k;
    throw new AppError(
      'import_header',
      `Không tìm thấy dòng tiêu đề có các cột ${spec.required.map((k) => `"${labelOf(k)}"`).join(', ')}. Vui lòng dùng tệp mẫu.`,
      400,
    );
  }
  // Column → key, in column order (of two columns with the same header, the later one wins).
  const header = new Map<number, K>();
  for (const [col, c] of [...nonEmpty[headerIdx]!.cells].sort(([a], [b]) => a - b)) {
    const key = byHeader.get(headerKey(c.text));
    if (key) header.set(col, key);
  }
  const rows: TableRow<K>[] = [];
  for (const r of nonEmpty.slice(headerIdx + 1)) {
    const values: Partial<Record<K, string>> = {};
    const formulas: K[] = [];
    for (const [col, key] of header) {
      const cell = r.cells.get(col);
      values[key] = (cell?.text ?? '').trim();
      if (cell?.formula) formulas.push(key);
    }
    rows.push({ line: r.line, values, formulas });
  }
  if (rows.length > MAX_IMPORT_ROWS) throw tooManyRows();
  return rows;
}

const tooManyRows = () => new AppError('import_too_many', `Mỗi lần nhập tối đa ${MAX_IMPORT_ROWS} dòng.`, 400);
const tooLarge = (why: string) =>
  new AppError('import_too_large', `Tệp quá lớn hoặc không đọc được (${why}). Vui lòng chia nhỏ tệp và thử lại.`, 400);
const unreadableXlsx = () => new AppError('import_unreadable', 'Không đọc được tệp Excel. Vui lòng lưu lại dạng .xlsx và thử lại.', 400);

/**
 * The parsing worker, plain JavaScript run from this string (`eval: true`) so that it loads the same way under tsx,
 * vitest and the compiled dist/. It only loads the library (by the path the main thread resolved) and hands back the
 * first sheet's rows with values as [row number, [[column, raw value], …]] (exceljs values — strings, numbers,
 * Dates, plain objects — are structured-cloneable); cellText/isFormula/mapRows stay in the main thread. A bound
 * passed ends the parse with { fail }.
 */
const PARSE_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { kind, modulePath, input, maxRows, maxCells, maxChars, maxFields } = workerData;
class Stop { constructor(fail, line) { this.fail = fail; this.line = line; } }
let cells = 0;
let chars = 0;
/** Count a non-empty cell against the bounds. */
function count(v) {
  cells++;
  chars += sizeOf(v);
  if (cells > maxCells || chars > maxChars) throw new Stop('cells');
}
const sizeOf = (v) => (typeof v === 'string' ? v.length : v && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v).length : 8);
async function xlsx() {
  const { Workbook } = require(modulePath);
  const wb = new Workbook();
  try {
    await wb.xlsx.load(Buffer.from(input));
  } catch {
    return { fail: 'unreadable' };
  }
  const ws = wb.worksheets[0];
  const rows = [];
  if (ws) ws.eachRow((row, n) => {
    if (rows.length >= maxRows) throw new Stop('rows');
    const values = [];
    row.eachCell((cell, col) => {
      if (cell.value === '') return;
      count(cell.value);
      values.push([col - 1, cell.value]);
    });
    rows.push([n, values]);
  });
  return { rows };
}
function csv() {
  const { parse } = require(modulePath);
  const rows = [];
  let line = 0;
  parse(input.text, {
    ...input.options,
    on_record: (record) => {
      line++;
      if (record.length > maxFields) throw new Stop('fields', line);
      if (record.every((f) => f.trim() === '')) return null;
      if (rows.length >= maxRows) throw new Stop('rows');
      const values = [];
      record.forEach((f, i) => {
        if (f === '') return;
        count(f);
        values.push([i, f]);
      });
      rows.push([line, values]);
      return null;
    },
  });
  return { rows };
}
(async () => (kind === 'xlsx' ? xlsx() : csv()))().then(
  (result) => parentPort.postMessage(result),
  (err) =>
    parentPort.postMessage(
      err instanceof Stop ? { fail: err.fail, line: err.line } : kind === 'xlsx' ? { fail: 'unreadable' } : { fail: 'error', message: String(err && err.message) },
    ),
);
`;

type WorkerAnswer =
  | { rows: Array<[number, Array<[number, unknown]>]> }
  | { fail: 'unreadable' | 'rows' | 'cells' | 'fields' | 'error'; line?: number; message?: string };

let parsing = 0;
const waiting: Array<() => void> = [];

/** Run `job` when fewer than MAX_PARSES parses run (each worker may take PARSE_HEAP_MB); refuse it when too many wait. */
async function inTurn<T>(job: () => Promise<T>): Promise<T> {
  if (parsing < MAX_PARSES) parsing++;
  else if (waiting.length >= MAX_WAITING_PARSES)
    throw new AppError('import_busy', 'Máy chủ đang đọc nhiều tệp nhập cùng lúc. Vui lòng thử lại sau ít phút.', 503, undefined, {
      retryAfterSeconds: 60,
    });
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await job();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else parsing--;
  }
}

const resolvePackage = (name: string) => createRequire(import.meta.url).resolve(name);

/** Parse in a worker with its own heap and time limits: running out of either ends the worker (a 400), not the server. */
function parseInWorker(kind: 'xlsx' | 'csv', input: Uint8Array | { text: string; options: CsvOptions }): Promise<WorkerAnswer> {
  return inTurn(
    () =>
      new Promise<WorkerAnswer>((resolve, reject) => {
        // Modules located here, so the worker does not depend on its working directory (docs/decisions/0029: loaded at first use).
        const modulePath = resolvePackage(kind === 'xlsx' ? 'exceljs' : 'csv-parse/sync');
        // A copy of its own, handed over (not cloned again), so the caller's bytes stay as they were.
        const data = input instanceof Uint8Array ? input.slice() : input;
        const worker = new Worker(PARSE_WORKER_SOURCE, {
          eval: true,
          execArgv: [],
          workerData: {
            kind,
            modulePath,
            input: data,
            maxRows: MAX_SHEET_ROWS,
            maxCells: MAX_SHEET_CELLS,
            maxChars: MAX_SHEET_CHARS,
            maxFields: MAX_CSV_FIELDS,
          },
          transferList: data instanceof Uint8Array ? [data.buffer] : [],
          resourceLimits: { maxOldGenerationSizeMb: PARSE_HEAP_MB, maxYoungGenerationSizeMb: 16 },
        });
        let settled = false;
        const settle = (f: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          void worker.terminate();
          f();
        };
        const timer = setTimeout(() => settle(() => reject(tooLarge('đọc tệp quá lâu'))), PARSE_TIME_MS);
        worker.once('message', (answer: WorkerAnswer) => settle(() => resolve(answer)));
        // ERR_WORKER_OUT_OF_MEMORY, or anything else that ends the worker without an answer.
        worker.on('error', () => settle(() => reject(tooLarge('quá nhiều dữ liệu sau khi giải nén'))));
        worker.on('exit', () => settle(() => reject(tooLarge('quá nhiều dữ liệu sau khi giải nén'))));
      }),
  );
}

/** An XLSX's central directory within bounds, before anything is inflated. */
function checkZip(bytes: Uint8Array): void {
  const entries = zipDirectory(bytes);
  if (!entries) throw unreadableXlsx();
  if (entries.length > MAX_ZIP_ENTRIES) throw tooLarge(`${entries.length} thành phần trong tệp`);
  const total = entries.reduce((n, e) => n + e.uncompressedSize, 0);
  const bomb = entries.some((e) => e.uncompressedSize > 1024 * 1024 && e.uncompressedSize > MAX_ZIP_RATIO * Math.max(1, e.compressedSize));
  if (total > MAX_UNZIPPED_BYTES || bomb) throw tooLarge(`hơn ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB sau khi giải nén`);
}

/** The worker's answer as sheet lines, or the AppError its refusal means. */
function linesOf(answer: WorkerAnswer, cell: (v: unknown) => Cell): Line[] {
  if ('rows' in answer) return answer.rows.map(([line, cells]) => ({ line, cells: new Map(cells.map(([col, v]) => [col, cell(v)])) }));
  switch (answer.fail) {
    case 'unreadable':
      throw unreadableXlsx();
    case 'rows':
      throw tooManyRows();
    case 'cells':
      throw tooLarge(`quá ${MAX_SHEET_CELLS.toLocaleString('vi-VN')} ô có dữ liệu hoặc quá nhiều chữ`);
    case 'fields':
      throw new AppError('import_csv', `Tệp CSV không đúng định dạng: dòng ${answer.line} có hơn ${MAX_CSV_FIELDS} cột.`, 400);
    default:
      throw new AppError('import_csv', `Tệp CSV không đúng định dạng: ${answer.message}`, 400);
  }
}

/** Read a CSV or XLSX import against the columns of `spec`. */
export async function readTable<K extends string>(bytes: Uint8Array, spec: TableSpec<K>): Promise<TableRow<K>[]> {
  if (bytes.length === 0) throw new AppError('import_empty', 'Tệp không có dữ liệu.', 400);
  if (bytes.length > MAX_IMPORT_BYTES) throw new AppError('import_too_large', 'Tệp quá lớn (tối đa 5 MB).', 400);
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (isZip) {
    checkZip(bytes);
    const answer = await parseInWorker('xlsx', bytes);
    const cell = (v: unknown) => ({ text: cellText(v as ExcelJS.CellValue), formula: isFormula(v as ExcelJS.CellValue) });
    return mapRows(linesOf(answer, cell), spec);
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
  // The worker adds on_record (the bounds on fields and rows): a function does not cross to it.
  const options: CsvOptions = {
    bom: true,
    delimiter,
    relax_column_count: true,
    skip_empty_lines: false,
    max_record_size: MAX_CSV_RECORD_CHARS,
  };
  const answer = await parseInWorker('csv', { text, options });
  return mapRows(
    linesOf(answer, (v) => ({ text: v as string, formula: false })),
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
