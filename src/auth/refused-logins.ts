import type { Logger } from 'pino';

/** Why a login attempt was refused before its password was read (never audited: docs/decisions/0011). */
export type ThrottleRefusal = 'captcha' | 'captcha_level' | 'locked';

const EVERY_MS = 60_000;
const counters = new WeakMap<Logger, (reason: ThrottleRefusal) => void>();

/**
 * Counts the attempts a throttle refuses before they reach an account, and logs the counts as one line
 * at most once a minute (at once after a quiet minute), so anonymous traffic adds neither audit rows nor a
 * log line per request. Counts after the last line are reported by the next one. One counter per logger.
 */
export function refusedLoginCounter(logger: Logger, now: () => number = Date.now): (reason: ThrottleRefusal) => void {
  let count = counters.get(logger);
  if (!count) {
    let counts: Partial<Record<ThrottleRefusal, number>> = {};
    let lastLine = Number.NEGATIVE_INFINITY;
    count = (reason) => {
      counts[reason] = (counts[reason] ?? 0) + 1;
      const t = now();
      if (t - lastLine < EVERY_MS) return;
      logger.info({ refused: counts }, 'login attempts refused by throttling or CAPTCHA (not audited)');
      counts = {};
      lastLine = t;
    };
    counters.set(logger, count);
  }
  return count;
}
