/** Amounts in Vietnamese words, as receipts write them: 1200000 → "Một triệu hai trăm nghìn đồng". */

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];
const GROUPS = ['', 'nghìn', 'triệu', 'tỷ', 'nghìn tỷ', 'triệu tỷ'];

/** Words of 0–999; `full` when a higher group precedes (then "không trăm", "lẻ" are spoken). */
function threeDigits(n: number, full: boolean): string {
  const h = Math.floor(n / 100);
  const t = Math.floor((n % 100) / 10);
  const u = n % 10;
  const out: string[] = [];
  if (h > 0 || full) out.push(DIGITS[h]!, 'trăm');
  if (t === 0) {
    if (u > 0 && (h > 0 || full)) out.push('lẻ');
  } else if (t === 1) {
    out.push('mười');
  } else {
    out.push(DIGITS[t]!, 'mươi');
  }
  if (u > 0) {
    if (u === 1 && t > 1) out.push('mốt');
    else if (u === 4 && t > 1) out.push('tư');
    else if (u === 5 && t > 0) out.push('lăm');
    else out.push(DIGITS[u]!);
  }
  return out.join(' ');
}

export function amountInWords(amount: number): string {
  if (!Number.isSafeInteger(amount) || amount < 0) throw new RangeError('amount must be a non-negative integer');
  if (amount === 0) return 'Không đồng';
  const groups: number[] = [];
  for (let n = amount; n > 0; n = Math.floor(n / 1000)) groups.push(n % 1000);
  const parts: string[] = [];
  for (let i = groups.length - 1; i >= 0; i--) {
    const g = groups[i]!;
    if (g === 0) continue;
    parts.push(threeDigits(g, i < groups.length - 1), GROUPS[i]!);
  }
  const text = parts.filter(Boolean).join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} đồng`;
}

/** 1200000 → "1.200.000" (Vietnamese grouping). */
export const formatVnd = (amount: number): string => String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
