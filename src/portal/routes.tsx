import { raw } from 'hono/html';
import { Hono } from 'hono';
import type { AppEnv } from '../web/env.js';
import { siteName } from '../web/http.js';

export const portalRoutes = new Hono<AppEnv>();

/** Cổng Dịch vụ công: the citizens' portal home. Citizen login and dossiers come with their own issues. */
portalRoutes.get('/', async (c) => {
  const name = await siteName(c);
  return c.html(
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Cổng Dịch vụ công — {name}</title>
        <link rel="stylesheet" href="/static/app.css" />
      </head>
      <body>
        <header class="top">
          <div class="brand">
            <a href="/">{name.toUpperCase()}</a>
            <span class="sub">Cổng Dịch vụ công</span>
          </div>
        </header>
        <main id="main" class="narrow">
          <h1>Cổng Dịch vụ công {name}</h1>
          <p>Hệ thống thông tin giải quyết thủ tục hành chính của {name}.</p>
          <p>
            <a class="button primary" href="/tiepnhan">
              Dành cho cán bộ: Hệ thống một cửa điện tử
            </a>
          </p>
        </main>
      </body>
    </html>
      </>,
  );
});
