import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only audit trail (docs/decisions/0011). A writer inserts a row with the hash of its content
 * (`row_hash`) and no lock; the sealer (src/audit/seal.ts) later sets its place in the chain — `seq`,
 * `prev_hash`, `hash` over the previous hash and `row_hash` — once, which is the only UPDATE the trigger
 * allows. Editing a row or deleting a sealed one breaks the chain (`npm run audit:verify`).
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /**
     * Who acted: official, api, citizen, system; anonymous (a login attempt, actor_id the account it named) or person
     * (one proven by VNeID deciding about their accounts). Null on rows written before kinds were recorded.
     */
    actorKind: text('actor_kind'),
    /** An account's, a citizen's or a person's internal id, by kind; never a CCCD or a name. */
    actorId: uuid('actor_id'),
    actorLabel: text('actor_label'),
    /** The official the actor stood in for (delegation). */
    onBehalfOf: uuid('on_behalf_of'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    /** The unit the target belongs to: administrators read the log of their subtree. */
    unitId: uuid('unit_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    /** SHA-256 of the row's content, computed at insert. Null only on rows chained before 0011 (their hash covers the content). */
    rowHash: text('row_hash'),
    /** Position in the chain, set by the sealer (null: not sealed yet). */
    seq: bigint('seq', { mode: 'number' }),
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    index('audit_log_unit_idx').on(t.unitId, t.id),
    index('audit_log_target_idx').on(t.targetType, t.targetId),
    // A citizen's own rows (Dữ liệu của tôi, the export's rate limit): by their internal id, newest last.
    index('audit_log_citizen_actor_idx').on(t.actorId, t.id).where(sql`${t.actorKind} = 'citizen'`),
    // Nhật ký hệ thống filtered by Người thực hiện: an account's rows of every kind, newest first (src/audit/list.ts).
    index('audit_log_actor_idx').on(t.actorId, t.id),
    // Nhật ký hệ thống's period: where it begins and ends in ids, one step each (src/audit/list.ts, periodConditions).
    index('audit_log_at_idx').on(t.at),
    uniqueIndex('audit_log_seq_idx').on(t.seq),
    /** The sealer's queue: rows not chained yet, in id order. */
    index('audit_log_unsealed_idx').on(t.id).where(sql`seq is null`),
  ],
);
