import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp, currentProcedure } from './support/fixtures.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { openDatabase, queryRows, type Database } from '../src/db/client.js';
import { enqueue, startJobQueue, type JobHandlers, type JobInfo, type JobQueue, type KindSettings } from '../src/jobs/queue.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { listJobs } from '../src/jobs/admin.js';
import { receiveAtCounter } from './support/reception.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });
const FAST: Partial<KindSettings> = { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true };

const running: JobQueue[] = [];
const extraDatabases: Database[] = [];
afterEach(async () => {
  for (const q of running.splice(0)) await q.stop(2_000);
  for (const d of extraDatabases.splice(0)) await d.close();
  await t.database.db.execute(sql`delete from pgboss.job`);
  await t.database.db.execute(sql`delete from pgboss.schedule`);
});

type Notify = { code: string; job: JobInfo; at: number };

/** A worker whose notify handler records what it ran (and throws for codes starting with CRASH). */
async function worker(database: Database, seen: Notify[], opts: { schedules?: boolean; slowMs?: number; pollingSeconds?: number } = {}) {
  const handlers: JobHandlers = {
    'sessions.purge': async () => undefined,
    'sso.purge': async () => undefined,
    'sso.backchannel_logout': async () => undefined,
    'delegations.expire': async () => undefined,
    'calendar.confirm_reminder': async () => undefined,
    'uploads.staged_purge': async () => undefined,
    'storage.gc': async () => undefined,
    'national.push': async () => undefined,
    'national.sweep': async () => undefined,
    'national.reconcile': async () => undefined,
    'national.pull': async () => undefined,
    'notify.daily_reminders': async () => undefined,
    'notify.send': async (payload, job) => {
      const code = codeOf.get(payload.notificationId) ?? payload.notificationId;
      seen.push({ code, job, at: Date.now() });
      if (opts.slowMs) await new Promise((r) => setTimeout(r, opts.slowMs));
      if (code.startsWith('CRASH')) throw new Error(`boom ${code}`);
    },
  };
  const q = await startJobQueue(database, {
    logger: silent,
    handlers,
    schedules: opts.schedules ?? false,
    pollingIntervalSeconds: opts.pollingSeconds ?? 0.5,
    settings: { 'notify.send': FAST },
  });
  running.push(q);
  return q;
}

async function until(check: () => Promise<boolean> | boolean, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out');
}

/** The jobs are notify.send's (a notification id each): a test names each by a code, its id derived from it. */
const codeOf = new Map<string, string>();
function idOf(code: string): string {
  const h = crypto.createHash('sha256').update(code).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  codeOf.set(id, code);
  return id;
}
const payload = (code: string) => ({ notificationId: idOf(code) });

async function jobsWithCode(code: string) {
  return queryRows<{ state: string; retry_count: number }>(
    t.database.db,
    sql`select state::text as state, retry_count from pgboss.job where name = 'notify.send' and data->>'notificationId' = ${idOf(code)}`,
  );
}

