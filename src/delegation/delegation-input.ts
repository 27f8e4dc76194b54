import { z } from 'zod';
import { DELEGATION_SCOPES } from '../db/schema/index.js';
import { atLocal } from '../calendar/working-time.js';
import { parseDate } from '../shared/dates.js';
import { Id } from '../shared/validate.js';

/**
 * A moment typed in Vietnam time: "2026-12-03T08:00" (a datetime-local field) or "03/12/2026 08:00" (typed by
 * hand). Vietnam keeps UTC+7 all year, so the instant is plain arithmetic (calendar/working-time.ts).
 */
function localMoment(message: string) {
  return z.string({ error: message }).transform((raw, ctx) => {
    const v = raw.trim();
    const iso = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(v);
    const vn = /^(\d{1,2}\/\d{1,2}\/\d{4})\s+(\d{1,2}):(\d{2})$/.exec(v);
    const date = iso ? parseDate(iso[1]!.split('-').reverse().join('/')) : vn ? parseDate(vn[1]!) : null;
    const [h, m] = (iso ?? vn)?.slice(2, 4).map(Number) ?? [Number.NaN, Number.NaN];
    if (!date || !(h! >= 0 && h! <= 23 && m! >= 0 && m! <= 59)) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return atLocal(date, h! * 60 + m!);
  });
}

const ids = (max: number, message: string) =>
  z
    .union([Id, z.array(Id)], { error: message })
    .optional()
    .transform((v) => [...new Set(v === undefined ? [] : Array.isArray(v) ? v : [v])])
    .pipe(z.array(z.string()).max(max, { error: message }));

/** Ủy quyền giải quyết DVC → Thêm: the form as a zod schema (the period is checked against the clock by the use case). */
export const DelegationInput = z
  .object({
    delegateId: z
      .string({ error: 'Vui lòng chọn tài khoản nhận ủy quyền.' })
      .trim()
      .min(1, { error: 'Vui lòng chọn tài khoản nhận ủy quyền.' }),
    scope: z.enum(DELEGATION_SCOPES, { error: 'Vui lòng chọn phạm vi ủy quyền.' }),
    sectorIds: ids(50, 'Chọn tối đa 50 lĩnh vực hợp lệ.'),
    procedureIds: ids(100, 'Chọn tối đa 100 thủ tục hợp lệ.'),
    from: localMoment('Thời điểm bắt đầu không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy HH:mm.'),
    to: localMoment('Thời điểm kết thúc không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy HH:mm.'),
    reason: z
      .string({ error: 'Vui lòng nhập lý do ủy quyền.' })
      .trim()
      .min(1, { error: 'Vui lòng nhập lý do ủy quyền.' })
      .max(500, { error: 'Lý do tối đa 500 ký tự.' }),
    /** The form's key (a hidden field): the same form posted twice makes one delegation (create-delegation.ts). */
    formKey: z.uuid({ error: 'Biểu mẫu không hợp lệ. Vui lòng tải lại trang và nhập lại.' }).toLowerCase().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.scope === 'sectors' && v.sectorIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['sectorIds'], message: 'Vui lòng chọn ít nhất một lĩnh vực.' });
    if (v.scope === 'procedures' && v.procedureIds.length === 0)
      ctx.addIssue({ code: 'custom', path: ['procedureIds'], message: 'Vui lòng chọn ít nhất một thủ tục.' });
    if (v.to.getTime() <= v.from.getTime())
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Thời điểm kết thúc phải sau thời điểm bắt đầu.' });
    else if (v.to.getTime() - v.from.getTime() > 366 * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'Một lần ủy quyền tối đa một năm.' });
  });

/** An instant as a datetime-local field shows it in Vietnam time ("2026-12-03T08:00"). */
export function toLocalInput(t: Date): string {
  return new Date(t.getTime() + 7 * 3_600_000).toISOString().slice(0, 16);
}
