import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has working defaults for a fresh machine', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      publicUrl: 'http://localhost:3000',
      demoData: true,
      secureCookies: false,
      databaseUrl: undefined,
    });
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('refuses production without SESSION_SECRET or PUBLIC_URL, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://dvc.example.vn' })).toThrow(/SESSION_SECRET/);
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) })).toThrow(/PUBLIC_URL/);
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://a.vn', DEMO_DATA: 'true' }),
    ).toThrow(/DEMO_DATA/);
  });

  const PROD = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'x'.repeat(40),
    PUBLIC_URL: 'https://dvc.example.vn/',
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

  it('the SSO provider key: required in production, 32 bytes as hex or base64, a development key elsewhere', () => {
    expect(() => loadConfig({ ...PROD, SSO_KEY_ENCRYPTION_KEY: undefined })).toThrow(
      /SSO_KEY_ENCRYPTION_KEY: required when NODE_ENV=production/,
    );
    expect(() => loadConfig({ SSO_KEY_ENCRYPTION_KEY: 'abc' })).toThrow(/SSO_KEY_ENCRYPTION_KEY: must be 32 bytes/);
    expect(loadConfig(PROD).ssoProvider.keyEncryptionKey).toEqual(Buffer.alloc(32, 0xaa));
    const b64 = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ SSO_KEY_ENCRYPTION_KEY: b64 }).ssoProvider.keyEncryptionKey).toEqual(Buffer.alloc(32, 7));
    expect(loadConfig({}).ssoProvider.keyEncryptionKey).toHaveLength(32);
  });

  it('points payments at the simulator outside production, and refuses it (or none) in production', () => {
    const dev = loadConfig({ PORT: '4100' });
    expect(dev.payment).toMatchObject({ url: 'http://127.0.0.1:4101/sim-payment/pay', simulated: true });
    expect(dev.sim.payment.merchants[0]!.code).toBe(dev.payment.merchant);
    expect(loadConfig(PROD).payment).toEqual({
      url: PROD.PAYMENT_URL,
      merchant: 'UBND-TINH',
      secret: PROD.PAYMENT_SECRET,
      simulated: false,
    });
    const none = { ...PROD, PAYMENT_URL: undefined, PAYMENT_MERCHANT: undefined, PAYMENT_SECRET: undefined };
    expect(() => loadConfig(none)).toThrow(/PAYMENT_URL: required when NODE_ENV=production/);
    expect(() => loadConfig({ ...PROD, PAYMENT_SECRET: undefined })).toThrow(/PAYMENT_SECRET: required when PAYMENT_URL, PAYMENT_MERCHANT/);
    expect(() => loadConfig({ ...PROD, PAYMENT_URL: 'http://paygov.example.vn/pay' })).toThrow(/PAYMENT_URL: must be an https/);
    expect(() => loadConfig({ ...PROD, PAYMENT_URL: 'https://localhost:3001/sim-payment/pay' })).toThrow(
      /PAYMENT_URL: points at the payment simulator/,
    );
    expect(() => loadConfig({ ...PROD, PAYMENT_SECRET: dev.payment.secret })).toThrow(/PAYMENT_SECRET: is the simulator/);
    expect(() => loadConfig({ PAYMENT_URL: 'http://localhost:5000/pay', PAYMENT_MERCHANT: 'm', PAYMENT_SECRET: 'short' })).toThrow(
      /PAYMENT_SECRET: must be at least 16/,
    );
  });

  it('never loads demo data nor simulators in production, and uses secure cookies over https', () => {
    const c = loadConfig(PROD);
    expect(c.simulated).toBe(false);
    expect(c.demoData).toBe(false);
    expect(c.secureCookies).toBe(true);
    expect(c.publicUrl).toBe('https://dvc.example.vn');
  });

  it('refuses half a provider configuration, naming the missing variable', () => {
    expect(() => loadConfig({ VNEID_ISSUER: 'http://localhost:4000' })).toThrow(/VNEID_CLIENT_ID: required when VNEID_ISSUER is set/);
    expect(() => loadConfig({ SSO_ISSUER: 'http://x', SSO_CLIENT_ID: 'a' })).toThrow(/SSO_CLIENT_SECRET/);
    expect(() => loadConfig({ REGISTRY_TOKEN: 't' })).toThrow(/REGISTRY_URL/);
    expect(() => loadConfig({ ...PROD, VNEID_ISSUER: undefined, VNEID_CLIENT_ID: undefined, VNEID_CLIENT_SECRET: undefined })).toThrow(
      /VNEID_ISSUER/,
    );
  });

  it('refuses an http:// issuer in production but accepts it elsewhere', () => {
    expect(() => loadConfig({ ...PROD, VNEID_ISSUER: 'http://sso.example.vn' })).toThrow(/VNEID_ISSUER: must be an https/);
    const dev = loadConfig({ VNEID_ISSUER: 'http://localhost:4000', VNEID_CLIENT_ID: 'a', VNEID_CLIENT_SECRET: 'b' });
    expect(dev.simulated).toBe(false);
    expect(dev.vneid.issuer).toBe('http://localhost:4000');
  });

  it('refuses every http:// address in production, naming the variable, and accepts them elsewhere', () => {
    const endpoints = {
      VNEID_AUTHORIZATION_ENDPOINT: 'https://sso.dichvucong.example.vn/auth',
      VNEID_TOKEN_ENDPOINT: 'https://sso.dichvucong.example.vn/token',
      VNEID_USERINFO_ENDPOINT: 'https://sso.dichvucong.example.vn/me',
      VNEID_JWKS_URI: 'https://sso.dichvucong.example.vn/jwks',
    };
    const sso = { SSO_ISSUER: 'https://sso.tinh.example.vn', SSO_CLIENT_ID: 'a', SSO_CLIENT_SECRET: 'b' };
    expect(loadConfig({ ...PROD, ...endpoints, ...sso }).vneid.endpoints?.token).toBe(endpoints.VNEID_TOKEN_ENDPOINT);
    const insecure: Record<string, string> = {
      PUBLIC_URL: 'http://dvc.example.vn',
      VNEID_ISSUER: 'http://sso.example.vn',
      VNEID_AUTHORIZATION_ENDPOINT: 'http://sso.dichvucong.example.vn/auth',
      VNEID_TOKEN_ENDPOINT: 'http://sso.dichvucong.example.vn/token',
      VNEID_USERINFO_ENDPOINT: 'http://sso.dichvucong.example.vn/me',
      VNEID_JWKS_URI: 'http://sso.dichvucong.example.vn/jwks',
      REGISTRY_URL: 'http://ndxp.example.vn/dancu/verify',
      SSO_ISSUER: 'http://sso.tinh.example.vn',
    };
    for (const [name, url] of Object.entries(insecure)) {
      expect(() => loadConfig({ ...PROD, ...endpoints, ...sso, [name]: url }), name).toThrow(
        new RegExp(`${name}: must be an https:// address in production`),
      );
      // Capital letters do not make it https.
      expect(() => loadConfig({ ...PROD, ...endpoints, ...sso, [name]: url.replace('http:', 'HTTP:') }), name).toThrow(new RegExp(name));
    }
    const dev = loadConfig({ ...PROD, ...endpoints, ...sso, ...insecure, NODE_ENV: 'development' });
    expect(dev.vneid.endpoints?.token).toBe(insecure.VNEID_TOKEN_ENDPOINT);
    expect(dev.publicUrl).toBe('http://dvc.example.vn');
  });

  it('refuses an address that is not http:// or https://', () => {
    expect(() => loadConfig({ REGISTRY_URL: 'ftp://ndxp.example.vn/verify', REGISTRY_TOKEN: 't' })).toThrow(
      /REGISTRY_URL: must be an http:\/\/ or https:\/\/ address/,
    );
    expect(() => loadConfig({ PUBLIC_URL: 'javascript:alert(1)' })).toThrow(/PUBLIC_URL/);
  });

  it('points VNeID and the registry at the simulator in demo mode', () => {
    const c = loadConfig({ PORT: '4100' });
    expect(c.simulated).toBe(true);
    expect(c.vneid.issuer).toBe('http://127.0.0.1:4101');
    expect(c.registry.url).toBe('http://127.0.0.1:4101/registry/v1/verify');
    expect(c.vneid.minLoa).toBe(2);
  });

  it('the app pool: 10 connections and a 15 s statement limit by default, 0 = no limit, nonsense refused by name', () => {
    expect(loadConfig({}).databasePool).toEqual({ size: 10, statementTimeoutMs: 15_000 });
    expect(loadConfig({ DB_POOL_SIZE: '25', DB_STATEMENT_TIMEOUT_MS: '0' }).databasePool).toEqual({ size: 25, statementTimeoutMs: 0 });
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '' }).databasePool.statementTimeoutMs).toBe(15_000);
    expect(() => loadConfig({ DB_POOL_SIZE: '0' })).toThrow(/DB_POOL_SIZE/);
    expect(() => loadConfig({ DB_POOL_SIZE: 'ten' })).toThrow(/DB_POOL_SIZE/);
    expect(() => loadConfig({ DB_POOL_SIZE: '2.5' })).toThrow(/DB_POOL_SIZE/);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: '15s' })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
    expect(() => loadConfig({ DB_STATEMENT_TIMEOUT_MS: String(2 * 3_600_000) })).toThrow(/DB_STATEMENT_TIMEOUT_MS/);
  });

  it('names each invalid variable', () => {
    try {
      loadConfig({ PORT: 'abc', DATABASE_URL: 'mysql://x', SESSION_SECRET: 'short' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).toContain('DATABASE_URL');
      expect(msg).toContain('SESSION_SECRET');
    }
  });
});