describe('the job queue', () => {
  it('a job enqueued in a rolled-back transaction never runs; a committed one runs once', async () => {
    const seen: Notify[] = [];
    await worker(t.database, seen);
    await t.database.db
      .transaction(async (tx) => {
        await enqueue(tx, 'notify.send', payload('ROLLED-BACK'));
        throw new Error('the change fails');
      })
      .catch(() => undefined);
    await t.database.db.transaction((tx) => enqueue(tx, 'notify.send', payload('COMMITTED')));
    await until(() => seen.some((s) => s.code === 'COMMITTED'));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen.map((s) => s.code)).toEqual(['COMMITTED']);
    expect(await jobsWithCode('ROLLED-BACK')).toHaveLength(0);
    expect(await jobsWithCode('COMMITTED')).toMatchObject([{ state: 'completed' }]);
  });

  it('an idle worker is woken by the commit that enqueues, not by its polling interval', async () => {
    const seen: Notify[] = [];
    // A polling interval far longer than the wait below: only the notification at commit can explain the run.
    await worker(t.database, seen, { pollingSeconds: 120 });
    await new Promise((r) => setTimeout(r, 500)); // the first (empty) fetch is over; the worker now waits
    await t.database.db.transaction((tx) => enqueue(tx, 'notify.send', payload('WOKEN')));
    await until(() => seen.some((s) => s.code === 'WOKEN'), 30_000);
    expect(seen.map((s) => s.code)).toEqual(['WOKEN']);
  });

  it('a throwing job is retried with growing back-off, then dead', async () => {
    const seen: Notify[] = [];
    await worker(t.database, seen);
    await enqueue(t.database.db, 'notify.send', payload('CRASH-1'));
    await until(async () => (await jobsWithCode('CRASH-1'))[0]?.state === 'failed');
    expect(seen).toHaveLength(3); // retryLimit 2: three attempts
    expect(seen.map((s) => s.job.retryCount)).toEqual([0, 1, 2]);
    // Back-off: 1–2 s after the first failure, 2–4 s after the second (retryDelay 1 s, doubling, with jitter).
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(900);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(1_900);
    const root = await actorFor(t.database, 'quantri1');
    const { counts, jobs } = await listJobs(t.database.db, root, 'dead');
    expect(counts.dead).toBe(1);
    expect(jobs).toMatchObject([{ kind: 'notify.send', state: 'dead', attempts: 3, maxAttempts: 3, error: 'boom CRASH-1' }]);
  }, 30_000);

  it('an idempotency key adds one job, whatever the number of enqueues', async () => {
    const p = payload('ONCE');
    const first = await t.database.db.transaction((tx) => enqueue(tx, 'notify.send', p, { key: 'k-once' }));
    const second = await t.database.db.transaction((tx) => enqueue(tx, 'notify.send', p, { key: 'k-once' }));
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBeNull();
    expect(await jobsWithCode('ONCE')).toHaveLength(1);
  });

  it('two workers on one database run each job exactly once', async () => {
    // On PostgreSQL a second connection pool, as a second process would have; on PGlite a second worker in-process.
    const url = t.database.pool?.options.connectionString;
    const other = url ? await openDatabase({ url, poolSize: 4 }) : t.database;
    if (url) extraDatabases.push(other);
    const a: Notify[] = [];
    const b: Notify[] = [];
    await worker(t.database, a, { slowMs: 10 });
    await worker(other, b, { slowMs: 10 });
    const codes = Array.from({ length: 30 }, (_, i) => `MANY-${i}`);
    await t.database.db.transaction(async (tx) => {
      for (const code of codes) await enqueue(tx, 'notify.send', payload(code));
    });
    await until(() => a.length + b.length >= codes.length, 30_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const all = [...a, ...b].map((s) => s.code).sort();
    expect(all).toEqual([...codes].sort());
  }, 40_000);

  it('stopping drains: a job running when stop is called finishes and is completed, never run again', async () => {
    const seen: Notify[] = [];
    const q = await worker(t.database, seen, { slowMs: 2_000 });
    await enqueue(t.database.db, 'notify.send', payload('IN-FLIGHT'));
    await until(() => seen.some((s) => s.code === 'IN-FLIGHT'));
    const asked = Date.now();
    await q.stop(10_000);
    // It waited for the job (about 2 s after the handler began), well within the bound.
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1_000);
    expect(await jobsWithCode('IN-FLIGHT')).toMatchObject([{ state: 'completed', retry_count: 0 }]);
    // The next worker (the restarted instance) finds nothing to redo.
    await worker(t.database, seen);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(seen.map((s) => s.code)).toEqual(['IN-FLIGHT']);
  }, 30_000);

  it('stopping is bounded: a job still running past the bound is handed back and retried by the next worker', async () => {
    const seen: Notify[] = [];
    const q = await worker(t.database, seen, { slowMs: 4_000 });
    await enqueue(t.database.db, 'notify.send', payload('TOO-LONG'));
    await until(() => seen.some((s) => s.code === 'TOO-LONG'));
    const asked = Date.now();
    await q.stop(1_000);
    expect(Date.now() - asked).toBeLessThan(3_000);
    expect((await jobsWithCode('TOO-LONG'))[0]?.state).toBe('retry');
    await worker(t.database, seen);
    await until(() => seen.filter((s) => s.code === 'TOO-LONG').length === 2, 20_000);
    expect(seen.filter((s) => s.code === 'TOO-LONG').map((s) => s.job.retryCount)).toEqual([0, 1]);
  }, 40_000);

  it('registers the schedules, and a scheduled kind runs its real handler', async () => {
    const policy = { idleMs: 60_000, absoluteMs: 3_600_000 };
    running.push(
      await startJobQueue(t.database, {
        logger: silent,
        handlers: jobHandlers({ db: t.database.db, logger: silent, sessionPolicy: policy }),
        pollingIntervalSeconds: 0.5,
      }),
    );
    const schedules = await queryRows<{ name: string; cron: string; timezone: string }>(
      t.database.db,
      sql`select name, cron, timezone from pgboss.schedule order by name`,
    );
    expect(schedules).toEqual([
      { name: 'calendar.confirm_reminder', cron: '0 8 * * 1', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'delegations.expire', cron: '* * * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'national.pull', cron: '*/5 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'national.reconcile', cron: '40 2 * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'national.sweep', cron: '*/5 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'notify.daily_reminders', cron: '30 7 * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'sessions.purge', cron: '*/10 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'sso.purge', cron: '*/10 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'storage.gc', cron: '20 3 * * *', timezone: 'Asia/Ho_Chi_Minh' },
      { name: 'uploads.staged_purge', cron: '17 * * * *', timezone: 'Asia/Ho_Chi_Minh' },
    ]);
    const id = await enqueue(t.database.db, 'sessions.purge', {});
    await until(
      async () =>
        (await queryRows<{ state: string }>(t.database.db, sql`select state::text as state from pgboss.job where id = ${id}::uuid`))[0]
          ?.state === 'completed',
    );
  });

  it('receiving a dossier records its notification and enqueues its send in the same transaction', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const { p } = await currentProcedure(t.database, '2.000633');
    const d = await receiveAtCounter(t.database.db, clerk, {
      procedureId: p.id,
      channel: '1',
      fullName: 'Lê Văn Thử',
      email: 'le.van.thu@example.vn',
    });
    const [n] = await queryRows<{ id: string; event: string; channel: string; address: string }>(
      t.database.db,
      sql`select id, event, channel, address from notifications where dossier_id = ${d.id}`,
    );
    expect(n).toMatchObject({ event: 'dossier.received', channel: 'email', address: 'le.van.thu@example.vn' });
    const rows = await queryRows<{ data: { notificationId: string } }>(
      t.database.db,
      sql`select data from pgboss.job where name = 'notify.send'`,
    );
    expect(rows.map((r) => r.data)).toEqual([{ notificationId: n?.id }]);
  });
});

