/**
 * The Zalo OA's access token, kept fresh (docs/decisions/0023, "Zalo's access token"). An access token lives about
 * 25 hours and is renewed with the refresh token, which ROTATES: each refresh returns a new one and the old one stops
 * working. So the current tokens live in the database (settings row 'zns.oauth'), not in the configuration, and
 * every instance and worker reads them there; a refresh happens under that row's lock (select … for update), so one
 * refresher at a time across processes: the others wait for its commit and use its result. Within one process
 * concurrent callers also share one attempt (inflight), so they do not even queue on the lock.
 *
 * When: ahead of expiry (less than REFRESH_AHEAD_MS left) and at once when Zalo refuses the token (-124 on a send).
 * A refusal of the refresh (dead, revoked or used refresh token, wrong app secret) is recorded on the row and logged:
 * sends then fail at once (the message falls back to SMS) and Quản trị → Thông báo says what to do, until a new
 * ZNS_REFRESH_TOKEN is configured. A Zalo that cannot be reached is only "unavailable": the current token is used
 * while it is still valid, else the send is retried later.
 *
 * The configured refresh token is a seed: used only if it has never been seen (a hash of it, with the app id, is
 * kept), so a restart does not bring back a token that has since rotated, while a newly configured one replaces a
 * dead one. Tokens and the secret are never logged nor shown.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ZnsConfig } from '../config.js';
import type { Db, Queryable, Tx } from '../db/client.js';
import { settings } from '../db/schema/index.js';
import { refreshZaloToken } from './adapters/zalo-oauth.js';

export const ZNS_TOKEN_KEY = 'zns.oauth';
/** Refresh when less than this is left of the access token's life. */
const REFRESH_AHEAD_MS = 60 * 60_000;
const REFRESH_TIMEOUT_MS = 10_000;
/** The seeds remembered (configured refresh tokens already used): enough for years of renewals by hand. */
const SEEDS_KEPT = 20;

const DEAD_TOKEN_REASON = 'Zalo ZNS: không gia hạn được access token (refresh token không còn hiệu lực)';

const Stored = z.object({
  appId: z.string(),
  seeds: z.array(z.string()),
  accessToken: z.string().nullable(),
  /** null: unknown (the configured first access token): used until Zalo refuses it. */
  accessExpiresAt: z.string().datetime().nullable(),
  refreshToken: z.string(),
  refreshedAt: z.string().datetime().nullable(),
  refreshes: z.number().int(),
  dead: z.object({ at: z.string().datetime(), reason: z.string() }).nullable(),
});
type Stored = z.infer<typeof Stored>;

type TokenAnswer = { kind: 'token'; token: string } | { kind: 'dead'; reason: string } | { kind: 'unavailable'; reason: string };

export interface ZnsTokenSource {
  /** The access token to send with (refreshed first when it is about to expire). */
  token(): Promise<TokenAnswer>;
  /** Zalo refused `rejected` (-124): a newer one, refreshing unless another caller already did. */
  renew(rejected: string): Promise<TokenAnswer>;
}

export type ZnsTokenDeps = { db: Db; config: ZnsConfig; now: () => Date; logger?: Logger | undefined };

const seedOf = (config: ZnsConfig) => crypto.createHash('sha256').update(`${config.appId}\n${config.refreshToken}`).digest('hex');

function seeded(config: ZnsConfig, previous: Stored | null): Stored {
  return {
    appId: config.appId,
    seeds: [seedOf(config), ...(previous?.appId === config.appId ? previous.seeds : [])].slice(0, SEEDS_KEPT),
    accessToken: config.accessToken ?? null,
    accessExpiresAt: null,
    refreshToken: config.refreshToken,
    refreshedAt: null,
    refreshes: previous?.refreshes ?? 0,
    dead: null,
  };
}

/** The stored tokens as they should be for this configuration: a configured refresh token never seen replaces them. */
const needsSeed = (config: ZnsConfig, s: Stored | null) => !s || s.appId !== config.appId || !s.seeds.includes(seedOf(config));

async function read(db: Queryable, lock: boolean): Promise<Stored | null> {
  const q = db.select({ value: settings.value }).from(settings).where(eq(settings.key, ZNS_TOKEN_KEY));
  const [row] = lock ? await q.for('update') : await q;
  const parsed = Stored.safeParse(row?.value);
  return parsed.success ? parsed.data : null;
}

