import { date, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/**
 * Each year's announced changes to the working calendar: extra days off (nghỉ bù, hoán đổi) and
 * weekend days worked instead (làm bù). They override the statutory holidays.
 */
export const calendarDays = pgTable('calendar_days', {
  date: date('date', { mode: 'string' }).primaryKey(),
  kind: text('kind').$type<'day_off' | 'working_day'>().notNull(),
  note: text('note').notNull(),
  updatedBy: uuid('updated_by').references(() => accounts.id),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
