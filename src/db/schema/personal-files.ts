import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { citizens } from './identity.js';
import { units } from './org.js';
import { dossiers } from './dossiers.js';

/**
 * Quản lý tập tin cá nhân: a citizen's own files (src/personal-files). The bytes are in file storage (src/storage)
 * under `sha256`; a row only describes them. Deleting is soft (`deleted_at`): a dossier that used a file has its own
 * row naming the same content-addressed blob, so nothing a dossier refers to ever goes away.
 *
 * `source` = 'issued': a result an agency delivered electronically (`issued_by_unit_id`, `dossier_id`); it does not
 * count toward the citizen's quota, and its mark stays whatever the citizen names it.
 */
export const personalFiles = pgTable(
  'personal_files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    /** The citizen's display name for it: NFC, cleaned, ending in the extension of what the file really is. */
    name: text('name').notNull(),
    /** Decided by content (shared/file-types.ts), never by the name or the browser. */
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    source: text('source').$type<'upload' | 'issued'>().notNull(),
    issuedByUnitId: uuid('issued_by_unit_id').references(() => units.id),
    /** The dossier whose result it is (dossiers are never deleted, so the reference always holds). */
    dossierId: uuid('dossier_id').references(() => dossiers.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    check('personal_files_source_check', sql`${t.source} in ('upload', 'issued')`),
    // An issued file names its agency; an upload names none.
    check('personal_files_issued_check', sql`(${t.source} = 'issued') = (${t.issuedByUnitId} is not null)`),
    check('personal_files_size_check', sql`${t.size} > 0`),
    // The list (newest first) and the quota's sums read only a citizen's live files.
    index('personal_files_citizen_idx').on(t.citizenId, t.createdAt.desc(), t.id.desc()).where(sql`${t.deletedAt} is null`),
    // A result delivered twice (a retried delivery) is one file while the citizen keeps it.
    uniqueIndex('personal_files_issued_key')
      .on(t.citizenId, t.dossierId, t.sha256)
      .where(sql`${t.source} = 'issued' and ${t.deletedAt} is null`),
  ],
);

/**
 * What each of a citizen's uploads stored in file storage, kept or not (src/personal-files/upload-budget.ts): one row
 * per stored upload — personal file, draft document, supplement — written after its blob is stored, under the lock of
 * the citizen's row, never undone by a later refusal. The budget is the sum of `bytes` over the rolling 24 hours
 * before now; the job uploads.staged_purge removes rows older than that. A row per upload (not per day): the window
 * is exact, and the rows are as many as the uploads' audit rows, for one day only.
 */
export const citizenUploadVolume = pgTable(
  'citizen_upload_volume',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    bytes: integer('bytes').notNull(),
  },
  (t) => [
    check('citizen_upload_volume_bytes_check', sql`${t.bytes} > 0`),
    // The budget's sum: one citizen's rows inside the window.
    index('citizen_upload_volume_citizen_idx').on(t.citizenId, t.at),
    // The hourly purge of rows past the window.
    index('citizen_upload_volume_at_idx').on(t.at),
  ],
);
