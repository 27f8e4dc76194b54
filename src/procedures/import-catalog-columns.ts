/**
 * The columns of the procedure catalog as the national procedure database (Cơ sở dữ liệu quốc gia về TTHC)
 * exports it, and how its free-text cells read: time limit, fees, documents, online level.
 */
import type { TableSpec } from '../accounts/read-sheet.js';
import type { ProcedureDocument } from '../db/schema/index.js';
import { quote } from '../shared/import-report.js';
import { cleanText, foldVietnamese } from '../shared/text.js';
import type { LimitKind } from './time-limit.js';
import {
  foreignProcedureCodeReason,
  MAX_DOCUMENT_CHARS,
  MAX_DOCUMENTS,
  MAX_FEE_NOTE_CHARS,
  normaliseProcedureCode,
} from './procedure-input.js';

export type CatalogColumn = 'code' | 'name' | 'sector' | 'level' | 'agency' | 'timeLimit' | 'fees' | 'documents' | 'result';

export const CATALOG_SHEET: TableSpec<CatalogColumn> = {
  columns: [
    ['code', 'Mã thủ tục', 'Mã TTHC', 'Mã thủ tục hành chính', 'Mã số', 'Procedure code', 'Code'],
    ['name', 'Tên thủ tục', 'Tên TTHC', 'Tên thủ tục hành chính', 'Procedure name', 'Name'],
    ['sector', 'Lĩnh vực', 'Tên lĩnh vực', 'Sector'],
    ['level', 'Mức độ', 'Mức độ DVC', 'Mức độ DVCTT', 'Mức độ dịch vụ công trực tuyến', 'Dịch vụ công trực tuyến', 'Online level', 'Level'],
    ['agency', 'Cơ quan thực hiện', 'Cơ quan giải quyết', 'Đơn vị thực hiện', 'Implementing agency', 'Agency'],
    ['timeLimit', 'Thời hạn giải quyết', 'Thời gian giải quyết', 'Thời hạn', 'Time limit'],
    ['fees', 'Phí, lệ phí', 'Lệ phí', 'Phí', 'Fees', 'Fee'],
    ['documents', 'Thành phần hồ sơ', 'Hồ sơ', 'Documents'],
    ['result', 'Kết quả thực hiện', 'Kết quả', 'Result'],
  ],
  required: ['code', 'name', 'sector', 'agency', 'timeLimit', 'documents'],
};

/** Mã thủ tục: the national code (2.000633), or its local variant with the agency's groups (1.001234.000.00.00.H10). */
const PROCEDURE_CODE = /^\d\.\d{6}(\.[0-9A-Z]{1,4}){0,4}$/;

export function checkProcedureCode(cell: string, provinceSuffix: string | null): { code: string } | { error: string } {
  const code = normaliseProcedureCode(cell);
  if (!PROCEDURE_CODE.test(code))
    return { error: `Mã thủ tục ${quote(cell)} không đúng dạng (ví dụ: 2.000633 hoặc 1.001234.000.00.00.H10).` };
  const foreign = foreignProcedureCodeReason(code, provinceSuffix);
  return foreign ? { error: foreign } : { code };
}

/** A row's time limit; a same-day limit ("trong ngày") has limit 0 (procedures/time-limit.ts). */
export type TimeLimit = { kind: LimitKind; limit: number; after1500: boolean };

/**
 * "15 ngày làm việc", "04 giờ làm việc", "Trong ngày làm việc; sau 15 giờ thì trả trong ngày làm việc tiếp theo".
 * The first stated limit counts (a cell listing several cases keeps its longest words in the export, not here).
 * Calendar days are refused: deadlines are computed on working days (src/calendar), and converting would move them.
 */
export function parseTimeLimit(cell: string): TimeLimit | { error: string } {
  const t = cell.normalize('NFC').toLowerCase().replace(/\s+/g, ' ');
  const after1500 = /sau 15 ?(giờ|h)/.test(t);
  // "Trước/sau 15 giờ (00)" is the day's cut-off, not a limit of 15 hours.
  const rest = t.replace(/(trước|sau) 15 ?(giờ|h)( ?00)?/g, '');
  const m = /(\d+(?:[.,]\d+)?) ?(ngày làm việc|giờ làm việc|giờ)/.exec(rest);
  // Whichever the cell states first: "Trong ngày …; trường hợp nhiều bản sao kéo dài thêm không quá 02 ngày làm việc"
  // (Nghị định 23/2015's wording for chứng thực) is a same-day limit with an exception the system does not model.
  const sameDay = rest.search(/trong ngày/);
  if (sameDay >= 0 && (!m || sameDay < m.index)) return { kind: 'same_day', limit: 0, after1500 };
  if (m) {
    const n = Number(m[1]!.replace(',', '.'));
    const kind = m[2] === 'ngày làm việc' ? 'days' : 'hours';
    if (!(n > 0) || n > 365) return { error: `Thời hạn ${quote(cell)} phải lớn hơn 0 và không quá 365.` };
    if (kind === 'days' && !Number.isInteger(n)) return { error: `Thời hạn ${quote(cell)}: số ngày làm việc phải là số nguyên.` };
    return { kind, limit: n, after1500 };
  }
  if (/\d+ ?ngày/.test(t)) {
    return {
      error: `Thời hạn ${quote(cell)} tính theo ngày lịch; hệ thống tính hạn theo ngày làm việc — hãy ghi rõ "N ngày làm việc".`,
    };
  }
  return { error: `Không đọc được thời hạn giải quyết ${quote(cell)} (ví dụ: "15 ngày làm việc", "04 giờ làm việc").` };
}

