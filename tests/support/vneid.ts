/**
 * The VNeID simulator started in-process on a free port, and a minimal browser for its pages
 * (cookie jar, manual redirects), so a test can walk the whole login as a person would.
 */
import net from 'node:net';
import { startSimulator, type Simulator } from '../../sim/server.js';
import type { SimPerson } from '../../sim/population-types.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { buildApp, TEST_PASSWORD, type App, type Client } from './app.js';
import { resetDatabase, testDatabase } from './db.js';
import { seedDemo } from '../../src/demo/seed.js';
import type { Database } from '../../src/db/client.js';

export const APP_URL = 'http://localhost:3999';
export const SIM_CLIENT = { client_id: 'motcua-test', client_secret: 'motcua-test-secret' };
export const REGISTRY_TOKEN = 'registry-test-token';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export async function startTestSimulator(extraRedirects: string[] = []): Promise<Simulator & { env: Record<string, string> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const sim = await startSimulator({
    port,
    issuer,
    registryToken: REGISTRY_TOKEN,
    clients: [
      {
        ...SIM_CLIENT,
        redirect_uris: [`${APP_URL}/tiepnhan/dang-nhap/vneid/callback`, `${APP_URL}/dang-nhap/vneid/callback`, ...extraRedirects],
      },
    ],
  });
  return {
    ...sim,
    env: {
      VNEID_ISSUER: issuer,
      VNEID_CLIENT_ID: SIM_CLIENT.client_id,
      VNEID_CLIENT_SECRET: SIM_CLIENT.client_secret,
      REGISTRY_URL: `${issuer}/registry/v1/verify`,
      REGISTRY_TOKEN,
    },
  };
}

type Resp = { status: number; location: string | null; text: string };

/** The person's browser at the simulator's origin. */
export class SimBrowser {
  private cookies = new Map<string, string>();
  constructor(private base: string) {}

  async request(method: string, url: string, form?: Record<string, string>): Promise<Resp> {
    const abs = new URL(url, this.base);
    const res = await fetch(abs, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form) : null,
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const i = pair!.indexOf('=');
      const [k, v] = [pair!.slice(0, i), pair!.slice(i + 1)];
      if (v === '' || /expires=Thu, 01 Jan 1970/i.test(sc)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, abs).toString() : null, text: await res.text() };
  }

  /** Follow redirects at the simulator until one leaves it (to the app) or a page is shown. */
  async follow(url: string): Promise<Resp & { url: string }> {
    let current = url;
    for (let i = 0; i < 10; i++) {
      if (!current.startsWith(this.base)) return { status: 303, location: current, text: '', url: current };
      const r = await this.request('GET', current);
      if (r.status >= 300 && r.status < 400 && r.location) {
        current = r.location;
        continue;
      }
      return { ...r, url: current };
    }
    throw new Error('too many redirects');
  }
}

/** The newest OTP delivered to a phone, read from the simulator's outbox. */
export async function latestOtp(simUrl: string, phone: string): Promise<string | null> {
  const res = await fetch(`${simUrl}/dev/sms?phone=${encodeURIComponent(phone)}`);
  const msgs = (await res.json()) as Array<{ text: string }>;
  const m = msgs[0] && /(\d{6})/.exec(msgs[0].text);
  return m ? m[1]! : null;
}

/** A refused login (officials' or citizens') answers 303 to its area's clean error page: follow it, as a browser does. */
export async function followLoginError(app: Client, res: Awaited<ReturnType<Client['get']>>) {
  const clean = res.location === '/tiepnhan/dang-nhap/loi' || res.location === '/dang-nhap/loi';
  return res.status === 303 && clean ? app.get(res.location!) : res;
}

/**
 * The whole VNeID login from the app's button to the app's callback. Returns the app's answer to
 * the callback (or where it stopped, with `stoppedAt`).
 */
export async function vneidLogin(
  app: Client,
  sim: Simulator,
  person: Pick<SimPerson, 'soDinhDanh' | 'password' | 'soDienThoai'>,
  start = '/tiepnhan/dang-nhap/vneid',
) {
  const begin = await app.get(start);
  if (begin.status !== 303 || !begin.location?.startsWith(sim.url)) return { stoppedAt: 'start' as const, app: begin };
  const browser = new SimBrowser(sim.url);
  const page = await browser.follow(begin.location);
  const uid = /\/interaction\/([^/?#]+)/.exec(page.url)?.[1];
  if (!uid) return { stoppedAt: 'interaction' as const, page };
  const login = await browser.request('POST', `/interaction/${uid}/vneid`, { soDinhDanh: person.soDinhDanh, password: person.password });
  if (login.status !== 303) return { stoppedAt: 'password' as const, page: login };
  const otp = await latestOtp(sim.url, person.soDienThoai);
  if (!otp) return { stoppedAt: 'otp' as const, page: login };
  const confirmed = await browser.request('POST', `/interaction/${uid}/otp`, { otp });
  if (confirmed.status !== 303 || !confirmed.location) return { stoppedAt: 'otp' as const, page: confirmed };
  const back = await browser.follow(confirmed.location);
  if (!back.url.startsWith('http://localhost')) return { stoppedAt: 'provider' as const, page: back };
  const callback = new URL(back.url);
  const first = await app.get(callback.pathname + callback.search);
  const res = await followLoginError(app, first);
  return { stoppedAt: null, app: res, callbackUrl: back.url, browser, first };
}

type TestSimulator = Awaited<ReturnType<typeof startTestSimulator>>;

/**
 * The usual setup of a file that logs people in through the simulator: the worker's database with the demo
 * data loaded afresh before every test, the simulator (faults off), and the app wired to it. Read the fields
 * inside tests (the hooks fill them in).
 */
export function useVneidDemo() {
  const ctx = {} as { database: Database; sim: TestSimulator; app: App };
  beforeAll(async () => {
    ctx.database = await testDatabase();
    ctx.sim = await startTestSimulator();
    ctx.app = buildApp(ctx.database, ctx.sim.env);
  });
  afterAll(async () => {
    await ctx.sim?.close();
  });
  beforeEach(async () => {
    await resetDatabase(ctx.database);
    await seedDemo(ctx.database.db, TEST_PASSWORD);
    Object.assign(ctx.sim.state.faults, { outage: false, latencyMs: 0, dropSms: false });
  });
  return ctx;
}
