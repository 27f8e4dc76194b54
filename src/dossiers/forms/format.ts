/** Text and date formatting shared by the one-stop forms. Every date is shown in Vietnam time. */

const VN_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  // h23, not hour12:false: some ICU versions print midnight as "24" with the latter.
  hourCycle: 'h23',
});

type Parts = { day: string; month: string; year: string; hour: string; minute: string };

function vnParts(d: Date): Parts {
  const parts = VN_TIME.formatToParts(d);
  const get = (t: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === t)?.value ?? '';
  return { day: get('day'), month: get('month'), year: get('year'), hour: get('hour'), minute: get('minute') };
}

/** dd/mm/yyyy in Vietnam time; empty for null. */
export function fmtDate(d: Date | null | undefined): string {
  if (!d) return '';
  const p = vnParts(d);
  return `${p.day}/${p.month}/${p.year}`;
}

/** "HH giờ mm phút, ngày dd/mm/yyyy" in Vietnam time, for times that matter (reception, appointment). */
export function fmtDateTime(d: Date | null | undefined): string {
  if (!d) return '';
  const p = vnParts(d);
  return `${p.hour} giờ ${p.minute} phút, ngày ${p.day}/${p.month}/${p.year}`;
}

/**
 * "<địa danh>, ngày 05 tháng 3 năm 2026". Nghị định 30/2020/NĐ-CP (administrative document style) pads days
 * below 10 and the months 1 and 2 with a zero, so that no digit can be added in front by hand later
 * ("tháng 1" could become "tháng 11"); months 3 to 12 are written as they are.
 */
export function placeDateLine(place: string, d: Date): string {
  const p = vnParts(d);
  const month = Number(p.month);
  const monthText = month <= 2 ? p.month : String(month);
  return `${nfc(place)}, ngày ${p.day} tháng ${monthText} năm ${p.year}`;
}

/** Input text arrives from forms, VNeID and imports, sometimes decomposed (NFD): compose it for the PDF. */
export function nfc(s: string | null | undefined): string {
  return (s ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

/** Upper case with Vietnamese rules (keeps the diacritics: "Ủy ban" → "ỦY BAN"). */
export function upper(s: string): string {
  return nfc(s).toLocaleUpperCase('vi');
}

/** Two-digit counts as on the paper forms: "01 bộ", "02 bản". */
export function count2(n: number): string {
  return String(n).padStart(2, '0');
}
