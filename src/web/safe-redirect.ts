/**
 * Where a browser may be sent to from a target the user supplied (`?tiep=` at the login page, the
 * target carried through a VNeID/SSO login): only a path of this site, inside the area the login is
 * for, made of plain ASCII characters. Anything else — another site (`//host`, `/\host`,
 * `https://…`), tabs, newlines and other control characters that browsers strip or that break the
 * `Location` header, backslashes, percent-encoded slashes or dots in the path, non-ASCII look-alikes,
 * dot segments, overlong values — goes to the area's start page instead. This is the one check every
 * such redirect goes through.
 */

/** `official`: the one-stop system under /tiepnhan; `citizen`: the citizens' portal. */
export type RedirectArea = 'official' | 'citizen';

/** Where each area starts when the target is missing or refused. */
export const START_PAGE: Readonly<Record<RedirectArea, string>> = { official: '/tiepnhan', citizen: '/ca-nhan' };

/** The paths a target may lead to: each one exactly, or anything below it. */
const AREA_ROOTS: Readonly<Record<RedirectArea, readonly string[]>> = {
  // /sso/interaction: a login at the provincial SSO returns to the provider's interaction to finish it (src/sso).
  official: ['/tiepnhan', '/sso/interaction'],
  citizen: ['/ca-nhan', '/tra-cuu', '/thu-tuc', '/sso/interaction'],
};

const MAX_LENGTH = 512;
/** A path: `/`-separated segments of unreserved characters (RFC 3986), nothing encoded. */
const PATH = /^(?:\/[A-Za-z0-9._~-]+)+\/?$/;
/** A query: unreserved and sub-delimiter characters, `:@/?`, and well-formed percent escapes. */
const QUERY = /^(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*$/;

/** Whether `target` is a path this site may redirect to for `area`. */
function isSafeRedirect(target: string | null | undefined, area: RedirectArea): target is string {
  if (typeof target !== 'string' || target.length === 0 || target.length > MAX_LENGTH) return false;
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? '' : target.slice(q + 1);
  if (!PATH.test(path) || !QUERY.test(query)) return false;
  if (path.split('/').some((s) => s === '.' || s === '..')) return false;
  return AREA_ROOTS[area].some((root) => path === root || path.startsWith(`${root}/`));
}

/** `target` when it is safe for `area` (see above), otherwise the area's start page. */
export function safeRedirect(target: string | null | undefined, area: RedirectArea): string {
  return isSafeRedirect(target, area) ? target : START_PAGE[area];
}
