import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/**
 * The provincial SSO's provider state (src/sso, docs/decisions/0021-sso-provider.md): every oidc-provider model
 * (sessions, interactions, codes, tokens, grants…) as one row per (model, id), so several app instances share it.
 * The columns beside the payload are the ones the adapter looks rows up by; expires_at lets a job purge them.
 */
export const ssoModels = pgTable(
  'sso_models',
  {
    model: text('model').notNull(),
    id: text('id').notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    grantId: text('grant_id'),
    uid: text('uid'),
    userCode: text('user_code'),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.model, t.id] }),
    index('sso_models_uid_idx').on(t.model, t.uid).where(sql`${t.uid} is not null`),
    index('sso_models_user_code_idx').on(t.model, t.userCode).where(sql`${t.userCode} is not null`),
    index('sso_models_grant_idx').on(t.grantId).where(sql`${t.grantId} is not null`),
    index('sso_models_expires_idx').on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
  ],
);

/**
 * The provider's signing keys. The private JWK is stored encrypted (AES-256-GCM, SSO_KEY_ENCRYPTION_KEY);
 * a key is published while `next` (before it signs), signs while `current`, and stays published while
 * `retired` until every token it signed has expired (retire_after), then it is deleted.
 */
export const ssoKeys = pgTable(
  'sso_keys',
  {
    kid: text('kid').primaryKey(),
    alg: text('alg').notNull(),
    state: text('state').notNull(),
    publicJwk: jsonb('public_jwk').$type<Record<string, unknown>>().notNull(),
    /** base64url(iv) . base64url(tag) . base64url(ciphertext of the private JWK's JSON). */
    privateJwkEncrypted: text('private_jwk_encrypted').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** When a `next` key may become current (every instance has published it by then). */
    activateAfter: timestamp('activate_after', { withTimezone: true }).notNull(),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    /** When a retired key may be deleted: the longest token lifetime after it stopped signing. */
    deleteAfter: timestamp('delete_after', { withTimezone: true }),
  },
  (t) => [check('sso_keys_state_check', sql`${t.state} in ('next', 'current', 'retired')`)],
);

/**
 * The applications registered with the provincial SSO. Only the SHA-256 of a confidential client's secret is
 * kept (a 256-bit random secret needs no slow hash); public clients have none and must use PKCE S256.
 */
export const ssoClients = pgTable(
  'sso_clients',
  {
    clientId: text('client_id').primaryKey(),
    name: text('name').notNull(),
    redirectUris: jsonb('redirect_uris').$type<string[]>().notNull(),
    postLogoutRedirectUris: jsonb('post_logout_redirect_uris').$type<string[]>().notNull().default([]),
    backchannelLogoutUri: text('backchannel_logout_uri'),
    /** The scopes it may ask for (openid, profile, cccd, official, citizen, offline_access). */
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    confidential: boolean('confidential').notNull(),
    /** Hex SHA-256 of the secret; null for a public client, and for a confidential one whose secret was revoked. */
    secretHash: text('secret_hash'),
    /** When the current secret was issued: a rotation names it, so a stale or repeated one changes nothing. */
    secretIssuedAt: timestamp('secret_issued_at', { withTimezone: true }),
    /** 'public': the subject is the account (citizen) id; 'pairwise': one derived per application's host. */
    subjectType: text('subject_type').notNull().default('public'),
    accessTokenTtl: integer('access_token_ttl').notNull(),
    refreshTokenTtl: integer('refresh_token_ttl').notNull(),
    idTokenTtl: integer('id_token_ttl').notNull(),
    /** The units whose officials (with their subtrees) may log in to it; empty = every unit. */
    unitIds: jsonb('unit_ids').$type<string[]>().notNull().default([]),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid('created_by').references(() => accounts.id),
  },
  (t) => [check('sso_clients_subject_type_check', sql`${t.subjectType} in ('public', 'pairwise')`)],
);
