/**
 * THE PROVINCIAL SSO PROVIDER (Hệ thống xác thực tập trung) at PUBLIC_URL/sso: oidc-provider configured for the
 * province — state in PostgreSQL (adapter.ts), clients from the registry (clients.ts) with hashed secrets, signing
 * keys from sso_keys (keys.ts), subjects and claims from accounts and citizens (account-claims.ts), login at the
 * one-stop system's own login (routes.ts, finish-login.ts). docs/decisions/0021-sso-provider.md says why.
 *
 * An instance's provider is built from the key set it last read. At most every KEYSET_CHECK_MS a request asks the
 * database for the set's version (one tiny query); when another instance rotated, the provider is rebuilt (the
 * state is all in the database, so nothing is lost). Staleness is harmless by design: a new key is published
 * for days before it signs, and a retired one stays published long after.
 */
import crypto from 'node:crypto';
import type { default as Provider, ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { SessionCache } from '../auth/session-cache.js';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { SCOPE_CLAIMS, ssoAccount } from './account-claims.js';
import { postgresAdapter } from './adapter.js';
import { sendRequestWrites } from './provider-request.js';
import { SessionEnded, SpentGrant } from './request-writes.js';
import { clientAdmits } from './client-admits.js';
import { CLIENT_EXTRA, SSO_SCOPES, SSO_SUBJECT_TYPES, secretMatches } from './clients.js';
import { DEFAULT_KEY_POLICY, type KeyPolicy, type KeySet, keySetVersion, keyStepDue, loadKeySet, maintainKeys } from './keys.js';
import { errorPage, loggedOutPage, logoutPage } from './pages.js';
import { guardedFetch } from './guarded-fetch.js';
import { installSessionHooks } from './session-hooks.js';
import { installReusedLoginAudit } from './record-reused-login.js';

const KEYSET_CHECK_MS = 5_000;
/** The one-stop system's own identification levels, as acr values (VNeID's LoA1/LoA2 passed through). */
const SSO_ACR_VALUES = ['LoA1', 'LoA2'] as const;

export type SsoDeps = {
  db: Db;
  config: Config;
  logger: Logger;
  now: () => Date;
  keyPolicy?: KeyPolicy;
  /** How often a request may ask whether the key set changed (default KEYSET_CHECK_MS; tests: 0). */
  keyCheckMs?: number;
  /** The registry's metadata kept a few seconds (deps.sessionCaches.ssoClients); none: read on every request. */
  clientCache?: SessionCache<ClientMetadata>;
};

const ssoIssuer = (config: Config) => `${config.publicUrl}/sso`;

const clientRestrictions = (client: KoaContextWithOIDC['oidc']['client'] & object) => ({
  unitIds: ((client as unknown as Record<string, unknown>)[CLIENT_EXTRA.unitIds] as string[] | undefined) ?? [],
  scopes: (client.scope ?? '').split(' '),
});

type ClientTtls = Partial<Record<(typeof CLIENT_EXTRA)[keyof typeof CLIENT_EXTRA], number>>;
const ttlOf = (client: unknown, key: keyof typeof CLIENT_EXTRA, fallback: number) =>
  (client as ClientTtls | undefined)?.[CLIENT_EXTRA[key]] ?? fallback;

/**
 * A pairwise subject: HMAC-SHA256 over the client's sector (the host of its redirect URIs) and the account id,
 * under a key derived from SSO_KEY_ENCRYPTION_KEY — the same in every instance, and stable for as long as the
 * signing keys' own encryption key (changing it would give every pairwise application new subjects).
 */
function pairwiseSubject(key: Buffer, sector: string, accountId: string): string {
  return crypto.createHmac('sha256', key).update(`${sector}\n${accountId}`).digest('base64url');
}

const pairwiseKeyOf = (config: Config) =>
  crypto.createHmac('sha256', config.ssoProvider.keyEncryptionKey).update('sso-pairwise-subject').digest();

function configuration(deps: SsoDeps, keys: KeySet): Configuration {
  const sessionSeconds = Math.floor(deps.config.sessionAbsoluteMs / 1000);
  const pairwiseKey = pairwiseKeyOf(deps.config);
  return {
    adapter: postgresAdapter(deps.db, deps.now, deps.clientCache),
    jwks: keys.jwks as Configuration['jwks'],
    // Derived from SESSION_SECRET, so every instance signs and reads the provider's cookies alike.
    cookies: { keys: [crypto.createHmac('sha256', deps.config.sessionSecret).update('sso-provider-cookies').digest('base64url')] },
    // Secrets are stored hashed: only methods that send the secret itself (or none, with PKCE) can be checked.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    // What the provider fetches is the registry's back-channel logout URIs. oidc-provider's SSRF guard refuses every
    // special-use address, the private ranges the province's applications sit on included; ours refuses loopback,
    // link-local, unspecified and multicast addresses only, also when a name resolves to one (guarded-fetch.ts).
    // Loopback only in demo mode (never in production): the demo application listens on localhost. Its 2.5 s time-out stays.
    fetch: guardedFetch({ allowLoopback: deps.config.env !== 'production' && deps.config.ssoDemo !== null }),
    scopes: [...SSO_SCOPES],
    // A pairwise client receives HMAC-SHA256(sector host, account id) as the subject (pairwiseSubject below);
    // findAccount and our claims still see the account's own id: oidc-provider swaps sub on the way out.
    subjectTypes: [...SSO_SUBJECT_TYPES],
    // sectorIdentifier (oidc-provider's getter, untyped): the host of the redirect URIs, one host per pairwise client.
    pairwiseIdentifier: async (_ctx, accountId, client) =>
      pairwiseSubject(pairwiseKey, (client as unknown as { sectorIdentifier: string }).sectorIdentifier, accountId),
    // acr, sid (back-channel logout), auth_time and iss as oidc-provider's defaults list them, then ours by scope.
    claims: {
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
      openid: ['sub'],
      ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]])),
    },
    acrValues: [...SSO_ACR_VALUES],
    extraClientMetadata: { properties: Object.values(CLIENT_EXTRA) },
    pkce: { required: () => true },
    // Every refresh rotates; a second use of a spent refresh token revokes the whole grant (oidc-provider).
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    // offline_access (tokens that outlive the login) holds only for a login that proved a person — VNeID, whose level
    // is the provider session's acr. A password login's tokens end with its session, whatever the scope says:
    // otherwise an application kept minting tokens from it after the province closed password logins (the VNeID-only
    // date), once its browser session was gone (an attacker review's finding).
    expiresWithSession: async (ctx, code) => !code.scopes.has('offline_access') || !ctx.oidc.session?.acr,
    responseTypes: ['code'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // An application introspects and revokes only its own tokens (the province's applications are not each
      // other's resource servers; one that must be is registered for it later).
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = loggedOutPage(ctx.oidc.client?.clientName);
        },
      },
    },
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: sessionSeconds,
      AccessToken: (_ctx, _token, client) => ttlOf(client, 'accessTokenTtl', 600),
      ClientCredentials: (_ctx, _token, client) => ttlOf(client, 'accessTokenTtl', 600),
      IdToken: (_ctx, _token, client) => ttlOf(client, 'idTokenTtl', 600),
      RefreshToken: (_ctx, _token, client) => ttlOf(client, 'refreshTokenTtl', sessionSeconds),
      Grant: (ctx) => Math.max(ttlOf(ctx.oidc.client, 'refreshTokenTtl', 0), sessionSeconds),
    },
    interactions: { url: (_ctx, interaction) => `/sso/interaction/${interaction.uid}` },
    // The province's own applications: no consent screen; the registry already limits what each may ask.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { oidc } = ctx;
      const accountId = oidc.session!.accountId!;
      // A session from elsewhere (another application, before the registry changed) that this application would
      // refuse: no grant, so the authorization goes to the login step, which refuses it (access_denied) and audits it.
      if (!oidc.result && !(await clientAdmits(deps.db, clientRestrictions(oidc.client!), accountId))) return undefined;
      const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(oidc.client!.clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!grant || grant.accountId !== accountId) grant = new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId });
      const scope = [...oidc.requestParamScopes].join(' ');
      if (scope) grant.addOIDCScope(scope);
      await grant.save();
      return grant;
    },
    // With a token (code, refresh, userinfo): an application open to some units only admits the official as their
    // unit is now — one moved out since the login is refused at once, as a suspended one is. Other applications pay nothing.
    async findAccount(ctx, sub, token) {
      const account = await ssoAccount(deps.db, sub, { withToken: token !== undefined });
      const client = ctx?.oidc?.client;
      if (!account || !token || !client) return account;
      const restrictions = clientRestrictions(client);
      if (restrictions.unitIds.length > 0 && !(await clientAdmits(deps.db, restrictions, sub))) return undefined;
      return account;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(out);
    },
  };
}

