/**
 * Observability of the HTTP layer: the request id, one log line per request, error serialisation
 * without personal data, and GET /metrics (Prometheus, behind METRICS_TOKEN).
 *
 * What a log line may hold: method, route pattern, status, duration, request id, actor kind and internal
 * id, error codes, SQL text. Never: the raw path or query string, form bodies, cookies, headers, names,
 * CCCD, addresses, nor the parameters of a failed query.
 */
import crypto from 'node:crypto';
import { Hono, type Context } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Logger } from 'pino';
import { DrizzleQueryError } from 'drizzle-orm';
import { httpRequestDuration, metricsRegistry } from '../shared/metrics.js';
import type { AppEnv } from './env.js';
import { bearerToken } from './bearer.js';

/** A client's X-Request-Id is kept only when it is short and plain (it is echoed, logged and shown). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestIdFrom(header: string | undefined): string {
  return header !== undefined && SAFE_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

/**
 * The code a person reads out to support from a 5xx page: the request id's first 8 characters, upper-case (a UUID's
 * are 32 random bits, unlikely to repeat among a day's failures). Not the whole id: a 36-character UUID is a line
 * nobody can read over the phone. The failure's log line carries it as `ref` beside the full `requestId` (app.tsx),
 * so what the person says is found as it is said.
 */
export const supportCode = (requestId: string): string => requestId.slice(0, 8).toUpperCase();

const STACK_FRAME = /^\s+at /;
/** SQL identifiers in a database message stay; any other quoted text (a value) is replaced. */
const QUOTED = /"([^"]*)"/g;
const IDENTIFIER = /^[a-z_][a-z0-9_$.]*$/;
/** The fields of a database error (node-postgres, PGlite) that name things, never values: no detail, no where. */
const DATABASE_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'routine'] as const;

/** The stack without its first lines, which repeat the message. */
function frames(stack: string | undefined): string | undefined {
  return stack
    ?.split('\n')
    .filter((l) => STACK_FRAME.test(l))
    .join('\n');
}

/**
 * pino's `err` serialiser: type, message, stack, code and cause, and nothing else a library may have put on
 * the error. A failed query keeps its SQL text only, never its parameters (DrizzleQueryError puts them in
 * its message and on the error); a database error keeps its code and the names it gives, not its detail.
 */
function serializeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  // DrizzleQueryError keeps the name 'Error': its class says more.
  const out: Record<string, unknown> = { type: err.name === 'Error' ? err.constructor.name : err.name };
  const fields = err as unknown as Record<string, unknown>;
  if (err instanceof DrizzleQueryError) {
    out.message = `Failed query: ${err.query}`;
    out.stack = frames(err.stack);
  } else if (typeof fields.severity === 'string' && typeof fields.code === 'string') {
    out.message = err.message.replace(QUOTED, (whole, inner: string) => (IDENTIFIER.test(inner) ? whole : '"…"'));
    for (const k of DATABASE_FIELDS) if (typeof fields[k] === 'string') out[k] = fields[k];
    out.stack = frames(err.stack);
  } else {
    out.message = err.message;
    out.stack = err.stack;
    if (typeof fields.code === 'string' || typeof fields.code === 'number') out.code = fields.code;
  }
  if (err.cause !== undefined && depth < 3) out.cause = serializeError(err.cause, depth + 1);
  if (err instanceof AggregateError && depth < 3)
    out.errors = (err.errors as unknown[]).slice(0, 5).map((e) => serializeError(e, depth + 1));
  return out;
}

export const logSerializers = { err: (err: unknown) => serializeError(err) };

/** The logger with the safe error serialiser (see serializeError). */
export function withSafeErrors(logger: Logger): Logger {
  return logger.child({}, { serializers: logSerializers });
}

type ActorKind = 'official' | 'api' | 'citizen' | 'anonymous';

/** The matched route pattern; '(none)' when only middleware matched (not found). Never the raw path. */
function routeOf(c: Context<AppEnv>): string {
  const routes = matchedRoutes(c);
  // Routes are in registration order, handlers after their middleware; app.use() registers method ALL
  // (the app has no app.all() routes: src/sso/routes.ts names its methods for this).
  for (let i = routes.length - 1; i >= 0; i--) {
    if (routes[i]!.method !== 'ALL') return routes[i]!.path;
  }
  return '(none)';
}

/**
 * The status of an answer written on the raw Node response (the SSO provider, src/sso/routes.ts): the route returns
 * @hono/node-server's already-sent marker, whose own status (200) was never sent.
 */
function sentStatus(c: Context<AppEnv>): number | undefined {
  if (!c.res.headers.has('x-hono-already-sent')) return undefined;
  return (c.env as { outgoing?: { statusCode?: number } } | undefined)?.outgoing?.statusCode;
}

/** Probes and scrapes: logged at debug, so a health check every few seconds does not fill the log. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * After the answer: one log line and one histogram sample. `started` is performance.now() at the start.
 * The actor is the session's (c.get('actor') is set by the session middleware, for cookie sessions with a
 * token, for API clients without), or a citizen of the portal (c.get('citizenId')).
 */
export function recordRequest(c: Context<AppEnv>, log: Logger, started: number, observe: boolean): void {
  const ms = performance.now() - started;
  const status = sentStatus(c) ?? c.res.status;
  const route = routeOf(c);
  const actor = c.get('actor');
  const citizenId = c.get('citizenId');
  const kind: ActorKind = actor ? (c.get('sessionToken') ? 'official' : 'api') : citizenId ? 'citizen' : 'anonymous';
  const line = {
    method: c.req.method,
    route,
    status,
    ms: Math.round(ms * 10) / 10,
    requestId: c.get('requestId'),
    actor: kind,
    actorId: actor?.accountId ?? citizenId ?? undefined,
  };
  if (QUIET_ROUTES.has(route)) log.debug(line, 'request');
  else log.info(line, 'request');
  if (observe) httpRequestDuration.observe({ method: c.req.method, route, status: String(status) }, ms / 1000);
}

function tokenMatches(expected: string, authorization: string | undefined): boolean {
  const given = bearerToken(authorization) ?? '';
  // Equal-length digests: the comparison takes the same time whatever was sent.
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b) && given.length > 0;
}

/**
 * GET /metrics: the Prometheus text, only to `Authorization: Bearer $METRICS_TOKEN`. Without a token
 * configured, or with a wrong one, the ordinary not-found page: the endpoint does not show it exists.
 */
export const metricsRoutes = new Hono<AppEnv>();

metricsRoutes.get('/metrics', async (c) => {
  const expected = c.get('deps').config.metricsToken;
  if (!expected || !tokenMatches(expected, c.req.header('authorization'))) return c.notFound();
  const body = await metricsRegistry.metrics();
  return c.body(body, 200, { 'Content-Type': metricsRegistry.contentType, 'Cache-Control': 'no-store' });
});
