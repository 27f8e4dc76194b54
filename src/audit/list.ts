import { and, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import { administeredUnitIds, requireAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';

/**
 * Nhật ký hệ thống: the entries about units the actor administers, newest first, `before` an id for the next page,
 * `action` one action code.
 */
export async function listAuditEntries(
  db: Queryable,
  actor: StaffActor,
  before: number | undefined,
  limit: number,
  action?: string | undefined,
) {
  await requireAdministrator(db, actor);
  const scope = await administeredUnitIds(db, actor);
  if (scope.length === 0) return [];
  const conds: SQL[] = [inArray(auditLog.unitId, scope)];
  if (before) conds.push(lt(auditLog.id, before));
  if (action) conds.push(eq(auditLog.action, action));
  return db
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
