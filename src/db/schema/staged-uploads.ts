import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/**
 * A scan chosen on the reception form and kept while the form is refused and corrected (src/dossiers/staged-scans.ts):
 * the bytes are already in file storage under `sha256`; the row says whose it is and until when. Its `id` is the
 * only thing the page carries (a random UUID: 122 random bits, not guessable); it is read only by its owner and
 * before `expires_at`. A receipt consumes it (the row goes, the dossier file takes over the blob); a job removes
 * those never consumed once they expire.
 */
export const stagedUploads = pgTable(
  'staged_uploads',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    ownerAccountId: uuid('owner_account_id')
      .notNull()
      .references(() => accounts.id),
    /** The display name: NFC, cleaned, ending in the extension of what the file really is. */
    name: text('name').notNull(),
    /** Decided by content (shared/file-types.ts). */
    mime: text('mime').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    /**
     * A catalog import's dry run: the SHA-256 of the plan the administrator saw (shared/import-plan.ts). The
     * confirmation writes only if planning again gives the same digest. Null for a reception scan.
     */
    planSha256: text('plan_sha256'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    check('staged_uploads_size_check', sql`${t.size} > 0`),
    // The cleanup job reads the expired ones.
    index('staged_uploads_expires_idx').on(t.expiresAt),
  ],
);
