import type { Logger } from 'pino';
import type { ClientMetadata } from 'oidc-provider';
import type { SessionCache } from '../auth/session-cache.js';
import type { CitizenSessionRow, OfficialSessionRow } from '../auth/sessions.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Captcha } from '../auth/captcha.js';
import type { SessionAccount } from '../auth/sessions.js';
import type { StaffActor, RequestMeta } from '../shared/context.js';
import type { RelyingParty } from '../auth/oidc/relying-party.js';
import type { Registry } from '../auth/registry.js';
import type { PaymentPlatform } from '../payments/platform.js';
import type { DisplayCache } from '../shared/display-cache.js';
import type { ChangeFeed } from '../db/changes.js';
import type { CatalogIndex } from '../catalog/catalog-index.js';
import type { IdentityProof } from '../auth/person-accounts.js';
import type { PoolStats } from '../shared/metrics.js';
import type { Lifecycle } from './lifecycle.js';

/** What the HTTP layer is built from; tests build it with their own database and options. */
export type Deps = {
  config: Config;
  db: Db;
  dbKind: 'pglite' | 'postgres';
  /** The server connection pool, for its metrics; null on the embedded database. */
  dbPool: PoolStats | null;
  captcha: Captcha;
  logger: Logger;
  /** Relying parties: VNeID (always) and the provincial SSO (when configured). */
  rps: { vneid: RelyingParty; sso: RelyingParty | null };
  registry: Registry;
  /** The payment platform (fee payments): the simulator outside production. */
  payments: PaymentPlatform;
  /** The clock (tests move it to the day of the cutoff). */
  now: () => Date;
  /** Page chrome only (header, menus), never permissions: see display-cache.ts. */
  displayCache: DisplayCache;
  /** Changes from this process and the others on the database: what clears the caches (src/db/changes.ts). */
  changes: ChangeFeed;
  /** The session lookup's answers for a few seconds (auth/session-cache.ts); emptied on every change of its tables. */
  sessionCaches: {
    officials: SessionCache<OfficialSessionRow>;
    citizens: SessionCache<CitizenSessionRow>;
    /** The SSO client registry's metadata by client id (sso/clients.ts), announced with the sessions (migration 0053). */
    ssoClients: SessionCache<ClientMetadata>;
  };
  /** The public catalog in memory (src/catalog/catalog-index.ts). */
  catalog: CatalogIndex;
  /** Draining on shutdown and the worker's state, for /readyz (src/web/lifecycle.ts). */
  lifecycle: Lifecycle;
};

export type AppEnv = {
  Variables: {
    deps: Deps;
    requestId: string;
    meta: RequestMeta;
    /** The session token from the cookie, when the session is live. */
    sessionToken: string | null;
    account: SessionAccount | null;
    actor: StaffActor | null;
    /** The person a VNeID (or provincial SSO) login of this session proved; null for password sessions. */
    identityProof: IdentityProof | null;
    /** The cookie held a password session ended because its unit's VNeID-only cutoff has come (requireLogin's notice). */
    passwordSessionClosed: boolean;
    /** The citizen of a live portal session, once a portal page has read it (for the request log). */
    citizenId: string | null;
    /** Unread in-app notices, read with the session (notify/unread.ts): the official's, the portal citizen's. */
    unreadNotices: number;
    citizenUnreadNotices: number;
    csrfToken: string;
  };
};
