/**
 * A page that answers a form's post — a refusal shown with its messages, a draft saved — stays in the browser's
 * history as that post: Back or reload then asks to send the form again (Chromium's "Confirm Form Resubmission",
 * net::ERR_CACHE_MISS under our no-store), which a citizen or a clerk cannot make sense of. Such a page names the
 * address where a GET shows it again; /static/submit-once.js puts that address in the history in place of the post,
 * so Back or reload reads it again. Without script the browser asks as before, and a form sent again is refused or
 * answered as the first (the forms' submission keys).
 */
import type { Ctx } from './http.js';

/** The name of the page's meta element that carries the address (read by submit-once.js). */
export const ADDRESS_META = 'motcua-address';

/** The script that reads it (and focuses a refused form's summary). */
export const FORMS_SCRIPT = '/static/submit-once.js';

/** `address` when this request is a post and `address` a path of this site (never another origin); else nothing. */
export function postAnswerAddress(c: Ctx, address: string): string | undefined {
  return c.req.method === 'POST' && /^\/(?![/\\])/.test(address) ? address : undefined;
}
