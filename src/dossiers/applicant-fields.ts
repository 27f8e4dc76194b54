/**
 * The applicant's optional fields as both forms take them (TIẾP NHẬN HỒ SƠ at the counter, Nộp hồ sơ on the
 * portal): a CCCD in the official structure, a Vietnamese phone number, an e-mail address; blank is null.
 * A CCCD is typed as it is printed or read out ("070 085 316 204", "070.085.316.204"): the groups' spaces, dots and
 * hyphens are dropped before the check, and the number is kept as its 12 digits.
 */
import { z } from 'zod';
import { checkCccdFormat } from '../accounts/cccd.js';
import { cleanOptional } from '../shared/text.js';

export const optionalCccd = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const c = cleanOptional(v)?.replace(/[\s.-]/g, '');
      if (!c) return null;
      const r = checkCccdFormat(c);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', message: r.message });
        return z.NEVER;
      }
      return c;
    });

export const optionalPhone = (message = 'Số điện thoại không đúng định dạng.') =>
  z
    .string()
    .optional()
    .transform((v) => cleanOptional(v)?.replace(/[\s.-]/g, '') ?? null)
    .pipe(
      z
        .string()
        .regex(/^(\+84|0)\d{9,10}$/, message)
        .nullable(),
    );

export const optionalEmail = (message = 'Địa chỉ email không hợp lệ.') =>
  z
    .string()
    .optional()
    .transform((v) => cleanOptional(v)?.toLowerCase() ?? null)
    .pipe(z.email(message).nullable());
