/**
 * THÔNG TIN NGƯỜI NỘP HỒ SƠ and THÔNG TIN DỊCH VỤ CÔNG of Nộp hồ sơ (seed 000 §2 Bước 4) as a zod schema. What VNeID
 * vouches for (họ tên, số định danh, ngày sinh, giới tính) is not in it: it comes from the citizen's identity. The
 * contact fields are editable; a representative (người được ủy quyền) types the principal's details, which name
 * the applicant and prove nothing.
 */
import { z } from 'zod';
import { optionalCccd, optionalEmail, optionalPhone } from '../dossiers/applicant-fields.js';
import { parseDate } from '../shared/dates.js';
import { cleanOptional, cleanText } from '../shared/text.js';
import { idField } from '../shared/validate.js';

const optionalText = (max: number, message: string) =>
  z
    .string()
    .optional()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(max, message).nullable());

const phone = optionalPhone('Số điện thoại không đúng định dạng (ví dụ 0912345678).');
const email = optionalEmail('Địa chỉ thư điện tử không hợp lệ.');

/** The contact fields and the service chosen: checked on every save (a draft keeps what is valid and what is not). */
export const SubmissionFields = z.object({
  unitId: idField('Vui lòng chọn đơn vị tiếp nhận.'),
  procedureId: idField('Vui lòng chọn thủ tục.'),
  phone: phone.refine((v) => v !== null, 'Vui lòng nhập số điện thoại để cơ quan liên hệ.'),
  email,
  address: optionalText(300, 'Địa chỉ tối đa 300 ký tự.').refine((v) => v !== null, 'Vui lòng nhập địa chỉ liên hệ.'),
  note: optionalText(1000, 'Ghi chú tối đa 1000 ký tự.'),
  onBehalf: z
    .string()
    .optional()
    .transform((v) => v === '1'),
  principalName: optionalText(150, 'Họ tên tối đa 150 ký tự.'),
  principalCccd: optionalCccd(),
  principalDateOfBirth: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const c = cleanOptional(v);
      if (!c) return null;
      const iso = parseDate(c);
      if (!iso) {
        ctx.addIssue({ code: 'custom', message: 'Ngày sinh theo dạng dd/mm/yyyy.' });
        return z.NEVER;
      }
      return iso;
    }),
  principalGender: z
    .string()
    .optional()
    .transform((v): 'male' | 'female' | null => (v === 'male' || v === 'female' ? v : null)),
  principalAddress: optionalText(300, 'Địa chỉ tối đa 300 ký tự.'),
  principalPhone: phone,
  principalEmail: email,
});
export type SubmissionFieldsValue = z.output<typeof SubmissionFields>;

/**
 * What must hold when submitting on behalf of someone (checked after the field schema). `today`: the day in Vietnam,
 * ISO, which the principal's birth date may not pass (as a tờ khai's date marked "không sau hôm nay").
 */
export function principalErrors(v: SubmissionFieldsValue, today: string): Record<string, string> {
  if (!v.onBehalf) return {};
  const out: Record<string, string> = {};
  if (v.principalDateOfBirth && v.principalDateOfBirth > today) out.principalDateOfBirth = 'Ngày sinh không được sau ngày hôm nay.';
  if (!v.principalName || cleanText(v.principalName).length < 2) out.principalName = 'Vui lòng nhập họ tên người ủy quyền.';
  if (!v.principalCccd) out.principalCccd = 'Vui lòng nhập số định danh cá nhân của người ủy quyền.';
  return out;
}

/** The form's text fields as the draft keeps them (strings as typed, so a refused value is shown again to correct). */
export const DRAFT_FIELDS = [
  'unitId',
  'procedureId',
  'phone',
  'email',
  'address',
  'note',
  'onBehalf',
  'principalName',
  'principalCccd',
  'principalDateOfBirth',
  'principalGender',
  'principalAddress',
  'principalPhone',
  'principalEmail',
] as const;
