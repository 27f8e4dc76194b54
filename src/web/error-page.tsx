import { raw } from 'hono/html';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError } from '../shared/errors.js';
import type { AppEnv } from './env.js';
import { presentError } from './error-body.js';

/** Errors end on a Vietnamese page for people, or precise JSON for API clients. */
export function renderError(c: Context<AppEnv>, err: AppError) {
  const status = err.status as ContentfulStatusCode;
  const wantsJson = c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').startsWith('application/json');
  if (wantsJson) {
    return c.json(presentError(err, c.get('requestId')), status);
  }
  const loggedIn = !!c.get('account');
  return c.html(
    <>
      {raw('<!DOCTYPE html>')}
      <html lang="vi">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>Thông báo</title>
          <link rel="stylesheet" href="/static/app.css" />
        </head>
        <body>
          <main id="main" class="narrow">
            <h1>Thông báo</h1>
            <p class="flash flash-error" role="alert" data-error-code={err.code}>
              {err.message}
            </p>
            <p>
              <a href={loggedIn ? '/tiepnhan' : '/'}>Về trang chủ</a>
              {err.status === 401 ? (
                <>
                  {' · '}
                  <a href="/tiepnhan/dang-nhap">Đăng nhập</a>
                </>
              ) : null}
            </p>
            <p class="muted">Mã tham chiếu: {c.get('requestId')}</p>
          </main>
        </body>
      </html>
    </>,
    status,
  );
}
