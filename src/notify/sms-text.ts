/**
 * What an SMS costs and how it is written (../shared/MISSION.md §4): text in GSM-7 takes 160 characters in one part
 * and 153 per part after; anything else (Vietnamese with diacritics) is UCS-2, 70 in one part and 67 per part after.
 * Some brandname gateways take unaccented text only: toUnaccented writes Vietnamese without its marks (đ → d).
 */

/** The GSM 03.38 default alphabet; the extension table's characters count twice (an escape, then the character). */
const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
const GSM7_EXTENDED = new Set('^{}\\[~]|€\f');

type SmsEncoding = 'gsm7' | 'ucs2';
export type SmsSize = { encoding: SmsEncoding; characters: number; segments: number };

/** How the text would travel: its encoding, its length in that encoding's units and its number of parts. */
export function smsSize(text: string): SmsSize {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM7_BASIC.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: 'gsm7', characters: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  // UCS-2 counts UTF-16 code units (a character outside the BMP takes two).
  const units = text.length;
  return { encoding: 'ucs2', characters: units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Vietnamese without diacritics: "Hồ sơ đã được tiếp nhận" → "Ho so da duoc tiep nhan". */
export function toUnaccented(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .normalize('NFC');
}
