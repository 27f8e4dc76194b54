/**
 * A per-process cache for what pages show around their content: the province's name in the header,
 * the administration link, the accounts one may switch to, the calendar that
 * colours due dates. That data changes rarely, only through administration or one's own account
 * pages, and is never what decides whether an official may do something (use cases and policies
 * always read the database). Reading it on every page cost more than the inbox query itself
 * (docs/decisions/0007-inbox-query.md).
 *
 * Cleared by the change feed (src/db/changes.ts, wired in deps.ts): a successful write under administration
 * or account pages clears this process's cache at once and every other process's when PostgreSQL's
 * notification reaches it, and so does any write to the catalog's tables. While the feed is not live (`isLive`:
 * listening again, or its heartbeat overdue) nothing is kept or served: every page loads what it shows. Entries
 * still live only `ttlMs`, a bound for what no announcement covers (the calendar's day). A failed load is not kept;
 * concurrent reads of a missing key share one load.
 */
export class DisplayCache {
  private readonly entries = new Map<string, { until: number; value: Promise<unknown> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly isLive: () => boolean = () => true,
    private readonly maxEntries = 10_000,
  ) {}

  get<V>(key: string, load: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0 || !this.isLive()) return load();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<V>;
    const value = load();
    this.entries.delete(key);
    this.entries.set(key, { until: now + this.ttlMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    // Oldest first: a Map iterates in insertion order.
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
