/**
 * The simulator on its own origin: one HTTP server in front of the OpenID provider, the VNeID
 * screens, the testers' endpoints and the registry. Fault switches apply to everything but /dev.
 */
import http from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { createSimState, type SimState } from './state.js';
import { createProvider, type SimClient } from './provider.js';
import { screenRoutes } from './screens.js';
import { devRoutes } from './dev.js';
import { paymentRoutes, type PaymentMerchant } from './payment.js';
import { smsGatewayRoutes, type SmsGatewayOptions } from './sms-gateway.js';
import { znsGatewayRoutes, type ZnsGatewayOptions } from './zns-gateway.js';
import type { ReportCallback } from './report-callback.js';
import { nationalPortalRoutes, type NationalPortalStandIn } from './national-portal.js';
import { createMailbox, mailRoutes, startSmtpStandIn, type Mailbox } from './smtp.js';

export type SimulatorOptions = {
  port: number;
  /** Public origin of the simulator, e.g. http://localhost:3001. */
  issuer: string;
  clients: SimClient[];
  registryToken: string;
  /** The payment platform's merchants (code, shared secret, name shown on the payment page). */
  payment?: { merchants: PaymentMerchant[] };
  /** The brandname SMS gateway's stand-in (sms-gateway.ts); unset: /sms-gateway answers 404. */
  sms?: SmsGatewayOptions | undefined;
  /** The Zalo ZNS stand-in (zns-gateway.ts); unset: /zns answers 404. */
  zns?: ZnsGatewayOptions | undefined;
  /** The national portal's synchronisation API stand-in (national-portal.ts); unset: it answers 404. */
  nationalPortal?: NationalPortalStandIn | undefined;
  /** The SMTP stand-in (smtp.ts) on its own port (0: any free one); unset: none, /dev/mail lists nothing. */
  smtp?: { port: number } | undefined;
  host?: string;
};

export type Simulator = { url: string; state: SimState; mailbox: Mailbox; smtpPort: number | null; close(): Promise<void> };

const MAINTENANCE =
  '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Bảo trì</title></head><body><h1>Hệ thống đang bảo trì</h1><p>Vui lòng thử lại sau.</p></body></html>';

export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const state = createSimState();
  const provider = await createProvider(opts.issuer, state, opts.clients);
  const hono = new Hono();
  hono.route('/', devRoutes(state, opts.registryToken));
  hono.route('/', paymentRoutes(state, opts.payment?.merchants ?? []));
  // The delivery reports the SMS and ZNS stand-ins called back, oldest first (GET /dev/reports).
  const reports: ReportCallback[] = [];
  if (opts.sms) hono.route('/', smsGatewayRoutes(state, opts.sms, reports));
  if (opts.zns) hono.route('/', znsGatewayRoutes(state, opts.zns, reports));
  hono.get('/dev/reports', (c) => c.json(reports));
  hono.route('/', nationalPortalRoutes(state, opts.nationalPortal));
  const mailbox = createMailbox();
  hono.route('/', mailRoutes(mailbox));
  hono.route('/', screenRoutes(provider, state) as unknown as Hono);
  hono.get('/', (c) => c.redirect('/dev/people'));
  const honoListener = getRequestListener(hono.fetch);
  const providerListener = provider.callback();
  const ownPaths = /^\/(interaction\/|dev\/|registry\/|sim-payment\/|sms-gateway\/|zns\/|national-portal\/|sim\.css$)/;

  const server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (!path.startsWith('/dev/')) {
      if (state.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, state.faults.latencyMs));
      if (state.faults.outage) {
        res.writeHead(503, {
          'Content-Type':
            path.startsWith('/interaction') || path.startsWith('/sim-payment/') ? 'text/html; charset=utf-8' : 'application/json',
        });
        res.end(
          path.startsWith('/interaction') || path.startsWith('/sim-payment/')
            ? MAINTENANCE
            : JSON.stringify({ error: 'temporarily_unavailable', error_description: 'Hệ thống đang bảo trì' }),
        );
        return;
      }
    }
    if (ownPaths.test(path) || path === '/') return honoListener(req, res);
    return providerListener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const smtp = opts.smtp ? await startSmtpStandIn({ port: opts.smtp.port, host: opts.host, mailbox, faults: state.faults }) : null;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    mailbox,
    smtpPort: smtp?.port ?? null,
    close: async () => {
      await smtp?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
