import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { sendFile } from '../web/download.js';
import { idParam } from '../web/params.js';
import { readTemplate } from './document-templates.js';

/**
 * Tải mẫu: anyone downloads a procedure document's template by id, without logging in. Mounted before
 * the session middleware (no cookies are read or set), and cached for a year: a template never changes.
 */
export const templateDownloadRoutes = new Hono<AppEnv>();

templateDownloadRoutes.get('/tai-mau/:id', async (c) => {
  const t = await readTemplate(c.get('deps').db, idParam(c, 'Mẫu đơn, tờ khai'));
  const etag = `"${t.sha256}"`;
  const headers = {
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if ((c.req.header('if-none-match') ?? '').split(',').some((v) => v.trim().replace(/^W\//, '') === etag)) {
    return c.body(null, 304, headers);
  }
  return sendFile(c, t, headers);
});
