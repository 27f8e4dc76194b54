/**
 * Checks a 12-digit CCCD / personal identification number (Thông tư 07/2016/TT-BCA):
 *   - digits 1–3: code of the province where the birth was registered (province-codes.ts);
 *   - digit 4: century of birth combined with gender;
 *   - digits 5–6: last two digits of the birth year;
 *   - digits 7–12: random.
 * Pure functions, no database. There is no check digit, so only structure and consistency
 * with the entered date of birth and gender can be checked before asking the registry.
 */
import { PROVINCE_CODES } from './province-codes.js';

export type Gender = 'male' | 'female';
type CccdProblem = 'cccd_format' | 'cccd_province' | 'cccd_century_gender' | 'cccd_birth_year';
export type CccdCheck = { ok: true; provinceCode: string; provinceName: string } | { ok: false; problem: CccdProblem; message: string };

const TWELVE_ASCII_DIGITS = /^[0-9]{12}$/;
const ASCII_DIGITS_ONLY = /^[0-9]+$/;
const ISO_DATE = /^([0-9]{4})-[0-9]{2}-[0-9]{2}$/;

function fail(problem: CccdProblem, message: string): CccdCheck {
  return { ok: false, problem, message: message.normalize('NFC') };
}

/** Structural check only: 12 ASCII digits and known province code. */
export function checkCccdFormat(raw: string): CccdCheck {
  const value = raw.trim();
  if (value === '') {
    return fail('cccd_format', 'Vui lòng nhập số CCCD (gồm đúng 12 chữ số).');
  }
  if (!ASCII_DIGITS_ONLY.test(value)) {
    return fail('cccd_format', 'Số CCCD phải gồm đúng 12 chữ số, không có khoảng trắng, chữ cái hay ký tự khác.');
  }
  if (!TWELVE_ASCII_DIGITS.test(value)) {
    return fail('cccd_format', `Số CCCD phải gồm đúng 12 chữ số (số đã nhập có ${value.length} chữ số).`);
  }
  const provinceCode = value.slice(0, 3);
  const provinceName = PROVINCE_CODES[provinceCode];
  if (provinceName === undefined) {
    return fail('cccd_province', `Mã tỉnh "${provinceCode}" ở 3 chữ số đầu của số CCCD không tồn tại.`);
  }
  return { ok: true, provinceCode, provinceName };
}

/**
 * The expected 4th digit for a birth year and gender: (century index)*2 + (female?1:0),
 * where 1900–1999 → 0/1, 2000–2099 → 2/3, 2100–2199 → 4/5, 2200–2299 → 6/7,
 * 2300–2399 → 8/9. Returns null for years outside 1900–2399.
 */
export function centuryGenderDigit(year: number, gender: Gender): number | null {
  if (!Number.isInteger(year) || year < 1900 || year > 2399) return null;
  const centuryIndex = Math.floor((year - 1900) / 100);
  return centuryIndex * 2 + (gender === 'female' ? 1 : 0);
}

/**
 * Full consistency check: format, province, century/gender digit vs. birth year & gender,
 * two-digit year vs. birth year. dateOfBirth is an ISO date 'YYYY-MM-DD'.
 *
 * Throws RangeError if dateOfBirth is not shaped 'YYYY-MM-DD' (the caller is expected to
 * have validated the date field already; this is a programming error, not a user error).
 */
export function checkCccd(raw: string, dateOfBirth: string, gender: Gender): CccdCheck {
  const structural = checkCccdFormat(raw);
  if (!structural.ok) return structural;

  const dob = ISO_DATE.exec(dateOfBirth.trim());
  if (dob === null || dob[1] === undefined) {
    throw new RangeError(`checkCccd: dateOfBirth must be 'YYYY-MM-DD', got ${JSON.stringify(dateOfBirth)}`);
  }
  const birthYear = Number(dob[1]);
  const value = raw.trim();

  const expectedDigit = centuryGenderDigit(birthYear, gender);
  const actualDigit = value.charAt(3);
  if (expectedDigit === null) {
    return fail(
      'cccd_century_gender',
      `Năm sinh ${birthYear} nằm ngoài phạm vi mã hóa của số CCCD (từ 1900 đến 2399); vui lòng kiểm tra lại ngày sinh.`,
    );
  }
  if (actualDigit !== String(expectedDigit)) {
    return fail(
      'cccd_century_gender',
      `Chữ số thứ 4 của số CCCD (${actualDigit}) không khớp với giới tính và thế kỷ năm sinh đã nhập (phải là ${expectedDigit}).`,
    );
  }

  const expectedYy = String(birthYear % 100).padStart(2, '0');
  const actualYy = value.slice(4, 6);
  if (actualYy !== expectedYy) {
    return fail(
      'cccd_birth_year',
      `Chữ số thứ 5–6 của số CCCD (${actualYy}) không khớp với năm sinh ${birthYear} (phải là ${expectedYy}).`,
    );
  }

  return structural;
}
