/**
 * The end of a login at the provincial SSO: whoever holds a session of the one-stop system (an official) or of the
 * portal (a citizen) becomes the subject the application receives — unless the application is open only to some
 * units and the official's unit is not under one of them, or a citizen comes to an application not registered with
 * the citizen scope (access_denied). The acr is the VNeID level this session's login proved (LoA1/LoA2, read from the
 * session); a password login proves none. Audited as sso.login. An official whose VNeID login proved a person may hand the application
 * another of that person's accounts (chosenAccountId).
 *
 * The authentication time is the session's login (sessions.authenticated_at), not the row's creation: Chuyển tài
 * khoản writes a new row without a login, and must neither meet prompt=login or max_age nor move auth_time. When the
 * application demands a fresh login (prompt=login: one made during this authorization request; max_age: one not older
 * than that) and the session cannot show it, the answer is login_required (OpenID Connect Core 3.1.2.1) — re-asking
 * the password of a live session comes later.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, sessions, ssoClients } from '../db/schema/index.js';
import { tokenHash } from '../auth/sessions.js';
import { recordAudit } from '../audit/record.js';
import { subtreeIds } from '../org/tree.js';
import type { CitizenActor, StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';

export type SsoBrowserSubject = (
  | { kind: 'official'; actor: StaffActor & { kind: 'official' }; loa: number | null; personId: string | null }
  | { kind: 'citizen'; actor: CitizenActor; loa: number }
) & { sessionToken: string };

/** What the provider asked of this login: the interaction's start, prompt=login, max_age (seconds). */
export type SsoLoginDemand = {
  interactionStartedAt: Date;
  forceLogin: boolean;
  maxAge: number | undefined;
  now: Date;
  /** An official's choice among the accounts their VNeID login proved theirs (Chọn tài khoản); default the session's. */
  chosenAccountId?: string | undefined;
};

/** What the interaction hands back to oidc-provider: a login, or an OAuth error for the client. */
export type SsoLoginResult =
  | {
      login: { accountId: string; ts: number; acr?: string };
      /** The one-stop or portal session the login reused: linked to the provider session (session-hooks.ts). */
      browserSessionHash: string;
    }
  | { error: 'access_denied' | 'login_required'; error_description: string };

export async function finishSsoLogin(
  db: Db,
  clientId: string,
  subject: SsoBrowserSubject,
  demand: SsoLoginDemand,
): Promise<SsoLoginResult> {
  return db.transaction(async (tx) => {
    const [session] = await tx
      .select({ authenticatedAt: sessions.authenticatedAt, loa: sessions.loa })
      .from(sessions)
      .where(eq(sessions.idHash, tokenHash(subject.sessionToken)));
    if (!session) return { error: 'login_required', error_description: 'no session' };
    const authTime = session.authenticatedAt;
    if (demand.forceLogin && authTime < demand.interactionStartedAt)
      return { error: 'login_required', error_description: 'a new login was requested' };
    if (demand.maxAge !== undefined && demand.now.getTime() - authTime.getTime() > demand.maxAge * 1000)
      return { error: 'login_required', error_description: 'the login is older than max_age' };
    const [client] = await tx
      .select({ name: ssoClients.name, scopes: ssoClients.scopes, unitIds: ssoClients.unitIds, disabledAt: ssoClients.disabledAt })
      .from(ssoClients)
      .where(eq(ssoClients.clientId, clientId));
    if (!client || client.disabledAt) return { error: 'access_denied', error_description: 'client not available' };
    let accountId: string;
    let unitId: string | null = null;
    if (subject.kind === 'official') {
      const chosen = demand.chosenAccountId ?? subject.actor.accountId;
      const [acc] = await tx
        .select({ unitId: accounts.unitId, personId: accounts.personId })
        .from(accounts)
        .where(and(eq(accounts.id, chosen), isNull(accounts.deletedAt), eq(accounts.suspended, false)));
      // Another account than the session's only when the session's VNeID login proved the person it belongs to.
      if (!acc || (chosen !== subject.actor.accountId && (!subject.personId || acc.personId !== subject.personId)))
        throw errors.notFound('Tài khoản');
      unitId = acc.unitId;
      if (client.unitIds.length > 0 && !(await subtreeIds(tx, client.unitIds)).includes(acc.unitId)) {
        await recordAudit(tx, {
          action: 'sso.login_refused',
          actor: subject.actor,
          targetType: 'sso_client',
          targetId: clientId,
          unitId,
          data: { client: client.name, reason: 'unit_not_allowed' },
        });
        return { error: 'access_denied', error_description: "the account's unit may not use this application" };
      }
      accountId = chosen;
    } else {
      // A citizen only where the application was registered for citizens: one for officials (above all one open to
      // some units only) would otherwise receive any portal session as a successful login.
      if (!client.scopes.includes('citizen')) {
        await recordAudit(tx, {
          action: 'sso.login_refused',
          actor: subject.actor,
          targetType: 'sso_client',
          targetId: clientId,
          unitId: null,
          data: { client: client.name, reason: 'citizen_not_allowed' },
        });
        return { error: 'access_denied', error_description: 'this application is not open to citizens' };
      }
      accountId = subject.actor.citizenId;
    }
    // A citizen's level is the login that opened this portal session (the profile's is their latest login anywhere).
    const loa = subject.kind === 'citizen' ? session.loa : subject.loa;
    const acr = loa ? `LoA${loa}` : undefined;
    await recordAudit(tx, {
      action: 'sso.login',
      actor: subject.actor,
      targetType: 'sso_client',
      targetId: clientId,
      unitId,
      data: {
        client: client.name,
        ...(acr ? { acr } : {}),
        ...(subject.kind === 'official' && accountId !== subject.actor.accountId ? { chosenAccountId: accountId } : {}),
      },
    });
    return {
      login: { accountId, ts: Math.floor(authTime.getTime() / 1000), ...(acr ? { acr } : {}) },
      browserSessionHash: tokenHash(subject.sessionToken),
    };
  });
}
