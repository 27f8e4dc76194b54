/** Vietnamese text helpers: NFC everywhere, diacritics-insensitive matching. */

/** Trim, collapse inner whitespace, and compose to NFC (VNeID and pasted text often arrive NFD). */
export function cleanText(value: string): string {
  return value.normalize('NFC').replace(/\s+/g, ' ').trim();
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
