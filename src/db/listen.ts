/**
 * LISTEN on a channel, for caches that must follow writes made by any process on the same database
 * (src/db/changes.ts). On a server, one connection of its own per channel (a pooled connection cannot keep a
 * LISTEN: the pool hands it to others and closes it when idle); PGlite delivers notifications in its process.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type ListenHandlers = {
  /** A notification's payload, from whichever process sent it (this one too). */
  message(payload: string): void;
  /**
   * Whether notifications are being received. False when the connection broke: what was sent meanwhile is lost,
   * so a cache must not trust itself until it is true again (and reload then).
   */
  live(isLive: boolean): void;
};

export type ChannelListener = {
  add(handlers: ListenHandlers): () => void;
  /** Resolves once the channel is listened to (the first time). */
  ready: Promise<void>;
  close(): Promise<void>;
};

/** Between reconnection attempts while the server is away. */
const RETRY_MS = 1_000;

export function pgChannelListener(url: string, channel: string, onError: (err: Error) => void): ChannelListener {
  const handlers = new Set<ListenHandlers>();
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  // One report per outage, not one a second while the server is away.
  let failing = false;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const setLive = (v: boolean) => {
    live = v;
    for (const h of handlers) h.live(v);
  };

  async function connect(): Promise<void> {
    retry = null;
    if (closed) return;
    // Keepalive notices a peer that vanished without closing; the 'end' event then reports it.
    const c = new pg.Client({
      connectionString: url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 5_000,
    });
    c.on('error', () => undefined); // followed by 'end', handled below
    c.on('notification', (n) => {
      if (n.channel === channel) for (const h of handlers) h.message(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
    } catch (err) {
      if (!failing) onError(err as Error);
      failing = true;
      c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(connect, RETRY_MS);
      return;
    }
    if (closed) return void c.end().catch(() => undefined);
    client = c;
    failing = false;
    c.once('end', () => {
      if (client !== c) return;
      client = null;
      setLive(false);
      if (!closed) retry = setTimeout(connect, RETRY_MS);
    });
    setLive(true);
    markReady();
  }
  void connect();

  return {
    add(h) {
      handlers.add(h);
      if (live) h.live(true);
      return () => handlers.delete(h);
    },
    ready,
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      if (c) await c.end().catch(() => undefined);
    },
  };
}

export function pgliteChannelListener(pglite: PGlite, channel: string): ChannelListener {
  const handlers = new Set<ListenHandlers>();
  // Notifications come from this process only, with the query that committed them: always live.
  const ready = pglite
    .listen(channel, (payload) => {
      for (const h of handlers) h.message(payload);
    })
    .then(() => undefined);
  return {
    add(h) {
      handlers.add(h);
      void ready.then(() => handlers.has(h) && h.live(true));
      return () => handlers.delete(h);
    },
    ready,
    close: async () => undefined,
  };
}
