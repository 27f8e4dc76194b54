/**
 * A refused VNeID / SSO login is shown on a clean page (issue 12, item 14; the citizens' portal since issue 10):
 * the callback answers 303 to the area's error page (/tiepnhan/dang-nhap/loi for officials, /dang-nhap/loi for
 * citizens), so neither `code` nor `state` stays in the address bar or the history, and the message rides in a
 * short-lived, HMAC-signed, HttpOnly cookie that the error page reads once. Each area has its own cookie and its
 * own signing key, so a refusal of one side is never shown (or swallowed) by the other.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../web/env.js';
import { clearCookie, readCookie, writeCookie } from '../web/cookies.js';
import { AppError } from '../shared/errors.js';

export type LoginArea = 'official' | 'citizen';

const ERROR_PATH: Record<LoginArea, string> = { official: '/tiepnhan/dang-nhap/loi', citizen: '/dang-nhap/loi' };
const COOKIE: Record<LoginArea, string> = { official: 'motcua_login_error', citizen: 'motcua_portal_login_error' };

const sign = (secret: string, area: LoginArea, body: string) =>
  createHmac('sha256', `${secret}:login-error:${area}`).update(body).digest('base64url');

/** Keep the refusal for the area's error page and send the browser there (303). */
export function redirectToLoginError(c: Context<AppEnv>, area: LoginArea, err: AppError) {
  const body = Buffer.from(JSON.stringify({ code: err.code, message: err.message.slice(0, 1000), status: err.status })).toString(
    'base64url',
  );
  writeCookie(c, COOKIE[area], `${body}.${sign(c.get('deps').config.sessionSecret, area, body)}`, 120);
  return c.redirect(ERROR_PATH[area], 303);
}

/** The refusal kept by redirectToLoginError for this area, once; null when there is none or it was not ours. */
export function takeLoginError(c: Context<AppEnv>, area: LoginArea): AppError | null {
  const raw = readCookie(c, COOKIE[area]);
  if (!raw) return null;
  clearCookie(c, COOKIE[area]);
  const [body = '', mac = ''] = raw.split('.', 2);
  const expected = sign(c.get('deps').config.sessionSecret, area, body);
  // Compared as bytes: a forged signature of the right length in characters but not in bytes (a percent-encoded
  // letter outside ASCII) would make timingSafeEqual throw.
  const given = Buffer.from(mac);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return null;
  try {
    const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { code?: unknown; message?: unknown; status?: unknown };
    if (typeof v.code !== 'string' || typeof v.message !== 'string' || typeof v.status !== 'number') return null;
    return new AppError(v.code, v.message, v.status >= 400 && v.status < 600 ? v.status : 400);
  } catch {
    return null;
  }
}
