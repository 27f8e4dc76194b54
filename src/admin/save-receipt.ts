/**
 * A receipt of one save in Quản lý người dùng, carried across the redirect after the post: the page it lands on
 * may say what only a real save may tell (accounts/same-identity.ts), and an address typed by hand (…&tb=saved)
 * tells nothing. The receipt names the administrator and the account, lives two minutes, is HMAC-signed under a
 * key of its own (derived from SESSION_SECRET) in an HttpOnly cookie and is read once.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../web/env.js';
import { clearCookie, readCookie, writeCookie } from '../web/cookies.js';

const COOKIE = 'motcua_admin_saved';
const LIFETIME_SECONDS = 120;

const sign = (secret: string, body: string) => createHmac('sha256', `${secret}:admin-save-receipt`).update(body).digest('base64url');

/** Keep a receipt that `actorId` has just saved `accountId`. */
export function giveSaveReceipt(c: Context<AppEnv>, actorId: string, accountId: string) {
  const body = `${actorId}.${accountId}.${Date.now() + LIFETIME_SECONDS * 1000}`;
  writeCookie(c, COOKIE, `${body}.${sign(c.get('deps').config.sessionSecret, body)}`, LIFETIME_SECONDS);
}

/** True, once, when this browser holds a live receipt of `actorId` saving `accountId`. */
export function takeSaveReceipt(c: Context<AppEnv>, actorId: string, accountId: string): boolean {
  const raw = readCookie(c, COOKIE);
  if (!raw) return false;
  clearCookie(c, COOKIE);
  const cut = raw.lastIndexOf('.');
  const body = raw.slice(0, cut);
  const mac = raw.slice(cut + 1);
  // Compared as bytes: the cookie reaches us percent-decoded, so a signature of the right number of characters may
  // be longer in bytes, and timingSafeEqual throws on buffers of different lengths.
  const given = Buffer.from(mac);
  const expected = Buffer.from(sign(c.get('deps').config.sessionSecret, body));
  if (cut < 0 || given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
  const [actor, account, expires] = body.split('.');
  return actor === actorId && account === accountId && Number(expires) > Date.now();
}
