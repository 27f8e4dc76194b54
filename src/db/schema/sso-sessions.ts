import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Which browser session a provincial SSO provider session was made from (src/sso/end-sessions.ts): the provider
 * session's uid (oidc-provider's Session model in sso_models) and the one-stop or portal session (sessions.id_hash)
 * whose login it reused, written in the request that logs the provider session in. Ending either ends the other.
 * No foreign key: a session row going away must be noticed by the use case that ends it, never cascade silently.
 */
export const ssoSessionLinks = pgTable(
  'sso_session_links',
  {
    /** oidc-provider's Session uid (stable across its cookie id rotation). */
    sessionUid: text('session_uid').primaryKey(),
    /** sessions.id_hash of the one-stop (official) or portal (citizen) session it was made from. */
    browserSessionHash: text('browser_session_hash').notNull(),
    /** The subject the provider session logged in: an account id or a citizen id. */
    subject: text('subject').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('sso_session_links_browser_idx').on(t.browserSessionHash), index('sso_session_links_subject_idx').on(t.subject)],
);
