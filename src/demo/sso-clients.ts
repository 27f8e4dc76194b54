/**
 * Demo mode's applications at the built-in provincial SSO (config.ssoDemo): the one-stop system itself, so that
 * "Đăng nhập qua Hệ thống xác thực tập trung" on its login page works out of the box through PUBLIC_URL/sso with the
 * ordinary relying-party code, and the demo application of `npm run sso:demo-client`.
 *
 * The same table rules as registerSsoClient (src/sso/register-sso-client.ts): exact redirect URIs, allowed scopes,
 * only a secret's SHA-256. The one-stop system is a confidential client whose secret is derived from SESSION_SECRET
 * (config.ts): it needs no place to keep it and the relying party authenticates as with any provider, while the
 * registry holds only the hash. The demo application is a public client (PKCE S256, no secret): it is a separate
 * program that knows no secret of ours. Fixed client ids, so the relying party and the demo application know them.
 *
 * Run at every demo start (not only on the first seed): PUBLIC_URL, SESSION_SECRET and the demo application's port
 * may have changed since, and an existing demo database gets the clients too. A row that already says the same
 * is left alone; a new or changed row is audited in the same transaction.
 */
import { eq } from 'drizzle-orm';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { ssoClients } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { systemActor } from '../shared/context.js';
import { hashClientSecret } from '../sso/clients.js';

type DemoClient = {
  clientId: string;
  name: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri: string | null;
  scopes: string[];
  secretHash: string | null;
};

/** The demo clients as the configuration makes them (none outside demo mode). */
function demoSsoClients(config: Config): DemoClient[] {
  const demo = config.ssoDemo;
  if (!demo || !config.sso) return [];
  const app = demo.demoClient.url;
  return [
    {
      clientId: demo.oneStopClientId,
      name: 'Hệ thống thông tin giải quyết thủ tục hành chính (một cửa điện tử)',
      redirectUris: [`${config.publicUrl}/tiepnhan/dang-nhap/sso/callback`],
      postLogoutRedirectUris: [`${config.publicUrl}/tiepnhan/dang-nhap`],
      backchannelLogoutUri: null,
      scopes: ['openid', 'profile', 'cccd', 'official'],
      secretHash: hashClientSecret(config.sso.clientSecret),
    },
    {
      clientId: demo.demoClient.clientId,
      name: 'Ứng dụng minh họa đăng nhập tập trung',
      redirectUris: [`${app}/callback`],
      postLogoutRedirectUris: [`${app}/`],
      backchannelLogoutUri: `${app}/backchannel-logout`,
      scopes: ['openid', 'profile', 'official', 'citizen'],
      secretHash: null,
    },
  ];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Register or bring up to date the demo clients; returns the client ids written. */
export async function ensureDemoSsoClients(db: Db, config: Config): Promise<string[]> {
  const written: string[] = [];
  for (const c of demoSsoClients(config)) {
    await db.transaction(async (tx) => {
      const [row] = await tx.select().from(ssoClients).where(eq(ssoClients.clientId, c.clientId));
      const values = {
        name: c.name,
        redirectUris: c.redirectUris,
        postLogoutRedirectUris: c.postLogoutRedirectUris,
        backchannelLogoutUri: c.backchannelLogoutUri,
        scopes: c.scopes,
        confidential: c.secretHash !== null,
        secretHash: c.secretHash,
      };
      if (row && Object.entries(values).every(([k, v]) => same(row[k as keyof typeof row], v))) return;
      if (row) await tx.update(ssoClients).set(values).where(eq(ssoClients.clientId, c.clientId));
      else
        await tx
          .insert(ssoClients)
          .values({ clientId: c.clientId, ...values, accessTokenTtl: 600, refreshTokenTtl: 12 * 3600, idTokenTtl: 600, unitIds: [] });
      await recordAudit(tx, {
        action: 'sso_client.register',
        actor: systemActor('demo-seed'),
        targetType: 'sso_client',
        targetId: c.clientId,
        data: {
          name: c.name,
          redirectUris: c.redirectUris,
          postLogoutRedirectUris: c.postLogoutRedirectUris,
          backchannelLogoutUri: c.backchannelLogoutUri,
          scopes: c.scopes,
          confidential: values.confidential,
          demo: true,
        },
      });
      written.push(c.clientId);
    });
  }
  return written;
}
