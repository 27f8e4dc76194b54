import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppError } from '../shared/errors.js';
import type { AppEnv } from './env.js';
import { presentError } from './error-body.js';
import { areaOf, errorFrame, plainFrame, type ErrorFrame } from './error-frame.js';
import { supportCode } from './observability.js';
import { previousPage } from './previous-page.js';
import { sendHtml } from './send-html.js';

/**
 * The code for support, only on a 5xx: that failure is logged at error or warn with the same code (app.tsx). A refusal
 * (4xx) is logged at debug only, which production does not keep, and its message already says what to do.
 */
const referenceOf = (c: Context<AppEnv>, err: AppError): string | null =>
  err.status >= 500 ? supportCode(c.get('requestId') ?? '') : null;

function ErrorContent(p: { err: AppError; frame: ErrorFrame; back: string | null; reference: string | null }) {
  return (
    <>
      <h1>Thông báo</h1>
      <p class="flash flash-error" role="alert" data-error-code={p.err.code}>
        {p.err.message}
      </p>
      {/* A list: on a touch screen each link is a finger-sized target (app.css), not a line of small links. */}
      <ul class="error-actions">
        {p.back ? (
          <li>
            <a href={p.back}>Quay lại trang trước</a>
          </li>
        ) : null}
        <li>
          <a href={p.frame.home}>Về trang chủ</a>
        </li>
        {p.err.status === 401 ? (
          <li>
            <a href={p.frame.login}>Đăng nhập</a>
          </li>
        ) : null}
      </ul>
      {p.reference ? <p class="muted support-code">Nếu cần hỗ trợ, vui lòng cung cấp mã: {p.reference}</p> : null}
    </>
  );
}

/**
 * Errors end on a Vietnamese page for people, in the frame of their area (error-frame.tsx), or precise JSON for API
 * clients. Drawing the page never throws: a frame that fails is replaced by the plain one.
 */
export async function renderError(c: Context<AppEnv>, err: AppError) {
  const status = err.status as ContentfulStatusCode;
  const wantsJson = c.req.path.startsWith('/api/') || (c.req.header('accept') ?? '').startsWith('application/json');
  if (wantsJson) {
    return c.json(presentError(err, c.get('requestId')), status);
  }
  // A form refused before it was read (too large) is still on the page it came from, filled in: "Quay lại".
  const back = previousPage(c, areaOf(c.req.path) === 'official' ? 'official' : 'citizen');
  const reference = referenceOf(c, err);
  const page = (frame: ErrorFrame) => frame.draw('Thông báo', <ErrorContent err={err} frame={frame} back={back} reference={reference} />);
  let html: Awaited<ReturnType<typeof page>>;
  try {
    html = await page(await errorFrame(c, err));
  } catch {
    html = await page(plainFrame(areaOf(c.req.path)));
  }
  return sendHtml(c, html, status);
}
