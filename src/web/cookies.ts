import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from './env.js';

/** Cookie names get the __Host- prefix over https (bound to this host, path /, Secure). */
function cookieName(c: Context<AppEnv>, base: string): string {
  return c.get('deps').config.secureCookies ? `__Host-${base}` : base;
}

export function readCookie(c: Context<AppEnv>, base: string): string | undefined {
  return getCookie(c, cookieName(c, base));
}

/**
 * The cookies named `prefix` + a suffix matching `suffix` (anchored), by base name. Only names of that shape: the
 * browser may hold others under the prefix (set by anyone who can write this site's cookies) that the cookie writer
 * refuses to name, so a caller that clears them would throw.
 */
export function readCookiesNamed(c: Context<AppEnv>, prefix: string, suffix: RegExp): Array<{ name: string; value: string }> {
  const full = cookieName(c, prefix);
  const shape = new RegExp(`^(?:${suffix.source})$`);
  return Object.entries(getCookie(c))
    .filter(([name]) => name.startsWith(full) && shape.test(name.slice(full.length)))
    .map(([name, value]) => ({ name: prefix + name.slice(full.length), value }));
}

export function writeCookie(c: Context<AppEnv>, base: string, value: string, maxAgeSeconds?: number) {
  const secure = c.get('deps').config.secureCookies;
  setCookie(c, cookieName(c, base), value, {
    httpOnly: true,
    sameSite: 'Lax',
    secure,
    path: '/',
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  });
}

export function clearCookie(c: Context<AppEnv>, base: string) {
  const secure = c.get('deps').config.secureCookies;
  deleteCookie(c, cookieName(c, base), { path: '/', secure });
}

export const SESSION_COOKIE = 'motcua_sid';
export const CSRF_COOKIE = 'motcua_csrf';
export const REMEMBER_COOKIE = 'motcua_user';
