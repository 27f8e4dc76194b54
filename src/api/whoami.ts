import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiClients, type Role } from '../db/schema/index.js';
import { ownPermissions } from '../accounts/effective-permissions.js';
import type { StaffActor } from '../shared/context.js';
import { OPERATIONS, operationFor } from './operations.js';

/** GET /api/v1/me: who the caller acts as, with which roles, and which operations it can call. */
export async function whoAmI(db: Db, actor: StaffActor, now: Date) {
  const perm = await ownPermissions(db, actor, now);
  const [key] =
    actor.kind === 'api'
      ? await db
          .select({ name: apiClients.name, expiresAt: apiClients.expiresAt })
          .from(apiClients)
          .where(eq(apiClients.id, actor.clientId))
      : [];
  const roles = new Set<Role>(perm.grants.map((g) => g.role));
  const a = perm.account;
  return {
    account: {
      id: a.id,
      username: a.username,
      fullName: `${a.middleName} ${a.givenName}`.trim(),
      position: a.position,
      unitId: a.unitId,
      unitName: a.unitName,
    },
    credential:
      actor.kind === 'api'
        ? { kind: 'api_key' as const, keyId: actor.clientId, name: key?.name ?? null, expiresAt: key?.expiresAt ?? null }
        : { kind: 'session' as const, keyId: null, name: null, expiresAt: null },
    roles: perm.grants.map((g) => ({
      role: g.role,
      label: g.label,
      unitId: g.unitId,
      unitName: g.unitName,
      coveredUnits: g.coveredUnits,
      allows: g.allows,
    })),
    operations: OPERATIONS.map((op) => ({ operationId: op.operationId, method: op.method, path: op.path, ...operationFor(op, roles) })),
  };
}
export type WhoAmI = Awaited<ReturnType<typeof whoAmI>>;
