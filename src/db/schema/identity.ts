import { date, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts, persons } from './accounts.js';

/** A login in progress at an OpenID provider: what the callback must match (state, nonce, PKCE). Used once. */
export const oidcTransactions = pgTable('oidc_transactions', {
  state: text('state').primaryKey(),
  provider: text('provider').$type<'vneid' | 'sso'>().notNull(),
  purpose: text('purpose').$type<'official' | 'citizen'>().notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  returnTo: text('return_to'),
  /** SHA-256 of the cookie set in the browser that started the login: the callback must come back to it. */
  browserHash: text('browser_hash'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** An identity at an external provider linked to a person (officials) — by (issuer, subject), never by name. */
export const identityLinks = pgTable(
  'identity_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    personId: uuid('person_id')
      .notNull()
      .references(() => persons.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('identity_links_key').on(t.issuer, t.subject), index('identity_links_person_idx').on(t.personId)],
);

/** A citizen or organisation of the portal, created from the provider's claims at the first login. */
export const citizens = pgTable(
  'citizens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    techId: text('tech_id'),
    accountType: integer('account_type').notNull().default(1),
    cccd: text('cccd'),
    fullName: text('full_name').notNull(),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    gender: text('gender').$type<'male' | 'female'>(),
    address: text('address'),
    phone: text('phone'),
    email: text('email'),
    taxCode: text('tax_code'),
    businessName: text('business_name'),
    loa: integer('loa').notNull().default(1),
    lastClaims: jsonb('last_claims').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('citizens_subject_key').on(t.issuer, t.subject), index('citizens_cccd_idx').on(t.cccd)],
);

/** Province-wide settings (the VNeID cutoff date, …), one row per key. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => accounts.id),
});
