import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { dossierEvents, dossierFiles, dossiers, procedureVersions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { Actor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { cleanText } from '../shared/text.js';
import { canActAtStep } from './policies.js';
import { viewDossier } from './view-dossier.js';

export const MAX_RESULT_BYTES = 10 * 1024 * 1024;

/** What a file really is, from its first bytes — never from its name or the browser's claim. */
export function sniff(bytes: Uint8Array): { mime: string; ext: string } | null {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return { mime: 'application/pdf', ext: 'pdf' };
  if (starts(0x89, 0x50, 0x4e, 0x47)) return { mime: 'image/png', ext: 'png' };
  if (starts(0xff, 0xd8, 0xff)) return { mime: 'image/jpeg', ext: 'jpg' };
  // Office Open XML documents are zip containers whose first entry is "[Content_Types].xml".
  if (starts(0x50, 0x4b, 0x03, 0x04) && new TextDecoder().decode(bytes.slice(30, 49)) === '[Content_Types].xml') {
    return { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: 'docx' };
  }
  return null;
}

/** Đính kèm kết quả: at the processing or approval step, by its officials. PDF, images or DOCX up to 10 MB. */
export async function attachResult(db: Db, actor: Actor, dossierId: string, file: { name: string; bytes: Uint8Array }) {
  if (file.bytes.length === 0) throw errors.validation({ file: 'Vui lòng chọn tệp kết quả.' });
  if (file.bytes.length > MAX_RESULT_BYTES) throw errors.validation({ file: 'Tệp quá lớn (tối đa 10 MB).' });
  const type = sniff(file.bytes);
  if (!type) throw errors.validation({ file: 'Chỉ nhận tệp PDF, ảnh (PNG, JPEG) hoặc Word (.docx).' });
  const name = cleanText(file.name).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 150) || `ket-qua.${type.ext}`;
  return db.transaction(async (tx) => {
    const [d] = await tx.select().from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
    if (!d) throw errors.notFound('Hồ sơ');
    const [v] = await tx.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
    const step = v!.steps[d.currentStep]!;
    if (!(await canActAtStep(tx, actor, step, d.agencyUnitId))) throw errors.notFound('Hồ sơ');
    if (!['processing', 'approval'].includes(step.role) || d.status !== 'processing') {
      throw new AppError('invalid_transition', 'Chỉ đính kèm kết quả ở bước xử lý hoặc phê duyệt.', 409);
    }
    const sha256 = crypto.createHash('sha256').update(file.bytes).digest('hex');
    const [row] = await tx
      .insert(dossierFiles)
      .values({ dossierId, kind: 'result', name, mime: type.mime, size: file.bytes.length, sha256, content: Buffer.from(file.bytes), uploadedBy: actor.accountId })
      .returning({ id: dossierFiles.id });
    await tx.insert(dossierEvents).values({
      dossierId,
      actorId: actor.accountId,
      actorLabel: actor.label,
      action: 'attach_result',
      fromStatus: d.status,
      toStatus: d.status,
      step: d.currentStep,
      note: name,
      data: { fileId: row!.id, sha256, size: file.bytes.length },
    });
    await recordAudit(tx, {
      action: 'dossier.attach_result',
      actorId: actor.accountId,
      actorLabel: actor.label,
      targetType: 'dossier',
      targetId: dossierId,
      unitId: d.agencyUnitId,
      meta: actor.meta,
      data: { code: d.code, file: name, sha256, size: file.bytes.length },
    });
    return row!.id;
  });
}

/** A result file, for officials who may see the dossier. */
export async function readResultFile(db: Queryable, actor: Actor, dossierId: string, fileId: string) {
  await viewDossier(db, actor, dossierId);
  if (!/^[0-9a-f-]{36}$/i.test(fileId)) throw errors.notFound('Tệp');
  const [f] = await db.select().from(dossierFiles).where(eq(dossierFiles.id, fileId));
  if (!f || f.dossierId !== dossierId) throw errors.notFound('Tệp');
  return f;
}

export async function resultFilesOf(db: Queryable, dossierId: string) {
  return db
    .select({ id: dossierFiles.id, name: dossierFiles.name, size: dossierFiles.size, uploadedAt: dossierFiles.uploadedAt })
    .from(dossierFiles)
    .where(eq(dossierFiles.dossierId, dossierId));
}
