/** How a procedure's processing time and fee read at reception and on Mẫu 01. */
import { count2 } from './forms/format.js';

const number = new Intl.NumberFormat('vi-VN');

/** "15 ngày làm việc", "4 giờ làm việc", or "Không quy định". */
export function timeLimitText(v: { workingDays: number | null; workingHours: number | null }): string {
  if (v.workingDays != null) return `${number.format(v.workingDays)} ngày làm việc`;
  if (v.workingHours != null) return `${number.format(v.workingHours)} giờ làm việc`;
  return 'Không quy định';
}

/** "1.200.000 đồng" (with the note when there is one), or "Không mất phí". */
export function feeText(v: { fee: number; feeNote?: string | null }): string {
  const amount = v.fee > 0 ? `${number.format(v.fee)} đồng` : 'Không mất phí';
  return v.feeNote ? `${amount} (${v.feeNote})` : amount;
}

/** "01 bản chính, 02 bản sao" — what was received of one document. */
export function countsText(c: { originals?: number; copies?: number; electronic?: boolean }): string {
  const parts: string[] = [];
  if (c.originals) parts.push(`${count2(c.originals)} bản chính`);
  if (c.copies) parts.push(`${count2(c.copies)} bản sao`);
  if (parts.length === 0 && c.electronic) parts.push('bản điện tử');
  return parts.join(', ');
}
