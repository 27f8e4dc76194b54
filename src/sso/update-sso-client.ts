/**
 * Sửa ứng dụng kết nối SSO: the province administrator changes what an application is registered with (every
 * field of client-input.ts; whether it is confidential stays as registered). The provider reads the registry at
 * each request, so new redirect URIs, scopes or units apply at the application's next authorization. Audited with
 * the fields that changed, before and after.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { ssoClients } from '../db/schema/index.js';
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
    await recordAudit(tx, {
      action: 'sso_client.update',
      actor,
      targetType: 'sso_client',
      // The province's root: the row is in Nhật ký hệ thống of the province administrators.
      unitId: await provinceUnitId(tx),
      targetId: clientId,
      data: { name: next.name, changes },
    });
    return { name: next.name, changed };
  });
}
