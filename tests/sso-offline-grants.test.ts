/**
 * An offline_access grant persists its holder's logout (oidc-provider, OpenID Connect Core §11), but not the
 * province stopping the login: an administrator's Đặt lại mật khẩu or Kết thúc mọi phiên đăng nhập, the official's
 * own password change, and the unit's VNeID-only cutoff ending the password session revoke it too (end-sessions.ts
 * revokeOffline). Before, the application went on minting tokens with the official's claims for up to 30 days.
 */
import * as oidc from 'openid-client';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { resetPassword } from '../src/accounts/reset-password.js';
import { endAccountSessions } from '../src/accounts/end-account-sessions.js';
import { setUnitCutoff } from '../src/cutover/set-cutoff.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { accountByUsername, actorFor, freshDemo } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { registerTestClient, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';
import { oauthError, ssoLogin } from './support/sso-flow.js';
import { Client, TEST_PASSWORD } from './support/app.js';

let database: Database;
let server: SsoServer;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await freshDemo(database);
  server = await startSsoServer(database);
});
afterEach(async () => {
  await server.close();
});

/** A login of `username` by password for an application allowed offline_access (kept only with prompt=consent). */
async function offlineLogin(username: string) {
  const { clientId, clientSecret } = await registerTestClient(database, { scopes: ['openid', 'profile', 'official', 'offline_access'] });
  const rp = await relyingParty(server, clientId, clientSecret);
  const login = await ssoLogin(server, rp, { username, scope: 'openid profile official offline_access', prompt: 'consent' });
  expect(login.tokens.scope).toContain('offline_access');
  return { rp, login };
}

describe('an offline_access grant made from a password login', () => {
  it('outlives its holder logging out of the one-stop system (what offline access is for)', async () => {
    const { rp, login } = await offlineLogin('admin.sct');
    const out = await login.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    expect(out.status).toBe(303);
    const refreshed = await oidc.refreshTokenGrant(rp, login.tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it("ends when an administrator resets the account's password (the answer to a stolen password)", async () => {
    const { rp, login } = await offlineLogin('admin.sct');
    const target = (await accountByUsername(database, 'admin.sct'))!;
    await resetPassword(database.db, await actorFor(database, 'quantri1'), target.id, new Date());
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('ends when an administrator ends every session of the account', async () => {
    const { rp, login } = await offlineLogin('admin.sct');
    const target = (await accountByUsername(database, 'admin.sct'))!;
    await endAccountSessions(database.db, await actorFor(database, 'quantri1'), target.id);
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('ends when the official changes the password in another browser, even after logging out of the first', async () => {
    const { rp, login } = await offlineLogin('admin.sct');
    // The first browser logs out (the grant persists that), then the official changes the password elsewhere.
    await login.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    const other = new Client(server.app);
    await other.login('admin.sct', TEST_PASSWORD);
    const next = 'mot-mat-khau-moi-rat-dai';
    const changed = await other.post(
      '/tiepnhan/doi-mat-khau',
      { current: TEST_PASSWORD, next, confirm: next },
      { csrfFrom: '/tiepnhan/doi-mat-khau' },
    );
    expect(changed.status).toBe(303);
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
    // The browser that changed it stays logged in.
    expect((await other.get('/tiepnhan')).status).toBe(200);
  });

  it("ends when the unit's VNeID-only cutoff ends the password session it came from", async () => {
    const { rp, login } = await offlineLogin('admin.sct');
    const target = (await accountByUsername(database, 'admin.sct'))!;
    const today = todayInVietnam(new Date());
    const dmy = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
    await setUnitCutoff(database.db, await actorFor(database, 'quantri1'), target.unitId, { date: dmy }, new Date());
    const refused = await login.staff.get('/tiepnhan');
    expect(refused.location).toContain('het-mat-khau=1');
    // Only one try: a second use of the same refresh token would be refused as reuse, whatever the cutoff.
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });
});
