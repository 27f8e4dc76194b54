import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Channel, MessageState } from '../../notify/channels.js';
import { accounts } from './accounts.js';
import { citizens } from './identity.js';
import { dossiers } from './dossiers.js';

/**
 * One message of one event to one person on one channel (src/notify, docs/decisions/0023). Written in the
 * transaction of the change that causes it, together with its notify.send job; the worker renders it, records
 * 'sending' before handing it to the gateway, then the outcome; delivery reports move it on. The id is the
 * gateway's client reference, so a retried send is recognised and a report names its row.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    event: text('event').notNull(),
    channel: text('channel').$type<Channel>().notNull(),
    recipientKind: text('recipient_kind').$type<'applicant' | 'official'>().notNull(),
    /** The portal citizen of an applicant (in-app notices, preferences), when the dossier has one. */
    citizenId: uuid('citizen_id').references(() => citizens.id),
    /** The official's account. */
    accountId: uuid('account_id').references(() => accounts.id),
    /** Phone (0xxxxxxxxx) or e-mail address the message goes to; null in-app. */
    address: text('address'),
    dossierId: uuid('dossier_id').references(() => dossiers.id),
    /** Idempotency key of the caller (e.g. a day for a daily reminder): the same event, recipient and key once. */
    idemKey: text('idem_key'),
    state: text('state').$type<MessageState>().notNull().default('queued'),
    /** The gateway's message id (its answer to the send): delivery reports are matched by it or by our id. */
    gatewayId: text('gateway_id'),
    /** Why it failed (gateway's words or ours), shown on the screens. */
    reason: text('reason'),
    attempts: integer('attempts').notNull().default(0),
    /** The event's placeholder values: the message is rendered from them at send time (a template edited meanwhile applies). */
    data: jsonb('data').$type<Record<string, string>>().notNull().default({}),
    /** As sent (rendered at send time), or at once for an in-app notice. */
    subject: text('subject'),
    body: text('body'),
    /** The failed message this one replaces (fallback to the next channel, or an administrator's resend). */
    fallbackOf: uuid('fallback_of').references((): AnyPgColumn => notifications.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    sendingAt: timestamp('sending_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    /** When it failed or expired. */
    failedAt: timestamp('failed_at', { withTimezone: true }),
    /** In-app: when the recipient opened it. */
    readAt: timestamp('read_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('notifications_dossier_idx').on(t.dossierId, t.createdAt).where(sql`${t.dossierId} is not null`),
    index('notifications_citizen_idx').on(t.citizenId, t.createdAt).where(sql`${t.citizenId} is not null`),
    index('notifications_account_idx').on(t.accountId, t.createdAt).where(sql`${t.accountId} is not null`),
    // Thông báo (src/notify/notice-queries.ts): a person's in-app notices newest first, and their unread count read
    // with every page's session lookup — only unread notices are in the second pair, so it stays a few entries.
    index('notifications_inapp_citizen_idx').on(t.citizenId, t.createdAt, t.id).where(sql`${t.channel} = 'inapp'`),
    index('notifications_inapp_account_idx').on(t.accountId, t.createdAt, t.id).where(sql`${t.channel} = 'inapp'`),
    index('notifications_unread_citizen_idx').on(t.citizenId).where(sql`${t.channel} = 'inapp' and ${t.readAt} is null`),
    index('notifications_unread_account_idx').on(t.accountId).where(sql`${t.channel} = 'inapp' and ${t.readAt} is null`),
    // Quản trị → Thông báo lists the failures newest first.
    index('notifications_failed_idx').on(t.createdAt, t.id).where(sql`${t.state} in ('failed', 'expired')`),
    // An applicant is named by the dossier (they may have no account); an official by their account.
    uniqueIndex('notifications_idem_key')
      .on(t.event, t.channel, t.recipientKind, sql`coalesce(${t.accountId}, ${t.dossierId})`, t.idemKey)
      .where(sql`${t.idemKey} is not null`),
    uniqueIndex('notifications_gateway_key').on(t.channel, t.gatewayId).where(sql`${t.gatewayId} is not null`),
    check('notifications_channel_known', sql`${t.channel} in ('zns', 'sms', 'email', 'inapp')`),
    check('notifications_state_known', sql`${t.state} in ('queued', 'sending', 'sent', 'delivered', 'failed', 'expired', 'cancelled')`),
    check('notifications_recipient_kind_known', sql`${t.recipientKind} in ('applicant', 'official')`),
  ],
);

/**
 * What a person switched off: a row with enabled = false removes that channel from their messages (no row: on).
 * The owner is a portal citizen or an official's account, never both.
 */
export const notificationPreferences = pgTable(
  'notification_preferences',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    citizenId: uuid('citizen_id').references(() => citizens.id),
    accountId: uuid('account_id').references(() => accounts.id),
    channel: text('channel').$type<Channel>().notNull(),
    enabled: boolean('enabled').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('notification_preferences_citizen_key').on(t.citizenId, t.channel).where(sql`${t.citizenId} is not null`),
    uniqueIndex('notification_preferences_account_key').on(t.accountId, t.channel).where(sql`${t.accountId} is not null`),
    check('notification_preferences_one_owner', sql`(${t.citizenId} is null) <> (${t.accountId} is null)`),
    check('notification_preferences_channel_known', sql`${t.channel} in ('zns', 'sms', 'email', 'inapp')`),
  ],
);

/**
 * The gateways' delivery reports already applied (src/notify/gateway-reports.ts), by report id (SMS reportId; ZNS
 * msg_id + event), so a replay inside the 5-minute signature window is refused by every instance on the database,
 * not only by the one that applied it. A row is kept until `expires_at` (twice the window: past it, the signature's
 * timestamp refuses the replay); the job sessions.purge removes the expired ones.
 */
export const appliedDeliveryReports = pgTable(
  'applied_delivery_reports',
  {
    replayKey: text('replay_key').primaryKey(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('applied_delivery_reports_expires_idx').on(t.expiresAt)],
);
