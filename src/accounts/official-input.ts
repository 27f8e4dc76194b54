/**
 * The THÔNG TIN CÁN BỘ and THÔNG TIN XÁC THỰC forms, validated with Vietnamese messages.
 * Used by the admin form, the import and the API alike.
 */
import { z } from 'zod';
import { parseDate, todayInVietnam } from '../shared/dates.js';
import { cleanOptional, cleanText } from '../shared/text.js';
import { idField, numberField } from '../shared/validate.js';
import { checkCccd, checkCccdFormat } from './cccd.js';

const optionalText = (max: number, label: string) =>
  z
    .string()
    .optional()
    .nullable()
    .transform((v) => cleanOptional(v))
    .pipe(z.string().max(max, `${label} tối đa ${max} ký tự.`).nullable());

/** A code typed optionally (an account number, a bank's code, a tax code): blank is none; else normalised, then checked. */
const optionalCode = (normalise: (v: string) => string, pattern: RegExp, message: string) =>
  z
    .string()
    .optional()
    .nullable()
    .transform((v) => {
      const typed = cleanOptional(v);
      return typed === null ? null : normalise(typed);
    })
    .pipe(z.string().regex(pattern, message).nullable());
const withoutSpaces = (v: string) => v.replace(/\s/g, '');

/** Vietnamese phone numbers: +84 or 0, separators allowed, stored as 0xxxxxxxxx. */
function normalisePhone(v: string): string {
  let d = v.replace(/[\s.\-()]/g, '');
  if (d.startsWith('+84')) d = `0${d.slice(3)}`;
  else if (d.startsWith('84') && d.length === 11) d = `0${d.slice(2)}`;
  return d;
}
const MOBILE = /^0(3|5|7|8|9)\d{8}$/;
const PHONE = /^0\d{9,10}$/;

const phone = (label: string, mobileOnly: boolean) =>
  z
    .string()
    .optional()
    .nullable()
    .transform((v, ctx) => {
      const c = cleanOptional(v);
      if (!c) return null;
      const n = normalisePhone(c);
      if (!(mobileOnly ? MOBILE : PHONE).test(n)) {
        ctx.addIssue({
          code: 'custom',
          message: mobileOnly
            ? `${label} phải là số di động Việt Nam gồm 10 chữ số (ví dụ 09xxxxxxxx).`
            : `${label} không đúng định dạng (10–11 chữ số, bắt đầu bằng 0).`,
        });
        return z.NEVER;
      }
      return n;
    });

const EMAIL = z.email();

const emails = z
  .string()
  .optional()
  .nullable()
  .transform((v, ctx) => {
    const c = cleanOptional(v);
    if (!c) return null;
    const list = c
      .split(/[;,]/)
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    const bad = list.filter((e) => !EMAIL.safeParse(e).success);
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `Địa chỉ email không hợp lệ: ${bad.join(', ')}.` });
      return z.NEVER;
    }
    return [...new Set(list)].join('; ');
  });

const dateField = (label: string) =>
  z
    .string()
    .optional()
    .nullable()
    .transform((v, ctx) => {
      const c = cleanOptional(v);
      if (!c) return null;
      const iso = parseDate(c);
      if (!iso) {
        ctx.addIssue({ code: 'custom', message: `${label} không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.` });
        return z.NEVER;
      }
      return iso;
    });

const FORM_OUT_OF_DATE = 'Biểu mẫu không hợp lệ; vui lòng tải lại trang.';

const flag = z
  .union([z.boolean(), z.string(), z.null()])
  .optional()
  .transform((v) => v === true || v === 'on' || v === '1' || v === 'true' || v === 'x' || v === 'X' || v === 'có' || v === 'Có');

