/**
 * LISTEN on a channel, for caches that must follow writes made by any process on the same database
 * (src/db/changes.ts). On a server, one connection of its own per channel (a pooled connection cannot keep a
 * LISTEN: the pool hands it to others and closes it when idle); PGlite delivers notifications in its process.
 */
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
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
  /**
   * Whether notifications are known to reach this process now: on a server, a heartbeat of this listener's came
   * back within the bound (see pgChannelListener); evaluated at each call, so a feed gone silent stops being
   * trusted at once, before its timer tears the connection down.
   */
  isLive(): boolean;
  close(): Promise<void>;
};

/** How a server listener proves it still receives notifications (config.ts: CHANGE_FEED_HEARTBEAT_MS). */
export type Heartbeat = {
  /** One heartbeat per interval. */
  intervalMs: number;
  /** Live only while the latest heartbeat that came back was sent less than this long ago. */
  staleMs: number;
  /** Sends one notification from another connection than the listening one (the pool). */
  notify(channel: string, payload: string): Promise<unknown>;
};

/** The longest wait between reconnection attempts (the first waits one heartbeat interval, each next one twice as long). */
const MAX_RETRY_MS = 10_000;
/** A connection or its LISTEN that does not answer within this is given up (and tried again). */
const CONNECT_TIMEOUT_MS = 5_000;
/** At shutdown, how long a goodbye to the server may take before the socket is simply closed. */
const CLOSE_GRACE_MS = 1_000;

/** Milliseconds on a monotonic clock: a wall clock set back or forward must not make a feed look alive or dead. */
const monotonic = () => performance.now();

/**
 * LISTEN on one connection of its own, reconnecting, and proving it is alive.
 *
 * A connection can die silently: a network partition, a backend killed without the socket closing, a half-open TCP
 * connection. The driver notices only when TCP keepalive gives up (minutes), and meanwhile every change announced
 * by other processes is lost while the caches go on trusting themselves. So every `heartbeat.intervalMs` the
 * listener sends a fresh token on a channel of its own and counts itself live only while the latest token that came
 * back was sent less than `heartbeat.staleMs` ago. Past that, isLive() is false at once; at the next tick the
 * connection is torn down (its socket destroyed: a goodbye would never be answered) and opened again with backoff.
 *
 * The token is sent through the pool (`heartbeat.notify`), not on the listening connection: that way it travels
 * exactly as every change does — another backend commits it into the server's notification queue, signals the
 * listening backend, which reads the queue and writes it to this socket. A `select pg_notify(…)` on the listening
 * connection itself would come back with its own answer on the same socket, and a backend notifies itself without
 * the signal other backends need. The queue is one for all channels, read in commit order, so a heartbeat sent at
 * T that arrives proves that every change committed before T arrived too. A channel of its own, LISTENed on the
 * same connection, rather than the changes' channel: every other process would otherwise receive every process's
 * heartbeats (and an older version, during a rolling upgrade, would take them for changes); what fails silently
 * is the connection or its backend, which carry both channels alike.
 *
 * Cost: one `select pg_notify($1, $2)` per interval per listening process, and one notification back to it.
 */
