import type { UnitKind } from '../db/schema/index.js';
import { AppError } from '../shared/errors.js';
import { UNIT_KIND_LABELS } from './unit-input.js';

/**
 * Why a kind does not fit where the unit stands, or null. The province is the root and the root is the province:
 * province-wide settings are audited under "the province unit" (tree.ts provinceUnitId), so a department given the
 * kind "province" must not be able to look like it. One wording for the screen and the import.
 */
export function kindMisfitReason(kind: UnitKind, isRoot: boolean): string | null {
  const province = UNIT_KIND_LABELS.province;
  if (isRoot && kind !== 'province') return `Đơn vị gốc là tỉnh: loại đơn vị phải là "${province}".`;
  if (!isRoot && kind === 'province') return `Chỉ đơn vị gốc (tỉnh) có loại "${province}"; hãy chọn loại khác.`;
  return null;
}

export function assertKindFits(kind: UnitKind, isRoot: boolean): void {
  const reason = kindMisfitReason(kind, isRoot);
  if (reason) throw new AppError('unit_kind_misfit', reason, 400, { kind: reason });
}