async function build(deps: SsoDeps, keys: KeySet): Promise<Provider> {
  // Loaded at the first request to /sso, not at start: oidc-provider costs start time and memory (docs/decisions/0029).
  const { default: OidcProvider } = await import('oidc-provider');
  const provider = new OidcProvider(ssoIssuer(deps.config), configuration(deps, keys));
  provider.proxy = deps.config.trustProxy;
  // The registry stores SHA-256(secret): hash what the client sent and compare in constant time.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, actual: string) {
    return secretMatches(this.clientSecret, actual);
  };
  provider.on('server_error', (_ctx, err) => deps.logger.error({ err }, 'sso provider error'));
  // Provider sessions linked to the one-stop and portal sessions; back-channel logout through the job queue.
  installSessionHooks(provider, deps);
  // A login on an existing provider session (no login step) is audited too: the registry lists every login.
  installReusedLoginAudit(provider, deps.db);
  // Innermost (registered last): the request's queued writes go to the database before its answer (request-writes.ts).
  provider.use(async (ctx, next) => {
    await next();
    await sendRequestWrites().catch((err: unknown) => answerUnwritten(ctx, err, deps.logger));
  });
  return provider;
}

/**
 * The endpoint ran but its writes could not be made: its answer (tokens, a code in a redirect) must not leave.
 * A code or refresh token spent meanwhile by another request is the client's invalid_grant; a provider session ended
 * meanwhile (a logout) is "log in again"; anything else is the provider's error — in JSON where the client is a
 * program, on a page where it is a browser.
 */
