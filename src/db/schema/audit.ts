import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only audit trail. Each row's hash covers its content and the previous row's hash,
 * so editing or deleting a row breaks the chain (`npm run audit:verify`).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** The unit the target belongs to: administrators read the log of their subtree. */
    unitId: uuid('unit_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [index('audit_log_unit_idx').on(t.unitId, t.id), index('audit_log_target_idx').on(t.targetType, t.targetId)],
);
