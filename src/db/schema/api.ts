import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/**
 * API client credentials issued to another system by an administrator of the account or by its holder. The client
 * acts as the account it was issued for, with exactly that account's permissions, until it expires or is revoked. Only the
 * secret's hash is kept; last_used_at is written at most once a minute.
 */
export const apiClients = pgTable(
  'api_clients',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    accountId: uuid('account_id')
      .notNull()
      .references(() => accounts.id),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    revokedBy: uuid('revoked_by').references(() => accounts.id),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    /**
     * Issued by the account's holder from a session whose login proved them (VNeID or SSO): only such a key acts after
     * the account's VNeID-only date (api/key-access.ts keyActs). Keys issued by an administrator, or from a password
     * session, stop at that date as password sessions do.
     */
    provedHolder: boolean('proved_holder').notNull().default(false),
  },
  (t) => [index('api_clients_account_idx').on(t.accountId)],
);
