import { z } from 'zod';
import { UNIT_KINDS } from '../db/schema/index.js';
import { cleanOptional, cleanText } from '../shared/text.js';

/** Mã định danh điện tử of an agency: dot-separated groups like 000.00.13.H10 or G22.30. */
const AGENCY_CODE = /^[A-Z0-9]{1,4}(\.[A-Z0-9]{1,4}){1,4}$/;

export const UnitInput = z.object({
  name: z
    .string()
    .transform(cleanText)
    .pipe(z.string().min(2, 'Tên đơn vị phải có ít nhất 2 ký tự.').max(200, 'Tên đơn vị tối đa 200 ký tự.')),
  shortName: z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(60, 'Tên viết tắt tối đa 60 ký tự.').nullable()),
  agencyCode: z
    .string()
    .optional()
    .transform((v) => cleanOptional(v)?.toUpperCase() ?? null)
    .pipe(z.string().regex(AGENCY_CODE, 'Mã định danh điện tử không đúng dạng (ví dụ: 000.00.13.H10).').nullable()),
  kind: z.enum(UNIT_KINDS, { message: 'Vui lòng chọn loại đơn vị.' }),
});
export type UnitInput = z.infer<typeof UnitInput>;

export const UNIT_KIND_LABELS: Record<(typeof UNIT_KINDS)[number], string> = {
  province: 'Tỉnh / thành phố',
  department: 'Sở, ban, ngành',
  district: 'UBND cấp huyện',
  commune: 'UBND cấp xã',
  division: 'Phòng ban',
  centre: 'Trung tâm / đơn vị sự nghiệp',
};
