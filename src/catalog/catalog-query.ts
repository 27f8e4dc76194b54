/**
 * The public catalog's search and filters, one schema for the page (/thu-tuc) and the API
 * (GET /api/v1/procedures): the same parameter names, the same Vietnamese messages.
 */
import { z } from 'zod';
import { foldVietnamese } from '../shared/text.js';
import { Id, param } from '../shared/validate.js';

export const ONLINE_LEVELS = ['toan_trinh', 'mot_phan'] as const;
export type OnlineLevel = (typeof ONLINE_LEVELS)[number];
export const ONLINE_LEVEL_LABELS: Record<OnlineLevel, string> = { toan_trinh: 'Toàn trình', mot_phan: 'Một phần' };

/** Where a page starts: after this procedure in the catalog's order (folded name, then id). */
export type CatalogCursor = { name: string; id: string };

const CURSOR_MESSAGE = 'Trang không hợp lệ. Vui lòng quay về trang đầu.';
const CursorTuple = z.tuple([z.string().max(600), Id]);

export function encodeCursor(c: CatalogCursor): string {
  return Buffer.from(JSON.stringify([c.name, c.id]), 'utf8').toString('base64url');
}

function decodeCursor(value: string): CatalogCursor | null {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(value)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const res = CursorTuple.safeParse(parsed);
  return res.success ? { name: res.data[0], id: res.data[1] } : null;
}

export const PAGE_SIZE = 20;
export const API_DEFAULT_LIMIT = 100;
const MAX_LIMIT = 200;

export const CatalogQuery = z.object({
  q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.').describe('Tìm theo tên thủ tục, không phân biệt dấu và hoa thường'),
  sectorId: param.id('Lĩnh vực không hợp lệ.').describe('Lĩnh vực (mã định danh)'),
  unitId: param.id('Cơ quan thực hiện không hợp lệ.').describe('Cơ quan thực hiện (mã định danh đơn vị)'),
  onlineLevel: param
    .oneOf(ONLINE_LEVELS, 'Mức độ phải là toan_trinh (Toàn trình) hoặc mot_phan (Một phần).')
    .describe('Mức độ dịch vụ công trực tuyến'),
  after: z
    .string()
    .max(1000, { error: CURSOR_MESSAGE })
    .transform((v, ctx) => {
      const cursor = decodeCursor(v);
      if (!cursor) {
        ctx.addIssue({ code: 'custom', message: CURSOR_MESSAGE });
        return z.NEVER;
      }
      return cursor;
    })
    .optional()
    .describe('Con trỏ trang sau (lấy từ liên kết rel="next" của trang trước)'),
  limit: param.int(1, MAX_LIMIT, `limit từ 1 đến ${MAX_LIMIT}.`).describe(`Số thủ tục mỗi trang (mặc định ${API_DEFAULT_LIMIT} qua API)`),
});
export type CatalogQuery = z.output<typeof CatalogQuery>;

/** At most this many words of a search are used. */
const MAX_TERMS = 8;

/**
 * The words of a search, folded as names are stored ("Cấp giấy PHÉP" → cap, giay, phep): letters and digits
 * only, so nothing of the text reaches to_tsquery's syntax. Empty when nothing searchable was typed.
 */
export function searchTerms(q: string | undefined): string[] {
  if (!q) return [];
  return foldVietnamese(q)
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, MAX_TERMS);
}

/** Every word, the last one as a prefix (still being typed): "cap giay ph" → cap & giay & ph:*. */
export function toTsQuery(terms: string[]): string {
  return terms.map((w, i) => (i === terms.length - 1 ? `${w}:*` : w)).join(' & ');
}
