import { and, desc, inArray, lt, type SQL } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import { administeredUnitIds, requireAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';

/** Nhật ký hệ thống: the entries about units the actor administers, newest first, `before` an id for the next page. */
export async function listAuditEntries(db: Queryable, actor: StaffActor, before: number | undefined, limit: number) {
  await requireAdministrator(db, actor);
  const scope = await administeredUnitIds(db, actor);
  if (scope.length === 0) return [];
  const conds: SQL[] = [inArray(auditLog.unitId, scope)];
  if (before) conds.push(lt(auditLog.id, before));
  return db
    .select()
    .from(auditLog)
    .where(and(...conds))
    .orderBy(desc(auditLog.id))
    .limit(limit);
}
