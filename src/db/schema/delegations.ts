import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

export const DELEGATION_SCOPES = ['all', 'sectors', 'procedures'] as const;
export type DelegationScope = (typeof DELEGATION_SCOPES)[number];

/**
 * Ủy quyền giải quyết DVC (seed 000 §1b): the delegator's processing positions lent to the delegate for a period and
 * a scope. Nothing here is a position by itself: src/dossiers/access.ts reads a delegation in force together with
 * the delegator's live role grants, on every request (docs/decisions/0017-delegation.md). Its number (#n) is the id.
 */
export const delegations = pgTable(
  'delegations',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    delegatorId: uuid('delegator_id')
      .notNull()
      .references(() => accounts.id),
    delegateId: uuid('delegate_id')
      .notNull()
      .references(() => accounts.id),
    /** all: every procedure of the delegator's positions; sectors / procedures: only those listed. */
    scope: text('scope').$type<DelegationScope>().notNull(),
    sectorIds: uuid('sector_ids').array().notNull().default(sql`'{}'::uuid[]`),
    procedureIds: uuid('procedure_ids').array().notNull().default(sql`'{}'::uuid[]`),
    /** In force while starts_at <= now < ends_at and not ended. */
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    reason: text('reason').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** Ended early (Kết thúc ủy quyền) by the delegator or an administrator. */
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: uuid('ended_by').references(() => accounts.id),
    /** When the expiry job wrote the audit row of the delegation's natural end. */
    expiryRecordedAt: timestamp('expiry_recorded_at', { withTimezone: true }),
    /** The Thêm form's key: the same form posted again (a retry, Back and resend) finds this row, not a twin. */
    formKey: uuid('form_key'),
  },
  (t) => [
    check('delegations_period', sql`${t.endsAt} > ${t.startsAt}`),
    check('delegations_not_self', sql`${t.delegatorId} <> ${t.delegateId}`),
    check('delegations_scope', sql`${t.scope} in ('all', 'sectors', 'procedures')`),
    // The delegate's delegations that may be in force: the access checks and the inbox read this range.
    index('delegations_delegate_idx').on(t.delegateId, t.endsAt).where(sql`${t.endedAt} is null`),
    index('delegations_delegator_idx').on(t.delegatorId, t.createdAt),
    uniqueIndex('delegations_form_key_idx').on(t.formKey),
    index('delegations_expiry_idx').on(t.endsAt).where(sql`${t.endedAt} is null and ${t.expiryRecordedAt} is null`),
  ],
);
