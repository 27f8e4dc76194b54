/**
 * WHO MAY POSTPONE THE VNeID-ONLY DATE FOR SOMEONE. Only the province administrator moves a date later or removes it
 * (set-cutoff.ts). The date that applies to an official is their unit's, else the nearest ancestor's, else the
 * province's (auth/cutoff.ts): so moving a unit, merging one into another or moving an account to another unit changes
 * it as surely as setting a date does. Any other administrator's move must not bring a later date than the one in force,
 * or none — else the administrator of a department could reopen password login past the province's date by moving their
 * units or officials under a unit the province had given a later date (found by an attacker review), and move them back.
 */
import type { Queryable } from '../db/client.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { StaffActor, SystemActor } from '../shared/context.js';
import { AppError } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { cutoffForUnit } from '../auth/cutoff.js';

/** Whether `after` gives password login longer than `before` (null: no date, password login for good). */
export const isLater = (before: string | null, after: string | null): boolean => before !== null && (after === null || after > before);

/**
 * Refuses a move by anyone but the province administrator (or the system) that would bring those who follow
 * `fromUnitId`'s date the later date of `toUnitId`. What moves is named in `what` ("đơn vị", "tài khoản").
 */
export async function requireNoLaterCutoff(
  db: Queryable,
  actor: StaffActor | SystemActor,
  fromUnitId: string,
  toUnitId: string,
  what: string,
): Promise<void> {
  if (actor.kind === 'system') return;
  const [before, after] = [await cutoffForUnit(db, fromUnitId), await cutoffForUnit(db, toUnitId)];
  if (!isLater(before, after) || (await isProvinceAdministrator(db, actor))) return;
  throw new AppError(
    'cutoff_postpone_forbidden',
    `Không thể chuyển ${what}: ngày chỉ đăng nhập bằng VNeID đang áp dụng là ${formatDate(before!)}, ở nơi chuyển đến là ${
      after === null ? 'chưa đặt' : formatDate(after)
    }. Chuyển sang nơi có ngày muộn hơn do quản trị cấp tỉnh thực hiện.`,
    403,
  );
}
