/**
 * A receipt of one write in the administration — Quản lý người dùng, Lịch làm việc — carried across the redirect after
 * the post (Post/Redirect/Get: a reload of the page it lands on reads again, it never posts again — no second account,
 * reset, API key or audit row).
 * The page it lands on may say what only a real write may tell (accounts/same-identity.ts) and show, once, what the
 * write made (a temporary password, an API key, the sessions Kết thúc mọi phiên ended); an address typed by hand
 * (…&tb=saved) tells nothing.
 *
 * The receipt names its kind, the administrator, the session and the subject (an account, a key), lives two minutes,
 * and is sealed with AES-256-GCM under a key of its own (derived from SESSION_SECRET) in an HttpOnly cookie: what it
 * carries is never readable from the browser's cookie store, and a forged or altered cookie does not open. Each kind
 * and subject has a cookie of its own (named by a keyed digest, so the name says nothing), so two writes landing in two
 * tabs at once (two passwords reset) each find theirs; a browser holds at most MAX_HELD, the oldest dropped first (a
 * client that never lands would otherwise grow its Cookie header past what a proxy accepts). The first landing of its
 * kind and subject clears it, whatever it holds. It is stateless, so a copy of the cookie kept and sent again within
 * its two minutes would open again — but only in the very session that made the write, for the administrator who
 * made it: another login, another administrator, another account or another kind of landing learns nothing from it.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../web/env.js';
import { clearCookie, readCookie, readCookiesNamed, writeCookie } from '../web/cookies.js';

const COOKIE_PREFIX = 'motcua_admin_saved_';
const LIFETIME_SECONDS = 120;
/** The receipts a browser may hold at once (each about 300 bytes of its Cookie header). */
const MAX_HELD = 8;

/** What was written: the landing asks for the kind it shows, so a receipt of one write never serves another. */
type ReceiptKind =
  | 'saved'
  | 'verified'
  | 'created'
  | 'reset'
  | 'split'
  | 'key'
  | 'ended'
  // Lịch làm việc (calendar/routes.tsx): a day, the office hours, a year confirmed, a yearly holiday.
  | 'calendar-day'
  | 'calendar-hours'
  | 'calendar-year'
  | 'calendar-holiday';

type Sealed = { k: ReceiptKind; a: string; s: string; t: string; e: number; x?: string };

const keyOf = (secret: string) => Buffer.from(hkdfSync('sha256', secret, 'motcua', 'admin-save-receipt', 32));
/** The session the receipt belongs to, by a digest of its token (the token itself never leaves the session cookie). */
const sessionOf = (c: Context<AppEnv>) =>
  createHash('sha256')
    .update(c.get('sessionToken') ?? '')
    .digest('base64url')
    .slice(0, 22);

const secretOf = (c: Context<AppEnv>) => keyOf(c.get('deps').config.sessionSecret);
/** The key of the cookies' names: another than the seal's. */
const nameKeyOf = (c: Context<AppEnv>) =>
  Buffer.from(hkdfSync('sha256', c.get('deps').config.sessionSecret, 'motcua', 'admin-save-receipt-name', 32));
/** What follows the prefix in a receipt cookie's name (cookieOf). */
const NAME_SUFFIX = /[A-Za-z0-9_-]{16}/;

/** The cookie of a `kind` write of `subjectId`: a keyed digest, so the name says nothing and stays a cookie token. */
const cookieOf = (c: Context<AppEnv>, kind: ReceiptKind, subjectId: string) =>
  COOKIE_PREFIX + createHmac('sha256', nameKeyOf(c)).update(`${kind}:${subjectId}`).digest('base64url').slice(0, 16);

/** A receipt cookie's content, or null when it does not open (forged, altered, sealed under another secret). */
function unseal(c: Context<AppEnv>, raw: string): Sealed | null {
  try {
    const bytes = Buffer.from(raw, 'base64url');
    if (bytes.length < 29) return null;
    const decipher = createDecipheriv('aes-256-gcm', secretOf(c), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8')) as Sealed;
  } catch {
    return null;
  }
}

/**
 * Past MAX_HELD receipts (with the one being written), the oldest and those that do not open are cleared. Only
 * cookies named as cookieOf names them are counted: anything else under the prefix is not ours to clear.
 */
function dropOldest(c: Context<AppEnv>, writing: string) {
  const held = readCookiesNamed(c, COOKIE_PREFIX, NAME_SUFFIX)
    .filter((h) => h.name !== writing)
    .map((h) => ({ name: h.name, expires: unseal(c, h.value)?.e ?? 0 }))
    .sort((a, b) => a.expires - b.expires);
  for (const h of held.slice(0, Math.max(0, held.length - (MAX_HELD - 1)))) clearCookie(c, h.name);
}

/** Keep a receipt that the acting official has just written `subjectId`, with what its landing shows once, if anything. */
export function giveReceipt(c: Context<AppEnv>, kind: ReceiptKind, subjectId: string, value?: string) {
  const actor = c.get('actor');
  const sealed: Sealed = {
    k: kind,
    a: actor?.kind === 'official' ? actor.accountId : '',
    s: sessionOf(c),
    t: subjectId,
    e: c.get('deps').now().getTime() + LIFETIME_SECONDS * 1000,
    ...(value !== undefined ? { x: value } : {}),
  };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secretOf(c), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(sealed), 'utf8'), cipher.final()]);
  const name = cookieOf(c, kind, subjectId);
  dropOldest(c, name);
  writeCookie(c, name, Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url'), LIFETIME_SECONDS);
}

/**
 * The receipt of a `kind` write of `subjectId` by the acting official in this session, once: `{ value }` (null when
 * the write made none), or null when this browser holds no such live receipt.
 */
export function takeReceipt(c: Context<AppEnv>, kind: ReceiptKind, subjectId: string): { value: string | null } | null {
  const name = cookieOf(c, kind, subjectId);
  const raw = readCookie(c, name);
  if (!raw) return null;
  clearCookie(c, name);
  const actor = c.get('actor');
  if (actor?.kind !== 'official') return null;
  const sealed = unseal(c, raw);
  if (!sealed) return null;
  const live =
    sealed.k === kind &&
    sealed.a === actor.accountId &&
    sealed.s === sessionOf(c) &&
    sealed.t === subjectId &&
    sealed.e > c.get('deps').now().getTime();
  return live ? { value: typeof sealed.x === 'string' ? sealed.x : null } : null;
}
