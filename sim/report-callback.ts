/**
 * How the SMS and Zalo ZNS stand-ins call back a delivery report: a POST to the receiver's webhook, signed anew at
 * every attempt (a retry minutes later must still be inside the receiver's replay window), retried while the receiver
 * is down or answers 5xx/429 — as sim/payment.tsx delivers its confirmations. A 4xx other than 429 is a refusal that
 * retrying cannot change. Every callback is kept for GET /dev/reports.
 */

export type ReportCallback = {
  gateway: 'sms' | 'zns';
  messageId: string;
  url: string;
  /** The last body sent (or to be sent). */
  body: string;
  attempts: number;
  outcome: 'pending' | 'delivered' | 'rejected' | 'gave_up';
  lastStatus: number | null;
};

/** One signed request: the body and its headers, built at each attempt. */
export type SignedReport = { body: string; headers: Record<string, string> };

/** Waits between attempts after the first (then it gives up). */
const RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000];

export function reportSender(log: ReportCallback[], retryDelaysMs: readonly number[] = RETRY_DELAYS_MS) {
  async function attempt(cb: ReportCallback, build: () => SignedReport): Promise<boolean> {
    cb.attempts++;
    const signed = build();
    cb.body = signed.body;
    try {
      const res = await fetch(cb.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...signed.headers },
        body: signed.body,
        signal: AbortSignal.timeout(5000),
      });
      cb.lastStatus = res.status;
      await res.body?.cancel();
      if (res.ok) cb.outcome = 'delivered';
      else if (res.status < 500 && res.status !== 429) cb.outcome = 'rejected';
      return cb.outcome !== 'pending';
    } catch {
      cb.lastStatus = null;
      return false;
    }
  }

  /** Sends the report `delayMs` from now, then retries in the background; never throws. */
  return function send(
    cb: Omit<ReportCallback, 'attempts' | 'outcome' | 'lastStatus' | 'body'>,
    build: () => SignedReport,
    delayMs: number,
  ) {
    const entry: ReportCallback = { ...cb, body: '', attempts: 0, outcome: 'pending', lastStatus: null };
    log.push(entry);
    if (log.length > 5000) log.shift();
    const retry = (i: number) => {
      const delay = retryDelaysMs[i];
      if (delay === undefined) {
        entry.outcome = 'gave_up';
        return;
      }
      setTimeout(() => void attempt(entry, build).then((done) => done || retry(i + 1)), delay).unref();
    };
    setTimeout(() => void attempt(entry, build).then((done) => done || retry(0)), delayMs).unref();
  };
}
