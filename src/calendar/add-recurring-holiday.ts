import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import { recomputeDueDates } from '../dossiers/recompute-due-dates.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { parseDate } from '../shared/dates.js';
import { cleanText } from '../shared/text.js';
import { numberField, parseInput } from '../shared/validate.js';
import { CALENDAR_LOCK, loadCalendarForYears, loadCalendarSettings } from './load.js';
import { RECURRING_HOLIDAYS_KEY, type RecurringHoliday } from './year-schedule.js';

const Input = z.object({
  /** "dd/mm": a day of every year (29/02 has no place in most years). */
  day: z.string({ message: 'Vui lòng nhập ngày, tháng.' }).transform((v, ctx) => {
    const m = /^(\d{1,2})\/(\d{1,2})$/.exec(v.trim());
    const iso = m ? parseDate(`${m[1]}/${m[2]}/2001`) : null;
    if (!iso) {
      ctx.addIssue({ code: 'custom', message: 'Ngày không hợp lệ. Vui lòng nhập theo dạng dd/mm (ví dụ 24/11).' });
      return z.NEVER;
    }
    return iso.slice(5);
  }),
  name: z
    .string({ message: 'Vui lòng nhập tên ngày lễ.' })
    .transform((v) => cleanText(v))
    .pipe(z.string().min(1, 'Vui lòng nhập tên ngày lễ.').max(200, 'Tên ngày lễ tối đa 200 ký tự.')),
  fromYear: numberField(
    z
      .number({ message: 'Năm áp dụng không hợp lệ.' })
      .int('Năm áp dụng không hợp lệ.')
      .min(2000, 'Năm áp dụng phải từ 2000 đến 2100.')
      .max(2100, 'Năm áp dụng phải từ 2000 đến 2100.'),
  ),
});

/**
 * The province administrator adds a holiday that is a day off every year from a year on (24/11 Ngày Văn hóa Việt
 * Nam): one entry (settings `calendar.recurring`), made up on the next working day when it falls on a weekend;
 * open dossiers whose due dates it moves are recomputed with their history, in the same transaction. The same
 * entry again changes nothing; the same day with another name or year replaces the entry.
 */
export async function addRecurringHoliday(db: Db, actor: StaffActor, raw: unknown, now: Date) {
  const input = parseInput(Input, raw);
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    await tx.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK})`);
    const { recurring } = await loadCalendarSettings(tx);
    const old = recurring.find((r) => r.day === input.day) ?? null;
    if (old && old.name === input.name && old.fromYear === input.fromYear) return { ...input, unchanged: true, recomputed: 0 };
    const value: RecurringHoliday[] = [...recurring.filter((r) => r.day !== input.day), input].sort((a, b) => a.day.localeCompare(b.day));
    const from = Math.min(input.fromYear, old?.fromYear ?? input.fromYear);
    const lastYear = Number(now.toISOString().slice(0, 4)) + 2;
    const oldCal = await loadCalendarForYears(tx, from - 1, Math.max(lastYear, from + 1));
    const [row] = await tx.select().from(settings).where(eq(settings.key, RECURRING_HOLIDAYS_KEY));
    if (row)
      await tx.update(settings).set({ value, updatedBy: actor.accountId, updatedAt: now }).where(eq(settings.key, RECURRING_HOLIDAYS_KEY));
    else await tx.insert(settings).values({ key: RECURRING_HOLIDAYS_KEY, value, updatedBy: actor.accountId });
    const newCal = await loadCalendarForYears(tx, from - 1, Math.max(lastYear, from + 1));
    const recomputed = await recomputeDueDates(tx, actor, { oldCal, newCal, changedFrom: `${from}-01-01`, now });
    await recordAudit(tx, {
      action: 'calendar.recurring_holiday',
      actor,
      targetType: 'calendar_recurring',
      targetId: input.day,
      unitId: await provinceUnitId(tx),
      data: { old, new: input, recomputed },
    });
    return { ...input, unchanged: false, recomputed };
  });
}
