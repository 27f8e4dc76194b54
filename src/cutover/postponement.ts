/**
 * WHO MAY POSTPONE THE VNeID-ONLY DATE FOR SOMEONE. Only the province administrator moves a date later than an
 * administrator could reach anyway (set-cutoff.ts). The date that applies to an official is their unit's, else the
 * nearest ancestor's, else the province's (auth/cutoff.ts): so moving a unit, merging one into another or moving an
 * account to another unit changes it as surely as setting a date does.
 *
 * What a unit administrator can reach from a place is not only the date in force there: set-cutoff.ts lets them bring
 * any date of their units back to the one above it, so by clearing dates on the way up they reach the latest date set
 * on the units they administer above that place, or the date in force just above their subtree (`reachableCutoff`).
 * A move by anyone but the province administrator (or the system) must not reach later than the place it leaves —
 * comparing only the dates in force let an administrator give the destination an early date of its own, move officials
 * under it, then clear that date and inherit a later one the province had set higher up (found by attacker reviews).
 */
import type { Queryable } from '../db/client.js';
import { administeredUnitIds, isProvinceAdministrator } from '../accounts/policies.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { cutoffForUnit, ownCutoffs, provinceCutoff } from '../auth/cutoff.js';
import { ancestorIds } from '../org/tree.js';

/** Whether `after` gives password login longer than `before` (null: no date, password login for good). */
const isLater = (before: string | null, after: string | null): boolean => before !== null && (after === null || after > before);
const latest = (a: string | null, b: string | null): string | null => (isLater(a, b) ? b : a);

/**
 * The latest VNeID-only date `actor` could give `unitId` by setting and clearing the dates of the units they
 * administer: the latest own date from the unit up to the top of their subtree, and the date in force just above it
 * (the province's when they administer the root).
 */
async function reachableCutoff(db: Queryable, actor: StaffActor, unitId: string): Promise<string | null> {
  const path = await ancestorIds(db, unitId);
  const administered = new Set(await administeredUnitIds(db, actor));
  const own = await ownCutoffs(db, path);
  // Dates as text (YYYY-MM-DD) compare as dates; `undefined` = none met yet (earlier than any date).
  let reach: string | null | undefined;
  const add = (d: string | null) => {
    reach = reach === undefined ? d : latest(reach, d);
  };
  for (const id of path) {
    // The first unit above the subtree: its date in force is what clearing every date below it leads to.
    if (!administered.has(id)) {
      add(await cutoffForUnit(db, id));
      return reach ?? null;
    }
    const date = own.get(id);
    if (date) add(date);
  }
  add(await provinceCutoff(db));
  return reach ?? null;
}

/**
 * Refuses a move by anyone but the province administrator (or the system) that would let those who follow
 * `fromUnitId`'s date reach a later one at `toUnitId`. What moves is named in `what` ("đơn vị", "tài khoản").
 */
export async function requireNoLaterCutoff(
  db: Queryable,
  actor: StaffActor | SystemActor,
  fromUnitId: string,
  toUnitId: string,
  what: string,
): Promise<void> {
  if (actor.kind === 'system' || (await isProvinceAdministrator(db, actor))) return;
  const [before, after] = [await reachableCutoff(db, actor, fromUnitId), await reachableCutoff(db, actor, toUnitId)];
  if (!isLater(before, after)) return;
  throw new AppError(
    'cutoff_postpone_forbidden',
    `Không thể chuyển ${what}: nơi chuyển đến thuộc nhánh có ngày chỉ đăng nhập bằng VNeID ${
      after === null ? 'chưa đặt' : formatDate(after)
    }, muộn hơn ngày ${formatDate(before!)} của nơi hiện tại. Chuyển sang nhánh có ngày muộn hơn do quản trị cấp tỉnh thực hiện.`,
    403,
  );
}
