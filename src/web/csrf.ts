/**
 * CSRF protection for every state-changing request, two independent checks:
 * 1. Origin (or Referer) must be our own origin when the browser sends one;
 * 2. a signed double-submit token: the form field `_csrf` (or header `x-csrf-token`) must be
 *    HMAC(secret, csrf cookie + session), so a token is bound to this browser and this session.
 */
import crypto from 'node:crypto';

export function csrfToken(secret: string, cookieValue: string, sessionToken: string | null): string {
  return crypto
    .createHmac('sha256', secret)
    .update(`${cookieValue}|${sessionToken ?? ''}`)
    .digest('base64url');
}

export function csrfTokenValid(
  secret: string,
  cookieValue: string | undefined,
  sessionToken: string | null,
  submitted: string | undefined,
): boolean {
  if (!cookieValue || !submitted) return false;
  const expected = Buffer.from(csrfToken(secret, cookieValue, sessionToken));
  const got = Buffer.from(submitted);
  return expected.length === got.length && crypto.timingSafeEqual(expected, got);
}

export function sameOrigin(publicUrl: string, requestUrl: string, origin: string | undefined, referer: string | undefined) {
  const allowed = new Set([new URL(publicUrl).origin, new URL(requestUrl).origin]);
  if (origin && origin !== 'null') return allowed.has(origin);
  if (origin === 'null') return false;
  if (referer) {
    try {
      return allowed.has(new URL(referer).origin);
    } catch {
      return false;
    }
  }
  // Neither header: not a browser form post from another site (browsers send Origin on cross-site POST).
  return true;
}
