import { boolean, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

import { dossierFiles, dossiers } from './dossiers.js';

/**
 * Thành phần hồ sơ as received: one row per document of the procedure version that came with the dossier, with
 * the number of originals (bản chính) and copies (bản sao), and its scan (số hóa, Thông tư 01/2023/TT-VPCP) kept as a
 * dossier file in file storage. A component is digitised when it has its electronic copy; the dossier is digitised
 * (dossiers.digitised) when every received component is.
 */
export const dossierComponents = pgTable(
  'dossier_components',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dossierId: uuid('dossier_id')
      .notNull()
      .references(() => dossiers.id),
    /** The document's position in the version's thành phần hồ sơ (procedure_versions.documents). */
    documentIndex: integer('document_index').notNull(),
    /** The document's name and whether it was required, copied from the version: the record reads the same later. */
    name: text('name').notNull(),
    required: boolean('required').notNull(),
    originals: integer('originals').notNull().default(0),
    copies: integer('copies').notNull().default(0),
    /** The scan, a dossier file (kind 'scan'); null when the paper was not digitised. */
    fileId: uuid('file_id').references(() => dossierFiles.id),
    digitised: boolean('digitised').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('dossier_components_dossier_document_key').on(t.dossierId, t.documentIndex)],
);
