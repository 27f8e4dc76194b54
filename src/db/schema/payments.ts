import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { citizens } from './identity.js';
import { accounts } from './accounts.js';
import { dossiers } from './dossiers.js';

/**
 * pending: sent to the platform, no answer yet; paid / failed: the platform confirmed; abandoned: replaced by a new
 * order; refund_due: the platform confirmed a success the dossier did not owe (REFUND_REASONS): the money is to be
 * refunded (payments/confirm-payment.ts); refunded: an official of the collecting agency recorded the refund
 * (payments/record-refund.ts).
 */
export const PAYMENT_STATUSES = ['pending', 'paid', 'failed', 'abandoned', 'refund_due', 'refunded'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * Why a confirmed payment is to be refunded: owes_nothing — the dossier was withdrawn, refused or stopped while the
 * platform's page was open; dossier_paid — another order of the dossier was paid first (two tabs).
 */
export const REFUND_REASONS = ['owes_nothing', 'dossier_paid'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

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
    /** Set with refund_due (and kept when refunded). */
    refundReason: text('refund_reason').$type<RefundReason>(),
    /** Who recorded the refund, when, and what they wrote (the transfer's reference, how it was paid back). */
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
    refundedBy: uuid('refunded_by').references(() => accounts.id),
    refundNote: text('refund_note'),
    /**
     * Kept for a refund by migration 0067 from the audit log (a refusal the code before it left on the order
     * unmarked): the agency may have refunded it by hand already, so Lệ phí cần hoàn trả asks to check before paying.
     */
    refundFromLog: boolean('refund_from_log').notNull().default(false),
  },
  (t) => [
    uniqueIndex('payments_one_pending_key').on(t.dossierId).where(sql`${t.status} = 'pending'`),
    uniqueIndex('payments_one_paid_key').on(t.dossierId).where(sql`${t.status} = 'paid'`),
    uniqueIndex('payments_transaction_key').on(t.providerTransactionId),
    index('payments_dossier_idx').on(t.dossierId, t.createdAt),
    check('payments_amount_positive', sql`${t.amount} > 0`),
    check('payments_status_known', sql`${t.status} in ('pending', 'paid', 'failed', 'abandoned', 'refund_due', 'refunded')`),
    check(
      'payments_refund_reason',
      sql`(${t.status} in ('refund_due', 'refunded')) = (${t.refundReason} is not null) and (${t.refundReason} is null or ${t.refundReason} in ('owes_nothing', 'dossier_paid'))`,
    ),
    check(
      'payments_refund_recorded',
      sql`(${t.status} = 'refunded') = (${t.refundedAt} is not null and ${t.refundedBy} is not null and ${t.refundNote} is not null)`,
    ),
    // Lệ phí cần hoàn trả: the few orders waiting for a refund, found without reading the others.
    index('payments_refund_due_idx').on(t.createdAt).where(sql`${t.status} = 'refund_due'`),
    // Đã hoàn trả (the last 90 days): the refunded few, newest first, without reading every payment.
    index('payments_refunded_idx').on(t.refundedAt).where(sql`${t.status} = 'refunded'`),
  ],
);
