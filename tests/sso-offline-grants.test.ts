/**
 * offline_access — refresh tokens that outlive the login — only for a login that proved a person (VNeID: the provider
 * session's acr; provider.ts expiresWithSession). A password login's tokens end with its session, so nothing minted from
 * it survives the VNeID-only date, a reset or a logout (an attacker review found one refreshing after the cutoff once
 * its browser session was gone). A VNeID login's offline grant persists its holder's logout (what offline access is
 * for, OpenID Connect Core §11) but not the province stopping the login: an administrator's Đặt lại mật khẩu or Kết
 * thúc mọi phiên đăng nhập and the official's own password change revoke it (end-sessions.ts revokeOffline).
 */
import * as oidc from 'openid-client';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { accounts, persons } from '../src/db/schema/index.js';
import { createSession } from '../src/auth/sessions.js';
import { resetPassword } from '../src/accounts/reset-password.js';
import { endAccountSessions } from '../src/accounts/end-account-sessions.js';
import { setUnitCutoff } from '../src/cutover/set-cutoff.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { accountByUsername, actorFor } from './support/fixtures.js';
import { Browser, registerTestClient, relyingParty, type SsoServer, useSsoServer } from './support/sso.js';
import { oauthError, ssoLogin } from './support/sso-flow.js';
import { Client, TEST_PASSWORD } from './support/app.js';

let database: Database;
let server: SsoServer;

useSsoServer((d, s) => {
  database = d;
  server = s;
});

const SCOPE = 'openid profile official offline_access';

async function offlineClient() {
  const { clientId, clientSecret } = await registerTestClient(database, { scopes: ['openid', 'profile', 'official', 'offline_access'] });
  return relyingParty(server, clientId, clientSecret);
}

/** admin.sct logged in with VNeID (level 2, bound to its person), then the application's login with offline_access. */
async function vneidOfflineLogin() {
  const rp = await offlineClient();
  const acc = (await accountByUsername(database, 'admin.sct'))!;
  const [person] = await database.db.insert(persons).values({ cccd: '001090000123', fullName: 'Người Thử' }).returning();
  await database.db.update(accounts).set({ personId: person!.id }).where(eq(accounts.id, acc.id));
  const policy = { idleMs: 3_600_000, absoluteMs: 8 * 3_600_000 };
  const proof = { method: 'vneid', personId: person!.id, loa: 2 };
  const token = await createSession(database.db, acc.id, policy, new Date(), { ip: null, userAgent: null }, proof);
  const staff = new Client(server.app);
  staff.cookies.set('motcua_sid', token);
  const browser = new Browser();
  browser.cookies.set('motcua_sid', token);
  const login = await ssoLogin(server, rp, { browser, staff, scope: SCOPE, prompt: 'consent' });
  expect(login.tokens.scope).toContain('offline_access');
  return { rp, login, acc };
}

describe('offline_access', () => {
  it('a password login gets none: its refresh token ends with its session, at logout or the VNeID-only date', async () => {
    const rp = await offlineClient();
    const login = await ssoLogin(server, rp, { username: 'admin.sct', scope: SCOPE, prompt: 'consent' });
    const refreshed = await oidc.refreshTokenGrant(rp, login.tokens.refresh_token!);
    // The one-stop session ends (a logout): nothing minted from it refreshes, whatever comes after.
    expect((await login.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' })).status).toBe(303);
    const target = (await accountByUsername(database, 'admin.sct'))!;
    const today = todayInVietnam(new Date());
    const dmy = `${today.slice(8, 10)}/${today.slice(5, 7)}/${today.slice(0, 4)}`;
    await setUnitCutoff(database.db, await actorFor(database, 'quantri1'), target.unitId, { date: dmy }, new Date());
    expect(await oauthError(oidc.refreshTokenGrant(rp, refreshed.refresh_token!))).toBe('invalid_grant');
  });

  it("a VNeID login's outlives its holder logging out of the one-stop system (what offline access is for)", async () => {
    const { rp, login } = await vneidOfflineLogin();
    expect((await login.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' })).status).toBe(303);
    const refreshed = await oidc.refreshTokenGrant(rp, login.tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
  });

  it("a VNeID login's ends when an administrator resets the account's password", async () => {
    const { rp, login, acc } = await vneidOfflineLogin();
    await resetPassword(database.db, await actorFor(database, 'quantri1'), acc.id, new Date());
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it("a VNeID login's ends when an administrator ends every session of the account, even after its holder logged out", async () => {
    const { rp, login, acc } = await vneidOfflineLogin();
    await login.staff.post('/tiepnhan/dang-xuat', {}, { csrfFrom: '/tiepnhan' });
    await endAccountSessions(database.db, await actorFor(database, 'quantri1'), acc.id);
    expect(await oauthError(oidc.refreshTokenGrant(rp, login.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it("a VNeID login's ends when the official changes the password in another browser, even after logging out of the first", async () => {
    const { rp, login } = await vneidOfflineLogin();
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
});
