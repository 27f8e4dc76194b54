/**
 * Vietnamese mobile numbers as the gateways want them: we keep the national form 0xxxxxxxxx (profiles, dossiers,
 * OutgoingMessage.to); the SMS gateway and Zalo take 84xxxxxxxxx.
 */

/** 84xxxxxxxxx from 0xxxxxxxxx, 84xxxxxxxxx or +84 xxx…, spaces, dots and dashes ignored; null for anything else. */
export function internationalPhone(phone: string): string | null {
  const digits = phone.replace(/[\s.()-]/g, '').replace(/^\+/, '');
  const rest = digits.startsWith('84') ? digits.slice(2) : digits.startsWith('0') ? digits.slice(1) : null;
  return rest !== null && /^[35789]\d{8}$/.test(rest) ? `84${rest}` : null;
}
