/**
 * The components of a dossier (thành phần hồ sơ received, src/db/schema/dossier-components.ts) as the dossier page and
 * Mẫu 01 read them. Callers have already decided the reader may see the dossier (viewDossier, formSource); a scan is
 * opened through the dossier's file route, which checks that again.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Queryable, Tx } from '../db/client.js';
import { dossierComponents, dossierFiles, dossiers, type ProcedureDocument } from '../db/schema/index.js';

export type DossierComponent = {
  id: string;
  name: string;
  required: boolean;
  originals: number;
  copies: number;
  digitised: boolean;
  file: { id: string; name: string; size: number } | null;
};

/** The components of a dossier in the procedure's order, each with its scan when it has one. */
export async function componentsOf(db: Queryable, dossierId: string): Promise<DossierComponent[]> {
  const rows = await db
    .select({ c: dossierComponents, f: { id: dossierFiles.id, name: dossierFiles.name, size: dossierFiles.size } })
    .from(dossierComponents)
    .leftJoin(dossierFiles, and(eq(dossierFiles.id, dossierComponents.fileId), eq(dossierFiles.dossierId, dossierComponents.dossierId)))
    .where(eq(dossierComponents.dossierId, dossierId))
    .orderBy(asc(dossierComponents.documentIndex));
  return rows.map(({ c, f }) => ({
    id: c.id,
    name: c.name,
    required: c.required,
    originals: c.originals,
    copies: c.copies,
    digitised: c.digitised,
    file: f?.id ? { id: f.id, name: f.name, size: f.size } : null,
  }));
}

/**
 * What Mẫu 01 lists as received: the components with their counts; for a dossier submitted online (no counter
 * checklist), the documents its files were sent for, as electronic copies.
 */
export async function receivedDocuments(db: Queryable, dossierId: string) {
  const components = await componentsOf(db, dossierId);
  if (components.length)
    return components.map((c) => ({
      name: c.name,
      originals: c.originals,
      copies: c.copies,
      electronic: c.originals + c.copies === 0 && c.digitised,
    }));
  const files = await db
    .select({ label: dossierFiles.documentLabel })
    .from(dossierFiles)
    .where(and(eq(dossierFiles.dossierId, dossierId), eq(dossierFiles.kind, 'submitted')))
    .orderBy(asc(dossierFiles.uploadedAt));
  const labels = [...new Set(files.map((f) => f.label).filter((l): l is string => !!l))];
  return labels.map((name) => ({ name, electronic: true }));
}

/**
 * An online dossier's documents as its components (Nộp hồ sơ trực tuyến): each came as a file, so each is digitised,
 * and so is the dossier — the flag means the same for every channel. `files`: the document's position and its file.
 */
export async function recordSubmittedComponents(
  tx: Tx,
  dossierId: string,
  documents: ProcedureDocument[],
  files: Array<{ index: number; fileId: string }>,
): Promise<void> {
  if (files.length === 0) return;
  await tx.insert(dossierComponents).values(
    files.map((f) => ({
      dossierId,
      documentIndex: f.index,
      name: documents[f.index]!.name,
      required: documents[f.index]!.required,
      fileId: f.fileId,
      digitised: true,
    })),
  );
  await tx.update(dossiers).set({ digitised: true }).where(eq(dossiers.id, dossierId));
}
