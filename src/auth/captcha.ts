/**
 * Self-hosted CAPTCHA (ALTCHA proof of work): no call to any third party. The challenge is
 * HMAC-signed; a solved challenge is accepted once (its signature is recorded until it expires).
 *
 * Levels (docs/decisions/0009): a challenge of level n asks CAPTCHA_WORK[n] times the base work
 * (more SHA-256 iterations per attempt). The cost is part of the signed parameters, so a solution
 * proves the level it was issued at; login decides at verify time which level it requires.
 */
import { createChallenge, randomInt, verifySolution, type Payload } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { lt, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { usedCaptchas } from '../db/schema/index.js';

/**
 * The usual work (level 0), sized for a phone (issue 12, item 14): the browser tries counters from 0 up to the
 * secret one, each attempt `cost` chained SHA-256 digests, so a solve takes at most COUNTER_MAX × COST digests —
 * 12,000, about 0.3–1 s in a phone's worker (WebCrypto, ~30–80 µs a digest); 4–5 s before (8,000 × 20).
 * The server checks a solution with one attempt (`cost` digests). Tests count digests, not seconds.
 *
 * Decision (kept): every password attempt proves a solved challenge, also the first. Skipping the CAPTCHA until a
 * name or address has failed would give a botnet one free guess per (name, address) — credential stuffing across
 * thousands of names — while the cheap, interaction-started widget costs an official well under a second.
 */
export const CAPTCHA_COUNTER_MIN = 300;
export const CAPTCHA_COUNTER_MAX = 1_000;
export const CAPTCHA_COST = 12;

/** Work of each level as a multiple of level 0. */
const CAPTCHA_WORK = [1, 8, 32] as const;
export const MAX_CAPTCHA_LEVEL = CAPTCHA_WORK.length - 1;

/** A level from untrusted input (a query string), clamped to the levels there are. */
export function captchaLevel(raw: unknown): number {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,2}$/.test(raw) ? Number(raw) : 0;
  return Math.min(Math.max(Math.trunc(n), 0), MAX_CAPTCHA_LEVEL);
}

export type CaptchaOptions = {
  secret: string;
  /** Range of the secret counter the browser searches for: the work it must do. */
  counterMin?: number;
  counterMax?: number;
  /** SHA-256 iterations per attempt. */
  cost?: number;
  ttlSeconds?: number;
};

export type Captcha = ReturnType<typeof createCaptcha>;

export function createCaptcha(opts: CaptchaOptions) {
  const counterMin = opts.counterMin ?? CAPTCHA_COUNTER_MIN;
  const counterMax = opts.counterMax ?? CAPTCHA_COUNTER_MAX;
  const cost = opts.cost ?? CAPTCHA_COST;
  const ttl = opts.ttlSeconds ?? 600;
  const hmacSignatureSecret = `${opts.secret}:altcha`;
  const hmacKeySignatureSecret = `${opts.secret}:altcha-key`;

  const costOf = (level: number) => cost * CAPTCHA_WORK[captchaLevel(level)]!;

  /** The level a solved challenge proves: the highest whose work its signed cost covers, or null if not solved. */
  async function verifyLevel(db: Queryable, raw: string | undefined | null, now: Date): Promise<number | null> {
    if (!raw || raw.length > 10_000) return null;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Payload;
    } catch {
      return null;
    }
    if (!payload?.challenge?.parameters || !payload.solution || !payload.challenge.signature) return null;
    let result: Awaited<ReturnType<typeof verifySolution>>;
    try {
      result = await verifySolution({
        challenge: payload.challenge,
        solution: payload.solution,
        deriveKey,
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
    } catch {
      return null;
    }
    if (!result.verified) return null;
    const expiresAt = new Date((payload.challenge.parameters.expiresAt ?? 0) * 1000 || now.getTime() + ttl * 1000);
    // Insert-or-nothing: a second use of the same solved challenge finds the row and is refused.
    const inserted = await queryRows<{ signature: string }>(
      db,
      sql`
      insert into used_captchas (signature, expires_at) values (${payload.challenge.signature}, ${expiresAt.toISOString()})
      on conflict do nothing returning signature`,
    );
    await db.delete(usedCaptchas).where(lt(usedCaptchas.expiresAt, now));
    if (inserted.length !== 1) return null;
    const signedCost = payload.challenge.parameters.cost;
    let level = 0;
    for (let l = 0; l <= MAX_CAPTCHA_LEVEL; l++) if (signedCost >= costOf(l)) level = l;
    return level;
  }

  return {
    /** A challenge of the given level (0 = the usual work). */
    async challenge(level = 0) {
      return createChallenge({
        algorithm: 'SHA-256',
        cost: costOf(level),
        counter: randomInt(counterMax, counterMin),
        deriveKey,
        expiresAt: new Date(Date.now() + ttl * 1000),
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
    },

    /** True when the submitted payload solves one of our challenges that was not used before. */
    async verify(db: Queryable, raw: string | undefined | null, now: Date): Promise<boolean> {
      return (await verifyLevel(db, raw, now)) !== null;
    },

    verifyLevel,
  };
}
