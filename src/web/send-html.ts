import type { Context, Env } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every HTML answer: the page encoded to UTF-8 once, here, rather than through c.html(). c.html() hands
 * @hono/node-server a string, which it measures (Buffer.byteLength: a pass over the whole page, which a page of
 * Vietnamese text makes a two-byte string) before Node encodes it again to write it; a Buffer is measured by its
 * length and written as it is. On the inbox page (25 KB) that second pass was about 5 % of the app's CPU per page
 * (docs/decisions/0031). A page is our JSX runtime's element (src/web/jsx), or its promise for an async component.
 */
export async function sendHtml<E extends Env>(
  c: Context<E>,
  page: JSX.Element | string,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const html = String(await page);
  return c.body(Buffer.from(html, 'utf8'), status, { 'Content-Type': 'text/html; charset=UTF-8' });
}
