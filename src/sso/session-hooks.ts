/**
 * THE PROVIDER'S SESSIONS TIED TO OURS (installed on every provider built in provider.ts).
 *
 * - After the login step hands over (the `resume` route, where oidc-provider logs its Session in and saves it),
 *   the provider session's uid is linked to the one-stop or portal session the login reused: finishSsoLogin puts
 *   that session's id hash in the interaction result, which oidc-provider hands back in ctx.oidc.result.
 * - RP-initiated logout (/sso/session/end/confirm): once oidc-provider has ended its session (and revoked its
 *   grants), endSessions ends the linked one-stop or portal session and tells the clients; "log out in one
 *   application, the one-stop system is logged out too". Answering "Không, tiếp tục làm việc" logs out of the
 *   asking client only: that client is told. An account switch inside the provider (oidc-provider ends the old
 *   account's session before logging the new one in) ends the provider session only, never the browser's.
 * - An authorization request on a provider session whose one-stop or portal session is no longer live, or no
 *   longer this browser's (its cookie did not come), ends the provider session first (endIfOrphaned), so it asks
 *   for a login.
 * - Back-channel logout tokens are never sent from inside the logout request: oidc-provider's own sender
 *   (Client#backchannelLogout) is kept aside for the sso.backchannel_logout job and replaced with a no-op, so every
 *   notice goes through the job queue with retries (deliverBackchannelLogout).
 */
import { eq, sql } from 'drizzle-orm';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { queryStatement, type Db } from '../db/client.js';
import { accounts, sessions, ssoSessionLinks } from '../db/schema/index.js';
import { tokenHash } from '../auth/sessions.js';
import { breakGlassCodeOpensSql } from '../auth/totp.js';
import { cutoffOfUnitSql } from '../auth/cutoff.js';
import { todayInVietnam } from '../shared/dates.js';
import { PORTAL_COOKIE } from '../portal/citizen-context.js';
import { SESSION_COOKIE } from '../web/cookies.js';
import { recordAudit } from '../audit/record.js';
import { citizenActor, type RequestMeta } from '../shared/context.js';
import { endSessions, enqueueBackchannelLogout, linkProviderSession, type ProviderSessionPayload } from './end-sessions.js';
import { sessionsEnded } from './provider-request.js';

type HookDeps = { db: Db; logger: Logger; now: () => Date; config: Pick<Config, 'sessionIdleMs' | 'secureCookies'> };
type Sender = (this: unknown, sub: string, sid: string) => Promise<void>;
type SessionState = { secret?: string; clientId?: string; postLogoutRedirectUri?: string };
type Snapshot = ProviderSessionPayload & { state?: SessionState };

const senders = new WeakMap<Provider, Sender>();

/**
 * The live one-stop or portal session of this browser that a provider session was made from (endIfOrphaned): asked on
 * every authorization, so a prepared statement (planned once per connection, no query building per request). A
 * password session from before its unit's VNeID-only cutoff is over from that day, here as on the one-stop pages
 * (auth/sessions.ts readSession): it must not go on logging applications in; nor a break-glass session whose code no
 * longer opens the account (auth/totp.ts).
 */
const LIVE_BROWSER_SESSION = () => sql`
  select ${sessions.idHash} as hash from ${ssoSessionLinks}
    join ${sessions} on ${sessions.idHash} = ${ssoSessionLinks.browserSessionHash}
    left join ${accounts} on ${accounts.id} = ${sessions.accountId}
   where ${ssoSessionLinks.sessionUid} = ${sql.placeholder('uid')}
     and ${ssoSessionLinks.browserSessionHash} = any(${sql.placeholder('held')}::text[])
     and ${sessions.expiresAt} > ${sql.placeholder('now')}::timestamptz
     and ${sessions.lastSeenAt} > ${sql.placeholder('idleSince')}::timestamptz
     and (${sessions.method} <> 'password' or ${sessions.accountId} is null
          or coalesce(${cutoffOfUnitSql(accounts.unitId)} > ${sql.placeholder('today')}::text, true))
     and (${sessions.method} <> 'password+totp' or ${breakGlassCodeOpensSql})
   limit 1`;

export function installSessionHooks(provider: Provider, deps: HookDeps): void {
  const proto = provider.Client.prototype as unknown as { backchannelLogout: Sender };
  senders.set(provider, proto.backchannelLogout);
  proto.backchannelLogout = async () => {};
  const resumePath = new URL(provider.issuer).pathname.replace(/\/$/, '');

  provider.use(async (ctx, next) => {
    const confirm = ctx.method === 'POST' && ctx.path === '/session/end/confirm';
    const before = confirm ? await snapshot(provider, ctx) : null;
    if (ctx.path === '/auth' && (ctx.method === 'GET' || ctx.method === 'POST')) await endIfOrphaned(provider, ctx, deps);
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (!oidc) return;
    if (oidc.route === 'resume') return afterResume(deps, ctx as KoaContextWithOIDC);
    if (oidc.route === 'end_session_confirm' && before?.uid && ctx.status === 303)
      return afterLogout(deps, ctx as KoaContextWithOIDC, before, resumePath);
  });
}

async function snapshot(provider: Provider, ctx: Parameters<Parameters<Provider['use']>[0]>[0]): Promise<Snapshot | null> {
  const session = (await provider.Session.get(ctx as unknown as KoaContextWithOIDC)) as unknown as Snapshot;
  if (!session.uid || !session.accountId) return null;
  return {
    uid: session.uid,
    accountId: session.accountId,
    authorizations: structuredClone(session.authorizations ?? {}),
    state: { ...(session.state ?? {}) },
  };
}

