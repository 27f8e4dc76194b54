/**
 * THE JOB QUEUE — the one module that knows pg-boss (docs/decisions/0013-jobs.md).
 *
 * - Job kinds with typed payloads (zod) and their retry settings: JOB_KINDS.
 * - enqueue(tx, kind, payload, { key }): inserts the job in the caller's transaction (the outbox: the change and
 *   its job commit or roll back together), with an optional idempotency key (table job_keys).
 * - startJobQueue(database, …): the worker — pg-boss over our own connection (the PGlite instance or the
 *   server pool), handlers per kind, schedules (cron, one-minute granularity), maintenance.
 *
 * pg-boss runs with a `db` adapter (its documented `executeSql(text, values)` interface), never with a
 * connection of its own: on PGlite there is only one, and enqueueing must join the caller's transaction. Its
 * schema (`pgboss`) is created by our migration 0015; it never migrates itself (`migrate: false`).
 */
import crypto from 'node:crypto';
import type PgBoss from 'pg-boss';
import { sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Database, Queryable } from '../db/client.js';
import { jobKeys } from '../db/schema/index.js';

export const JOB_SCHEMA = 'pgboss';
/** enqueue() notifies this channel with the job's kind at commit; workers listen to it instead of waiting to poll. */
const JOBS_CHANNEL = 'motcua_jobs';

/** How a kind is retried: attempts = retryLimit + 1; back-off doubles from retryDelaySeconds (with jitter). */
export type KindSettings = {
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /** A job running longer than this is failed (and retried) by maintenance. */
  expireInSeconds: number;
};

/**
 * standard: every enqueue makes a job; short: at most one job waiting (created) per singleton key — an enqueue
 * while one waits adds nothing (pg-boss's queue policy).
 */
type KindSpec = KindSettings & {
  label: string;
  payload: z.ZodType;
  policy?: 'standard' | 'short';
  /** How many jobs of the kind one process runs at once (default 1): more for kinds that mostly wait on a gateway. */
  workers?: number;
};

