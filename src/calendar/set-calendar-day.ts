import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { calendarDays } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { parseDate } from '../shared/dates.js';
import { cleanText } from '../shared/text.js';
import { parseInput } from '../shared/validate.js';
import { recomputeDueDates } from '../dossiers/recompute-due-dates.js';
import { CALENDAR_LOCK, loadCalendarForYears } from './load.js';

const Input = z.object({
  date: z.string({ message: 'Vui lòng nhập ngày.' }).transform((v, ctx) => {
    const iso = parseDate(v);
    if (!iso) {
      ctx.addIssue({ code: 'custom', message: 'Ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm/yyyy.' });
      return z.NEVER;
    }
    // The years Lịch làm việc shows and confirms: an entry outside them could be neither seen nor undone there.
    const year = Number(iso.slice(0, 4));
    if (year < 2000 || year > 2100) {
      ctx.addIssue({ code: 'custom', message: 'Ngày phải thuộc các năm từ 2000 đến 2100.' });
      return z.NEVER;
    }
    return iso;
  }),
  kind: z.enum(['day_off', 'working_day', 'default'], { message: 'Vui lòng chọn loại ngày.' }),
  note: z
    .string()
    .optional()
    .transform((v) => cleanText(v ?? ''))
    .pipe(z.string().max(200, 'Ghi chú tối đa 200 ký tự.')),
});

/**
 * The province administrator enters the year's announced swaps: an extra day off (nghỉ bù),
 * a weekend day worked (làm bù), or back to the year's schedule. Open dossiers whose due dates the day moves
 * are recomputed with their history, in the same transaction.
 */
export async function setCalendarDay(db: Db, actor: StaffActor, raw: unknown, now = new Date()) {
  const input = parseInput(Input, raw);
  const year = Number(input.date.slice(0, 4));
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    await tx.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK})`);
    const oldCal = await loadCalendarForYears(tx, year - 2, year + 1);
    const [old] = await tx.select().from(calendarDays).where(eq(calendarDays.date, input.date));
    if (input.kind === 'default') await tx.delete(calendarDays).where(eq(calendarDays.date, input.date));
    else {
      const note = input.note || (input.kind === 'day_off' ? 'Nghỉ theo thông báo' : 'Làm bù theo thông báo');
      await tx
        .insert(calendarDays)
        .values({ date: input.date, kind: input.kind, note, updatedBy: actor.accountId })
        .onConflictDoUpdate({
          target: calendarDays.date,
          set: { kind: input.kind, note, updatedBy: actor.accountId, updatedAt: now },
        });
    }
    const newCal = await loadCalendarForYears(tx, year - 2, year + 1);
    const recomputed = await recomputeDueDates(tx, actor, { oldCal, newCal, changedFrom: input.date, now });
    await recordAudit(tx, {
      action: 'calendar.day',
      actor,
      targetType: 'calendar_day',
      targetId: input.date,
      unitId: await provinceUnitId(tx),
      data: {
        old: old ? { kind: old.kind, note: old.note } : null,
        new: input.kind === 'default' ? null : { kind: input.kind, note: input.note },
        recomputed,
      },
    });
    return { ...input, recomputed };
  });
}
