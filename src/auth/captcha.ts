/**
 * Self-hosted CAPTCHA (ALTCHA proof of work): no call to any third party. The challenge is
 * HMAC-signed; a solved challenge is accepted once (its signature is recorded until it expires).
 */
import { createChallenge, randomInt, verifySolution, type Payload } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { lt, sql } from 'drizzle-orm';
import { queryRows, type Queryable } from '../db/client.js';
import { usedCaptchas } from '../db/schema/index.js';

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
  const counterMin = opts.counterMin ?? 2_000;
  const counterMax = opts.counterMax ?? 8_000;
  const cost = opts.cost ?? 20;
  const ttl = opts.ttlSeconds ?? 600;
  const hmacSignatureSecret = `${opts.secret}:altcha`;
  const hmacKeySignatureSecret = `${opts.secret}:altcha-key`;

  return {
    async challenge() {
      return createChallenge({
        algorithm: 'SHA-256',
        cost,
        counter: randomInt(counterMin, counterMax),
        deriveKey,
        expiresAt: new Date(Date.now() + ttl * 1000),
        hmacSignatureSecret,
        hmacKeySignatureSecret,
      });
    },

    /** True when the submitted payload solves one of our challenges that was not used before. */
    async verify(db: Queryable, raw: string | undefined | null): Promise<boolean> {
      if (!raw || raw.length > 10_000) return false;
      let payload: Payload;
      try {
        payload = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Payload;
      } catch {
        return false;
      }
      if (!payload?.challenge?.parameters || !payload.solution || !payload.challenge.signature) return false;
      let result;
      try {
        result = await verifySolution({
          challenge: payload.challenge,
          solution: payload.solution,
          deriveKey,
          hmacSignatureSecret,
          hmacKeySignatureSecret,
        });
      } catch {
        return false;
      }
      if (!result.verified) return false;
      const expiresAt = new Date(((payload.challenge.parameters.expiresAt ?? 0) * 1000) || Date.now() + ttl * 1000);
      // Insert-or-nothing: a second use of the same solved challenge finds the row and is refused.
      const inserted = await queryRows<{ signature: string }>(db, sql`
        insert into used_captchas (signature, expires_at) values (${payload.challenge.signature}, ${expiresAt.toISOString()})
        on conflict do nothing returning signature`);
      await db.delete(usedCaptchas).where(lt(usedCaptchas.expiresAt, new Date()));
      return inserted.length === 1;
    },
  };
}
