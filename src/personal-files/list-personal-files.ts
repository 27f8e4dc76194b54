/** Quản lý tập tin cá nhân: a citizen's live files, newest first, with what their uploads take of the quota. */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { personalFiles, units } from '../db/schema/index.js';
import type { CitizenActor } from '../shared/context.js';
import { type PersonalFilesQuota, usageOf } from './files.js';

export type PersonalFileItem = {
  id: string;
  name: string;
  mime: string;
  size: number;
  source: 'upload' | 'issued';
  /** For an issued file: the agency that issued it. */
  issuedBy: string | null;
  dossierId: string | null;
  createdAt: Date;
};

export type PersonalFileList = {
  files: PersonalFileItem[];
  usedBytes: number;
  usedFiles: number;
  /** Of which in drafts of Nộp hồ sơ (they count against the same quota). */
  draftBytes: number;
  draftFiles: number;
  quota: PersonalFilesQuota;
};

export async function listPersonalFiles(db: Queryable, actor: CitizenActor, quota: PersonalFilesQuota): Promise<PersonalFileList> {
  const files = await db
    .select({
      id: personalFiles.id,
      name: personalFiles.name,
      mime: personalFiles.mime,
      size: personalFiles.size,
      source: personalFiles.source,
      issuedBy: units.name,
      dossierId: personalFiles.dossierId,
      createdAt: personalFiles.createdAt,
    })
    .from(personalFiles)
    .leftJoin(units, eq(units.id, personalFiles.issuedByUnitId))
    .where(and(eq(personalFiles.citizenId, actor.citizenId), isNull(personalFiles.deletedAt)))
    .orderBy(desc(personalFiles.createdAt), desc(personalFiles.id));
  const usage = await usageOf(db, actor.citizenId);
  return { files, usedBytes: usage.bytes, usedFiles: usage.files, draftBytes: usage.draftBytes, draftFiles: usage.draftFiles, quota };
}
