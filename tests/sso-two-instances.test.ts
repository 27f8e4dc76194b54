/**
 * Two app PROCESSES on one PostgreSQL database serve one login of the provincial SSO (issue 13): both run
 * `src/main.ts` as `npm start` does, behind one public address (PUBLIC_URL, so one issuer) with the same
 * SESSION_SECRET and SSO_KEY_ENCRYPTION_KEY, as a province's load balancer would have them. The browser's
 * authorization request and the login step go to instance A; the relying party (openid-client) exchanges the
 * code, refreshes and asks for userinfo at instance B. Then a key rotation taken by A (the next key's lead time
 * passes) is what B signs with and publishes, within its key-set check interval — no process-local state.
 *
 * Runs in the PostgreSQL project only (TEST_DATABASE_URL set): PGlite has one process.
 */
import crypto from 'node:crypto';
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { accounts, auditLog, ssoKeys } from '../src/db/schema/index.js';
import { createSession } from '../src/auth/sessions.js';
import { seedDemo } from '../src/demo/seed.js';
import { maintainKeys } from '../src/sso/keys.js';
import { type AppProcess, AppProcesses, newPostgresDatabase } from './support/app-processes.js';
import { APP_CALLBACK, Browser, registerTestClient } from './support/sso.js';
import { TEST_PASSWORD } from './support/app.js';

const KEY_HEX = crypto.randomBytes(32).toString('hex');
const DAY_MS = 86_400_000;
/** The provider's key-set check interval in a real instance (provider.ts KEYSET_CHECK_MS), plus slack. */
const KEY_CHECK_MS = 5_000;

const skipReason = process.env.MOTCUA_TEST_DB !== 'postgres' ? 'the PostgreSQL project only (TEST_DATABASE_URL)' : null;

