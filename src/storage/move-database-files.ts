/**
 * The one-time move of files kept in the database (bytea, before docs/decisions/0012) into file storage. A SQL
 * migration cannot write to storage, so this runs after the migrations: at start (MIGRATE_ON_START) and in
 * `npm run db:migrate`. Each row is put into storage under its recorded SHA-256 (checked against its bytes), then
 * its bytes are cleared; it is idempotent and safe with several instances running it at once (same content, same
 * key; the clear is conditional). Until a row is moved, its file is served from its bytes.
 */
import crypto from 'node:crypto';
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { dossierFiles, procedureTemplates } from '../db/schema/index.js';
import { putBlob, type BlobStore } from './index.js';

const BATCH = 20;

type Log = { info(obj: object, msg: string): void };

/** Moves every file still held in the database into storage; returns how many rows it moved. */
export async function moveDatabaseFiles(db: Db, store: BlobStore, log?: Log): Promise<{ dossierFiles: number; templates: number }> {
  let files = 0;
  for (;;) {
    const rows = await db
      .select({ id: dossierFiles.id, sha256: dossierFiles.sha256, content: dossierFiles.content })
      .from(dossierFiles)
      .where(isNotNull(dossierFiles.content))
      .limit(BATCH);
    if (!rows.length) break;
    for (const r of rows) {
      await moveOne(r.sha256, r.content!, store, `dossier_files ${r.id}`);
      await db
        .update(dossierFiles)
        .set({ content: null })
        .where(and(eq(dossierFiles.id, r.id), isNotNull(dossierFiles.content)));
      files++;
    }
  }
  let templates = 0;
  for (;;) {
    const rows = await db
      .select({ id: procedureTemplates.id, sha256: procedureTemplates.sha256, bytes: procedureTemplates.bytes })
      .from(procedureTemplates)
      .where(isNotNull(procedureTemplates.bytes))
      .limit(BATCH);
    if (!rows.length) break;
    for (const r of rows) {
      await moveOne(r.sha256, r.bytes!, store, `procedure_templates ${r.id}`);
      await db
        .update(procedureTemplates)
        .set({ bytes: null })
        .where(and(eq(procedureTemplates.id, r.id), isNotNull(procedureTemplates.bytes)));
      templates++;
    }
  }
  if (files || templates) log?.info({ dossierFiles: files, templates }, 'files moved from the database to file storage');
  return { dossierFiles: files, templates };
}

async function moveOne(sha256: string, bytes: Buffer, store: BlobStore, row: string) {
  // The row's hash names the blob: it must be the hash of these bytes, or the row is left as it is and the start stops.
  const actual = crypto.createHash('sha256').update(bytes).digest('hex');
  if (actual !== sha256) throw new Error(`${row}: its bytes do not match its recorded SHA-256; not moved`);
  if (await store.has(sha256)) return;
  // No size or type check: these files were accepted when they were uploaded.
  await putBlob(bytes, { maxBytes: Math.max(bytes.length, 1), store });
}
