import { integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { bytea } from './columns.js';

/**
 * Mẫu đơn, tờ khai: the template file of a procedure's document (ProcedureDocument.template holds the id).
 * Rows are never changed or deleted: a procedure version refers to its templates for ever, so a dossier
 * shows the template of the version it was received under. Content-addressed: the same bytes under the
 * same name are one row, however often they are uploaded. The bytes are in file storage (src/storage) under sha256.
 */
export const procedureTemplates = pgTable(
  'procedure_templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sha256: text('sha256').notNull(),
    fileName: text('file_name').notNull(),
    /** Decided by content (shared/file-types.ts), never by the name or the browser. */
    mediaType: text('media_type').notNull(),
    size: integer('size').notNull(),
    /** Before file storage (docs/decisions/0012): null once moved into storage under `sha256`; to be dropped. */
    bytes: bytea('bytes'),
    uploadedBy: uuid('uploaded_by').references(() => accounts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('procedure_templates_content').on(t.sha256, t.fileName)],
);
