/**
 * Static files from an explicit allow-list (our own, plus the ALTCHA widget from node_modules).
 * Read once at start; nothing outside the list can be requested.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppEnv } from './env.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
// altcha exports no package.json; resolve its CSS export and walk up to dist/.
const altchaDist = path.resolve(path.dirname(require.resolve('altcha/altcha.css')), '..');

// A Map, not an object: a name like `constructor` or `__proto__` must not find Object.prototype's.
const FILES = new Map<string, { file: string; type: string }>(
  Object.entries({
    'app.css': { file: path.join(here, 'static/app.css'), type: 'text/css; charset=utf-8' },
    'login.js': { file: path.join(here, 'static/login.js'), type: 'text/javascript; charset=utf-8' },
    'submit-once.js': { file: path.join(here, 'static/submit-once.js'), type: 'text/javascript; charset=utf-8' },
    'altcha/altcha.js': { file: path.join(altchaDist, 'external/altcha.js'), type: 'text/javascript; charset=utf-8' },
    'altcha/altcha.css': { file: path.join(altchaDist, 'external/altcha.css'), type: 'text/css; charset=utf-8' },
    'altcha/sha-worker.js': { file: path.join(altchaDist, 'workers/sha.js'), type: 'text/javascript; charset=utf-8' },
  }),
);

const cache = new Map<string, Buffer>();

export const staticRoutes = new Hono<AppEnv>();

staticRoutes.get('/*', (c) => {
  const name = c.req.path.replace(/^\/static\//, '');
  const entry = FILES.get(name);
  if (!entry) return c.text('Not found', 404);
  let body = cache.get(name);
  if (!body) {
    body = fs.readFileSync(entry.file);
    cache.set(name, body);
  }
  return c.body(new Uint8Array(body), 200, {
    'Content-Type': entry.type,
    'Cache-Control': 'public, max-age=3600',
  });
});