export type Fees = { fee: number; note: string | null; remark: string | null };

/** "Lệ phí: 200.000 đồng/giấy phép" → 200000, the text kept as the note; "Không" → 0. Several amounts: the first. */
export function parseFees(cell: string): Fees | { error: string } {
  const text = cleanText(cell);
  if (!text) return { fee: 0, note: null, remark: null };
  const amounts = [...text.matchAll(/(\d{1,3}(?:[.,]\d{3})+|\d+) ?(?:đồng|đ\b|vnđ|vnd)/gi)].map((m) => Number(m[1]!.replace(/[.,]/g, '')));
  if (amounts.length === 0) {
    const free = /^(không|miễn|0\b)/i.test(text);
    return { fee: 0, note: free ? null : text, remark: free ? null : 'không ghi số tiền: lệ phí thu qua hệ thống là 0 đồng' };
  }
  const fee = amounts[0]!;
  if (fee > 1_000_000_000) return { error: `Lệ phí ${quote(cell)} vượt 1.000.000.000 đồng.` };
  const remark = amounts.length > 1 ? `nhiều mức phí: thu qua hệ thống mức đầu tiên ${fee.toLocaleString('vi-VN')} đồng` : null;
  return { fee, note: text.length > MAX_FEE_NOTE_CHARS ? text.slice(0, MAX_FEE_NOTE_CHARS) : text, remark };
}

/** Thành phần hồ sơ, one per line: bullets and numbering dropped, "(nếu có)" makes a document optional. */
export function parseDocuments(cell: string): ProcedureDocument[] | { error: string } {
  const docs: ProcedureDocument[] = [];
  for (const raw of cell.split(/\r?\n/)) {
    const line = cleanText(raw.replace(/^\s*(?:[-+*•–]|\d+[.)]|[a-zđ][.)])\s*/i, ''));
    if (!line || line.endsWith(':') || /^(số lượng hồ sơ|thành phần hồ sơ)/i.test(line)) continue;
    if (line.length > MAX_DOCUMENT_CHARS) return { error: `Một giấy tờ trong thành phần hồ sơ dài quá ${MAX_DOCUMENT_CHARS} ký tự.` };
    const optional = /\(nếu có\)\.?$/i.test(line);
    docs.push({ name: optional ? line.replace(/\s*\(nếu có\)\.?$/i, '') : line.replace(/[.;]$/, ''), required: !optional, copies: 1 });
  }
  if (docs.length === 0) return { error: 'Chưa ghi thành phần hồ sơ (mỗi giấy tờ một dòng).' };
  if (docs.length > MAX_DOCUMENTS) return { error: `Thành phần hồ sơ quá ${MAX_DOCUMENTS} giấy tờ.` };
  return docs;
}

/**
 * Mức độ: the codebase knows two online levels. "Toàn trình" (formerly level 4) and "một phần" (level 3) map to
 * them; level 2 or "cung cấp thông tin" has no lower level here and is kept as một phần, said in the report.
 */
export function parseLevel(cell: string): { level: 'toan_trinh' | 'mot_phan'; remark: string | null } | { error: string } {
  const t = foldVietnamese(cell)
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (/toan trinh|(^| )4$/.test(t)) return { level: 'toan_trinh', remark: null };
  if (/mot phan|(^| )3$/.test(t)) return { level: 'mot_phan', remark: null };
  if (t === '' || /cung cap thong tin|(^| )2$|^khong$/.test(t)) {
    return { level: 'mot_phan', remark: 'mức độ dưới "một phần": ghi là một phần (hệ thống có hai mức)' };
  }
  return { error: `Mức độ ${quote(cell)} không hợp lệ (toàn trình, một phần, hoặc mức độ 2/3/4).` };
}
