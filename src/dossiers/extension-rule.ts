/**
 * WHEN GIA HẠN (Phiếu xin lỗi và hẹn lại ngày trả kết quả, Mẫu 04) MAY BE MADE — one rule for the dossier page (the
 * action is offered) and for the action itself (act-on-dossier.ts). Nghị định 61/2018/NĐ-CP as amended by Nghị định
 * 107/2021/NĐ-CP: the agency that will not settle a dossier in time apologises and sets a new appointment before the
 * due date, and the appointment is set again at most once.
 *
 * Why it matters beyond the letter of the decree: the new appointment replaces the due date every lateness figure
 * reads (the Quá hạn lists, Biểu 06, the national portal's NgayHenTra). Accepted after the due date, an extension
 * turned a dossier already late into one settled early (an attacker review's finding); accepted again and again, it
 * kept a dossier from ever being late.
 */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { dossierEvents, type dossiers } from '../db/schema/index.js';

type Dossier = Pick<typeof dossiers.$inferSelect, 'dueAt'>;

export const EXTENSION_REFUSALS = {
  late: 'Hồ sơ đã quá hạn giải quyết: Phiếu xin lỗi và hẹn lại ngày trả kết quả phải được lập trước khi hết hạn. Hồ sơ được tính là trễ hạn; vui lòng giải quyết ngay.',
  again: 'Hồ sơ đã được hẹn lại ngày trả kết quả một lần; theo quy định, việc hẹn lại chỉ được thực hiện không quá một lần.',
} as const;

/** Why the dossier may not be extended now (a message for the new date's field), or null if it may. */
export function extensionRefusal(d: Dossier, extendedBefore: boolean, now: Date): string | null {
  if (extendedBefore) return EXTENSION_REFUSALS.again;
  if (now.getTime() >= d.dueAt.getTime()) return EXTENSION_REFUSALS.late;
  return null;
}

/** Whether the dossier's appointment was set again before. */
export async function extendedBefore(db: Queryable, dossierId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: dossierEvents.id })
    .from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, dossierId), eq(dossierEvents.action, 'extend')))
    .limit(1);
  return !!row;
}