async function write(tx: Tx, value: Stored, at: Date): Promise<void> {
  await tx
    .insert(settings)
    .values({ key: ZNS_TOKEN_KEY, value, updatedAt: at })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: at } });
}

const usable = (s: Stored, now: Date, aheadMs: number) =>
  s.accessToken !== null && (s.accessExpiresAt === null || Date.parse(s.accessExpiresAt) - now.getTime() > aheadMs);

export function znsTokens(deps: ZnsTokenDeps): ZnsTokenSource {
  const { db, config, logger } = deps;
  let inflight: Promise<TokenAnswer> | null = null;

  /** Under the row's lock: seed if needed, reuse what another refresher got, else refresh and store at once. */
  const refreshLocked = (rejected: string | null): Promise<TokenAnswer> =>
    db.transaction(async (tx) => {
      // The row must exist for `for update` to lock anything: the first one in creates it (others wait on the key).
      await tx
        .insert(settings)
        .values({ key: ZNS_TOKEN_KEY, value: seeded(config, null), updatedAt: deps.now() })
        .onConflictDoNothing();
      let s = await read(tx, true);
      if (!s || needsSeed(config, s)) {
        s = seeded(config, s);
        await write(tx, s, deps.now());
        logger?.info({ appId: config.appId }, 'zns tokens seeded from the configured refresh token');
      }
      if (s.dead) return { kind: 'dead', reason: s.dead.reason } as const;
      const now = deps.now();
      if (s.accessToken !== null && s.accessToken !== rejected && usable(s, now, rejected === null ? REFRESH_AHEAD_MS : 0))
        return { kind: 'token', token: s.accessToken } as const;
      const out = await refreshZaloToken(config, s.refreshToken, AbortSignal.timeout(REFRESH_TIMEOUT_MS));
      const at = deps.now();
      if (out.kind === 'issued') {
        const expiresAt = new Date(at.getTime() + out.expiresInSeconds * 1000);
        await write(
          tx,
          {
            ...s,
            accessToken: out.accessToken,
            accessExpiresAt: expiresAt.toISOString(),
            refreshToken: out.refreshToken,
            refreshedAt: at.toISOString(),
            refreshes: s.refreshes + 1,
          },
          at,
        );
        logger?.info({ appId: config.appId, expiresAt: expiresAt.toISOString() }, 'zns access token refreshed');
        return { kind: 'token', token: out.accessToken } as const;
      }
      if (out.kind === 'refused') {
        const reason = `${DEAD_TOKEN_REASON}: ${out.reason}`;
        await write(tx, { ...s, dead: { at: at.toISOString(), reason } }, at);
        logger?.error(
          { appId: config.appId, reason: out.reason },
          'zns refresh token refused: Zalo messages fall back to SMS until a new ZNS_REFRESH_TOKEN is configured',
        );
        return { kind: 'dead', reason } as const;
      }
      logger?.warn({ appId: config.appId, reason: out.reason }, 'zns access token not refreshed (Zalo OAuth unavailable)');
      // Still valid (the refresh was only ahead of time): keep sending with it.
      if (s.accessToken !== null && s.accessToken !== rejected && usable(s, now, 0))
        return { kind: 'token', token: s.accessToken } as const;
      return { kind: 'unavailable', reason: out.reason } as const;
    });

  const refresh = (rejected: string | null): Promise<TokenAnswer> => {
    inflight ??= refreshLocked(rejected).finally(() => {
      inflight = null;
    });
    return inflight;
  };

  return {
    async token() {
      const s = await read(db, false);
      if (s && !needsSeed(config, s)) {
        if (s.dead) return { kind: 'dead', reason: s.dead.reason };
        if (s.accessToken !== null && usable(s, deps.now(), REFRESH_AHEAD_MS)) return { kind: 'token', token: s.accessToken };
      }
      return refresh(null);
    },
    renew: (rejected) => refresh(rejected),
  };
}

/** For Quản trị → Thông báo: the refresh token is dead since `at` (null: nothing to report). */
export async function znsTokenTrouble(db: Queryable, config: ZnsConfig | null): Promise<{ at: Date; reason: string } | null> {
  if (!config) return null;
  const s = await read(db, false);
  if (!s?.dead || needsSeed(config, s)) return null;
  return { at: new Date(s.dead.at), reason: s.dead.reason };
}
