/**
 * Build the real application on the test database, and a small cookie-keeping client that
 * fills in CSRF tokens and solves the CAPTCHA the way a browser would.
 */
import pino from 'pino';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/sha';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { buildDeps } from '../../src/deps.js';
import type { Database } from '../../src/db/client.js';

export const TEST_PASSWORD = 'demo-password-for-tests';

export function buildApp(database: Database, env: Record<string, string> = {}, opts: { now?: () => Date } = {}) {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123', ...env });
  // The same proof of work as production, with a tiny difficulty so tests stay fast.
  return createApp(
    buildDeps(config, database, pino({ level: 'silent' }), {
      captcha: { counterMin: 10, counterMax: 50, cost: 1 },
      idpTimeoutMs: 2000,
      ...opts,
    }),
  );
}

export type App = ReturnType<typeof buildApp>;

export type Response = { status: number; headers: Headers; text: string; location: string | null };

export class Client {
  cookies = new Map<string, string>();
  constructor(
    private app: App,
    private ip = '192.0.2.10',
    public origin = 'http://localhost',
  ) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private absorb(res: globalThis.Response) {
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(sc) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.app.request(
      `http://localhost${path}`,
      { method, body: body ?? null, headers: { cookie: this.cookieHeader(), ...headers } },
      { incoming: { socket: { remoteAddress: this.ip } } },
    );
    this.absorb(res);
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get('location') };
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** The CSRF token of the current page state (fetched from a page if needed). */
  async csrf(fromPath = '/tiepnhan/dang-nhap'): Promise<string> {
    const page = await this.get(fromPath);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.text);
    if (!m) throw new Error(`no CSRF token on ${fromPath} (status ${page.status})`);
    return m[1]!;
  }

  async post(
    path: string,
    form: Record<string, string | string[]>,
    opts: { csrf?: string | null; csrfFrom?: string; headers?: Record<string, string> } = {},
  ) {
    const params = new URLSearchParams();
    const token = opts.csrf === undefined ? await this.csrf(opts.csrfFrom) : opts.csrf;
    if (token !== null) params.set('_csrf', token);
    for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
    return this.request('POST', path, params, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: this.origin,
      ...(opts.headers ?? {}),
    });
  }

  /** Fetch a CAPTCHA challenge and solve it, as the widget does in the browser. */
  async captcha(): Promise<string> {
    const res = await this.get('/tiepnhan/captcha');
    const challenge = JSON.parse(res.text) as Challenge;
    const solution = await solveChallenge({ challenge, deriveKey });
    if (!solution) throw new Error('could not solve captcha');
    return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  }

  async login(username: string, password: string, extra: Record<string, string> = {}, csrfFrom?: string) {
    const captcha = await this.captcha();
    return this.post('/tiepnhan/dang-nhap', { username, password, altcha: captcha, ...extra }, csrfFrom ? { csrfFrom } : {});
  }
}
