/**
 * Mẫu đơn, tờ khai: template files for a procedure's documents. A template is an immutable, content-addressed
 * row of procedure_templates; a document refers to it by id. Uploading, replacing or removing a document's
 * template writes a new version of the procedure, so dossiers received under an older version keep the
 * template they were received with.
 */
import { Readable } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '../db/client.js';
import { procedureTemplates, procedures, type ProcedureDocument } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { safeFileName, type FileKind, type FileType } from '../shared/file-types.js';
import { isId } from '../shared/validate.js';
import { BlobRefusedError, openBlob, putBlob, type IncomingFile } from '../storage/index.js';
import { contentOf, lockCurrentVersion, writeNextVersion, type ProcedureVersion } from './save-procedure.js';

export const MAX_TEMPLATE_BYTES = 5 * 1024 * 1024;
const TEMPLATE_KINDS: ReadonlySet<FileKind> = new Set(['doc', 'docx', 'pdf', 'xls', 'xlsx', 'odt']);
export const TEMPLATE_ACCEPT = '.doc,.docx,.pdf,.xls,.xlsx,.odt';
const ALLOWED = 'Word (.doc, .docx), PDF, Excel (.xls, .xlsx) hoặc OpenDocument (.odt)';

export type UploadedFile = IncomingFile;
/** Which document: its position in the version the administrator was looking at. */
export type DocumentRef = { version: number; document: number };

export type CheckedTemplate = { fileName: string; type: FileType; sha256: string; size: number };

/**
 * Streams a template file into storage (src/storage), refusing a missing, too large (while streaming) or wrongly
 * typed file (by content) — a refused file is not stored. Nothing is written to the database yet.
 */
export async function putTemplateFile(file: UploadedFile | null | undefined): Promise<CheckedTemplate> {
  if (!file) throw errors.fileMissing('tệp mẫu đơn, tờ khai');
  try {
    const blob = await putBlob('bytes' in file ? file.bytes : file.stream, { maxBytes: MAX_TEMPLATE_BYTES, kinds: TEMPLATE_KINDS });
    const type = blob.type!;
    return { fileName: safeFileName(file.name, type, 'mau-don'), type, sha256: blob.sha256, size: blob.size };
  } catch (err) {
    if (!(err instanceof BlobRefusedError)) throw err;
    if (err.reason === 'empty') throw errors.fileMissing('tệp mẫu đơn, tờ khai');
    if (err.reason === 'too_large') throw errors.fileTooLarge(MAX_TEMPLATE_BYTES / 1024 / 1024);
    throw errors.fileType(ALLOWED);
  }
}

/** Records a stored template, or finds the identical one (same bytes, same name). Returns its id. */
export async function storeTemplate(db: Queryable, t: CheckedTemplate, uploadedBy: string | null): Promise<string> {
  const [inserted] = await db
    .insert(procedureTemplates)
    .values({ sha256: t.sha256, fileName: t.fileName, mediaType: t.type.mime, size: t.size, uploadedBy })
    .onConflictDoNothing()
    .returning({ id: procedureTemplates.id });
  if (inserted) return inserted.id;
  const [existing] = await db
    .select({ id: procedureTemplates.id })
    .from(procedureTemplates)
    .where(and(eq(procedureTemplates.sha256, t.sha256), eq(procedureTemplates.fileName, t.fileName)));
  return existing!.id;
}

/**
 * Tải lên / thay mẫu: gives a document of the current version a template, as a new version. Whether the actor
 * administers the procedure is decided before the file is stored (lockCurrentVersion, in a moment's transaction of
 * its own: a refused administrator leaves nothing in storage), and again when the version is written.
 */