export const JOB_KINDS = {
  /** Delete expired and idle sessions (was a setInterval in main.ts), and the gateways' expired report ids. */
  'sessions.purge': {
    label: 'Xóa phiên đăng nhập hết hạn',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: true,
    expireInSeconds: 600,
  },
  /** The provincial SSO's expired provider state (sso_models: sessions, codes, tokens…), src/sso/adapter.ts. */
  'sso.purge': {
    label: 'Xóa dữ liệu đăng nhập SSO hết hạn',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: true,
    expireInSeconds: 600,
  },
  /**
   * Tell one SSO client that one provider session ended (OpenID Connect Back-Channel Logout): enqueued with the
   * session's end (src/sso/end-sessions.ts), one per client and session; a non-2xx answer or a time-out is retried
   * with back-off, then left failed (Quản trị → Hàng đợi).
   */
  'sso.backchannel_logout': {
    label: 'Báo đăng xuất cho ứng dụng kết nối SSO',
    payload: z.object({ clientId: z.string().min(1).max(200), sid: z.string().min(1).max(200), subject: z.string().min(1).max(200) }),
    retryLimit: 5,
    retryDelaySeconds: 30,
    retryBackoff: true,
    expireInSeconds: 60,
  },
  /** Delegations whose term ran out: write each one's audit row (they are already over: access.ts reads the clock). */
  'delegations.expire': {
    label: 'Ghi nhật ký ủy quyền hết hạn',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  /** From 1 September: remind the province administrator to confirm next year's working calendar (calendar/confirmation-reminder.ts). */
  'calendar.confirm_reminder': {
    label: 'Nhắc xác nhận lịch làm việc năm sau',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 300,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  /**
   * The reception form's staged scans no receipt consumed, once expired (dossiers/staged-scans.ts), the citizens'
   * upload records past the upload budget's 24 hours (personal-files/upload-budget.ts), and the spool files a dead
   * process left (storage/spool.ts).
   */
  'uploads.staged_purge': {
    label: 'Xóa bản quét tạm và lượt tải lên đã hết hạn',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 60,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  /** Blobs in file storage that no row names any more, after the grace period (storage/gc.ts, decision 0020). */
  'storage.gc': {
    label: 'Dọn tệp không còn được sử dụng trong kho lưu trữ',
    payload: z.object({}),
    retryLimit: 2,
    retryDelaySeconds: 600,
    retryBackoff: true,
    expireInSeconds: 3600,
  },
  /**
   * Send one notification (a row of `notifications`, src/notify/send.ts): enqueued with the row in the transaction of
   * the change that caused it. A gateway down or slow is retried — 8 tries from 30 s doubling (about two hours) —
   * then the message is recorded failed and falls back to the next channel.
   */
  /**
   * 07:30 each day: officials' reminders (due tomorrow, overdue, the leaders' digest) and the VNeID cutoff reminders
   * (src/notify/daily-reminders.ts). Keyed per day, so a retry or a second run sends nothing twice.
   */
  'notify.daily_reminders': {
    label: 'Nhắc hồ sơ đến hạn, quá hạn và liên kết VNeID',
    payload: z.object({}),
    retryLimit: 3,
    retryDelaySeconds: 300,
    retryBackoff: true,
    expireInSeconds: 1800,
  },
  'notify.send': {
    label: 'Gửi thông báo',
    payload: z.object({ notificationId: z.string().uuid() }),
    retryLimit: 7,
    retryDelaySeconds: 30,
    retryBackoff: true,
    expireInSeconds: 120,
    // Each send mostly waits on a gateway's answer: eight at a time per process.
    workers: 8,
  },
  /**
   * Send one dossier's unpushed status records to the national portal, in order (src/national-portal/push.ts).
   * Enqueued with the change (one waiting per dossier: policy short, singleton key = the dossier id); longer outages
   * are the sweep's, which re-enqueues with back-off for as long as rows wait.
   */
  'national.push': {
    label: 'Đồng bộ trạng thái hồ sơ lên Cổng DVC quốc gia',
    payload: z.object({ dossierId: z.string().uuid() }),
    policy: 'short',
    retryLimit: 4,
    retryDelaySeconds: 30,
    retryBackoff: true,
    expireInSeconds: 300,
  },
  /** Every few minutes: a push job for each dossier whose records wait and whose back-off is over (sweep.ts). */
  'national.sweep': {
    label: 'Rà soát hồ sơ chưa đồng bộ lên Cổng DVC quốc gia',
    payload: z.object({}),
    retryLimit: 1,
    retryDelaySeconds: 60,
    retryBackoff: false,
    expireInSeconds: 300,
  },
  /** Daily: compare the statuses the national portal holds with ours and re-send what differs (reconcile.ts). */
  'national.reconcile': {
    label: 'Đối soát trạng thái hồ sơ với Cổng DVC quốc gia',
    payload: z.object({}),
    retryLimit: 3,
    retryDelaySeconds: 600,
    retryBackoff: true,
    expireInSeconds: 3600,
  },
  /** Every few minutes: register the dossiers submitted on the national portal for our procedures (pull.ts). */
  'national.pull': {
    label: 'Nhận hồ sơ nộp trên Cổng DVC quốc gia',
    payload: z.object({}),
    retryLimit: 1,
    retryDelaySeconds: 60,
    retryBackoff: false,
    expireInSeconds: 600,
  },
} as const satisfies Record<string, KindSpec>;

export type JobKind = keyof typeof JOB_KINDS;
export type JobPayload<K extends JobKind> = z.infer<(typeof JOB_KINDS)[K]['payload']>;
const JOB_KIND_NAMES = Object.keys(JOB_KINDS) as JobKind[];

export function isJobKind(name: string): name is JobKind {
  return Object.hasOwn(JOB_KINDS, name);
}

/** Scheduled jobs (pg-boss cron, evaluated in Vietnam time; one-minute granularity at best). */
const SCHEDULES: ReadonlyArray<{ kind: JobKind; cron: string }> = [
  { kind: 'sessions.purge', cron: '*/10 * * * *' },
  { kind: 'sso.purge', cron: '*/10 * * * *' },
  { kind: 'delegations.expire', cron: '* * * * *' },
  { kind: 'calendar.confirm_reminder', cron: '0 8 * * 1' },
  { kind: 'uploads.staged_purge', cron: '17 * * * *' },
  { kind: 'storage.gc', cron: '20 3 * * *' },
  { kind: 'notify.daily_reminders', cron: '30 7 * * *' },
  { kind: 'national.sweep', cron: '*/5 * * * *' },
  { kind: 'national.pull', cron: '*/5 * * * *' },
  { kind: 'national.reconcile', cron: '40 2 * * *' },
];

/** What a handler learns about its job besides the payload; retryLimit is the queue's (unset when a test calls a handler). */
export type JobInfo = { id: string; retryCount: number; retryLimit?: number };
type JobHandler<K extends JobKind> = (payload: JobPayload<K>, job: JobInfo) => Promise<void>;
export type JobHandlers = { [K in JobKind]: JobHandler<K> };

/** pg-boss's connection interface. */
type Executor = { executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> };

/**
 * pg-boss's SQL (with $1… placeholders) run through Drizzle on a database or a transaction, so it joins the
 * caller's transaction on either driver. Values are bound as parameters, never spliced into the text.
 */
export function executorOf(q: Queryable): Executor {
  return {
    executeSql: async (text, values = []) => {
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = parts.map((part, i) => (i % 2 === 1 ? sql`${sql.param(values[Number(part) - 1])}` : sql.raw(part)));
      const res = (await q.execute(sql.join(chunks))) as unknown as { rows: unknown[] };
      return { rows: res.rows };
    },
  };
}

/** pg-boss's maintenance commands come as one string `BEGIN; …; COMMIT;` (its "locked" helper). */
const LOCKED_BLOCK = /^\s*BEGIN;([\s\S]*);?\s*COMMIT;\s*$/;

/**
 * The worker's connection: the PGlite instance or the server pool. A `BEGIN; …; COMMIT;` block runs as a real
 * transaction that is rolled back when a statement fails — sent as one string, a failure would leave the
 * session inside an aborted transaction (on PGlite, the application's only session: tried, every later query
 * then failed with 25P02).
 */
function databaseExecutor(database: Database): Executor {
  const { pglite, pool } = database;
  if (pglite) {
    return {
      executeSql: async (text, values) => {
        const block = LOCKED_BLOCK.exec(text);
        if (block) {
          const results = await pglite.transaction((tx) => tx.exec(block[1]!));
          return { rows: results.at(-1)?.rows ?? [] };
        }
        if (values && values.length > 0) return { rows: (await pglite.query(text, values)).rows };
        const results = await pglite.exec(text);
        return { rows: results.at(-1)?.rows ?? [] };
      },
    };
  }
  if (pool) {
    return {
      executeSql: async (text, values) => {
        if (!LOCKED_BLOCK.test(text)) return { rows: (await pool.query(text, values)).rows as unknown[] };
        const client = await pool.connect();
        try {
          await client.query(text);
          client.release();
          return { rows: [] };
        } catch (err) {
          // Closing the session discards the aborted transaction with it.
          client.release(true);
          throw err;
        }
      },
    };
  }
  return executorOf(database.db);
}

const refuse: Executor = {
  executeSql: () => Promise.reject(new Error('the job sender has no connection of its own: pass { db: executorOf(tx) }')),
};
/**
 * Builds pg-boss's insert statements only; every call passes the caller's connection (`db` option). Never started.
 * pg-boss is loaded at the first enqueue (or the worker's start), not at an instance's start (docs/decisions/0029).
 */
let senderLoaded: Promise<PgBoss> | null = null;
const jobSender = () =>
  (senderLoaded ??= import('pg-boss').then(({ default: Boss }) => new Boss({ db: refuse, schema: JOB_SCHEMA, migrate: false })));

function queueOptions(kind: JobKind, settings: KindSettings): PgBoss.Queue {
  const spec: KindSpec = JOB_KINDS[kind];
  return {
    name: kind,
    policy: spec.policy ?? 'standard',
    retryLimit: settings.retryLimit,
    retryDelay: settings.retryDelaySeconds,
    retryBackoff: settings.retryBackoff,
    expireInSeconds: settings.expireInSeconds,
  };
}

/** The queue of a kind, created if missing (pg-boss's create_queue does nothing when it exists). */
async function createQueue(q: Queryable, kind: JobKind, settings: KindSettings = JOB_KINDS[kind]): Promise<void> {
  const { name: _name, ...options } = queueOptions(kind, settings);
  await executorOf(q).executeSql(`SELECT ${JOB_SCHEMA}.create_queue($1, $2)`, [kind, JSON.stringify(options)]);
}

export type EnqueueOptions = {
  /** Idempotency key: a second enqueue of the same kind and key (any transaction, any time) adds nothing. */
  key?: string;
  /** Not before this moment. */
  startAfter?: Date;
  /** A kind with policy short: while a job with this key waits, the enqueue adds nothing (returns null). */
  singletonKey?: string;
};

/**
 * Adds a job inside `q` — pass the transaction of the change that causes it, so the job exists exactly when
 * the change commits. Returns the job's id, or null when the idempotency key was already used. The retry
 * settings are the queue's (JOB_KINDS, written to pgboss.queue when a worker starts).
 */
export async function enqueue<K extends JobKind>(
  q: Queryable,
  kind: K,
  payload: JobPayload<K>,
  opts: EnqueueOptions = {},
): Promise<string | null> {
  const data = JOB_KINDS[kind].payload.parse(payload) as object;
  const id = crypto.randomUUID();
  if (opts.key !== undefined) {
    const taken = await q
      .insert(jobKeys)
      .values({ kind, key: opts.key, jobId: id })
      .onConflictDoNothing()
      .returning({ jobId: jobKeys.jobId });
    if (taken.length === 0) return null;
  }
  const options: PgBoss.SendOptions = {
    id,
    db: executorOf(q),
    ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
    ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
  };
  const sender = await jobSender();
  let sent = await sender.send(kind, data, options);
  if (sent === null) {
    // pg-boss inserts nothing for a queue that does not exist yet (its insert joins pgboss.queue).
    await createQueue(q, kind);
    sent = await sender.send(kind, data, options);
  }
  // Under policy short, a job with the same singleton key is already waiting: it will do this one's work.
  if (sent === null && opts.singletonKey && (JOB_KINDS[kind] as KindSpec).policy === 'short') return null;
  if (sent === null) throw new Error(`job ${kind} was not enqueued`);
  // Delivered when the transaction commits (never if it rolls back): a worker waiting its polling interval on any
  // process of the database wakes and fetches at once (startJobQueue). Repeats within a transaction fold into one.
  await q.execute(sql`select pg_notify(${JOBS_CHANNEL}, ${kind})`);
  return sent;
}

export type JobQueue = {
  /** Stops fetching, waits for running jobs (up to timeoutMs), stops schedules and maintenance. */
  stop(timeoutMs?: number): Promise<void>;
};

export type StartOptions = {
  logger: Logger;
  handlers: JobHandlers;
  /** Register SCHEDULES and fire them (default true). */
  schedules?: boolean;
  /** How often an idle worker looks for jobs (pg-boss minimum 0.5 s). */
  pollingIntervalSeconds?: number;
  /** Settings that differ from JOB_KINDS (tests: short back-off). */
  settings?: Partial<Record<JobKind, Partial<KindSettings>>>;
  /** How often maintenance runs (expired jobs failed, old jobs archived). */
  maintenanceIntervalSeconds?: number;
};

/**
 * Starts a worker on `database`: writes each kind's settings to its queue, works every kind, registers the
 * schedules. Several workers (instances, `npm run worker`) may run on one PostgreSQL database: pg-boss fetches
 * with FOR UPDATE SKIP LOCKED, so each job is handed to one of them; its cron and maintenance take turns by
 * timestamps in pgboss.version.
 */
export async function startJobQueue(database: Database, opts: StartOptions): Promise<JobQueue> {
  const { logger } = opts;
  const schedules = opts.schedules ?? true;
  const { default: Boss } = await import('pg-boss');
  const boss = new Boss({
    db: databaseExecutor(database),
    schema: JOB_SCHEMA,
    migrate: false,
    supervise: true,
    schedule: schedules,
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 120,
  });
  boss.on('error', (err) => logger.warn({ err }, 'job queue error'));
  await boss.start();
  const polling = opts.pollingIntervalSeconds ?? 2;
  // The polling interval is only the fallback (a notification lost while the listening connection reconnects).
  const workerIds = new Map<string, string[]>();
  const listening = database.listen(JOBS_CHANNEL, {
    message: (kind) => {
      for (const id of workerIds.get(kind) ?? []) boss.notifyWorker(id);
    },
    live: () => undefined,
  });
  for (const kind of JOB_KIND_NAMES) {
    const settings: KindSettings = { ...JOB_KINDS[kind], ...opts.settings?.[kind] };
    await createQueue(database.db, kind, settings);
    await boss.updateQueue(kind, queueOptions(kind, settings));
    // pg-boss's worker waits its polling interval after every fetch, even a fruitful one; waking it after each
    // job drains a backlog at the handlers' pace and waits only when the queue is empty. A kind with several
    // workers gets several such loops (pg-boss 10 has no per-worker concurrency; each fetch skips locked jobs).
    const spec: KindSpec = JOB_KINDS[kind];
    for (let w = 0; w < (spec.workers ?? 1); w++) {
      let workerId: string | null = null;
      workerId = await boss.work<object>(kind, { pollingIntervalSeconds: polling, batchSize: 1, includeMetadata: true }, async (jobs) => {
        try {
          for (const job of jobs) await runJob(kind, job, opts.handlers, logger);
        } finally {
          if (workerId) boss.notifyWorker(workerId);
        }
      });
      workerIds.set(kind, [...(workerIds.get(kind) ?? []), workerId]);
    }
  }
  if (schedules) {
    for (const s of SCHEDULES) await boss.schedule(s.kind, s.cron, {}, { tz: 'Asia/Ho_Chi_Minh' });
  }
  logger.info({ kinds: JOB_KIND_NAMES.length, schedules: schedules ? SCHEDULES.length : 0 }, 'job worker started');
  return {
    stop: async (timeoutMs = 8_000) => {
      listening.stop();
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    },
  };
}

async function runJob<K extends JobKind>(
  kind: K,
  job: PgBoss.JobWithMetadata<object>,
  handlers: JobHandlers,
  logger: Logger,
): Promise<void> {
  const payload = JOB_KINDS[kind].payload.parse(job.data) as JobPayload<K>;
  const handler = handlers[kind] as JobHandler<K>;
  const started = Date.now();
  try {
    await handler(payload, { id: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit });
    logger.debug({ job: job.id, kind, ms: Date.now() - started }, 'job done');
  } catch (err) {
    // pg-boss records the error as the job's output and retries it, or leaves it failed (dead) after the last attempt.
    logger.warn({ err, job: job.id, kind, attempt: job.retryCount + 1, of: job.retryLimit + 1 }, 'job failed');
    throw err;
  }
}
