import { raw } from 'hono/html';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError } from '../shared/errors.js';
import type { AppEnv } from './env.js';
import { presentError } from './error-body.js';
import { sameOrigin } from './csrf.js';
import { safeRedirect } from './safe-redirect.js';
import { sendHtml } from './send-html.js';

/**
 * The page a refused post came from (its Referer: a path of this site in the area of the post), for "Quay lại": a form
 * refused before it was read (too large) is still on that page, filled in. Null when there is none to trust.
 */
function previousPage(c: Context<AppEnv>): string | null {
  const referer = c.req.header('referer');
  if (c.req.method !== 'POST' || !referer) return null;
  try {
    if (!sameOrigin(c.get('deps').config.publicUrl, c.req.url, undefined, referer)) return null;
    const from = new URL(referer);
    const area = c.req.path.startsWith('/tiepnhan') ? 'official' : 'citizen';
    const target = from.pathname + from.search;
    const safe = safeRedirect(target, area);
    return safe === target ? safe : null;
  } catch {
    return null;
  }
}

/** Errors end on a Vietnamese page for people, or precise JSON for API clients. */
export function renderError(c: Context<AppEnv>, err: AppError) {
  const status = err.status as ContentfulStatusCode;
  const wantsJson = c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').startsWith('application/json');
  if (wantsJson) {
    return c.json(presentError(err, c.get('requestId')), status);
  }
  // A body refused by its size is refused before the session is read: the area says where home is.
  const loggedIn = !!c.get('account') || (err.status === 413 && c.req.path.startsWith('/tiepnhan'));
  const back = previousPage(c);
  return sendHtml(
    c,
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
              {back ? (
                <>
                  <a href={back}>Quay lại trang trước</a>
                  {' · '}
                </>
              ) : null}
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
