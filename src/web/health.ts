import { Hono } from 'hono';
import { pingDatabase } from '../db/client.js';
import type { AppEnv } from './env.js';

export const healthRoutes = new Hono<AppEnv>();

/** The process is alive. */
healthRoutes.get('/healthz', (c) => c.json({ status: 'ok' }));

/**
 * Whether the load balancer may send requests here: the database answers and the instance is not shutting down
 * (draining: 503 while requests in flight finish, src/web/lifecycle.ts). The worker's state is reported, never a
 * reason to refuse requests: with WORKER=false another process works the queue.
 */
healthRoutes.get('/readyz', async (c) => {
  const { db, dbKind, lifecycle, logger } = c.get('deps');
  const database = await pingDatabase(db).then(
    () => 'ok' as const,
    (err: unknown) => {
      logger.warn({ err }, 'readiness check failed');
      return 'unavailable' as const;
    },
  );
  const draining = lifecycle.draining;
  const status = draining ? 'draining' : database === 'ok' ? 'ready' : 'unavailable';
  return c.json({ status, database, engine: dbKind, worker: lifecycle.worker, draining }, status === 'ready' ? 200 : 503);
});

/** Browsers ask for a favicon on every site; answer without an error. */
healthRoutes.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));