describe.skipIf(skipReason !== null)(`two app processes, one SSO login${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let database: Database;
  let dbUrl = '';
  const instances = new AppProcesses();
  let a: AppProcess;
  let b: AppProcess;
  let publicUrl = '';

  /** The request log lines (pino JSON) an instance wrote for a route. */
  const requestLines = (inst: AppProcess, route: string) =>
    inst.log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; route?: string; method?: string; status?: number })
      .filter((l) => l.msg === 'request' && l.route === route);

  beforeAll(async () => {
    // A fresh database of its own on the test server (dropped with the run's others by the global teardown).
    dbUrl = await newPostgresDatabase('sso2');
    database = await openDatabase({ url: dbUrl, poolSize: 3 });
    await database.migrate();
    await seedDemo(database.db, TEST_PASSWORD);
    // The signing keys as a province 89 days into its first key would have them: the current key, and the next one
    // already published (verify only); the next one's lead time is shortened below so the rotation happens here.
    const key = Buffer.from(KEY_HEX, 'hex');
    await maintainKeys(database.db, key, new Date(Date.now() - 89 * DAY_MS));
    await maintainKeys(database.db, key, new Date());

    // One public address (the load balancer's): A's, known before A starts.
    const portA = await instances.unusedPort();
    publicUrl = `http://127.0.0.1:${portA}`;
    const env = { PUBLIC_URL: publicUrl, SSO_KEY_ENCRYPTION_KEY: KEY_HEX, LOG_LEVEL: 'info' };
    a = await instances.start('A', { databaseUrl: dbUrl, port: portA, env });
    b = await instances.start('B', { databaseUrl: dbUrl, env });
    await instances.ready();
  }, 120_000);

  afterAll(async () => {
    await instances.stop();
    await database?.close();
  });

  it('authorize and the login step on A; code exchange, refresh and userinfo on B; A rotates the key, B signs with it and publishes it', async () => {
    const issuer = `${publicUrl}/sso`;
    const [current] = await database.db.select().from(ssoKeys).where(eq(ssoKeys.state, 'current'));
    const [next] = await database.db.select().from(ssoKeys).where(eq(ssoKeys.state, 'next'));
    expect(current && next).toBeTruthy();
    // The next key signs in a few seconds: neither instance has read the key set yet (built at the first /sso request).
    await database.db
      .update(ssoKeys)
      .set({ activateAfter: new Date(Date.now() + 8_000) })
      .where(eq(ssoKeys.kid, next!.kid));

    const { clientId, clientSecret } = await registerTestClient(database);
    // openid-client as the application: everything it sends to the public address goes to instance B.
    const viaB: oidc.CustomFetch = (url, options) => fetch(url.replace(publicUrl, b.origin), options as RequestInit);
    const rp = await oidc.discovery(new URL(issuer), clientId, {}, oidc.ClientSecretBasic(clientSecret!), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: viaB,
    });
    // oidc-provider names its endpoints at the address it was asked at (behind a load balancer, the public one).
    expect(rp.serverMetadata().token_endpoint).toBe(`${b.origin}/sso/token`);
    // The browser at A.
    const onA = (u: URL) => u.href.replace(b.origin, a.origin);

    // Both publish the current key and, before it signs, the next one (verify only).
    const jwks = async (inst: AppProcess) =>
      ((await (await fetch(`${inst.origin}/sso/jwks`)).json()) as { keys: Array<{ kid: string; key_ops?: string[] }> }).keys;
    for (const inst of [a, b]) {
      const keys = await jwks(inst);
      expect(keys.map((k) => k.kid).sort()).toEqual([current!.kid, next!.kid].sort());
      expect(keys.find((k) => k.kid === next!.kid)!.key_ops).toEqual(['verify']);
    }

    // The browser: a one-stop session of quantri1 (made directly: the login page is not what is tested here).
    const [admin] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    const browser = new Browser();
    browser.cookies.set(
      'motcua_sid',
      await createSession(database.db, admin!.id, { idleMs: 3_600_000, absoluteMs: 3_600_000 }, new Date(), {
        ip: null,
        userAgent: 'two-instances',
      }),
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: APP_CALLBACK,
      scope: 'openid profile official',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    // The authorization request and the login step on A (PUBLIC_URL is A's address: every redirect stays on A).
    const back = await browser.follow(onA(url), a.origin);
    expect(back.url.startsWith(`${APP_CALLBACK}?`), back.text.slice(0, 500)).toBe(true);
    await expect.poll(() => requestLines(a, '/sso/interaction/:uid').map((l) => l.status)).toEqual([303]);

    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
    const kidOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
    expect(tokens.claims()).toMatchObject({ sub: admin!.id, iss: issuer });
    expect(kidOf(tokens.id_token!)).toBe(current!.kid);
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, admin!.id);
    expect(info).toMatchObject({ sub: admin!.id, username: 'quantri1' });
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    // B answered the token and userinfo requests, A none of them (their request log lines — written just after the
    // answer — with the status the provider sent).
    const tokenLines = (inst: AppProcess) => requestLines(inst, '/sso/token');
    await expect
      .poll(() => tokenLines(b).map((l) => [l.method, l.status]))
      .toEqual([
        ['POST', 200],
        ['POST', 200],
      ]);
    await expect.poll(() => requestLines(b, '/sso/me').map((l) => l.status)).toEqual([200]);
    expect(tokenLines(a)).toEqual([]);
    // A spent refresh token is spent for A too: its reuse there revokes the family B issued.
    const viaA = await oidc.discovery(new URL(issuer), clientId, {}, oidc.ClientSecretBasic(clientSecret!), {
      execute: [oidc.allowInsecureRequests],
    });
    expect(viaA.serverMetadata().token_endpoint).toBe(`${a.origin}/sso/token`);
    await expect(oidc.refreshTokenGrant(viaA, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect.poll(() => tokenLines(a).map((l) => l.status)).toEqual([400]);
    expect((await oidc.tokenIntrospection(rp, refreshed.access_token)).active).toBe(false);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login'))).toHaveLength(1);

    // The rotation: once the lead time has passed, A's next key-set check promotes the next key (only A is asked).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const keys = await jwks(a);
      if (keys.find((k) => k.kid === next!.kid)?.key_ops === undefined) break;
      if (Date.now() > deadline) throw new Error('instance A did not rotate its key');
      await new Promise((r) => setTimeout(r, 500));
    }
    const states = Object.fromEntries((await database.db.select().from(ssoKeys)).map((k) => [k.kid, k.state]));
    expect(states).toEqual({ [current!.kid]: 'retired', [next!.kid]: 'current' });

    // B learns it at its next key-set check (at most KEY_CHECK_MS), without a restart: it signs with the new key
    // and publishes the old one for verification only.
    const second = await oidc.authorizationCodeGrant(
      rp,
      new URL(
        (
          await browser.follow(
            onA(
              oidc.buildAuthorizationUrl(rp, {
                redirect_uri: APP_CALLBACK,
                scope: 'openid profile official',
                code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
                code_challenge_method: 'S256',
                state,
              }),
            ),
            a.origin,
          )
        ).url,
      ),
      { pkceCodeVerifier: verifier, expectedState: state },
    );
    let latest: { id_token?: string; refresh_token?: string } = second;
    const until = Date.now() + KEY_CHECK_MS + 3_000;
    while (kidOf(latest.id_token!) !== next!.kid && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      latest = await oidc.refreshTokenGrant(rp, latest.refresh_token!);
    }
    expect(kidOf(latest.id_token!)).toBe(next!.kid);
    const keysB = await jwks(b);
    expect(keysB.find((k) => k.kid === next!.kid)!.key_ops).toBeUndefined();
    expect(keysB.find((k) => k.kid === current!.kid)!.key_ops).toEqual(['verify']);
    // Still one login step: the second authorization was served from the provider session A holds in the database
    // (audited as a login made on that session).
    const logins = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login')).orderBy(auditLog.id);
    expect(logins.map((l) => (l.data as { reused?: boolean }).reused ?? false)).toEqual([false, true]);
  }, 120_000);
});
