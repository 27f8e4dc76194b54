import { Hono } from 'hono';
import { pingDatabase } from '../db/client.js';
import type { AppEnv } from './env.js';

export const healthRoutes = new Hono<AppEnv>();

/** The process is alive. */
healthRoutes.get('/healthz', (c) => c.json({ status: 'ok' }));

/** The database answers. */
healthRoutes.get('/readyz', async (c) => {
  const { db, dbKind } = c.get('deps');
  try {
    await pingDatabase(db);
    return c.json({ status: 'ready', database: dbKind });
  } catch (err) {
    c.get('deps').logger.warn({ err }, 'readiness check failed');
    return c.json({ status: 'unavailable', database: dbKind }, 503);
  }
});

/** Browsers ask for a favicon on every site; answer without an error. */
healthRoutes.get('/favicon.ico', (c) => c.body(null, 204, { 'Cache-Control': 'public, max-age=86400' }));
