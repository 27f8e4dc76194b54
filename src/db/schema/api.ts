import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts, persons } from './accounts.js';

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
     * The person whose VNeID (or SSO) login issued this key, as the account's holder: only such a key acts after the
     * account's VNeID-only date, and only while the account is still that person's (api/key-access.ts keyActs) — an
     * account handed to another person, or re-bound by an administrator, leaves its keys behind. Null: issued by an
     * administrator or from a password session; it stops at that date, as password sessions do.
     */
    provedPersonId: uuid('proved_person_id').references(() => persons.id, { onDelete: 'set null' }),
  },
  (t) => [index('api_clients_account_idx').on(t.accountId)],
);