export function pgChannelListener(url: string, channel: string, onError: (err: Error) => void, heartbeat: Heartbeat): ChannelListener {
  const handlers = new Set<ListenHandlers>();
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  // Lower case: NOTIFY's channel is matched exactly, LISTEN's quoted identifier too.
  const heartbeatChannel = `${channel}_hb_${crypto.randomBytes(8).toString('hex')}`.toLowerCase();
  let client: pg.Client | null = null;
  /** The connection being opened, if any: closed with the listener rather than left to its time limit. */
  let connecting: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;
  /** Reconnections since a heartbeat last came back: the backoff's exponent. */
  let attempts = 0;
  // One report per outage, not one per attempt while the server is away.
  let failing = false;
  /** When the latest heartbeat that came back was sent (or the LISTEN completed); null while not listening. */
  let confirmedAt: number | null = null;
  /** Heartbeats sent and not back yet: token → when sent. */
  const pending = new Map<string, number>();
  /** When the heartbeat being sent was handed to the pool; null when none is. A pool that hangs gets one, not a pile. */
  let sendingSince: number | null = null;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const isLive = () => client !== null && confirmedAt !== null && monotonic() - confirmedAt < heartbeat.staleMs;

  const setLive = (v: boolean) => {
    for (const h of handlers) h.live(v);
  };

  function heard(token: string) {
    const sentAt = pending.get(token);
    if (sentAt === undefined) return; // a token of a connection given up
    for (const [t, at] of pending) if (at <= sentAt) pending.delete(t);
    confirmedAt = Math.max(confirmedAt ?? sentAt, sentAt);
    attempts = 0;
    failing = false;
  }

  function send() {
    const now = monotonic();
    if (sendingSince !== null && now - sendingSince < heartbeat.staleMs) return;
    for (const [t, at] of pending) if (now - at >= heartbeat.staleMs) pending.delete(t);
    const token = crypto.randomUUID();
    pending.set(token, now);
    sendingSince = now;
    // A failure needs no report of its own: the pool reports lost connections, and the missing heartbeat ends trust.
    heartbeat
      .notify(heartbeatChannel, token)
      .catch(() => undefined)
      .finally(() => {
        if (sendingSince === now) sendingSince = null;
      });
  }

  /** The connection is gone or no longer proves anything: nothing cached is trusted, and it is opened again. */
  function lost(c: pg.Client) {
    if (client !== c) return;
    client = null;
    confirmedAt = null;
    pending.clear();
    c.connection.stream.destroy();
    setLive(false);
    scheduleRetry();
  }

  function scheduleRetry() {
    if (closed) return;
    const delay = Math.min(heartbeat.intervalMs * 2 ** attempts, MAX_RETRY_MS);
    attempts = Math.min(attempts + 1, 30);
    retry = setTimeout(connect, delay);
    retry.unref();
  }

  const ticker = setInterval(() => {
    const c = client;
    if (!c) return;
    // Judged after the I/O already waiting: when this process was busy past the bound, a heartbeat sitting in the
    // socket's buffer is counted before the connection is condemned.
    setImmediate(() => {
      if (closed || client !== c) return;
      if (isLive()) return send();
      if (!failing) onError(new Error(`no heartbeat of the change feed came back within ${heartbeat.staleMs} ms; listening again`));
      failing = true;
      lost(c);
    });
  }, heartbeat.intervalMs);
  ticker.unref();

  async function connect(): Promise<void> {
    retry = null;
    if (closed) return;
    // Keepalive still ends a connection whose peer vanished, for the rare case the heartbeat has not yet.
    const c = new pg.Client({
      connectionString: url,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      // A LISTEN on a connection that went silent at once would otherwise wait forever, and no retry would follow.
      query_timeout: CONNECT_TIMEOUT_MS,
      application_name: 'motcua change feed',
    });
    c.on('error', () => undefined); // followed by 'end', handled below
    connecting = c;
    c.on('notification', (n) => {
      if (client !== c) return;
      if (n.channel === heartbeatChannel) heard(n.payload ?? '');
      else if (n.channel === channel) for (const h of handlers) h.message(n.payload ?? '');
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${quote(channel)}; LISTEN ${quote(heartbeatChannel)}`);
    } catch (err) {
      connecting = null;
      if (closed) return;
      if (!failing) onError(err as Error);
      failing = true;
      c.connection.stream.destroy();
      scheduleRetry();
      return;
    }
    connecting = null;
    if (closed) return void c.end().catch(() => undefined);
    client = c;
    c.once('end', () => lost(c));
    // Listening from now on, and every cache is dropped (setLive): what was committed before is read afresh.
    confirmedAt = monotonic();
    setLive(true);
    markReady();
    send();
  }
  void connect();

  return {
    add(h) {
      handlers.add(h);
      if (client) h.live(true);
      return () => handlers.delete(h);
    },
    ready,
    isLive,
    async close() {
      closed = true;
      clearInterval(ticker);
      if (retry) clearTimeout(retry);
      connecting?.connection.stream.destroy();
      const c = client;
      client = null;
      if (!c) return;
      // A goodbye, unless the server does not answer it (a connection gone silent): then the socket is just closed.
      const cut = setTimeout(() => c.connection.stream.destroy(), CLOSE_GRACE_MS);
      cut.unref();
      await c.end().catch(() => undefined);
      clearTimeout(cut);
    },
  };
}

export function pgliteChannelListener(pglite: PGlite, channel: string): ChannelListener {
  const handlers = new Set<ListenHandlers>();
  // Notifications come from this process only, with the query that committed them: live once listening, for as
  // long as the process lives — there is no connection to lose, so no heartbeat.
  let listening = false;
  const ready = pglite
    .listen(channel, (payload) => {
      for (const h of handlers) h.message(payload);
    })
    .then(() => {
      listening = true;
    });
  return {
    add(h) {
      handlers.add(h);
      void ready.then(() => handlers.has(h) && h.live(true));
      return () => handlers.delete(h);
    },
    ready,
    isLive: () => listening,
    close: async () => undefined,
  };
}
