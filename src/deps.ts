/** Assemble what the HTTP layer needs from the configuration (used by main.ts and by the tests). */
import type { Logger } from 'pino';
import type { ClientMetadata } from 'oidc-provider';
import { SessionCache } from './auth/session-cache.js';
import type { CitizenSessionRow, OfficialSessionRow } from './auth/sessions.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { createCaptcha, type CaptchaOptions } from './auth/captcha.js';
import { RelyingParty } from './auth/oidc/relying-party.js';
import { httpRegistry } from './auth/registry.js';
import { httpPaymentPlatform } from './payments/platform.js';
import type { Deps } from './web/env.js';
import { DisplayCache } from './shared/display-cache.js';
import { ChangeFeed } from './db/changes.js';
import { CatalogIndex } from './catalog/catalog-index.js';
import { withSafeErrors } from './web/observability.js';
import { Lifecycle } from './web/lifecycle.js';

export type DepsOptions = { captcha?: Partial<CaptchaOptions>; idpTimeoutMs?: number; now?: () => Date; displayCacheMs?: number };

export function buildDeps(config: Config, database: Database, logger: Logger, opts: DepsOptions = {}): Deps {
  // http:// providers are accepted only outside production (config.ts refuses them there).
  const allowHttp = config.env !== 'production';
  const timeoutMs = opts.idpTimeoutMs ?? 10_000;
  // Every change, from this process or another on the database, drops what the caches hold (src/db/changes.ts).
  // Trusted only while the feed is live: asked at every read (a heartbeat overdue stops trust at once).
  const changes = new ChangeFeed(database);
  const isLive = () => changes.isLive();
  const displayCache = new DisplayCache(opts.displayCacheMs ?? 10_000, isLive);
  changes.subscribe(() => displayCache.clear());
  const sessionCaches = {
    officials: new SessionCache<OfficialSessionRow>(config.sessionCacheMs, isLive),
    citizens: new SessionCache<CitizenSessionRow>(config.sessionCacheMs, isLive),
    // The SSO client registry, read by every request to the provider (sso/clients.ts): announced with the sessions.
    ssoClients: new SessionCache<ClientMetadata>(config.sessionCacheMs, isLive, 2_000),
  };
  changes.subscribe(() => {
    sessionCaches.officials.clear();
    sessionCaches.citizens.clear();
    sessionCaches.ssoClients.clear();
  }, 'sessions');
  return {
    config,
    db: database.db,
    dbKind: database.kind,
    captcha: createCaptcha({ secret: config.sessionSecret, ...opts.captcha }),
    // Errors are logged without what may be personal (query parameters, database details).
    logger: withSafeErrors(logger),
    dbPool: database.pool ?? null,
    rps: {
      vneid: new RelyingParty(config.vneid, { allowHttp, timeoutMs, label: 'Hệ thống định danh điện tử VNeID' }),
      sso: config.sso ? new RelyingParty(config.sso, { allowHttp, timeoutMs, label: 'Hệ thống xác thực tập trung' }) : null,
    },
    registry: httpRegistry(config.registry.url, config.registry.token, timeoutMs),
    payments: httpPaymentPlatform(config.payment),
    now: opts.now ?? (() => new Date()),
    displayCache,
    changes,
    sessionCaches,
    catalog: new CatalogIndex(database.db, changes),
    lifecycle: new Lifecycle(),
  };
}
