import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { settings, units } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { isProvinceAdministrator, requireAdministerUnit } from '../accounts/policies.js';
import { CUTOFF_KEY, cutoffForUnit, provinceCutoff } from '../auth/cutoff.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDate, parseDate } from '../shared/dates.js';
import { parseInput } from '../shared/validate.js';
import { loadUnit } from '../org/unit-queries.js';

const cutoffErrors = {
  /** A unit administrator's date later than the one in force (or none at all): the province administrator's decision. */
  postponed: (ceiling: string) =>
    new AppError(
      'cutoff_postpone_forbidden',
      `Quản trị đơn vị chỉ được đặt ngày chỉ đăng nhập bằng VNeID không muộn hơn ngày ${formatDate(ceiling)} đang áp dụng. Lùi ngày hoặc bỏ ngày do quản trị cấp tỉnh thực hiện.`,
      403,
    ),
};

const DateInput = z.object({
  date: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return null;
      const iso = parseDate(v);
      if (!iso) {
        ctx.addIssue({ code: 'custom', message: 'Ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.' });
        return z.NEVER;
      }
      return iso;
    }),
});

/** The province's VNeID-only date (empty = no cutoff). Only the province administrator sets it. */
export async function setProvinceCutoff(db: Db, actor: StaffActor, raw: unknown, now: Date) {
  const { date } = parseInput(DateInput, raw);
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    const old = await provinceCutoff(tx);
    await tx
      .insert(settings)
      .values({ key: CUTOFF_KEY, value: { date }, updatedBy: actor.accountId })
      .onConflictDoUpdate({ target: settings.key, set: { value: { date }, updatedAt: now, updatedBy: actor.accountId } });
    await recordAudit(tx, {
      action: 'cutover.province_cutoff',
      actor,
      targetType: 'setting',
      targetId: CUTOFF_KEY,
      unitId: await provinceUnitId(tx),
      data: { old: { date: old }, new: { date } },
    });
    return date;
  });
}

/**
 * A unit's own date, earlier or later than the province's (staged cutover); empty = follow the parent. Only the
 * province administrator moves a unit's date later (or clears it so that no date applies): a unit administrator may
 * bring their units' date forward, or move it back no later than the date already in force for the unit or above it
 * — else the administrator of a department could reopen password login for their whole subtree after the province's
 * date.
 */
export async function setUnitCutoff(db: Db, actor: StaffActor, unitId: string, raw: unknown, now: Date) {
  const { date } = parseInput(DateInput, raw);
  return db.transaction(async (tx) => {
    await requireAdministerUnit(tx, actor, unitId);
    const unit = await loadUnit(tx, unitId);
    if (!unit) throw errors.notFound('Đơn vị');
    if (!(await isProvinceAdministrator(tx, actor))) {
      const inherited = unit.parentId ? await cutoffForUnit(tx, unit.parentId) : await provinceCutoff(tx);
      // The latest date this actor may give: the one in force for the unit, or the one above it if that is later.
      const inForce = unit.passwordCutoff ?? inherited;
      const ceiling = inForce !== null && inherited !== null && inherited > inForce ? inherited : inForce;
      const effective = date ?? inherited;
      if (ceiling !== null && (effective === null || effective > ceiling)) throw cutoffErrors.postponed(ceiling);
    }
    await tx.update(units).set({ passwordCutoff: date, updatedAt: now }).where(eq(units.id, unitId));
    await recordAudit(tx, {
      action: 'cutover.unit_cutoff',
      actor,
      targetType: 'unit',
      targetId: unitId,
      unitId,
      data: { old: { date: unit.passwordCutoff }, new: { date } },
    });
    return date;
  });
}
