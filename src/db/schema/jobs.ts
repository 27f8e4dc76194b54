import { pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Idempotency keys of enqueued jobs (src/jobs/queue.ts): a key is written in the same transaction as its job, so
 * a second enqueue with the same kind and key — in any transaction, at any later time — adds nothing. The jobs
 * themselves live in pg-boss's schema `pgboss` (created by migration 0015; docs/decisions/0013-jobs.md).
 */
export const jobKeys = pgTable(
  'job_keys',
  {
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    jobId: uuid('job_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.key] })],
);
