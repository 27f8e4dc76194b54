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

/**
 * Where pages are encoded before being copied out: Buffer.from(string) measures the string's UTF-8 length in a pass of
 * its own before writing it; writing into room known to be large enough (3 bytes at most per UTF-16 unit) and
 * copying out the bytes written skips that pass — 65–77 → 38–42 µs for a 38,000-character page (docs/decisions/0031).
 * One per process: the encoding and the copy are synchronous, so no two pages share it at once.
 */
const SCRATCH = Buffer.allocUnsafeSlow(256 * 1024);

/** The page's UTF-8 bytes, in a buffer of their own. */
export function utf8(html: string): Buffer<ArrayBuffer> {
  if (html.length * 3 > SCRATCH.length) return Buffer.from(html, 'utf8');
  const n = SCRATCH.write(html, 0, 'utf8');
  const out = Buffer.allocUnsafe(n);
  SCRATCH.copy(out, 0, 0, n);
  return out;
}
export async function sendHtml<E extends Env>(
  c: Context<E>,
  page: JSX.Element | string,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  const html = String(await page);
  return c.body(utf8(html), status, { 'Content-Type': 'text/html; charset=UTF-8' });
}
