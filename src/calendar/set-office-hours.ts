import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client.js';
import { settings } from '../db/schema/index.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { isProvinceAdministrator } from '../accounts/policies.js';
import type { StaffActor } from '../shared/context.js';
import { errors } from '../shared/errors.js';
import { parseInput } from '../shared/validate.js';
import { OFFICE_HOURS_KEY } from './load.js';
import { DEFAULT_OFFICE_HOURS, type OfficeHours } from './working-time.js';

/** The shortest working day the province may configure, in minutes. */
const MIN_WORKING_MINUTES = 4 * 60;

/** Minutes of the day as HH:MM, e.g. 450 → "07:30". */
export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Office hours as text, e.g. ["07:30–11:30", "13:30–17:00"]. */
export function sessionsText(hours: OfficeHours): string[] {
  return hours.map(([s, e]) => `${clock(s)}–${clock(e)}`);
}

/** Duration in minutes as Vietnamese text, e.g. 450 → "7 giờ 30 phút". */
export function durationText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `${h} giờ ${m} phút` : `${h} giờ`;
}

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;

/** One time of day typed as H:MM or HH:MM (00:00–23:59), as minutes since midnight. */
const time = (label: string) =>
  z
    .string({ message: `Vui lòng nhập ${label}.` })
    .trim()
    .min(1, `Vui lòng nhập ${label}.`)
    .regex(CLOCK, `${label[0]!.toUpperCase()}${label.slice(1)} không hợp lệ. Vui lòng nhập theo dạng HH:MM (ví dụ 07:30).`)
    .transform((v) => {
      const [, h, m] = CLOCK.exec(v)!;
      return Number(h) * 60 + Number(m);
    });

const Input = z
  .object({
    morningStart: time('giờ bắt đầu buổi sáng'),
    morningEnd: time('giờ kết thúc buổi sáng'),
    afternoonStart: time('giờ bắt đầu buổi chiều'),
    afternoonEnd: time('giờ kết thúc buổi chiều'),
  })
  .superRefine((v, ctx) => {
    const morningOk = v.morningStart < v.morningEnd;
    const afternoonOk = v.afternoonStart < v.afternoonEnd;
    if (!morningOk)
      ctx.addIssue({ code: 'custom', path: ['morningEnd'], message: 'Giờ kết thúc buổi sáng phải sau giờ bắt đầu buổi sáng.' });
    if (!afternoonOk)
      ctx.addIssue({ code: 'custom', path: ['afternoonEnd'], message: 'Giờ kết thúc buổi chiều phải sau giờ bắt đầu buổi chiều.' });
    if (!morningOk || !afternoonOk) return;
    if (v.afternoonStart <= v.morningEnd) {
      ctx.addIssue({
        code: 'custom',
        path: ['afternoonStart'],
        message: `Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc (sau ${clock(v.morningEnd)}).`,
      });
      return;
    }
    const total = v.morningEnd - v.morningStart + (v.afternoonEnd - v.afternoonStart);
    if (total < MIN_WORKING_MINUTES)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `Tổng thời gian làm việc trong ngày phải từ ${durationText(MIN_WORKING_MINUTES)} trở lên (đang là ${durationText(total)}).`,
      });
  });

/**
 * The province administrator sets the office hours (giờ làm việc): a morning and an afternoon session.
 * They apply to every due date computed from then on; dossiers keep the due dates they were given.
 */
export async function setOfficeHours(db: Db, actor: StaffActor, raw: unknown, now: Date) {
  const input = parseInput(Input, raw);
  const hours: OfficeHours = [
    [input.morningStart, input.morningEnd],
    [input.afternoonStart, input.afternoonEnd],
  ];
  return db.transaction(async (tx) => {
    if (!(await isProvinceAdministrator(tx, actor))) throw errors.forbidden();
    const [old] = await tx.select().from(settings).where(eq(settings.key, OFFICE_HOURS_KEY)).for('update');
    await tx
      .insert(settings)
      .values({ key: OFFICE_HOURS_KEY, value: hours, updatedBy: actor.accountId })
      .onConflictDoUpdate({ target: settings.key, set: { value: hours, updatedAt: now, updatedBy: actor.accountId } });
    await recordAudit(tx, {
      action: 'calendar.office_hours',
      actor,
      targetType: 'setting',
      targetId: OFFICE_HOURS_KEY,
      unitId: await provinceUnitId(tx),
      data: { old: sessionsText((old?.value as OfficeHours | undefined) ?? DEFAULT_OFFICE_HOURS), new: sessionsText(hours) },
    });
    return hours;
  });
}
