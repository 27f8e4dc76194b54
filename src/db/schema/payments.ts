import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { citizens } from './identity.js';
import { dossiers } from './dossiers.js';

/**
 * pending: sent to the platform, no answer yet; paid / failed: the platform confirmed; abandoned: replaced by a new
 * order; refund_due: the platform confirmed a success for a dossier that no longer owed the fee (withdrawn, refused or
 * stopped while its page was open): the money is to be refunded (payments/confirm-payment.ts).
 */
export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'abandoned', 'refund_due'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** What the platform confirmed, as verified (the signed fields only: never card data). */
export type PaymentConfirmationRecord = {
  merchantCode: string;
  orderId: string;
  transactionId: string;
  amount: number;
  status: 'success' | 'failed';
  paidAt: string;
  message?: string | undefined;
};

/**
 * Fee payments (lệ phí) of dossiers through the payment platform (src/payments, docs/decisions/0014). The id is
 * our order id on the platform. One pending order per dossier at a time, at most one paid; the platform's
 * transaction id is unique, so one confirmation cannot pay two orders.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    dossierId: uuid('dossier_id')
      .notNull()
      .references(() => dossiers.id),
    /** The citizen who started it: the only one who sees it on the portal. */
    citizenId: uuid('citizen_id')
      .notNull()
      .references(() => citizens.id),
    /** In đồng (VND), the fee of the dossier's procedure version when the order was made. */
    amount: integer('amount').notNull(),
    status: text('status').$type<PaymentStatus>().notNull().default('pending'),
    providerTransactionId: text('provider_transaction_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Until when the platform accepts the order (sent with it). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** The platform's time of payment (from its confirmation). */
    paidAt: timestamp('paid_at', { withTimezone: true }),
    /** When it failed or was abandoned. */
    closedAt: timestamp('closed_at', { withTimezone: true }),
    confirmation: jsonb('confirmation').$type<PaymentConfirmationRecord>(),
  },
  (t) => [
    uniqueIndex('payments_one_pending_key').on(t.dossierId).where(sql`${t.status} = 'pending'`),
    uniqueIndex('payments_one_paid_key').on(t.dossierId).where(sql`${t.status} = 'paid'`),
    uniqueIndex('payments_transaction_key').on(t.providerTransactionId),
    index('payments_dossier_idx').on(t.dossierId, t.createdAt),
    check('payments_amount_positive', sql`${t.amount} > 0`),
    check('payments_status_known', sql`${t.status} in ('pending', 'paid', 'failed', 'abandoned', 'refund_due')`),
  ],
);
