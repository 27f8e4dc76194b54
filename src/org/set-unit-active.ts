import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { requireAdministerUnit } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { lockDelegationAgencies } from '../delegation/agency-lock.js';
import { activeHolderOfCode, loadUnit } from './unit-queries.js';

/** Deactivate a unit that no longer holds live accounts or active sub-units, or reactivate one. */
export async function setUnitActive(db: Db, actor: StaffActor, unitId: string, active: boolean, now: Date) {
  return db.transaction(async (tx) => {
    // First, the lock every change of the tree and its codes holds (delegation/agency-lock.ts): a unit created, edited
    // or reactivated with the same code at the same instant is seen by the check below (it answered a 500 at the
    // unique index otherwise).
    await lockDelegationAgencies(tx);
    await requireAdministerUnit(tx, actor, unitId);
    const unit = await loadUnit(tx, unitId);
    if (!unit) throw errors.notFound('Đơn vị');
    if (!unit.parentId) throw new AppError('unit_is_root', 'Không thể ngừng hoạt động đơn vị gốc.', 409);
    if (unit.mergedIntoId) throw new AppError('unit_merged', 'Đơn vị đã được sáp nhập, không thể kích hoạt lại.', 409);
    // A closed unit's code may have been given to another since: the partial unique index would refuse it as a 500.
    const holder = active && !unit.active && unit.agencyCode ? await activeHolderOfCode(tx, unit.agencyCode, unitId) : undefined;
    if (holder) {
      throw new AppError(
        'agency_code_taken',
        `Không thể kích hoạt lại: mã định danh điện tử ${unit.agencyCode} đang được dùng cho ${holder.name}. Hãy đổi mã của đơn vị đó trước.`,
        409,
      );
    }
    if (!active) {
      const [{ n: liveAccounts } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(accounts)
        .where(and(eq(accounts.unitId, unitId), isNull(accounts.deletedAt)));
      const [{ n: liveChildren } = { n: 0 }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(units)
        .where(and(eq(units.parentId, unitId), eq(units.active, true)));
      if (liveAccounts > 0 || liveChildren > 0) {
        throw new AppError(
          'unit_not_empty',
          `Đơn vị còn ${liveAccounts} tài khoản và ${liveChildren} đơn vị trực thuộc đang hoạt động. Hãy chuyển hoặc sáp nhập trước khi ngừng hoạt động.`,
          409,
        );
      }
    }
    await tx.update(units).set({ active, updatedAt: now }).where(eq(units.id, unitId));
    await recordAudit(tx, {
      action: active ? 'unit.activate' : 'unit.deactivate',
      actor,
      targetType: 'unit',
      targetId: unitId,
      unitId,
      data: { old: { active: unit.active }, new: { active } },
    });
  });
}
