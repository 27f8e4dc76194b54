/**
 * The one way a process learns that what its caches hold changed — in this process or in another one on the same
 * database: notifications on the channel `motcua_changes`. The catalog's tables announce their writes from a
 * trigger, in the writing transaction (migration 0038: payload `catalog`); administration and account pages
 * announce theirs after a successful write (`display`, app.tsx). Subscribers — the display cache, the in-memory
 * catalog — drop what they hold on any change, and while notifications cannot be received `isLive()` is false and
 * nothing cached may be trusted (docs/decisions/0015-catalog-search.md). On PostgreSQL "received" is proven, not
 * assumed: the listening connection's heartbeat must come back within CHANGE_FEED_HEARTBEAT_MS × 3, or the feed is
 * not live at once and its connection is opened again — a connection that died silently (a network partition, a
 * half-open socket) would otherwise be trusted until the driver noticed (src/db/listen.ts, docs/decisions/0032).
 * The session lookup's tables announce theirs as `sessions` (migration 0052), and so does the SSO client registry
 * (migration 0053), heard only by the session caches (auth/session-cache.ts, sso/clients.ts): a notice or a login
 * must not empty the catalog.
 */
import crypto from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from './client.js';

const CHANNEL = 'motcua_changes';

/** Who hears a change: the page chrome and catalog caches (every payload but `sessions`), or the session cache. */
export type ChangeTopic = 'display' | 'sessions';

export class ChangeFeed {
  private readonly subscribers = new Map<ChangeTopic, Set<() => void>>([
    ['display', new Set()],
    ['sessions', new Set()],
  ]);
  private readonly waiting = new Map<string, () => void>();
  private readonly listening: { ready: Promise<void>; isLive(): boolean; stop(): void };

  constructor(private readonly database: Database) {
    this.listening = database.listen(CHANNEL, {
      message: (payload) => this.received(payload),
      live: () => {
        // Coming back, what was sent meanwhile is lost; going away, nothing can be trusted until then.
        this.changed('display');
        this.changed('sessions');
        // A marker may be lost with the connection; either way every cache was just dropped, which is all it waits for.
        for (const done of this.waiting.values()) done();
        this.waiting.clear();
      },
    });
  }

  /**
   * Whether changes made elsewhere reach this process now: false until listening, while reconnecting, and as soon as
   * the heartbeat is overdue (PostgreSQL). Asked at every use of a cache, never remembered.
   */
  isLive(): boolean {
    return this.listening.isLive();
  }

  /** Calls `fn` on every change of the topic (synchronously: keep it to dropping what is cached). */
  subscribe(fn: () => void, topic: ChangeTopic = 'display'): void {
    this.subscribers.get(topic)?.add(fn);
  }

  /**
   * A successful write whose effect no trigger announces: this process's caches are dropped now (its next page
   * shows the change), every other process's when the notification reaches it.
   */
  async announce(): Promise<void> {
    this.changed('display');
    await this.database.db.execute(sql`select pg_notify(${CHANNEL}, 'display')`);
  }

  /**
   * Resolves once every change committed before this call has reached this process: notifications arrive in
   * commit order, so a marker sent now arrives after them. For tests that write to the database directly.
   */
  async settled(): Promise<void> {
    await this.listening.ready;
    const marker = `settled:${crypto.randomUUID()}`;
    const arrived = new Promise<void>((resolve) => this.waiting.set(marker, resolve));
    await this.database.db.execute(sql`select pg_notify(${CHANNEL}, ${marker})`);
    await arrived;
  }

  private received(payload: string) {
    const done = this.waiting.get(payload);
    if (done) {
      this.waiting.delete(payload);
      done();
    } else if (!payload.startsWith('settled:')) this.changed(payload === 'sessions' ? 'sessions' : 'display');
  }

  private changed(topic: ChangeTopic) {
    for (const fn of this.subscribers.get(topic) ?? []) fn();
  }
}
