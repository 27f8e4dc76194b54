/** Vietnamese text helpers: NFC everywhere, diacritics-insensitive matching, no control characters. */

/**
 * Control characters no typed text contains: C0 except tab, line feed and carriage return, DEL, and C1.
 * NUL in particular cannot be stored in PostgreSQL text (22021) and would end as a server error. Also the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): no Vietnamese text needs them, and
 * in a name or a note they reorder what a list, the audit log or a form shows ("Trojan Source"; file names drop them
 * too: file-types.ts).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const CONTROL_CHARS_ALL = new RegExp(CONTROL_CHARS.source, 'g');

/** True when the text holds a control character: typed input with one is refused (shared/validate.ts). */
export function hasControlChars(value: string): boolean {
  return CONTROL_CHARS.test(value);
}

/**
 * A lone UTF-16 surrogate. A JSON string may carry one (`"\ud800"`), but it has no UTF-8 form: encodeURIComponent
 * throws on it, so text from outside that is percent-encoded is checked or mended first.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** True when the text holds a lone surrogate (no UTF-8 form). */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** The text with each lone surrogate replaced by U+FFFD, as a UTF-8 decoder would. */
export function wellFormed(value: string): string {
  return value.replace(LONE_SURROGATES, '\uFFFD');
}

/**
 * The text cut to at most `max` code points (`.slice()` counts UTF-16 units, and a cut inside a surrogate pair left
 * half an emoji: a lone surrogate, which PostgreSQL's jsonb refuses). Never shorter in UTF-16 units than `max` unless
 * the text was, so a length check after the cut still sees an over-long text as over-long.
 */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = 0;
  for (let n = 0; n < max && end < value.length; n++) end += (value.codePointAt(end) ?? 0) > 0xffff ? 2 : 1;
  return value.slice(0, end);
}

/**
 * A JSON value from outside (an identity provider's claims) as PostgreSQL's jsonb can keep it: jsonb refuses a NUL and
 * a lone surrogate in any string or key (JSON.stringify writes them as \u escapes), which would end a login in a 500.
 * NULs are dropped and lone surrogates mended (U+FFFD); nesting deeper than `depth` is dropped (null).
 */
function storableJson(value: unknown, depth = 32): unknown {
  if (typeof value === 'string') return storableString(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth <= 0) return null;
  if (Array.isArray(value)) return value.map((v) => storableJson(v, depth - 1));
  return storableObject(value, depth);
}

/** The same for an object of claims (its keys too). */
export function storableObject(value: object, depth = 32): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableString(k), storableJson(v, depth - 1)]));
}

const storableString = (value: string) => wellFormed(value).replaceAll('\u0000', '');

/** The message for a field refused for a control character. */
export const CONTROL_CHARS_MESSAGE = 'Nội dung có ký tự không hợp lệ (ký tự điều khiển). Vui lòng nhập lại.';

/** The message for a field refused for a lone surrogate (half of a UTF-16 pair: no character of its own). */
export const LONE_SURROGATE_MESSAGE = 'Nội dung có ký tự không hợp lệ (ký tự Unicode không trọn vẹn). Vui lòng nhập lại.';

/**
 * Trim, collapse inner whitespace, compose to NFC (VNeID and pasted text often arrive NFD), and drop
 * control characters (for text that reaches us other than through a form, e.g. identity claims).
 */
export function cleanText(value: string): string {
  return value.normalize('NFC').replace(CONTROL_CHARS_ALL, '').replace(/\s+/g, ' ').trim();
}

/** Optional field: blank becomes null. */
export function cleanOptional(value: string | null | undefined): string | null {
  if (value == null) return null;
  const v = cleanText(value);
  return v === '' ? null : v;
}

/**
 * Lower-case, without diacritics, đ → d: "Trịnh Thị Thủy" → "trinh thi thuy".
 * Used for stored search columns and for the search terms, so both sides fold the same way.
 */
export function foldVietnamese(value: string): string {
  return value
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escape a term for use inside LIKE with the default backslash escape. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (m) => `\\${m}`);
}
