/**
 * What a failed query says about itself: the SQLSTATE of the error the database server (or PGlite) raised, found
 * where Drizzle puts it (DrizzleQueryError's cause; AggregateError's errors when connecting to several addresses).
 * Beside isStatementCancelled and isDatabaseUnavailable (client.ts), which answer "cancelled?" and "unreachable?";
 * this gives the code itself, for a use case that must tell the database refusing its data from a failure worth
 * trying again (shared/import-plan.ts).
 */
import { DrizzleQueryError } from 'drizzle-orm';

/**
 * `err` and the errors inside it, outermost first: DrizzleQueryError's cause and AggregateError's errors, and nowhere
 * else (a failed fetch to another system, whose cause also says ECONNREFUSED, is not the database). Every test of a
 * database error walks this (here and in client.ts).
 */
export function* errorChain(err: unknown): Generator<Error> {
  const queue: unknown[] = [err];
  for (let i = 0; i < queue.length && i < 20; i++) {
    const e = queue[i];
    if (!(e instanceof Error)) continue;
    yield e;
    if (e instanceof DrizzleQueryError) queue.push(e.cause);
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]));
  }
}

/**
 * The SQLSTATE of the server's error inside `err`, or null when it holds none (a bug, a socket failure, an AppError).
 * A server error carries its severity beside its code — the test the log serialiser uses (web/observability.ts) —
 * which tells it from Node's socket codes (EPIPE is five letters too).
 */
export function sqlStateOf(err: unknown): string | null {
  for (const e of errorChain(err)) {
    const { code, severity } = e as { code?: unknown; severity?: unknown };
    if (typeof code === 'string' && typeof severity === 'string') return code;
  }
  return null;
}