const PROGRAM_ENDPOINTS = new Set(['/token', '/token/introspection', '/token/revocation', '/me']);

function answerUnwritten(ctx: Parameters<Parameters<Provider['use']>[0]>[0], err: unknown, logger: Logger) {
  ctx.remove('location');
  ctx.set('cache-control', 'no-store');
  const spent = err instanceof SpentGrant;
  const ended = err instanceof SessionEnded;
  if (!spent && !ended) logger.error({ err }, "sso provider: the request's writes failed");
  const out = spent
    ? { error: 'invalid_grant', error_description: 'grant request is invalid' }
    : ended
      ? { error: 'session_not_found', error_description: 'the session was ended' }
      : { error: 'server_error', error_description: 'oops! something went wrong' };
  ctx.status = spent || ended ? 400 : 500;
  if (PROGRAM_ENDPOINTS.has(ctx.path)) ctx.body = out;
  else {
    ctx.type = 'html';
    ctx.body = errorPage(out);
  }
}

/** The instance's provider, rebuilt when the key set changes (here or in another instance). */
export function ssoProvider(deps: SsoDeps) {
  const policy = deps.keyPolicy ?? DEFAULT_KEY_POLICY;
  const encryptionKey = deps.config.ssoProvider.keyEncryptionKey;
  const checkEvery = deps.keyCheckMs ?? KEYSET_CHECK_MS;
  let current: { provider: Provider; keys: KeySet } | null = null;
  let checkedAt = 0;
  let refreshing: Promise<Provider> | null = null;

  async function refresh(): Promise<Provider> {
    const version = current ? await keySetVersion(deps.db) : null;
    let keys = current && version === current.keys.version ? current.keys : await loadKeySet(deps.db, encryptionKey);
    if (keyStepDue(keys.rows, deps.now(), policy) && (await maintainKeys(deps.db, encryptionKey, deps.now(), policy)))
      keys = await loadKeySet(deps.db, encryptionKey);
    if (!current || keys.version !== current.keys.version) current = { provider: await build(deps, keys), keys };
    checkedAt = Date.now();
    return current.provider;
  }

  return {
    get(): Promise<Provider> {
      if (current && Date.now() - checkedAt < checkEvery) return Promise.resolve(current.provider);
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
  };
}

export type SsoProvider = ReturnType<typeof ssoProvider>;
