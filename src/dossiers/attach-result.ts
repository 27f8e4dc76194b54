import { actorColumns, delegationColumns, onBehalfOf } from '../shared/context.js';
import { Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { dossierEvents, dossierFiles, dossiers, procedureVersions } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { safeFileName, type FileKind } from '../shared/file-types.js';
import { capacityAtStep } from './access.js';
import { mayAttachResultAt } from './transitions.js';
import { viewDossier } from './view-dossier.js';
import { isId } from '../shared/validate.js';
import { BlobRefusedError, openBlob, putBlob, type IncomingFile } from '../storage/index.js';

export const MAX_RESULT_BYTES = 10 * 1024 * 1024;

const RESULT_KINDS: ReadonlySet<FileKind> = new Set(['pdf', 'png', 'jpg', 'docx']);

/** Streams a result file into storage (src/storage), counted and recognised on the way; refused files leave nothing. */
async function putResultFile(file: IncomingFile) {
  try {
    const blob = await putBlob('bytes' in file ? file.bytes : file.stream, { maxBytes: MAX_RESULT_BYTES, kinds: RESULT_KINDS });
    return { ...blob, type: blob.type! };
  } catch (err) {
    if (!(err instanceof BlobRefusedError)) throw err;
    const message = refusedFileMessage(file.name, err.reason);
    const [code, status] = REFUSALS[err.reason];
    throw new AppError(code, message, status, { file: message });
  }
}

/** Each refusal with its own code and status, so an API client can tell them apart; pages show the message. */
const REFUSALS: Record<BlobRefusedError['reason'], [string, number]> = {
  empty: ['file_empty', 400],
  too_large: ['file_too_large', 413],
  type: ['file_type_not_allowed', 415],
};

/** Why a chosen file is refused, naming it and the limit: what the message next to the file input says. */
function refusedFileMessage(name: string, reason: BlobRefusedError['reason']): string {
  const shown = name.trim() ? `“${name.trim()}”` : 'đã chọn';
  if (reason === 'empty') return `Tệp ${shown} rỗng (0 byte). Vui lòng chọn lại tệp.`;
  if (reason === 'too_large') return `Tệp ${shown} lớn hơn giới hạn 10 MB. Vui lòng chọn tệp nhỏ hơn (tối đa 10 MB).`;
  return `Tệp ${shown} không đúng định dạng. Chỉ nhận tệp PDF, ảnh (PNG, JPEG) hoặc Word (.docx), tối đa 10 MB.`;
}

/**
 * Whether the actor may attach a result to this dossier as it stands, and in which capacity: the official of its
 * current step (own right or a delegation, capacityAtStep) at the processing or approval step (mayAttachResultAt).
 * A dossier that is absent, or not the actor's, is "not found"; a wrong step is 409. Returns the dossier and who acts.
 */
async function attachCapacity(db: Queryable, actor: StaffActor, d: typeof dossiers.$inferSelect | undefined, now: Date) {
  if (!d) throw errors.notFound('Hồ sơ');
  const [v] = await db.select().from(procedureVersions).where(eq(procedureVersions.id, d.procedureVersionId));
  const step = v!.steps[d.currentStep]!;
  const capacity = await capacityAtStep(db, actor, step, d, now);
  if (!capacity) throw errors.notFound('Hồ sơ');
  if (!mayAttachResultAt(d.status, step)) {
    throw new AppError('invalid_transition', 'Chỉ đính kèm kết quả ở bước xử lý hoặc phê duyệt.', 409);
  }
  return { d, acting: capacity.own ? actor : onBehalfOf(actor, capacity.delegation) };
}

/**
 * Đính kèm kết quả: at the processing or approval step, by its officials. PDF, images or DOCX up to 10 MB. The right
 * is decided before the file is stored (officials have no upload budget: a refused caller leaves nothing in storage),
 * and again in the transaction, on the locked dossier (it may have moved on meanwhile; a file stored by a rightful
 * official and then refused stays unreferenced: harmless, content-addressed). A file the dossier's result already
 * holds is not attached twice: its id is answered.
 */
export async function attachResult(db: Db, actor: StaffActor, dossierId: string, file: IncomingFile, now: Date) {
  if (!isId(dossierId)) throw errors.notFound('Hồ sơ');
  const [before] = await db.select().from(dossiers).where(eq(dossiers.id, dossierId));
  await attachCapacity(db, actor, before, now);
  const { sha256, size, type } = await putResultFile(file);
  const name = safeFileName(file.name, type, 'ket-qua');
  return db.transaction(async (tx) => {
    const [locked] = await tx.select().from(dossiers).where(eq(dossiers.id, dossierId)).for('update');
    const { d, acting } = await attachCapacity(tx, actor, locked, now);
    // The same file again (a retry that lost its answer, a double tap): the one attached, not a twin the applicant sees
    // twice. Decided on the locked dossier, so two at once cannot both pass.
    const [same] = await tx
      .select({ id: dossierFiles.id })
      .from(dossierFiles)
      .where(and(eq(dossierFiles.dossierId, dossierId), eq(dossierFiles.kind, 'result'), eq(dossierFiles.sha256, sha256)))
      .limit(1);
    if (same) return same.id;
    const [row] = await tx
      .insert(dossierFiles)
      .values({ dossierId, kind: 'result', name, mime: type.mime, size, sha256, uploadedBy: actor.accountId })
      .returning({ id: dossierFiles.id });
    await tx.insert(dossierEvents).values({
      dossierId,
      at: now,
      ...actorColumns(acting),
      ...delegationColumns(acting),
      action: 'attach_result',
      fromStatus: d.status,
      toStatus: d.status,
      step: d.currentStep,
      note: name,
      data: { fileId: row!.id, sha256, size },
    });
    await recordAudit(tx, {
      action: 'dossier.attach_result',
      actor: acting,
      targetType: 'dossier',
      targetId: dossierId,
      unitId: d.agencyUnitId,
      data: { code: d.code, file: name, sha256, size },
    });
    return row!.id;
  });
}

/** A result file, for officials who may see the dossier: its description and its bytes, streamed from storage. */
export async function readResultFile(db: Queryable, actor: StaffActor, dossierId: string, fileId: string, now: Date) {
  await viewDossier(db, actor, dossierId, now);
  if (!isId(fileId)) throw errors.notFound('Tệp');
  const [f] = await db.select().from(dossierFiles).where(eq(dossierFiles.id, fileId));
  if (!f || f.dossierId !== dossierId) throw errors.notFound('Tệp');
  const { content, ...file } = f;
  // A row written by an older instance during a rolling upgrade still holds its bytes until the next move.
  return { ...file, open: () => (content ? Promise.resolve(Readable.from([content])) : openBlob(f.sha256)) };
}

export async function resultFilesOf(db: Queryable, dossierId: string) {
  return db
    .select({
      id: dossierFiles.id,
      kind: dossierFiles.kind,
      label: dossierFiles.documentLabel,
      name: dossierFiles.name,
      size: dossierFiles.size,
      uploadedAt: dossierFiles.uploadedAt,
    })
    .from(dossierFiles)
    .where(eq(dossierFiles.dossierId, dossierId))
    .orderBy(dossierFiles.uploadedAt);
}