/**
 * A provider session serves an authorization only while the one-stop or portal session it was made from is live
 * (not past its unit's VNeID-only cutoff if opened with a password) and this browser still holds it (its cookie came with the request): one whose browser session lapsed (idle, past
 * its limit), ended some other way, or is no longer this browser's is ended first — its clients told — so the
 * request asks for a login. Without this, on a shared counter PC the next official opening an application would be
 * handed the previous official's account: until the provider session's own time-out, or — the browser closed, its
 * session cookie gone but the provider's persistent one kept — while the previous one-stop session is not yet idle.
 */
async function endIfOrphaned(provider: Provider, ctx: Parameters<Parameters<Provider['use']>[0]>[0], deps: HookDeps) {
  const session = (await provider.Session.get(ctx as unknown as KoaContextWithOIDC)) as unknown as Snapshot;
  if (!session.uid || !session.accountId) return;
  const now = deps.now();
  // The one-stop and portal session cookies (cookies.ts names them; __Host- over https), unsigned.
  const prefix = deps.config.secureCookies ? '__Host-' : '';
  const held = [SESSION_COOKIE, PORTAL_COOKIE]
    .map((name) => ctx.cookies.get(`${prefix}${name}`, { signed: false }))
    .filter((token): token is string => typeof token === 'string' && token.length > 0)
    .map(tokenHash);
  const [live] = held.length
    ? await queryStatement<{ hash: string }>(deps.db, 'sso:live-browser-session', LIVE_BROWSER_SESSION, {
        uid: session.uid,
        held,
        // Placeholders bypass the columns' encoders: instants go as ISO strings.
        now: now.toISOString(),
        idleSince: new Date(now.getTime() - deps.config.sessionIdleMs).toISOString(),
        today: todayInVietnam(now),
      })
    : [];
  if (live) return;
  // Provider side only: a citizen's lapsed portal session is kept a while to save a draft (sessions.ts).
  await deps.db.transaction((tx) => endSessions(tx, { providerSessionUids: [session.uid!], providerOnly: true }));
  // Ended behind the adapter's back: what this request read of it must not serve oidc-provider's own read.
  sessionsEnded();
}

async function afterResume(deps: HookDeps, ctx: KoaContextWithOIDC) {
  const { session, result } = ctx.oidc;
  const hash = (result as { browserSessionHash?: unknown } | undefined)?.browserSessionHash;
  if (!session?.accountId || typeof hash !== 'string' || session.accountId !== result?.login?.accountId) return;
  await linkProviderSession(deps.db, { sessionUid: session.uid, browserSessionHash: hash, subject: session.accountId }, deps.now());
}

async function afterLogout(deps: HookDeps, ctx: KoaContextWithOIDC, before: Snapshot, resumePath: string) {
  const session = ctx.oidc.session as unknown as { destroyed?: boolean; authorizations?: Record<string, unknown> };
  const meta: RequestMeta = { ip: ctx.ip ?? null, requestId: null, userAgent: ctx.get('user-agent') || null };
  if (session.destroyed) {
    // oidc-provider's own account switch posts here with its resume URL as where to go next (resume.js builds it with
    // urlFor). The whole address is compared: a client's registered post-logout URI may have the same path on its own
    // host, and taking that for a switch would leave the one-stop session open on a shared counter PC.
    const next = URL.parse(before.state?.postLogoutRedirectUri ?? '');
    const own = new URL(ctx.oidc.urlFor('resume', { uid: 'x' }));
    const accountSwitch = next?.origin === own.origin && next.pathname.startsWith(`${resumePath}/auth/`);
    await deps.db.transaction(async (tx) => {
      const ended = await endSessions(tx, { destroyed: [before], providerOnly: accountSwitch });
      if (accountSwitch) return;
      const subject = before.accountId!;
      const [acc] = await tx.select({ username: accounts.username }).from(accounts).where(eq(accounts.id, subject));
      await recordAudit(tx, {
        action: 'sso.logout',
        actor: acc ? { kind: 'official', accountId: subject, label: acc.username, meta } : citizenActor(subject, meta),
        targetType: 'sso_session',
        targetId: before.uid!,
        unitId: null,
        data: { clients: Object.keys(before.authorizations ?? {}), browserSessions: ended.browserSessions, notices: ended.notices },
      });
    });
    return;
  }
  // Logged out of the asking client only: oidc-provider revoked its grant; tell it.
  const clientId = before.state?.clientId;
  const auth = clientId ? before.authorizations?.[clientId] : undefined;
  if (!clientId || !auth?.sid || session.authorizations?.[clientId]) return;
  await deps.db.transaction((tx) => enqueueBackchannelLogout(tx, [{ clientId, sid: auth.sid!, subject: before.accountId! }]));
}

/**
 * The sso.backchannel_logout job's delivery: oidc-provider's own Client#backchannelLogout (the logout token of
 * OpenID Connect Back-Channel Logout 1.0 §2.4 — iss, aud, iat, exp, jti, sub as this client knows it, pairwise
 * included, sid, events; typ logout+jwt; signed with the current key — POSTed form-encoded, 2.5 s time-out). A
 * non-2xx answer or a time-out throws, so the queue retries. A client gone, disabled or without a URI: nothing.
 */
export async function deliverBackchannelLogout(
  provider: Provider,
  notice: { clientId: string; sid: string; subject: string },
): Promise<'sent' | 'skipped'> {
  const send = senders.get(provider);
  if (!send) throw new Error('provider built without installSessionHooks');
  const client = await provider.Client.find(notice.clientId);
  if (!client?.backchannelLogoutUri) return 'skipped';
  await send.call(client, notice.subject, notice.sid);
  return 'sent';
}
