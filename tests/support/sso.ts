/**
 * The provincial SSO under test: the real application on a real HTTP server (ephemeral port; oidc-provider needs
 * Node's request and response), a browser-like cookie jar for the provider's pages, and openid-client as the
 * relying party.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import * as oidc from 'openid-client';
import type { Database } from '../../src/db/client.js';
import { registerSsoClient, type RegisterSsoClientInput } from '../../src/sso/register-sso-client.js';
import { systemActor } from '../../src/shared/context.js';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { buildApp, type App } from './app.js';
import { testDatabase } from './db.js';
import { freshDemo } from './fixtures.js';

export type SsoServer = { origin: string; issuer: string; app: App; close(): Promise<void> };

/** `envFor`: more of the app's environment, once its origin is known (e.g. a VNeID simulator that must know the callback). */
export async function startSsoServer(
  database: Database,
  envFor: (origin: string) => Promise<Record<string, string>> = async () => ({}),
): Promise<SsoServer> {
  let app: App | null = null;
  const server = serve({ fetch: (req, env) => app!.fetch(req, env), port: 0, hostname: '127.0.0.1' });
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  app = buildApp(database, { ...(await envFor(origin)), PUBLIC_URL: origin });
  return {
    origin,
    issuer: `${origin}/sso`,
    app,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Cookies by name (one host), redirects not followed: what a browser sends and where it is sent. */
/**
 * A test file against the provider: its own database (before all), the demo data afresh and a provider listening
 * before each test (handed to `set`), stopped after it.
 */
export function useSsoServer(set: (database: Database, server: SsoServer) => void): void {
  let database: Database;
  let server: SsoServer | null = null;
  beforeAll(async () => {
    database = await testDatabase();
  });
  beforeEach(async () => {
    await freshDemo(database);
    server = await startSsoServer(database);
    set(database, server);
  });
  afterEach(async () => {
    await server?.close();
    server = null;
  });
}

export class Browser {
  cookies = new Map<string, string>();

  /** GET, or POST when a form is given (from the page's origin, as a browser posts it). */
  async get(url: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; text: string }> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      redirect: 'manual',
      ...(form
        ? {
            method: 'POST',
            body: new URLSearchParams(form),
            headers: { cookie, origin: new URL(url).origin, 'content-type': 'application/x-www-form-urlencoded' },
          }
        : { headers: { cookie } }),
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(sc) || /max-age=0/i.test(sc) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const location = res.headers.get('location');
    return { status: res.status, location: location ? new URL(location, url).href : null, text: await res.text() };
  }

  /** Follows redirects on `origin` until one leaves it (to the application's redirect URI) or a page answers. */
  async follow(url: string, origin: string): Promise<{ status: number; url: string; text: string }> {
    let at = url;
    for (let i = 0; i < 20; i++) {
      const res = await this.get(at);
      if (!res.location) return { status: res.status, url: at, text: res.text };
      if (!res.location.startsWith(origin)) return { status: res.status, url: res.location, text: '' };
      at = res.location;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

export const APP_CALLBACK = 'https://vbdh.example.gov.vn/auth/callback';

export async function registerTestClient(database: Database, input: Partial<RegisterSsoClientInput> = {}) {
  return registerSsoClient(
    database.db,
    systemActor('test'),
    {
      name: 'Văn bản điều hành (thử nghiệm)',
      redirectUris: [APP_CALLBACK],
      scopes: ['openid', 'profile', 'official'],
      confidential: true,
      ...input,
    },
    { production: false },
  );
}

/** openid-client's view of the provider, as the registered client. */
export function relyingParty(server: SsoServer, clientId: string, clientSecret: string | null) {
  return oidc.discovery(new URL(server.issuer), clientId, {}, clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** The OAuth error code of a refused request (a refused client authentication comes as a WWW-Authenticate challenge). */
export async function oauthError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const challenge = (err as { cause?: Array<{ parameters?: { error?: string } }> }).cause;
    if (Array.isArray(challenge) && challenge[0]?.parameters?.error) return challenge[0].parameters.error;
    return String((err as { error?: string }).error ?? (err as Error).message);
  }
  throw new Error('expected the request to be refused');
}
