/**
 * A login to an application made on an existing provider session: oidc-provider issues the code at the
 * authorization endpoint itself, without the login step (finish-login.ts), so nothing would record it and the
 * registry's recent logins (sso-client-registry.ts) would show only first logins. Installed on every built provider
 * (provider.ts): once an authorization request that had no interaction issued a code, an sso.login row is written
 * with `reused: true`, the acr the provider session carries, and the browser's address.
 */
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Db } from '../db/client.js';
import { recordAudit } from '../audit/record.js';
import { citizenActor, type RequestMeta } from '../shared/context.js';
import { ssoSubject } from './account-claims.js';

async function recordReusedSsoLogin(
  db: Db,
  input: { clientId: string; clientName: string | undefined; accountId: string; acr: string | undefined; meta: RequestMeta },
): Promise<void> {
  const subject = await ssoSubject(db, input.accountId);
  if (!subject) return;
  // One row, one statement: no transaction around it (two round trips fewer on every reused login).
  await recordAudit(db, {
    action: 'sso.login',
    actor:
      subject.kind === 'official'
        ? { kind: 'official', accountId: subject.accountId, label: subject.username, meta: input.meta }
        : citizenActor(subject.citizenId, input.meta),
    targetType: 'sso_client',
    targetId: input.clientId,
    unitId: subject.kind === 'official' ? subject.unitId : null,
    data: { client: input.clientName ?? input.clientId, reused: true, ...(input.acr ? { acr: input.acr } : {}) },
  });
}

export function installReusedLoginAudit(provider: Provider, db: Db): void {
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    // 'authorization' without a result: no login step ran in this request ('resume' follows one, audited there).
    if (oidc?.route !== 'authorization' || oidc.result || !oidc.entities.AuthorizationCode) return;
    const accountId = oidc.session?.accountId;
    if (!accountId || !oidc.client) return;
    await recordReusedSsoLogin(db, {
      clientId: oidc.client.clientId,
      clientName: oidc.client.clientName,
      accountId,
      acr: oidc.session?.acr,
      meta: { ip: ctx.ip, requestId: null, userAgent: ctx.get('user-agent') || null },
    });
  });
}
