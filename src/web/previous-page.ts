import type { Context } from 'hono';
import type { AppEnv } from './env.js';
import { sameOrigin } from './csrf.js';
import { type RedirectArea, safeRedirect } from './safe-redirect.js';

/**
 * The page a form was posted from (its Referer), when it is a page of this site in `area` that a redirect may lead
 * to (safe-redirect.ts); null when there is none to trust. For "Quay lại" on a refusal, and for the way back after
 * a login that a lapsed session asked for in the middle of a post.
 */
export function previousPage(c: Context<AppEnv>, area: RedirectArea): string | null {
  const referer = c.req.header('referer');
  if (c.req.method !== 'POST' || !referer) return null;
  try {
    if (!sameOrigin(c.get('deps').config.publicUrl, c.req.url, undefined, referer)) return null;
    const from = new URL(referer);
    const target = from.pathname + from.search;
    return safeRedirect(target, area) === target ? target : null;
  } catch {
    return null;
  }
}
