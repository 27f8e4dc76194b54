/** How a procedure's fee and the documents received read at reception and on Mẫu 01 (its time limit: procedures/time-limit.ts). */
import { count2 } from './forms/format.js';

const number = new Intl.NumberFormat('vi-VN');

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
