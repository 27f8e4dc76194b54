import { Hono } from 'hono';
import { sql } from 'drizzle-orm';
import type { AppEnv } from './env.js';

export const healthRoutes = new Hono<AppEnv>();

/** The process is alive. */
healthRoutes.get('/healthz', (c) => c.json({ status: 'ok' }));

/** The database answers. */
healthRoutes.get('/readyz', async (c) => {
  const { db, dbKind } = c.get('deps');
  try {
    await db.execute(sql`select 1`);
    return c.json({ status: 'ready', database: dbKind });
  } catch (err) {
    c.get('deps').logger.warn({ err }, 'readiness check failed');
    return c.json({ status: 'unavailable', database: dbKind }, 503);
  }
});
