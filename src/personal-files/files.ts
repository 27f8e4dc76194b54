/**
 * Quản lý tập tin cá nhân: what the use cases of this folder share — the accepted kinds, the quota, the one
 * "not found" and the lookup of a live file by its owner. Another citizen's file is found exactly like a missing one.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { personalFiles } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import { FILE_TYPES, type FileKind, type FileType } from '../shared/file-types.js';
import { isId } from '../shared/validate.js';

/** The largest single file: the upload routes' body limit (web/body.ts) leaves room for it and the form. */
export const MAX_PERSONAL_FILE_BYTES = 10 * 1024 * 1024;

/** Every kind the detector knows: what dossiers ask for (scans, forms, tables). */
export const PERSONAL_FILE_KINDS: ReadonlySet<FileKind> = new Set(['pdf', 'png', 'jpg', 'docx', 'doc', 'xlsx', 'xls', 'odt']);
export const PERSONAL_FILE_ACCEPT = '.pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.odt';
export const PERSONAL_FILE_ALLOWED = 'PDF, ảnh (PNG, JPEG), Word (.doc, .docx), Excel (.xls, .xlsx) hoặc OpenDocument (.odt)';

/** A citizen's quota over their uploaded files (config: PERSONAL_FILES_QUOTA_MB, PERSONAL_FILES_QUOTA_FILES). */
export type PersonalFilesQuota = { quotaBytes: number; quotaFiles: number };

/** The longest display name kept (safeFileName keeps 140 characters of name plus the extension). */
export const NAME_MAX = 150;

const fileNotFound = () => errors.notFound('Tệp');

/** The file type a stored mime names (only detected types are ever stored). */
export function typeOfMime(mime: string): FileType | null {
  return Object.values(FILE_TYPES).find((t) => t.mime === mime) ?? null;
}

/** Megabytes for people: "10 MB", "1,5 MB", "350 KB". */
export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('vi-VN')} KB`;
  const mb = Math.round((bytes / 1024 / 1024) * 10) / 10;
  return `${mb.toLocaleString('vi-VN')} MB`;
}

/** A citizen's live file by id, or the not-found error (a malformed id, a deleted file, another citizen's file). */
export async function liveFileOf(db: Queryable, citizenId: string, fileId: string, opts: { lock?: boolean } = {}) {
  if (!isId(fileId)) throw fileNotFound();
  const query = db
    .select()
    .from(personalFiles)
    .where(and(eq(personalFiles.id, fileId), eq(personalFiles.citizenId, citizenId), isNull(personalFiles.deletedAt)));
  const [row] = opts.lock ? await query.for('update') : await query;
  if (!row) throw fileNotFound();
  return row;
}

/** What a citizen's uploads take: bytes and files (results issued by agencies do not count). */
export async function usageOf(db: Queryable, citizenId: string): Promise<{ bytes: number; files: number }> {
  const [row] = await db
    .select({
      bytes: sql<string>`coalesce(sum(${personalFiles.size}), 0)`,
      files: sql<string>`count(*)`,
    })
    .from(personalFiles)
    .where(and(eq(personalFiles.citizenId, citizenId), eq(personalFiles.source, 'upload'), isNull(personalFiles.deletedAt)));
  return { bytes: Number(row?.bytes ?? 0), files: Number(row?.files ?? 0) };
}