describe('Quản trị → Hàng đợi', () => {
  async function deadJob() {
    const id = await enqueue(t.database.db, 'notify.send', payload('DEAD'));
    await t.database.db.execute(
      sql`update pgboss.job set state = 'failed', retry_count = retry_limit, completed_on = now(), output = '{"message":"hỏng rồi"}'::jsonb where id = ${id}::uuid`,
    );
    return id!;
  }

  it('a province administrator sees a dead job, its payload and error, and retries it', async () => {
    const id = await deadJob();
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const list = await c.get('/tiepnhan/quan-tri/hang-doi?trang-thai=dead');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Hỏng (hết lượt thử): <strong>1</strong>');
    expect(list.text).toContain('hỏng rồi');
    const detail = await c.get(`/tiepnhan/quan-tri/hang-doi/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain(idOf('DEAD'));
    const res = await c.post(`/tiepnhan/quan-tri/hang-doi/${id}/thu-lai`, {}, { csrfFrom: `/tiepnhan/quan-tri/hang-doi/${id}` });
    expect(res.status).toBe(303);
    const [row] = await queryRows<{ state: string }>(
      t.database.db,
      sql`select state::text as state from pgboss.job where id = ${id}::uuid`,
    );
    expect(row?.state).toBe('retry');
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where action = 'job.retry'`);
    expect(audit).toHaveLength(1);
  });

  it('a unit administrator gets 404, and cannot retry', async () => {
    const id = await deadJob();
    const c = new Client(t.app);
    await c.login('admin.sct', TEST_PASSWORD);
    expect((await c.get('/tiepnhan/quan-tri/hang-doi')).status).toBe(404);
    expect((await c.get(`/tiepnhan/quan-tri/hang-doi/${id}`)).status).toBe(404);
    const res = await c.post(`/tiepnhan/quan-tri/hang-doi/${id}/thu-lai`, {}, { csrfFrom: '/tiepnhan' });
    expect(res.status).toBe(404);
    const [row] = await queryRows<{ state: string }>(
      t.database.db,
      sql`select state::text as state from pgboss.job where id = ${id}::uuid`,
    );
    expect(row?.state).toBe('failed');
  });
});
