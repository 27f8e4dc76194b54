/**
 * Sửa ứng dụng kết nối SSO: the province administrator changes what an application is registered with (every
 * field of client-input.ts; whether it is confidential stays as registered). The provider reads the registry at
 * each request, so new redirect URIs, scopes or units apply at the application's next authorization. An edit that
 * takes something away (a scope, or units: open to fewer officials) also revokes what the application holds —
 * its grants, codes and tokens — since a refresh keeps the scopes it was minted with and no unit check runs on it:
 * its users' next authorization (silent while their provider session lasts) applies the new registration. Audited
 * with the fields that changed, before and after.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ssoClients, ssoModels } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import type { StaffActor } from '../shared/context.js';
import { parseInput } from '../shared/validate.js';
import { UpdateSsoClientInput } from './client-input.js';
import { clientForChange } from './sso-client-registry.js';

const FIELDS = [
  'name',
  'redirectUris',
  'postLogoutRedirectUris',
  'backchannelLogoutUri',
  'scopes',
  'accessTokenTtl',
  'refreshTokenTtl',
  'idTokenTtl',
  'unitIds',
  'subjectType',
] as const;

/** What oidc-provider issued to a client (each row's payload names its clientId). */
const ISSUED = ['Grant', 'AuthorizationCode', 'AccessToken', 'RefreshToken', 'ClientCredentials'];

/** Whether the edit takes something away: a scope, or officials (units restricted where there were none, or removed). */
function narrows(row: { scopes: string[]; unitIds: string[] }, next: { scopes: string[]; unitIds: string[] }): boolean {
  if (row.scopes.some((s) => !next.scopes.includes(s))) return true;
  return next.unitIds.length > 0 && (row.unitIds.length === 0 || row.unitIds.some((u) => !next.unitIds.includes(u)));
}

export async function updateSsoClient(
  db: Db,
  actor: StaffActor,
  clientId: string,
  raw: unknown,
  opts: { production: boolean },
): Promise<{ name: string; changed: string[] }> {
  const parsed = parseInput(UpdateSsoClientInput(opts.production), raw);
  const next = { ...parsed, backchannelLogoutUri: parsed.backchannelLogoutUri ?? null };
  return db.transaction(async (tx) => {
    const row = await clientForChange(tx, actor, clientId);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const f of FIELDS) if (JSON.stringify(row[f]) !== JSON.stringify(next[f])) changes[f] = { from: row[f], to: next[f] };
    const changed = Object.keys(changes);
    if (changed.length === 0) return { name: row.name, changed };
    await tx.update(ssoClients).set(next).where(eq(ssoClients.clientId, clientId));
    const revoked = narrows(row, next)
      ? (
          await tx
            .delete(ssoModels)
            .where(and(inArray(ssoModels.model, ISSUED), sql`${ssoModels.payload}->>'clientId' = ${clientId}`))
            .returning({ id: ssoModels.id })
        ).length
      : 0;
    await recordAudit(tx, {
      action: 'sso_client.update',
      actor,
      targetType: 'sso_client',
      // The province's root: the row is in Nhật ký hệ thống of the province administrators.
      unitId: await provinceUnitId(tx),
      targetId: clientId,
      data: { name: next.name, changes, ...(revoked ? { revokedTokens: revoked } : {}) },
    });
    return { name: next.name, changed };
  });
}
