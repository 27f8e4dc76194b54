/**
 * An instance's life after start: ready, then draining, then closed (docs/decisions/0026).
 *
 * On SIGTERM the instance first says "draining" on /readyz (503) while it goes on serving, so the load balancer's
 * health check takes it out of rotation before anything is refused; only then does the listener close. Requests in
 * flight finish (up to a bound); every answer given while draining carries `Connection: close`, so no client or
 * proxy keeps a connection that is about to disappear, and idle keep-alive connections are closed.
 */
import type http from 'node:http';
import net from 'node:net';

/** The job worker of this process: running, off (WORKER=false: another process works the queue), stopped. */
export type WorkerState = 'running' | 'off' | 'stopped';

/** What /readyz reads (src/web/health.ts): one per process, in Deps. */
export class Lifecycle {
  #draining = false;
  #worker: WorkerState = 'off';

  get draining(): boolean {
    return this.#draining;
  }

  get worker(): WorkerState {
    return this.#worker;
  }

  /** From now on /readyz answers 503 "draining"; there is no way back (the process is about to exit). */
  startDraining(): void {
    this.#draining = true;
  }

  /** main.ts says when it starts and stops the job queue of this process. */
  setWorker(state: WorkerState): void {
    this.#worker = state;
  }
}

export type DrainOptions = {
  /** Keep serving (not ready) this long before the listener closes. */
  drainMs: number;
  /** Then wait this long at most for the requests in flight. */
  graceMs: number;
};

export type DrainResult = {
  /** True when requests were still in flight after graceMs (their connections were cut). */
  timedOut: boolean;
  /** How many requests were cut. */
  cut: number;
};

/** A connection that has carried no request this long after it was accepted is closed as idle when draining. */
const UNUSED_CONNECTION_MS = 5_000;

/**
 * Watches `server`'s connections and requests so that `drain` can close it gracefully. Call it before the server
 * takes requests. The request listener runs before the application's, so the header is set before any answer.
 */
export function drainable(server: http.Server, lifecycle: Lifecycle): { drain(opts: DrainOptions): Promise<DrainResult> } {
  const inFlight = new Set<http.ServerResponse>();
  const connections = new Map<net.Socket, { since: number; active: number; served: number }>();
  server.on('connection', (socket: net.Socket) => {
    connections.set(socket, { since: Date.now(), active: 0, served: 0 });
    socket.once('close', () => connections.delete(socket));
  });
  server.prependListener('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    const connection = connections.get(req.socket);
    if (connection) connection.active++;
    res.once('close', () => {
      inFlight.delete(res);
      if (connection) {
        connection.active--;
        connection.served++;
      }
    });
    if (lifecycle.draining) res.setHeader('Connection', 'close');
  });
  // Kept-alive connections between requests, and ones that never sent a request: nothing is lost by closing them.
  // A connection accepted moments ago is left alone: its request may be waiting for a busy event loop to read it.
  const closeIdle = () => {
    const now = Date.now();
    for (const [socket, c] of connections) if (c.active === 0 && (c.served > 0 || now - c.since > UNUSED_CONNECTION_MS)) socket.destroy();
  };
  return {
    async drain({ drainMs, graceMs }) {
      lifecycle.startDraining();
      // Answers not yet begun close their connection too (Node would keep it alive otherwise).
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      await sleep(drainMs);
      // Only the listening socket closes here: http.Server#close (Node 19+) would also destroy every connection
      // without a request under way, including one whose request the event loop has not read yet — lost under load.
      const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
      closeIdle();
      // A connection whose answer began before draining (a download) stays keep-alive after it: ended once idle.
      const sweep = setInterval(closeIdle, 100);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), graceMs);
        }),
      ]);
      clearInterval(sweep);
      clearTimeout(timer);
      const cut = inFlight.size;
      if (timedOut) server.closeAllConnections();
      return { timedOut, cut };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
