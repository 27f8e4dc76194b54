/**
 * A session on a temporary password (mustChangePassword: an administrator created the account or reset its password)
 * is held at Đổi mật khẩu on every one-stop page and refused by the API. The provincial SSO's login step held it
 * nowhere: every connected application was reached with the temporary password, which never had to be changed. Now
 * the SSO sends it to Đổi mật khẩu too, and the application's login goes on once the password is changed.
 */
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { accounts } from '../src/db/schema/index.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { APP_CALLBACK, Browser, registerTestClient, relyingParty, useSsoServer, type SsoServer } from './support/sso.js';

let database: Database;
let server: SsoServer;
useSsoServer((d, s) => {
  database = d;
  server = s;
});

describe('a temporary password at the provincial SSO', () => {
  it('gives no application a login before it is changed; after the change the login goes on to the application', async () => {
    await database.db.update(accounts).set({ mustChangePassword: true }).where(eq(accounts.usernameLower, 'admin.sct'));
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: APP_CALLBACK,
      scope: 'openid profile official',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state: oidc.randomState(),
    });
    const browser = new Browser();
    let back = await browser.follow(url.href, server.origin);
    expect(back.url.startsWith(`${server.origin}/tiepnhan/dang-nhap`)).toBe(true);
    const tiep = new URL(back.url).searchParams.get('tiep')!;
    const staff = new Client(server.app);
    expect((await staff.login('admin.sct', TEST_PASSWORD, { tiep })).status).toBe(303);
    browser.cookies.set('motcua_sid', staff.cookies.get('motcua_sid')!);
    back = await browser.follow(`${server.origin}${tiep}`, server.origin);
    expect(back.url.startsWith(APP_CALLBACK), `ended at ${back.url}`).toBe(false);
    expect(back.url).toBe(`${server.origin}/tiepnhan/doi-mat-khau?tiep=${encodeURIComponent(tiep)}`);
    // The change, from that page: the browser goes back to the application's login, which now finishes.
    const page = `/tiepnhan/doi-mat-khau?tiep=${encodeURIComponent(tiep)}`;
    expect((await staff.get(page)).text).toContain(`action="${page}"`);
    const changed = await staff.post(
      page,
      { current: TEST_PASSWORD, next: 'Mat-khau-moi-2026!', confirm: 'Mat-khau-moi-2026!' },
      { csrfFrom: page },
    );
    expect(changed.status).toBe(303);
    expect(changed.location).toBe(tiep);
    browser.cookies.set('motcua_sid', staff.cookies.get('motcua_sid')!);
    back = await browser.follow(`${server.origin}${tiep}`, server.origin);
    expect(back.url.startsWith(`${APP_CALLBACK}?`), `ended at ${back.url}`).toBe(true);
    expect(new URL(back.url).searchParams.get('code')).toBeTruthy();
  });

  it('a continuation that is not a path of this site is not followed after the change', async () => {
    await database.db.update(accounts).set({ mustChangePassword: true }).where(eq(accounts.usernameLower, 'admin.sct'));
    const staff = new Client(server.app);
    expect((await staff.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const page = `/tiepnhan/doi-mat-khau?tiep=${encodeURIComponent('//evil.example/x')}`;
    const changed = await staff.post(
      page,
      { current: TEST_PASSWORD, next: 'Mat-khau-moi-2026!', confirm: 'Mat-khau-moi-2026!' },
      { csrfFrom: page },
    );
    expect(changed.status).toBe(303);
    expect(changed.location).toBe('/tiepnhan');
  });
});
