/**
 * The end of a login at the provincial SSO: whoever holds a session of the one-stop system (an official) or of the
 * portal (a citizen) becomes the subject the application receives — unless the application is open only to some
 * units and the official's unit is not under one of them (access_denied). The acr is the VNeID level this
 * session's login proved (LoA1/LoA2); a password login proves none. Audited as sso.login.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, ssoClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { subtreeIds } from '../org/tree.js';
import type { CitizenActor, StaffActor } from '../shared/context.js';

export type SsoBrowserSubject =
  | { kind: 'official'; actor: StaffActor & { kind: 'official' }; loa: number | null }
  | { kind: 'citizen'; actor: CitizenActor; loa: number };

/** What the interaction hands back to oidc-provider: a login, or an OAuth error for the client. */
export type SsoLoginResult = { login: { accountId: string; acr?: string } } | { error: 'access_denied'; error_description: string };

export async function finishSsoLogin(db: Db, clientId: string, subject: SsoBrowserSubject): Promise<SsoLoginResult> {
  return db.transaction(async (tx) => {
    const [client] = await tx
      .select({ name: ssoClients.name, unitIds: ssoClients.unitIds, disabledAt: ssoClients.disabledAt })
      .from(ssoClients)
      .where(eq(ssoClients.clientId, clientId));
    if (!client || client.disabledAt) return { error: 'access_denied', error_description: 'client not available' };
    let accountId: string;
    let unitId: string | null = null;
    if (subject.kind === 'official') {
      const [acc] = await tx.select({ unitId: accounts.unitId }).from(accounts).where(eq(accounts.id, subject.actor.accountId));
      if (!acc) return { error: 'access_denied', error_description: 'account not available' };
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
      accountId = subject.actor.accountId;
    } else {
      accountId = subject.actor.citizenId;
    }
    const acr = subject.loa ? `LoA${subject.loa}` : undefined;
    await recordAudit(tx, {
      action: 'sso.login',
      actor: subject.actor,
      targetType: 'sso_client',
      targetId: clientId,
      unitId,
      data: { client: client.name, ...(acr ? { acr } : {}) },
    });
    return { login: { accountId, ...(acr ? { acr } : {}) } };
  });
}
