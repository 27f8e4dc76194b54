/**
 * Graceful shutdown of one instance (src/web/lifecycle.ts), on a real HTTP server over the real app: once draining,
 * /readyz says 503 "draining" while requests are still served, every answer carries `Connection: close` (a request
 * in flight when draining began too), then the listener closes; requests in flight finish within the grace bound,
 * and one that outlives it is cut and reported. The whole cluster under load: tests/cluster-rolling.test.ts.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { buildDeps } from '../src/deps.js';
import { drainable } from '../src/web/lifecycle.js';
import { testDatabase } from './support/db.js';

type Answer = { status: number; connection: string | undefined; body: string };

/** A GET over `agent` (keep-alive), with the Connection header Node's fetch would hide. */
function get(port: number, path: string, agent: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real app behind a real server, plus /slow?ms=… (answered after a pause) to have a request in flight. */
function startInstance(database: Database) {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123' });
  const deps = buildDeps(config, database, pino({ level: 'silent' }));
  const app = createApp(deps);
  const server = serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: async (req: Request, env: unknown) => {
      const url = new URL(req.url);
      if (url.pathname === '/slow') {
        await sleep(Number(url.searchParams.get('ms')));
        return new Response('slow done');
      }
      return app.fetch(req, env);
    },
  });
  if (!(server instanceof http.Server)) throw new Error('expected an HTTP/1.1 server');
  const listener = drainable(server, deps.lifecycle);
  const ready = new Promise<number>((resolve) => server.once('listening', () => resolve((server.address() as AddressInfo).port)));
  return { deps, server, listener, ready };
}

describe('an instance that is told to stop', () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
  });

  it('reports draining at once, serves on with Connection: close, closes, and lets requests in flight finish', async () => {
    const inst = startInstance(database);
    const port = await inst.ready;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const before = await get(port, '/readyz', agent);
      expect(before.status).toBe(200);
      expect(JSON.parse(before.body)).toMatchObject({ status: 'ready', database: 'ok', worker: 'off', draining: false });
      expect(before.connection).toBe('keep-alive');

      // In flight when draining begins: it finishes normally, and its connection is not kept.
      const inFlight = get(port, '/slow?ms=600', agent);
      await sleep(100);
      const drained = inst.listener.drain({ drainMs: 300, graceMs: 3_000 });

      const during = await get(port, '/readyz', agent);
      expect(during.status).toBe(503);
      expect(JSON.parse(during.body)).toEqual({ status: 'draining', database: 'ok', engine: database.kind, worker: 'off', draining: true });
      expect(during.connection).toBe('close');
      // Any other request during the delay is still served (the load balancer may not have seen the 503 yet).
      const page = await get(port, '/healthz', agent);
      expect(page.status).toBe(200);
      expect(page.connection).toBe('close');

      const slow = await inFlight;
      expect(slow).toEqual({ status: 200, connection: 'close', body: 'slow done' });
      expect(await drained).toEqual({ timedOut: false, cut: 0 });
      expect(inst.server.listening).toBe(false);
      // The listener is closed: a new connection is refused (a load balancer retries it elsewhere).
      await expect(get(port, '/readyz', new http.Agent({ keepAlive: false }))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      agent.destroy();
      if (inst.server.listening) inst.server.close();
    }
  });

  it('answers a request whose connection was accepted before the listener closed but was read only after', async () => {
    const inst = startInstance(database);
    const port = await inst.ready;
    // Accepted now; its request bytes come later, as they would to a busy event loop (http.Server#close would
    // destroy such a connection as idle).
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (answer += d));
    const ended = new Promise((resolve) => socket.once('close', resolve));
    const drained = inst.listener.drain({ drainMs: 0, graceMs: 3_000 });
    await sleep(300);
    expect(inst.server.listening).toBe(false);
    socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await ended;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(await drained).toEqual({ timedOut: false, cut: 0 });
  });

  it('cuts a request that outlives SHUTDOWN_GRACE_MS and says so', async () => {
    const inst = startInstance(database);
    const port = await inst.ready;
    const agent = new http.Agent({ keepAlive: true });
    try {
      const stuck = get(port, '/slow?ms=5000', agent).then(
        () => 'answered',
        (err: NodeJS.ErrnoException) => err.code,
      );
      await sleep(100);
      expect(await inst.listener.drain({ drainMs: 0, graceMs: 400 })).toEqual({ timedOut: true, cut: 1 });
      expect(await stuck).toBe('ECONNRESET');
    } finally {
      agent.destroy();
    }
  });
});