export async function uploadDocumentTemplate(
  db: Db,
  actor: StaffActor,
  procedureId: string,
  ref: DocumentRef,
  file: UploadedFile | null | undefined,
) {
  await db.transaction((tx) => lockCurrentVersion(tx, actor, procedureId));
  const checked = await putTemplateFile(file);
  return changeTemplate(db, actor, procedureId, ref, async (tx, doc) => {
    const id = await storeTemplate(tx, checked, actor.accountId);
    if (doc.template === id) throw new AppError('template_unchanged', 'Giấy tờ này đã dùng đúng tệp mẫu này.', 409);
    return {
      template: id,
      audit: { fileName: checked.fileName, mediaType: checked.type.mime, size: checked.size, sha256: checked.sha256 },
    };
  });
}

/** Xóa mẫu: the document has no template from the new version on (older versions keep theirs). */
export async function removeDocumentTemplate(db: Db, actor: StaffActor, procedureId: string, ref: DocumentRef) {
  return changeTemplate(db, actor, procedureId, ref, async (_tx, doc) => {
    if (!doc.template) throw new AppError('template_absent', 'Giấy tờ này chưa có tệp mẫu.', 409);
    return { template: null, audit: {} };
  });
}

type Change = { template: string | null; audit: Record<string, unknown> };

async function changeTemplate(
  db: Db,
  actor: StaffActor,
  procedureId: string,
  ref: DocumentRef,
  change: (tx: Tx, doc: ProcedureDocument) => Promise<Change>,
): Promise<ProcedureVersion> {
  return db.transaction(async (tx) => {
    const current = await lockCurrentVersion(tx, actor, procedureId);
    if (current.version !== ref.version) {
      throw errors.conflict(`Thủ tục vừa được cập nhật thành phiên bản ${current.version}. Vui lòng tải lại trang và thực hiện lại.`);
    }
    const doc = Number.isInteger(ref.document) ? current.documents[ref.document] : undefined;
    if (!doc) throw errors.notFound('Giấy tờ');
    const { template, audit } = await change(tx, doc);
    const documents = current.documents.map((d, i) => {
      if (i !== ref.document) return d;
      const { template: _old, ...rest } = d;
      return template ? { ...rest, template } : rest;
    });
    const saved = await writeNextVersion(tx, actor, current, { ...contentOf(current), documents });
    const [p] = await tx.select({ code: procedures.code }).from(procedures).where(eq(procedures.id, procedureId));
    await recordAudit(tx, {
      action: template ? (doc.template ? 'procedure.template_replace' : 'procedure.template_upload') : 'procedure.template_remove',
      actor,
      targetType: 'procedure',
      targetId: procedureId,
      unitId: current.unitIds[0]!,
      data: { code: p!.code, version: saved.version, document: doc.name, old: doc.template ?? null, new: template, ...audit },
    });
    return saved;
  });
}

/** A template for download: public, by id (any id a version ever referred to); its bytes streamed from storage. */
export async function readTemplate(db: Queryable, id: string) {
  if (!isId(id)) throw errors.notFound('Mẫu đơn, tờ khai');
  const [t] = await db.select().from(procedureTemplates).where(eq(procedureTemplates.id, id));
  if (!t) throw errors.notFound('Mẫu đơn, tờ khai');
  const { bytes, ...template } = t;
  // A row written by an older instance during a rolling upgrade still holds its bytes until the next move.
  return { ...template, open: () => (bytes ? Promise.resolve(Readable.from([bytes])) : openBlob(t.sha256)) };
}

/** Name and size of templates, for lists of documents. */
export async function templatesInfo(db: Queryable, documents: ProcedureDocument[]) {
  const ids = [...new Set(documents.map((d) => d.template).filter((x): x is string => !!x))];
  if (!ids.length) return new Map<string, { fileName: string; size: number }>();
  const rows = await db
    .select({ id: procedureTemplates.id, fileName: procedureTemplates.fileName, size: procedureTemplates.size })
    .from(procedureTemplates)
    .where(inArray(procedureTemplates.id, ids));
  return new Map(rows.map((r) => [r.id, { fileName: r.fileName, size: r.size }]));
}

/** The public address of a template. */
export const templateUrl = (id: string) => `/tai-mau/${id}`;
