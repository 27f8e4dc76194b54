import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { recordAudit } from '../audit/record.js';
import { provinceUnitId } from '../org/tree.js';
import { systemActor } from '../shared/context.js';
import { todayInVietnam } from '../shared/dates.js';
import { loadCalendarSettings } from './load.js';
import { type CalendarSettings, yearStatus } from './year-schedule.js';

/** From 1 September, next year's calendar waits for the province administrator's confirmation while provisional. */
export function yearAwaitingConfirmation(s: CalendarSettings, now: Date): number | null {
  const today = todayInVietnam(now);
  if (today.slice(5) < '09-01') return null;
  const next = Number(today.slice(0, 4)) + 1;
  return yearStatus(next, s) === 'provisional' ? next : null;
}

/**
 * The job `calendar.confirm_reminder` (weekly): while next year is unconfirmed from 1 September on, an audit row
 * and a log line remind the province administrator (Lịch làm việc shows the notice to them meanwhile).
 */
export async function remindCalendarConfirmation(db: Db, logger: Logger, now: Date): Promise<number | null> {
  const year = yearAwaitingConfirmation(await loadCalendarSettings(db), now);
  if (year === null) return null;
  await recordAudit(db, {
    action: 'calendar.confirm_reminder',
    actor: systemActor('job:calendar.confirm_reminder'),
    targetType: 'calendar_year',
    targetId: String(year),
    unitId: await provinceUnitId(db),
    data: { year, message: `Lịch làm việc năm ${year} chưa xác nhận: quản trị cấp tỉnh cần xác nhận ngày nghỉ Tết và các ngày hoán đổi.` },
  });
  logger.warn({ year }, 'working calendar of next year not confirmed yet');
  return year;
}