const OfficialFields = z.object({
  username: z
    .string({ message: 'Vui lòng nhập tên tài khoản.' })
    .transform((v) => v.trim())
    .pipe(
      z
        .string()
        .min(3, 'Tên tài khoản phải có từ 3 đến 50 ký tự.')
        .max(50, 'Tên tài khoản phải có từ 3 đến 50 ký tự.')
        .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'Tên tài khoản chỉ gồm chữ không dấu, số và các ký tự . _ -'),
    ),
  middleName: z
    .string({ message: 'Vui lòng nhập họ và tên đệm.' })
    .transform(cleanText)
    .pipe(z.string().min(1, 'Vui lòng nhập họ và tên đệm.').max(100, 'Họ và tên đệm tối đa 100 ký tự.')),
  givenName: z
    .string({ message: 'Vui lòng nhập tên.' })
    .transform(cleanText)
    .pipe(z.string().min(1, 'Vui lòng nhập tên.').max(50, 'Tên tối đa 50 ký tự.')),
  phone: phone('Số điện thoại', false),
  mobile: phone('Số di động', true),
  emails,
  unitId: idField('Vui lòng chọn đơn vị/phòng ban.'),
  position: optionalText(100, 'Chức vụ'),
  receptionPlace: optionalText(200, 'Nơi tiếp nhận hồ sơ'),
  returnAddress: optionalText(300, 'Địa chỉ trả hồ sơ'),
  receivingUnitPhone: phone('Số điện thoại đơn vị tiếp nhận', false),
  agencyAddress: optionalText(300, 'Địa chỉ cơ quan'),
  beneficiaryAccount: optionalCode(withoutSpaces, /^\d{6,20}$/, 'Mã tài khoản thụ hưởng gồm 6–20 chữ số.'),
  bankCode: optionalCode((v) => v.toUpperCase(), /^[A-Z0-9]{2,20}$/, 'Mã ngân hàng thụ hưởng gồm 2–20 chữ cái hoặc chữ số.'),
  taxCode: optionalCode(withoutSpaces, /^\d{10}(-\d{3})?$/, 'Mã số thuế gồm 10 chữ số, hoặc 10 chữ số - 3 chữ số.'),
  cardName: optionalText(150, 'Họ và tên trên thẻ CCCD'),
  dateOfBirth: dateField('Ngày sinh'),
  gender: z.enum(['male', 'female'], { message: 'Vui lòng chọn giới tính.' }),
  cccd: z
    .string()
    .optional()
    .nullable()
    .transform((v) => cleanOptional(v)),
  issueDate: dateField('Ngày cấp'),
  issuePlace: optionalText(200, 'Nơi cấp'),
  address: optionalText(300, 'Địa chỉ'),
  suspended: flag,
  /**
   * When the page showed the account (its updatedAt, milliseconds since the epoch; hidden field of the edit form):
   * a save from a page older than the account's last change is refused (update-official.ts). Absent: not checked
   * (an import, the API, the official's own profile).
   */
  seen: numberField(
    z.number({ message: FORM_OUT_OF_DATE }).int({ message: FORM_OUT_OF_DATE }).min(0, { message: FORM_OUT_OF_DATE }).optional(),
  ),
  unitRepresentative: flag,
  divisionRepresentative: flag,
});

/**
 * An official's form as of `now` (the app's clock, deps.now): a birth or issue date after that day is refused.
 */
export const officialInput = (now: Date) =>
  OfficialFields.superRefine((v, ctx) => {
    const today = todayInVietnam(now);
    if (v.dateOfBirth && (v.dateOfBirth > today || v.dateOfBirth < '1900-01-01')) {
      ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: 'Ngày sinh không hợp lệ.' });
    }
    if (v.issueDate && v.issueDate > today) {
      ctx.addIssue({ code: 'custom', path: ['issueDate'], message: 'Ngày cấp không được sau ngày hôm nay.' });
    }
    if (v.issueDate && v.dateOfBirth && v.issueDate <= v.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['issueDate'], message: 'Ngày cấp phải sau ngày sinh.' });
    }
    if (!v.cccd) return;
    const format = checkCccdFormat(v.cccd);
    if (!format.ok) {
      ctx.addIssue({ code: 'custom', path: ['cccd'], message: format.message });
      return;
    }
    if (!v.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['dateOfBirth'], message: 'Vui lòng nhập ngày sinh để đối chiếu số CCCD.' });
      return;
    }
    if (!v.cardName) {
      ctx.addIssue({ code: 'custom', path: ['cardName'], message: 'Vui lòng nhập họ và tên trên thẻ CCCD.' });
    }
    const full = checkCccd(v.cccd, v.dateOfBirth, v.gender);
    if (!full.ok) ctx.addIssue({ code: 'custom', path: ['cccd'], message: full.message });
  });

export type OfficialInput = z.output<typeof OfficialFields>;

/** Identity fields that belong to the person rather than to the account. */
export function personFields(i: OfficialInput) {
  return {
    fullName: i.cardName,
    dateOfBirth: i.dateOfBirth,
    gender: i.gender,
    cccd: i.cccd,
    issueDate: i.issueDate,
    issuePlace: i.issuePlace,
    address: i.address,
  };
}

export function accountFields(i: OfficialInput) {
  const { cardName, dateOfBirth, gender, cccd, issueDate, issuePlace, address, seen, ...rest } = i;
  void cardName, dateOfBirth, gender, cccd, issueDate, issuePlace, address, seen;
  return rest;
}
