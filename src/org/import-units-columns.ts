/** The unit tree import's columns, with the headers a province's sheet gives them (Vietnamese) and English ones. */
import type { TableSpec } from '../accounts/read-sheet.js';
import { UNIT_KINDS, type UnitKind } from '../db/schema/index.js';
import { foldVietnamese } from '../shared/text.js';
import { UNIT_KIND_LABELS } from './unit-input.js';

export type UnitColumn = 'name' | 'parent' | 'agencyCode' | 'kind' | 'shortName';

export const UNIT_SHEET: TableSpec<UnitColumn> = {
  columns: [
    ['name', 'Tên đơn vị', 'Tên cơ quan', 'Tên cơ quan, đơn vị', 'Unit name'],
    [
      'parent',
      'Đơn vị cấp trên',
      'Đơn vị cha',
      'Cơ quan cấp trên',
      'Cơ quan chủ quản',
      'Mã đơn vị cấp trên',
      'Mã định danh đơn vị cấp trên',
      'Parent unit',
    ],
    [
      'agencyCode',
      'Mã định danh điện tử',
      'Mã định danh',
      'Mã định danh điện tử của cơ quan',
      'Mã định danh cơ quan',
      'Mã đơn vị',
      'Mã cơ quan',
      'Electronic agency code',
      'Agency code',
      'Code',
    ],
    ['kind', 'Loại đơn vị', 'Loại hình đơn vị', 'Loại cơ quan', 'Cấp đơn vị', 'Unit type', 'Type'],
    ['shortName', 'Tên viết tắt', 'Short name'],
  ],
  required: ['name', 'parent', 'kind'],
};

/** Words a sheet uses for a unit's type, folded, beside the codebase's own kinds and labels. */
const KIND_WORDS: Array<[UnitKind, string[]]> = [
  ['province', ['tinh', 'thanh pho truc thuoc trung uong', 'ubnd tinh']],
  ['department', ['so', 'so ban nganh', 'ban', 'nganh', 'co quan chuyen mon']],
  ['district', ['huyen', 'cap huyen', 'ubnd huyen', 'quan', 'thi xa']],
  ['commune', ['xa', 'cap xa', 'ubnd xa', 'phuong', 'thi tran', 'xa phuong thi tran', 'xa, phuong, thi tran']],
  ['division', ['phong', 'phong ban', 'phong chuyen mon', 'van phong']],
  ['centre', ['trung tam', 'don vi su nghiep', 'trung tam don vi su nghiep']],
];

const KIND_BY_WORD = new Map<string, UnitKind>();
for (const kind of UNIT_KINDS) {
  KIND_BY_WORD.set(kind, kind);
  KIND_BY_WORD.set(foldVietnamese(UNIT_KIND_LABELS[kind]), kind);
}
for (const [kind, words] of KIND_WORDS) for (const w of words) KIND_BY_WORD.set(w, kind);

/** The unit kind a cell names, or null. */
export function unitKindOf(cell: string): UnitKind | null {
  const key = foldVietnamese(cell).replace(/\s*\/\s*/g, ' / ');
  return (
    KIND_BY_WORD.get(key) ??
    KIND_BY_WORD.get(
      key
        .replace(/[^a-z0-9 ]+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    ) ??
    null
  );
}

/** The accepted unit types, for a refusal's message. */
export const UNIT_KIND_HINT = UNIT_KINDS.map((k) => `"${UNIT_KIND_LABELS[k]}" (${k})`).join(', ');
