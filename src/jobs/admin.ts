/**
 * Quản trị → Hàng đợi: the queue as province administrators see it. Anyone else is told the page does not
 * exist (404), as for any object outside one's administration.
 */
import { sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { queryRows } from '../db/client.js';
import { adminRootUnitIds, isProvinceAdministrator } from '../accounts/policies.js';
import { recordAudit } from '../audit/record.js';
import type { StaffActor } from '../shared/context.js';
import { AppError, errors } from '../shared/errors.js';
import { isId } from '../shared/validate.js';
import { JOB_KINDS, JOB_SCHEMA, executorOf, isJobKind } from './queue.js';

/** The states an administrator looks at, and pg-boss's names for them. */
export const JOB_STATES = {
  queued: { label: 'Đang chờ', pgboss: 'created' },
  running: { label: 'Đang chạy', pgboss: 'active' },
  failed: { label: 'Lỗi, chờ thử lại', pgboss: 'retry' },
  dead: { label: 'Hỏng (hết lượt thử)', pgboss: 'failed' },
} as const;
export type JobState = keyof typeof JOB_STATES;
export const JOB_STATE_NAMES = Object.keys(JOB_STATES) as JobState[];

const FROM_PGBOSS: Record<string, JobState> = Object.fromEntries(JOB_STATE_NAMES.map((s) => [JOB_STATES[s].pgboss, s]));

export type JobRow = {
  id: string;
  kind: string;
  kindLabel: string;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  startAfter: Date;
  startedAt: Date | null;
  error: string | null;
};
export type JobDetail = JobRow & { payload: unknown; output: unknown; completedAt: Date | null };

type RawJob = {
  id: string;
  name: string;
  state: string;
  retry_count: number;
  retry_limit: number;
  created_on: string | Date;
  start_after: string | Date;
  started_on: string | Date | null;
  completed_on: string | Date | null;
  error: string | null;
  data?: unknown;
  output?: unknown;
};

/** pg-boss's own queue: each cron firing passes through it. */
const CRON_QUEUE = '__pgboss__send-it';

const date = (v: string | Date) => (v instanceof Date ? v : new Date(v));

function toRow(r: RawJob): JobRow {
  return {
    id: r.id,
    kind: r.name,
    kindLabel: isJobKind(r.name) ? JOB_KINDS[r.name].label : r.name === CRON_QUEUE ? 'Chạy công việc theo lịch (pg-boss)' : r.name,
    state: FROM_PGBOSS[r.state] ?? 'queued',
    // retry_count counts the retries started; a job that has run holds one more attempt than that.
    attempts: r.state === 'created' ? r.retry_count : r.retry_count + 1,
    maxAttempts: r.retry_limit + 1,
    createdAt: date(r.created_on),
    startAfter: date(r.start_after),
    startedAt: r.started_on ? date(r.started_on) : null,
    error: r.error,
  };
}

async function requireProvinceAdministrator(db: Queryable, actor: StaffActor): Promise<void> {
  if (!(await isProvinceAdministrator(db, actor))) throw errors.notFound('Trang');
}

const LIST_LIMIT = 100;

/** Counts per state, and the newest jobs of one state. */
export async function listJobs(db: Db, actor: StaffActor, state: JobState): Promise<{ counts: Record<JobState, number>; jobs: JobRow[] }> {
  await requireProvinceAdministrator(db, actor);
  const countRows = await queryRows<{ state: string; n: number }>(
    db,
    sql`select state::text as state, count(*)::int as n from ${sql.raw(JOB_SCHEMA)}.job
        where state in ('created', 'active', 'retry', 'failed') group by state`,
  );
  const counts = { queued: 0, running: 0, failed: 0, dead: 0 } satisfies Record<JobState, number>;
  for (const r of countRows) {
    const s = FROM_PGBOSS[r.state];
    if (s) counts[s] = r.n;
  }
  const rows = await queryRows<RawJob>(
    db,
    sql`select id::text, name, state::text as state, retry_count, retry_limit, created_on, start_after, started_on, completed_on,
               output->>'message' as error
        from ${sql.raw(JOB_SCHEMA)}.job where state = ${JOB_STATES[state].pgboss}::${sql.raw(JOB_SCHEMA)}.job_state
        order by created_on desc limit ${LIST_LIMIT}`,
  );
  return { counts, jobs: rows.map(toRow) };
}

async function findJob(db: Queryable, id: string): Promise<RawJob | null> {
  if (!isId(id)) return null;
  const [row] = await queryRows<RawJob>(
    db,
    sql`select id::text, name, state::text as state, retry_count, retry_limit, created_on, start_after, started_on, completed_on,
               output->>'message' as error, data, output
        from ${sql.raw(JOB_SCHEMA)}.job where id = ${id}::uuid`,
  );
  return row ?? null;
}

/** One job with its payload and its last error (pg-boss keeps the error's message and stack as the output). */
export async function getJob(db: Db, actor: StaffActor, id: string): Promise<JobDetail> {
  await requireProvinceAdministrator(db, actor);
  const row = await findJob(db, id);
  if (!row || !(row.state in FROM_PGBOSS)) throw errors.notFound('Công việc');
  return {
    ...toRow(row),
    payload: row.data ?? null,
    output: row.output ?? null,
    completedAt: row.completed_on ? date(row.completed_on) : null,
  };
}

/**
 * Thử lại: a dead job gets one more attempt (pg-boss's retry: back to `retry`, its limit raised by one); a
 * job waiting out its back-off runs now. With the audit row, in one transaction.
 */
export async function retryJob(db: Db, actor: StaffActor, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    await requireProvinceAdministrator(tx, actor);
    const job = await findJob(tx, id);
    if (!job || !(job.state in FROM_PGBOSS)) throw errors.notFound('Công việc');
    const run = executorOf(tx);
    if (job.state === 'failed') {
      await run.executeSql(
        `UPDATE ${JOB_SCHEMA}.job SET state = 'retry', retry_limit = retry_limit + 1, start_after = now(), completed_on = NULL
         WHERE name = $1 AND id = $2::uuid AND state = 'failed'`,
        [job.name, job.id],
      );
    } else if (job.state === 'retry') {
      await run.executeSql(`UPDATE ${JOB_SCHEMA}.job SET start_after = now() WHERE name = $1 AND id = $2::uuid AND state = 'retry'`, [
        job.name,
        job.id,
      ]);
    } else {
      throw new AppError('job_not_failed', 'Chỉ thử lại được công việc bị lỗi hoặc đã hỏng.', 409);
    }
    const [root] = await adminRootUnitIds(tx, actor);
    await recordAudit(tx, {
      action: 'job.retry',
      actor,
      targetType: 'job',
      targetId: job.id,
      unitId: root ?? null,
      data: { kind: job.name, state: FROM_PGBOSS[job.state] ?? job.state, attempts: job.retry_count + 1 },
    });
  });
}
