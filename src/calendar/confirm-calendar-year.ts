import { and, gte, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { calendarDays, settings } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import { recomputeDueDates } from '../dossiers/recompute-due-dates.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { numberField, parseInput } from '../shared/validate.js';
import { ANNOUNCED_SCHEDULES } from './announced-schedules.js';
import { CALENDAR_LOCK, type ConfirmedYear, loadCalendarForYears } from './load.js';
import { confirmationForm } from './confirmation-form.js';
import { scheduleLines } from './schedule-lines.js';
import { CONFIRMED_YEAR_KEY_PREFIX } from './year-schedule.js';

const Input = z
  .object({
    year: numberField(
      z
        .number({ message: 'Năm không hợp lệ.' })
        .int('Năm không hợp lệ.')
        .min(2000, 'Năm phải từ 2000 đến 2100.')
        .max(2100, 'Năm phải từ 2000 đến 2100.'),
    ),
    daysOff: scheduleLines({ weekend: false, fallbackName: 'Nghỉ theo thông báo' }),
    workedWeekendDays: scheduleLines({ weekend: true, fallbackName: 'Làm bù theo thông báo' }),
    /** The fingerprint of what the form was drawn from (confirmation-form.ts); a page without it is as stale. */
    shown: z.string().optional(),
  })
  .superRefine((v, ctx) => {
    if (ANNOUNCED_SCHEDULES[v.year]) {
      const message = `Năm ${v.year} đã có lịch làm việc theo thông báo của Chính phủ; điều chỉnh từng ngày ở mục bên dưới.`;
      ctx.addIssue({ code: 'custom', path: ['year'], message });
      return;
    }
    if (v.daysOff.length === 0) ctx.addIssue({ code: 'custom', path: ['daysOff'], message: 'Vui lòng nhập các ngày nghỉ của năm.' });
    for (const field of ['daysOff', 'workedWeekendDays'] as const) {
      const stray = v[field].find((e) => !e.date.startsWith(`${v.year}-`));
      if (stray) ctx.addIssue({ code: 'custom', path: [field], message: `Ngày ${formatDate(stray.date)} không thuộc năm ${v.year}.` });
    }
  });

const yearChangedMeanwhile = () =>
  new AppError('calendar_changed_meanwhile', 'Lịch năm đã được thay đổi sau khi trang được mở; vui lòng tải lại trang.', 409);

/**
 * The province administrator confirms next year's Tết and swaps (or any year not on record): the year's days off
 * and weekend days worked are stored (settings `calendar.year.<year>`), its day entries folded into them, and the
 * open dossiers whose due dates the change moves are recomputed with a history row each — one transaction.
 * Confirming the schedule already stored changes nothing and writes nothing.
 */
export async function confirmCalendarYear(db: Db, actor: StaffActor, raw: unknown, now: Date) {
  const input = parseInput(Input, raw);
  const { year } = input;
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    await tx.execute(sql`select pg_advisory_xact_lock(${CALENDAR_LOCK})`);
    const key = `${CONFIRMED_YEAR_KEY_PREFIX}${year}`;
    const current = await confirmationForm(tx, year);
    const old = current.settings.confirmed.get(year) as ConfirmedYear | undefined;
    const inYear = and(gte(calendarDays.date, `${year}-01-01`), lte(calendarDays.date, `${year}-12-31`));
    const { entries } = current;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    // Before the staleness check: a double submit of the same page finds its own confirmation and changes nothing.
    if (old && entries.length === 0 && same(old.daysOff, input.daysOff) && same(old.workedWeekendDays, input.workedWeekendDays)) {
      return { year, unchanged: true, recomputed: 0 };
    }
    // The entries are deleted below as folded into the form: only those the form was drawn from were.
    if (input.shown !== current.shown) throw yearChangedMeanwhile();
    const oldCal = await loadCalendarForYears(tx, year - 2, year + 1);
    if (entries.length) await tx.delete(calendarDays).where(inYear);
    const value: ConfirmedYear = {
      daysOff: input.daysOff,
      workedWeekendDays: input.workedWeekendDays,
      confirmedAt: now.toISOString(),
      confirmedBy: actor.label,
    };
    await tx
      .insert(settings)
      .values({ key, value, updatedBy: actor.accountId })
      .onConflictDoUpdate({ target: settings.key, set: { value, updatedBy: actor.accountId, updatedAt: now } });
    const newCal = await loadCalendarForYears(tx, year - 2, year + 1);
    const recomputed = await recomputeDueDates(tx, actor, { oldCal, newCal, changedFrom: `${year}-01-01`, now });
    await recordAudit(tx, {
      action: 'calendar.confirm_year',
      actor,
      targetType: 'calendar_year',
      targetId: String(year),
      unitId: await provinceUnitId(tx),
      data: {
        old: old ? { daysOff: old.daysOff, workedWeekendDays: old.workedWeekendDays } : null,
        new: { daysOff: input.daysOff, workedWeekendDays: input.workedWeekendDays },
        foldedDayEntries: entries.map((e) => ({ date: e.date, kind: e.kind, note: e.note })),
        recomputed,
      },
    });
    return { year, unchanged: false, recomputed };
  });
}
