/**
 * Tải xuống toàn bộ dữ liệu: the citizen's data (my-data.ts) as a ZIP — data.json, a short Đọc tôi, and the bytes
 * of their files — built as it is downloaded (my-data-zip.ts). Bounded: the files may total at most
 * MAX_EXPORT_BYTES, and a citizen may start EXPORT_LIMIT.count exports per EXPORT_LIMIT.windowMs (counted from the
 * audit rows of earlier exports, under a lock of the citizen's row so two clicks at once count as two). The export's
 * audit row is written before the first byte leaves.
 */
import { and, eq, gt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog, citizens } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { CitizenActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDateTime, todayInVietnam } from '../shared/dates.js';
import { hasBlob } from '../storage/index.js';
import type { Download } from '../web/download.js';
import { sizeText } from '../personal-files/files.js';
import type { Citizen } from './citizen-context.js';
import { readMyData, type BlobEntry } from './my-data.js';
import { streamZip } from './my-data-zip.js';

const MAX_EXPORT_BYTES = 500 * 1024 * 1024;
export const EXPORT_LIMIT = { count: 5, windowMs: 60 * 60_000 };
export const EXPORT_ACTION = 'citizen.data_export';

const README = `DỮ LIỆU CỦA TÔI — Cổng Dịch vụ công

Tệp này chứa toàn bộ dữ liệu hệ thống đang lưu về bạn (Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân):

- data.json: dữ liệu dạng JSON (thời điểm theo ISO 8601, giờ UTC; ngày dạng YYYY-MM-DD; số tiền tính bằng đồng):
  identity (thông tin định danh từ VNeID), sessions (phiên đăng nhập), dossiers (hồ sơ, thông tin người nộp,
  quá trình xử lý, tệp), drafts (hồ sơ đang soạn), payments (thanh toán lệ phí), ratings (đánh giá),
  personalFiles (tập tin cá nhân), notifications (thông báo, tin nhắn và thư đã gửi cho bạn),
  notificationPreferences (cài đặt thông báo), activity (nhật ký thao tác của bạn).
  Mỗi tệp có trường "path" là đường dẫn của tệp trong gói này.
- ho-so/: tệp của các hồ sơ (đã nộp, bổ sung, kết quả đã trả).
- ban-nhap/: tệp của hồ sơ đang soạn.
- tap-tin-ca-nhan/: tập tin cá nhân.
`;

function tooLarge(bytes: number): AppError {
  return new AppError(
    'export_too_large',
    `Tổng dung lượng các tệp của bạn (${sizeText(bytes)}) vượt quá giới hạn ${sizeText(MAX_EXPORT_BYTES)} của một lần tải xuống. ` +
      'Bạn vẫn xem được toàn bộ dữ liệu trên trang này và tải từng tệp; để nhận bản đầy đủ, vui lòng liên hệ cơ quan tiếp nhận hồ sơ.',
    413,
  );
}

function tooOften(nextAt: Date): AppError {
  return new AppError(
    'export_rate_limited',
    `Bạn đã tải xuống dữ liệu ${EXPORT_LIMIT.count} lần trong một giờ qua. Vui lòng thử lại sau ${formatDateTime(nextAt).slice(11, 16)}.`,
    429,
  );
}

/** The export, ready to send with web/download.ts: refused (AppError) before anything is sent when over a bound. */
export async function exportMyData(
  db: Db,
  actor: CitizenActor,
  citizen: Citizen,
  now: Date,
  maxBytes = MAX_EXPORT_BYTES,
): Promise<Download> {
  if (actor.citizenId !== citizen.id) throw errors.forbidden();
  const { data, blobs } = await readMyData(db, citizen, now);
  const total = blobs.reduce((a, b) => a + b.size, 0);
  if (total > maxBytes) throw tooLarge(total);
  // A file storage no longer has would cut the archive off half-way: it is left out, and data.json says so.
  const present: BlobEntry[] = [];
  const missing: string[] = [];
  for (const b of blobs) (await hasBlob(b.sha256)) ? present.push(b) : missing.push(b.path);

  await db.transaction(async (tx) => {
    await tx.select({ id: citizens.id }).from(citizens).where(eq(citizens.id, citizen.id)).for('update');
    const since = new Date(now.getTime() - EXPORT_LIMIT.windowMs);
    const recent = and(
      eq(auditLog.actorKind, 'citizen'),
      eq(auditLog.actorId, citizen.id),
      eq(auditLog.action, EXPORT_ACTION),
      gt(auditLog.at, since),
    );
    const rows = await tx.select({ at: auditLog.at }).from(auditLog).where(recent).orderBy(auditLog.at).limit(EXPORT_LIMIT.count);
    if (rows.length >= EXPORT_LIMIT.count) {
      const oldest = rows[0]?.at ?? now;
      throw tooOften(new Date(oldest.getTime() + EXPORT_LIMIT.windowMs));
    }
    await recordAudit(tx, {
      action: EXPORT_ACTION,
      actor,
      targetType: 'citizen',
      targetId: citizen.id,
      data: { dossiers: data.dossiers.length, files: present.length, bytes: total, missingFiles: missing.length },
    });
  });

  const json = JSON.stringify({ ...data, missingFiles: missing }, null, 2);
  const zip = await streamZip(
    [
      { path: 'data.json', text: json, at: now },
      { path: 'doc-toi.txt', text: README, at: now },
    ],
    present,
  );
  return {
    open: async () => zip.stream,
    size: zip.size,
    mediaType: 'application/zip',
    fileName: `du-lieu-cua-toi-${todayInVietnam(now)}.zip`,
  };
}
