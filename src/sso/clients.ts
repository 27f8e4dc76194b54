/**
 * The SSO client registry as oidc-provider sees it: a row of sso_clients becomes client metadata (Client model
 * reads go through the adapter to here), with the secret's SHA-256 in place of the secret. compareClientSecret
 * is overridden (provider.ts) to hash what the client sent and compare the hashes in constant time, which is why
 * only client_secret_basic, client_secret_post and none are offered: HS256 client assertions and symmetric
 * signing or encryption would need the plain secret, which is never stored.
 */
import crypto from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { ClientMetadata } from 'oidc-provider';
import type { Db } from '../db/client.js';
import type { SessionCache } from '../auth/session-cache.js';
import { ssoClients } from '../db/schema/index.js';

/** The scopes the provider knows; a client is registered with the subset it may ask for. */
export const SSO_SCOPES = ['openid', 'offline_access', 'profile', 'cccd', 'official', 'citizen'] as const;

/** Our own client metadata (extraClientMetadata in provider.ts): read by the TTL and login checks. */
export const CLIENT_EXTRA = {
  unitIds: 'motcua_unit_ids',
  accessTokenTtl: 'motcua_access_token_ttl',
  refreshTokenTtl: 'motcua_refresh_token_ttl',
  idTokenTtl: 'motcua_id_token_ttl',
} as const;

/** 'public': the account's (citizen's) id is the subject; 'pairwise': a different, stable one per application host. */
export const SSO_SUBJECT_TYPES = ['public', 'pairwise'] as const;

export const hashClientSecret = (secret: string) => crypto.createHash('sha256').update(secret, 'utf8').digest('hex');

/** The sent secret hashed and compared with the stored hash, in time independent of where they differ. */
export function secretMatches(storedHash: string | undefined, sent: string): boolean {
  if (!storedHash) return false;
  const a = Buffer.from(hashClientSecret(sent), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/**
 * Read on every request the provider serves (oidc-provider asks the adapter for the Client each time, and caches
 * only what it builds from the metadata): prepared once per database, as the session lookup is (auth/sessions.ts).
 */
const lookups = new WeakMap<Db, { execute(values: { clientId: string }): Promise<Array<typeof ssoClients.$inferSelect>> }>();

/**
 * The metadata of an enabled client, or undefined: a disabled or unknown client is the same "invalid_client" to
 * the provider (oidc-provider caches the built Client by the hash of these properties, so a change takes effect
 * at the next request). With `cache` (the app's, SESSION_CACHE_MS) an enabled client's metadata is kept a few
 * seconds under the session cache's rules: any change of sso_clients empties it in every process at commit
 * (migration 0053), and nothing is kept while those announcements cannot be received.
 */
export async function clientMetadata(db: Db, clientId: string, cache?: SessionCache<ClientMetadata>): Promise<ClientMetadata | undefined> {
  // A NUL cannot be in a registered id (PostgreSQL's text cannot hold one): an unknown client, not a refused parameter.
  if (clientId.includes('\u0000')) return undefined;
  const cached = cache?.get(clientId, Date.now());
  // A copy: oidc-provider builds its Client from what it is given.
  if (cached) return structuredClone(cached);
  const epoch = cache?.epoch ?? 0;
  const metadata = await readClientMetadata(db, clientId);
  // Only what exists is kept: ids nobody registered cannot fill the cache.
  if (metadata) cache?.set(clientId, structuredClone(metadata), Date.now(), epoch);
  return metadata;
}

async function readClientMetadata(db: Db, clientId: string): Promise<ClientMetadata | undefined> {
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = db
      .select()
      .from(ssoClients)
      .where(eq(ssoClients.clientId, sql.placeholder('clientId')))
      .prepare('sso_client_metadata');
    lookups.set(db, lookup);
  }
  const [row] = await lookup.execute({ clientId });
  // A confidential client whose secret was revoked cannot authenticate at all until a new one is issued.
  if (!row || row.disabledAt || (row.confidential && !row.secretHash)) return undefined;
  return {
    client_id: row.clientId,
    client_name: row.name,
    ...(row.confidential ? { client_secret: row.secretHash ?? undefined } : {}),
    token_endpoint_auth_method: row.confidential ? 'client_secret_basic' : 'none',
    redirect_uris: row.redirectUris,
    post_logout_redirect_uris: row.postLogoutRedirectUris,
    ...(row.backchannelLogoutUri ? { backchannel_logout_uri: row.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    grant_types: row.confidential ? ['authorization_code', 'refresh_token', 'client_credentials'] : ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: row.scopes.join(' '),
    // Pairwise: the subject is derived from the account and the host of the redirect URIs (provider.ts).
    subject_type: row.subjectType === 'pairwise' ? 'pairwise' : 'public',
    id_token_signed_response_alg: 'RS256',
    [CLIENT_EXTRA.unitIds]: row.unitIds,
    [CLIENT_EXTRA.accessTokenTtl]: row.accessTokenTtl,
    [CLIENT_EXTRA.refreshTokenTtl]: row.refreshTokenTtl,
    [CLIENT_EXTRA.idTokenTtl]: row.idTokenTtl,
  };
}
