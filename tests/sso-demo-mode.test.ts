/**
 * Demo mode's provincial SSO: with demo data and no SSO_* the one-stop system is a client of its own provider at
 * PUBLIC_URL/sso (a secret derived from SESSION_SECRET, only its SHA-256 registered), and the demo application of
 * `npm run sso:demo-client` is registered as a public client at its port. Production never gets the built-in default.
 */
import crypto from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { loadConfig } from '../src/config.js';
import type { Database } from '../src/db/client.js';
import { auditLog, ssoClients } from '../src/db/schema/index.js';
import { ensureDemoSsoClients } from '../src/demo/sso-clients.js';
import { freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { oauthError, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';
import { buildApp, Client } from './support/app.js';

const SECRET_A = 'demo-secret-a-demo-secret-a-demo-secret-a';
const SECRET_B = 'demo-secret-b-demo-secret-b-demo-secret-b';
const sha256 = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');

describe('configuration', () => {
  it('demo data without SSO_*: the built-in provider, a derived secret, the demo application at SSO_DEMO_CLIENT_PORT', () => {
    const config = loadConfig({ PORT: '3200', SESSION_SECRET: SECRET_A, SSO_DEMO_CLIENT_PORT: '3222' });
    expect(config.sso).toMatchObject({
      issuer: 'http://localhost:3200/sso',
      clientId: 'motcua-mot-cua',
      clientAuth: 'client_secret_basic',
      scope: 'openid profile cccd',
    });
    expect(config.ssoDemo?.demoClient).toEqual({ clientId: 'motcua-sso-demo', port: 3222, url: 'http://localhost:3222' });
    // Derived from SESSION_SECRET: another secret, another client secret; never the session secret itself.
    const other = loadConfig({ PORT: '3200', SESSION_SECRET: SECRET_B });
    expect(config.sso!.clientSecret).not.toBe(other.sso!.clientSecret);
    expect(config.sso!.clientSecret).not.toContain(SECRET_A);
    expect(config.sso!.clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('SSO_* set: that provider, no demo clients; no demo data: no SSO at all', () => {
    const external = loadConfig({ SSO_ISSUER: 'https://sso.tinh.example.vn', SSO_CLIENT_ID: 'a', SSO_CLIENT_SECRET: 'b' });
    expect(external.sso).toMatchObject({ issuer: 'https://sso.tinh.example.vn', clientId: 'a', scope: 'openid profile cccd' });
    expect(external.ssoDemo).toBeNull();
    expect(loadConfig({ DEMO_DATA: 'false' }).sso).toBeNull();
  });

  it('production never falls back to the built-in provider: only explicit SSO_*', () => {
    const prod = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://dvc.example.vn',
      VNEID_ISSUER: 'https://sso.dichvucong.example.vn',
      VNEID_CLIENT_ID: 'client',
      VNEID_CLIENT_SECRET: 'secret',
      REGISTRY_URL: 'https://ndxp.example.vn/dancu/verify',
      REGISTRY_TOKEN: 'token',
      PAYMENT_URL: 'https://paygov.example.vn/payment/v1/pay',
      PAYMENT_MERCHANT: 'UBND-TINH',
      PAYMENT_SECRET: 'p'.repeat(32),
      SSO_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
    };
    expect(loadConfig(prod).sso).toBeNull();
    expect(loadConfig(prod).ssoDemo).toBeNull();
  });
});

describe('the demo clients at the built-in provider', () => {
  let database: Database;
  let server: SsoServer | null = null;
  beforeAll(async () => {
    database = await testDatabase();
  });
  beforeEach(async () => {
    await freshDemo(database);
  });
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('registers both (only the SHA-256 of the derived secret; the demo application public), once; a new SESSION_SECRET updates the hash', async () => {
    const config = loadConfig({ PORT: '3200', SESSION_SECRET: SECRET_A, SSO_DEMO_CLIENT_PORT: '3222' });
    expect((await ensureDemoSsoClients(database.db, config)).sort()).toEqual(['motcua-mot-cua', 'motcua-sso-demo']);
    const [oneStop] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, 'motcua-mot-cua'));
    expect(oneStop).toMatchObject({
      confidential: true,
      secretHash: sha256(config.sso!.clientSecret),
      redirectUris: ['http://localhost:3200/tiepnhan/dang-nhap/sso/callback'],
      scopes: ['openid', 'profile', 'cccd', 'official'],
    });
    const [demo] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, 'motcua-sso-demo'));
    expect(demo).toMatchObject({
      confidential: false,
      secretHash: null,
      redirectUris: ['http://localhost:3222/callback'],
      postLogoutRedirectUris: ['http://localhost:3222/'],
      backchannelLogoutUri: 'http://localhost:3222/backchannel-logout',
    });
    expect(demo!.scopes).not.toContain('cccd');
    // The plain secret is nowhere in the database's rows of either table.
    const audits = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso_client.register'));
    expect(audits).toHaveLength(2);
    expect(JSON.stringify([oneStop, demo, audits])).not.toContain(config.sso!.clientSecret);

    // Nothing changed: nothing written, nothing audited.
    expect(await ensureDemoSsoClients(database.db, config)).toEqual([]);
    const other = loadConfig({ PORT: '3200', SESSION_SECRET: SECRET_B, SSO_DEMO_CLIENT_PORT: '3222' });
    expect(await ensureDemoSsoClients(database.db, other)).toEqual(['motcua-mot-cua']);
    const [rotated] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, 'motcua-mot-cua'));
    expect(rotated!.secretHash).toBe(sha256(other.sso!.clientSecret));
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso_client.register'))).toHaveLength(3);
  });

  it('outside demo mode nothing is registered', async () => {
    expect(await ensureDemoSsoClients(database.db, loadConfig({ DEMO_DATA: 'false' }))).toEqual([]);
    expect(await database.db.select().from(ssoClients)).toEqual([]);
  });

  it('the one-stop system authenticates at its own provider with the derived secret; another secret is invalid_client', async () => {
    let config: ReturnType<typeof loadConfig> | null = null;
    server = await startSsoServer(database, async (origin) => {
      config = loadConfig({
        NODE_ENV: 'test',
        PORT: '3999',
        SESSION_SECRET: 'test-secret-test-secret-test-secret-123',
        PUBLIC_URL: origin,
      });
      await ensureDemoSsoClients(database.db, config);
      return {};
    });
    const c = config!;
    expect(c.sso!.issuer).toBe(server.issuer);
    const rp = await relyingParty(server, c.sso!.clientId, c.sso!.clientSecret);
    const tokens = await oidc.clientCredentialsGrant(rp, {});
    expect(tokens.access_token).toBeTruthy();
    const wrong = await relyingParty(server, c.sso!.clientId, 'not-the-derived-secret');
    expect(await oauthError(oidc.clientCredentialsGrant(wrong, {}))).toBe('invalid_client');
    // The demo application is public: without a secret it gets no machine token (only a user's code, with PKCE).
    const demo = await relyingParty(server, c.ssoDemo!.demoClient.clientId, null);
    expect(['invalid_request', 'unauthorized_client']).toContain(await oauthError(oidc.clientCredentialsGrant(demo, {})));
  });
});

