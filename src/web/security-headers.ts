import type { MiddlewareHandler } from 'hono';
import { formAlreadyRead } from './body.js';
import type { AppEnv } from './env.js';

/** A strict CSP: only our own scripts and styles, no inline code, no framing. */
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
];
const CSP = [...DIRECTIVES, "form-action 'self'"].join('; ');

/**
 * The citizen's pages under /ca-nhan hold "Thanh toán lệ phí trực tuyến": a form posted to us that answers with a
 * redirect to the payment platform, and browsers check form-action on the redirect's target too. Those pages (only
 * those) may also send a form to the platform's origin.
 */
const PAYING_PAGES = '/ca-nhan/';
const payingCsp = (paymentUrl: string) => [...DIRECTIVES, `form-action 'self' ${new URL(paymentUrl).origin}`].join('; ');

/**
 * The SSO provider's login step (src/sso/routes.ts): Chọn tài khoản, and the login pages while a login continues to
 * it (?tiep=/sso/interaction/…, or a posted tiep: a refused password shows the form again; the break-glass code
 * step). Their forms are answered by redirects that end at the application's registered redirect URI on another
 * origin, and browsers check form-action on every redirect's target: these pages have no form-action, as the
 * provider's own (rawSecurityHeaders). Every other login page — where passwords are typed — keeps form-action 'self'.
 */
const SSO_STEP = '/sso/interaction/';
const LOGIN_PAGES = new Set(['/tiepnhan/dang-nhap', '/dang-nhap']);
async function atSsoLoginStep(c: Parameters<MiddlewareHandler<AppEnv>>[0], path: string): Promise<boolean> {
  if (path.startsWith(SSO_STEP) || path === '/tiepnhan/dang-nhap/ma-xac-thuc') return true;
  if (!LOGIN_PAGES.has(path)) return false;
  // A POST: the tiep its form carried (read by the handler already; a body is never read here).
  const posted = c.req.method === 'POST' ? await formAlreadyRead(c)?.catch(() => null) : undefined;
  const tiep = c.req.method === 'POST' ? posted?.get('tiep') : c.req.query('tiep');
  return typeof tiep === 'string' && tiep.startsWith(SSO_STEP);
}
const SSO_STEP_CSP = DIRECTIVES.join('; ');

/** The headers of every answer besides the CSP (and HSTS, with secure cookies). */
const COMMON: Array<[string, string]> = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
];
const HSTS: [string, string] = ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'];

/**
 * The same headers for the answers of the SSO provider, which oidc-provider writes on the raw Node response
 * (src/sso/routes.ts sets these first; the provider replaces Cache-Control where it sets its own). Its CSP has no
 * form-action: the provider's forms (logout) post to itself and are answered with a redirect to an application's
 * registered address, and the form_post response mode posts to one — browsers would block both under 'self'.
 * oidc-provider adds the hash of its one inline script (form_post) to script-src itself.
 */
export const rawSecurityHeaders = (secureCookies: boolean): Array<[string, string]> => [
  ['Content-Security-Policy', DIRECTIVES.join('; ')],
  ...COMMON,
  ...(secureCookies ? [HSTS] : []),
  ['Cache-Control', 'no-store'],
];

/**
 * Set on the answer's own headers, as Hono's secureHeaders does: c.header() after the answer is made copies the
 * whole Response (on the Node server: builds it twice), which cost 6 % of a catalog page view (0015, "Speed").
 */
export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const paymentUrl = c.get('deps').config.payment.url;
  const headers = c.res.headers;
  const path = c.req.path;
  headers.set(
    'Content-Security-Policy',
    path.startsWith(PAYING_PAGES) ? payingCsp(paymentUrl) : (await atSsoLoginStep(c, path)) ? SSO_STEP_CSP : CSP,
  );
  for (const [name, value] of COMMON) headers.set(name, value);
  if (c.get('deps').config.secureCookies) headers.set(...HSTS);
  if (!headers.get('Cache-Control') && !c.req.path.startsWith('/static/')) headers.set('Cache-Control', 'no-store');
};
