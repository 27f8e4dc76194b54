/**
 * Quản lý tập tin cá nhân: what the use cases of this folder share — the accepted kinds, the quota, the one
 * "not found" and the lookup of a live file by its owner. Another citizen's file is found exactly like a missing one.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { type Queryable, queryRows } from '../db/client.js';
import { citizens, dossierDrafts, personalFiles } from '../db/schema/index.js';
import { errors } from '../shared/errors.js';
import { FILE_TYPES, type FileKind, type FileType } from '../shared/file-types.js';
import { isId } from '../shared/validate.js';

/** The largest single file: the upload routes' body limit (web/body.ts) leaves room for it and the form. */
export const MAX_PERSONAL_FILE_BYTES = 10 * 1024 * 1024;

/** Every kind the detector knows: what dossiers ask for (scans, forms, tables). */
export const PERSONAL_FILE_KINDS: ReadonlySet<FileKind> = new Set(['pdf', 'png', 'jpg', 'docx', 'doc', 'xlsx', 'xls', 'odt']);
export const PERSONAL_FILE_ACCEPT = '.pdf,.png,.jpg,.jpeg,.doc,.docx,.xls,.xlsx,.odt';
export const PERSONAL_FILE_ALLOWED = 'PDF, ảnh (PNG, JPEG), Word (.doc, .docx), Excel (.xls, .xlsx) hoặc OpenDocument (.odt)';

/**
 * A citizen's quota over their uploaded files (config: PERSONAL_FILES_QUOTA_MB, PERSONAL_FILES_QUOTA_FILES), and what
 * their uploads may store over 24 hours, kept or not (PERSONAL_UPLOAD_DAILY_MB: upload-budget.ts).
 */
export type PersonalFilesQuota = { quotaBytes: number; quotaFiles: number; uploadDailyBytes: number };

/** The longest display name kept (safeFileName keeps 140 characters of name plus the extension). */
export const NAME_MAX = 150;

const fileNotFound = () => errors.notFound('Tệp');

/** The file type a stored mime names (only detected types are ever stored). */
export function typeOfMime(mime: string): FileType | null {
  return Object.values(FILE_TYPES).find((t) => t.mime === mime) ?? null;
}

/** Megabytes for people: "10 MB", "1,5 MB", "350 KB". */
export function sizeText(bytes: number): string {
  // Nothing is nothing: a quota with no file read "Đã dùng 1 KB" (the floor below is for a file of a few bytes).
  if (bytes === 0) return '0 KB';
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

/**
 * What a citizen's uploads take of the quota, in bytes and files: their live uploaded personal files and the files
 * held in their drafts of Nộp hồ sơ (dossier_drafts.files), so drafts — one per procedure, each file re-uploadable —
 * cannot fill the storage around the quota. A draft's file taken from the citizen's own live uploads is counted
 * once, as the personal file; the same content in several drafts once (it is one blob). Results issued by
 * agencies do not count, nor files of submitted dossiers (those belong to the dossier; docs/decisions/0020).
 */
export async function usageOf(
  db: Queryable,
  citizenId: string,
): Promise<{ bytes: number; files: number; draftBytes: number; draftFiles: number }> {
  const [row] = await queryRows<{ bytes: string; files: string; draft_bytes: string; draft_files: string }>(
    db,
    sql`
    with own as (
      select ${personalFiles.sha256} as sha256, ${personalFiles.size}::bigint as size from ${personalFiles}
      where ${personalFiles.citizenId} = ${citizenId} and ${personalFiles.source} = 'upload' and ${personalFiles.deletedAt} is null
    ), drafted as (
      select distinct f.value->>'sha256' as sha256, (f.value->>'size')::bigint as size
      from ${dossierDrafts} d cross join lateral jsonb_each(d.files) f
      where d.citizen_id = ${citizenId} and not exists (select 1 from own where own.sha256 = f.value->>'sha256')
    )
    select (select coalesce(sum(size), 0) from own) as bytes, (select count(*) from own) as files,
           (select coalesce(sum(size), 0) from drafted) as draft_bytes, (select count(*) from drafted) as draft_files`,
  );
  const draftBytes = Number(row?.draft_bytes ?? 0);
  const draftFiles = Number(row?.draft_files ?? 0);
  return { bytes: Number(row?.bytes ?? 0) + draftBytes, files: Number(row?.files ?? 0) + draftFiles, draftBytes, draftFiles };
}

/**
 * The quota is checked again under this lock of the citizen's row, so two uploads at once cannot both take the rest;
 * the upload budget's records are written under it too (upload-budget.ts).
 */
export async function lockQuotaOf(tx: Queryable, citizenId: string) {
  const [row] = await tx.select({ id: citizens.id }).from(citizens).where(eq(citizens.id, citizenId)).for('no key update');
  if (!row) throw errors.notFound('Tài khoản');
}

/** Whether `size` more bytes in one more file fit; the Vietnamese refusal (shown beside the file field) when not. */
export function quotaRefusal(usage: { bytes: number; files: number }, size: number, quota: PersonalFilesQuota): string | null {
  const where = 'Vui lòng xóa bớt tệp trong Quản lý tập tin cá nhân hoặc gỡ tệp khỏi hồ sơ nháp không dùng nữa rồi tải lên lại.';
  if (usage.files + 1 > quota.quotaFiles)
    return `Bạn đã lưu đủ ${quota.quotaFiles} tệp (số tệp tối đa, gồm cả tệp trong hồ sơ nháp). ${where}`;
  if (usage.bytes + size > quota.quotaBytes) {
    return `Không đủ dung lượng lưu trữ: bạn đã dùng ${sizeText(usage.bytes)} trên ${sizeText(quota.quotaBytes)} (gồm cả tệp trong hồ sơ nháp). ${where}`;
  }
  return null;
}
