/**
 * The session lookup's answers (auth/sessions.ts), kept a few seconds in this process so that a page does not pay a
 * round trip to the database for who is asking (SESSION_CACHE_MS; 0 turns it off — the default outside production,
 * where tests write the database directly and read the page at once). Measured in docs/decisions/0032.
 *
 * Never older than what the database says, as far as a process can know:
 * - every change of what the lookup reads (sessions but their once-a-minute touch, accounts, citizens, in-app
 *   notices; the VNeID-only cutoff of units and of the province) is announced at its commit to every process
 *   (migrations 0052, 0055, payload `sessions`) and empties the cache;
 * - every unsafe request this process served empties it too before its answer leaves (app.tsx): the next request of
 *   whoever logged out, suspended an account or read a notice here is read afresh;
 * - nothing is kept or read while the announcements are not known to arrive (ChangeFeed.isLive false: reconnecting,
 *   or the listening connection's heartbeat overdue — src/db/listen.ts);
 * - an entry is checked again against the idle and absolute limits on every use, and lives at most ttlMs.
 */
export class SessionCache<T> {
  private readonly entries = new Map<string, { value: T; at: number }>();
  private hitCount = 0;
  /** Counts the clears: an answer read from the database before one must not be kept after it. */
  private clears = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly isLive: () => boolean,
    private readonly maxEntries = 20_000,
  ) {}

  /** The cached answer for the token's hash, if fresh and the announcements are being received. */
  get(key: string, now: number): T | undefined {
    if (this.ttlMs <= 0 || !this.isLive()) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    this.hitCount++;
    return entry.value;
  }

  /** What set() is given with an answer about to be read: the cache's state when the read began. */
  get epoch(): number {
    return this.clears;
  }

  /**
   * Keeps an answer read from the database since `epoch`; ignored if the cache was emptied meanwhile — the read
   * may have begun before a change committed (a logout) and would otherwise serve the old row for ttlMs.
   */
  set(key: string, value: T, now: number, epoch: number): void {
    if (this.ttlMs <= 0 || !this.isLive() || epoch !== this.clears) return;
    // The oldest first out: a bound on memory, whatever the number of sessions.
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, at: now });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.clears++;
  }

  /** How many lookups it answered (tests, and the figures of the decision record). */
  get hits(): number {
    return this.hitCount;
  }
}