describe("the login page as the SSO's login step", () => {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
  });
  const formAction = (csp: string | null) => (csp ?? '').split('; ').find((x) => x.startsWith('form-action')) ?? null;

  it('carries ?tiep to VNeID, offers no SSO login inside the SSO login, and lets its form end at the application', async () => {
    const app = buildApp(database);
    const step = '/sso/interaction/abcDEF123';
    const page = await new Client(app).get(`/tiepnhan/dang-nhap?tiep=${encodeURIComponent(step)}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/tiepnhan/dang-nhap/vneid?tiep=${encodeURIComponent(step)}"`);
    expect(page.text).not.toContain('/tiepnhan/dang-nhap/sso');
    // The password form's redirects end at the application's redirect URI, on another origin.
    expect(formAction(page.headers.get('content-security-policy'))).toBeNull();
  });

  it("anywhere else the login page keeps form-action 'self' and both buttons", async () => {
    const app = buildApp(database);
    for (const path of [
      '/tiepnhan/dang-nhap',
      '/tiepnhan/dang-nhap?tiep=%2Ftiepnhan%2Fho-so',
      '/tiepnhan/dang-nhap?tiep=https%3A%2F%2Fevil.example',
    ]) {
      const page = await new Client(app).get(path);
      expect(formAction(page.headers.get('content-security-policy')), path).toBe("form-action 'self'");
      expect(page.text, path).toContain('href="/tiepnhan/dang-nhap/sso');
    }
    expect((await new Client(app).get('/tiepnhan/dang-nhap')).text).toContain('href="/tiepnhan/dang-nhap/vneid"');
  });
});
