/**
 * A citizen's own live file: its description (the rename and delete pages) and a way to stream its bytes from storage
 * (Tải về: web/download.ts sends it). Another citizen's file is not found, exactly like a missing one.
 */
import type { Queryable } from '../db/client.js';
import type { CitizenActor } from '../shared/context.js';
import { openBlob } from '../storage/index.js';
import { liveFileOf } from './files.js';

export async function openPersonalFile(db: Queryable, actor: CitizenActor, fileId: string) {
  const file = await liveFileOf(db, actor.citizenId, fileId);
  return {
    id: file.id,
    name: file.name,
    mime: file.mime,
    size: file.size,
    source: file.source,
    createdAt: file.createdAt,
    open: () => openBlob(file.sha256),
  };
}
