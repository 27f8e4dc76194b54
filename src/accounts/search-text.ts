import { foldVietnamese } from '../shared/text.js';

/** The folded text an account is found by: "thuy" finds "Thủy". */
export function accountSearchText(a: {
  username: string;
  middleName: string;
  givenName: string;
  position?: string | null;
  emails?: string | null;
  mobile?: string | null;
  phone?: string | null;
  cardName?: string | null;
  cccd?: string | null;
}): string {
  return foldVietnamese(
    [a.username, `${a.middleName} ${a.givenName}`, a.cardName, a.position, a.emails, a.mobile, a.phone, a.cccd].filter(Boolean).join(' | '),
  );
}
