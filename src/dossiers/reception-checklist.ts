/**
 * The reception checklist (thành phần hồ sơ received at the counter): which documents of the procedure version came,
 * how many originals (bản chính) and copies (bản sao) of each, and the scan of each (số hóa, Thông tư 01/2023/TT-VPCP).
 * The form sends `doc-<i>` for each ticked document (its position in the version), `originals-<i>`, `copies-<i>`
 * and a file `scan-<i>`; the API sends `documents: [{ index, originals, copies }]`, as JSON or as the `dossier` part of
 * a multipart body whose files are `scan-<i>` (src/api/routes.ts). Both go through receiveDossier: one rule. The form
 * also sends `staged-<i>`, the reference of a scan kept from a refused submit (staged-scans.ts).
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Queryable } from '../db/client.js';
import { procedureVersions, type ProcedureDocument } from '../db/schema/index.js';
import { isId, numberField } from '../shared/validate.js';
import { cleanText } from '../shared/text.js';
import { sizeText } from '../personal-files/files.js';
import { AppError, errors, type FieldErrors } from '../shared/errors.js';
import { safeFileName, type FileKind } from '../shared/file-types.js';
import { BlobRefusedError, putBlob, type IncomingFile } from '../storage/index.js';

/** A scan: PDF or an image, each at most the configured size (config reception.scanMaxBytes). */
export const SCAN_KINDS: ReadonlySet<FileKind> = new Set(['pdf', 'png', 'jpg']);
/** The configuration's default (RECEPTION_SCAN_MAX_MB), for callers that have no configuration at hand. */
export const DEFAULT_SCAN_MAX_BYTES = 10 * 1024 * 1024;
export const scanAllowed = (maxBytes: number) => `PDF hoặc ảnh (PNG, JPEG), tối đa ${sizeText(maxBytes)} mỗi tệp`;
/** What the API takes (its scans are held to the default limit: src/api/routes.ts passes no configuration). */
export const SCAN_ALLOWED = scanAllowed(DEFAULT_SCAN_MAX_BYTES);
/** A file's name as a message quotes it: cleaned and short (it came from the client). */
const quoted = (name: string) => `“${cleanText(name).slice(0, 120) || 'không tên'}”`;
export const scanTooLarge = (name: string, maxBytes: number) =>
  `Tệp quét quá lớn: ${quoted(name)} (tối đa ${sizeText(maxBytes)} mỗi tệp). Vui lòng quét lại với độ phân giải thấp hơn hoặc tách thành tệp nhỏ hơn.`;

/**
 * How many documents the procedure's current version lists (0 when there is no such procedure): the reception
 * form's body is sized by it before it is read (onestop/reception-routes.tsx).
 */
export async function checklistLength(db: Queryable, procedureId: string | undefined): Promise<number> {
  if (!isId(procedureId)) return 0;
  const [row] = await db
    .select({ n: sql<number>`jsonb_array_length(${procedureVersions.documents})` })
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.current, true)));
  return Number(row?.n ?? 0);
}

/** A number of originals or copies; left out or empty = none. */
const count = numberField(
  z
    .number({ message: 'Số bản phải là số.' })
    .int('Số bản phải là số nguyên.')
    .min(0, 'Số bản không được âm.')
    .max(99, 'Số bản tối đa 99.')
    .default(0),
);

export const ChecklistItem = z.object({
  index: numberField(z.number({ message: 'Thành phần hồ sơ không hợp lệ.' }).int('Thành phần hồ sơ không hợp lệ.').min(0)),
  originals: count,
  copies: count,
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

/** The form's checklist fields as the use case's `documents`: one item per ticked box `doc-<i>`. */
export function checklistFromForm(form: Record<string, string>): Array<Record<string, string>> {
  return Object.keys(form)
    .map((k) => /^doc-(\d{1,3})$/.exec(k)?.[1])
    .filter((i): i is string => i !== undefined)
    .map((index) => ({ index, originals: form[`originals-${index}`] ?? '', copies: form[`copies-${index}`] ?? '' }));
}

/** The field errors of a checklist against the version's documents (keyed `doc-<i>` beside each document). */
export function checklistProblems(documents: ProcedureDocument[], items: ChecklistItem[], scanned: Set<number>): FieldErrors {
  const problems: FieldErrors = {};
  const seen = new Set<number>();
  for (const item of items) {
    if (item.index >= documents.length || seen.has(item.index)) {
      problems.documents = 'Thành phần hồ sơ đã chọn không thuộc thủ tục này. Vui lòng tải lại trang và chọn lại.';
      continue;
    }
    seen.add(item.index);
    if (item.originals + item.copies === 0) problems[`doc-${item.index}`] = 'Nhập số bản chính hoặc số bản sao đã nhận.';
  }
  documents.forEach((d, i) => {
    if (d.required && !seen.has(i)) problems[`doc-${i}`] = 'Thành phần hồ sơ bắt buộc: chưa được đánh dấu đã nhận.';
  });
  for (const i of scanned) {
    if (!seen.has(i)) problems[`scan-${i}`] = 'Tệp quét chỉ kèm theo thành phần hồ sơ đã đánh dấu đã nhận.';
  }
  return problems;
}

/**
 * How a checklist with problems is refused: a required document not received makes it 422 required_documents_missing,
 * the message naming every such document (what an API client needs; the form also marks each one beside it);
 * otherwise (counts, scans, a forged position) the ordinary validation error.
 */
export function checklistRefusal(documents: ProcedureDocument[], items: ChecklistItem[], problems: FieldErrors): AppError {
  const ticked = new Set(items.map((item) => item.index));
  const missing = documents.filter((d, i) => d.required && !ticked.has(i)).map((d) => `“${d.name}”`);
  if (missing.length === 0) return errors.validation(problems);
  return new AppError('required_documents_missing', `Chưa nhận đủ thành phần hồ sơ bắt buộc: ${missing.join('; ')}.`, 422, problems);
}

/** A scan stored in file storage, as its dossier file will name it. */
export type StoredScan = { sha256: string; size: number; mime: string; name: string };

/** Streams a scan into storage (src/storage), checked by size and content; a refusal is the message for its field. */
export async function storeScan(
  file: IncomingFile,
  fallbackName: string,
  maxBytes: number,
): Promise<{ stored: StoredScan } | { refused: string }> {
  try {
    const blob = await putBlob('bytes' in file ? file.bytes : file.stream, { maxBytes, kinds: SCAN_KINDS });
    if (!blob.type) throw new BlobRefusedError('type');
    return {
      stored: { sha256: blob.sha256, size: blob.size, mime: blob.type.mime, name: safeFileName(file.name, blob.type, fallbackName) },
    };
  } catch (err) {
    if (!(err instanceof BlobRefusedError)) throw err;
    if (err.reason === 'empty') return { refused: `Tệp quét rỗng (0 byte): ${quoted(file.name)}. Vui lòng quét lại và chọn tệp khác.` };
    if (err.reason === 'too_large') return { refused: scanTooLarge(file.name, maxBytes) };
    return { refused: `Loại tệp không được nhận: ${quoted(file.name)}. Chỉ nhận ${scanAllowed(maxBytes)}.` };
  }
}
