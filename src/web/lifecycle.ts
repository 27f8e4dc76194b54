/**
 * An instance's life after start: ready, then draining, then closed (docs/decisions/0026).
 *
 * On SIGTERM the instance first says "draining" on /readyz (503) while it goes on serving, so the load balancer's
 * health check takes it out of rotation before anything is refused; only then does the listener close. Requests in
 * flight finish (up to a bound); every answer given while draining carries `Connection: close`, so no client or
 * proxy keeps a connection that is about to disappear, and idle keep-alive connections are closed.
 */
import type http from 'node:http';

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

/**
 * Watches `server`'s requests so that `drain` can close it gracefully. Call it before the server takes requests.
 * The listener runs before the application's, so the header is set before any answer is written.
 */
export function drainable(server: http.Server, lifecycle: Lifecycle): { drain(opts: DrainOptions): Promise<DrainResult> } {
  const inFlight = new Set<http.ServerResponse>();
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
    if (lifecycle.draining) res.setHeader('Connection', 'close');
  });
  return {
    async drain({ drainMs, graceMs }) {
      lifecycle.startDraining();
      // Answers not yet begun close their connection too (Node would keep it alive otherwise).
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      await sleep(drainMs);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() ends only the connections idle at that moment: one whose answer had begun before draining (a
      // download) stays keep-alive after it, and is ended here once idle.
      server.closeIdleConnections();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
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
