/**
 * The process's metrics, served in Prometheus format at GET /metrics (web/observability.ts) when
 * METRICS_TOKEN is set. One registry, named instruments, no personal data in any label: routes are
 * patterns, logins are counted by method and outcome, never per account.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from './errors.js';

export const metricsRegistry = new Registry();

/** Time to answer, by the matched route pattern (never the raw path), method and status. */
export const httpRequestDuration = new Histogram({
  name: 'motcua_http_request_duration_seconds',
  help: 'Time to answer an HTTP request, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** How an official logged in (password, VNeID, the provincial SSO), or a citizen on the portal (portal_vneid). */
export type LoginMethod = 'password' | 'vneid' | 'sso' | 'portal_vneid';

const logins = new Counter({
  name: 'motcua_logins_total',
  help: 'Login attempts by method and outcome (success, pending_choice, or the error code of the refusal)',
  labelNames: ['method', 'outcome'] as const,
  registers: [metricsRegistry],
});

/**
 * One login attempt's end, counted where the login routes finish (so failures of the OpenID flow count
 * too): 'success', 'pending_choice' (a person chooses among accounts), or loginOutcome(err).
 */
export function countLogin(method: LoginMethod, outcome: string): void {
  logins.inc({ method, outcome });
}

/** A refusal's outcome: the AppError's stable code (a short fixed word, never user input), else 'error'. */
export function loginOutcome(err: unknown): string {
  return err instanceof AppError ? err.code : 'error';
}

const notificationSends = new Counter({
  name: 'motcua_notification_sends_total',
  help: 'Notification send attempts by channel (zns, sms, email) and outcome (accepted, delivered, retry, permanent, failed, unconfigured)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [metricsRegistry],
});

/** One send attempt of the notify.send worker (src/notify/send.ts); both labels come from fixed lists. */
export function countNotificationSend(
  channel: 'zns' | 'sms' | 'email',
  outcome: 'accepted' | 'delivered' | 'retry' | 'permanent' | 'failed' | 'unconfigured',
): void {
  notificationSends.inc({ channel, outcome });
}

/** What a connection pool tells about itself (node-postgres's pg.Pool fits). */
export type PoolStats = {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options: { readonly max?: number | undefined };
};

let watchedPool: PoolStats | null = null;

/**
 * The database pool's gauges, read at each scrape. Registered only when there is a pool: the embedded
 * database (PGlite) has none, and then no pool metric is reported. The last pool watched is reported.
 */
export function watchPool(pool: PoolStats): void {
  const first = watchedPool === null;
  watchedPool = pool;
  if (!first) return;
  const gauge = (name: string, help: string, read: (p: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [metricsRegistry],
      collect() {
        if (watchedPool) this.set(read(watchedPool));
      },
    });
  gauge('motcua_db_pool_connections', 'Connections open in the database pool', (p) => p.totalCount);
  gauge('motcua_db_pool_idle_connections', 'Idle connections in the database pool', (p) => p.idleCount);
  gauge('motcua_db_pool_waiting_requests', 'Queries waiting for a connection of the database pool', (p) => p.waitingCount);
  gauge('motcua_db_pool_max_connections', 'Size limit of the database pool', (p) => p.options.max ?? 10);
}

// Job queue: THE PLACE where the queue registers its metrics when it exists (issue 9; there is no queue
// yet, so nothing is reported). Declare them here, on metricsRegistry, like watchPool above:
//   - motcua_jobs_queued{kind} — a Gauge whose collect() reads the queue's depth at scrape time;
//   - motcua_job_failures_total{kind} — a Counter the worker increments when a job fails.

let processMetrics = false;

/** Node.js process metrics (CPU, memory, event loop lag, GC): turned on once, only when /metrics is served. */
export function collectProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'motcua_' });
}
