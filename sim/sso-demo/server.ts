/**
 * Start the SSO demo application (app.tsx) on a port, on every interface as `npm start` listens (or `host`); port 0
 * takes a free one (its address is then returned).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ssoDemoApp } from './app.js';

export async function startSsoDemoClient(opts: { issuer: string; clientId: string; port: number; host?: string; url?: string }) {
  let url = opts.url ?? `http://localhost:${opts.port}`;
  let demo: ReturnType<typeof ssoDemoApp> | null = null;
  const server = serve({ fetch: (req, env) => demo!.app.fetch(req, env), port: opts.port, ...(opts.host ? { hostname: opts.host } : {}) });
  await once(server, 'listening');
  if (!opts.url) url = `http://localhost:${(server.address() as AddressInfo).port}`;
  demo = ssoDemoApp({ issuer: opts.issuer, clientId: opts.clientId, url });
  return {
    url,
    sessionCount: demo.sessionCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
