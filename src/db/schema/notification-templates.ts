import { jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/**
 * The administrators' wording of a notification: one row per event × channel overrides the default in code
 * (src/notify/default-templates.ts); removing the row ("Khôi phục mặc định") brings the default back. For Zalo ZNS the
 * row holds the id of a template Zalo approved and which placeholder fills each of its parameters.
 */
export const notificationTemplates = pgTable(
  'notification_templates',
  {
    /** A key of NOTIFY_EVENTS (src/notify/events.ts). */
    event: text('event').notNull(),
    channel: text('channel').$type<'zns' | 'sms' | 'email' | 'inapp'>().notNull(),
    subject: text('subject'),
    body: text('body').notNull(),
    znsTemplateId: text('zns_template_id'),
    /** ZNS parameter name → placeholder name. */
    znsParams: jsonb('zns_params').$type<Record<string, string>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: uuid('updated_by').references(() => accounts.id),
  },
  (t) => [primaryKey({ columns: [t.event, t.channel] })],
);
