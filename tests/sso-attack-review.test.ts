/**
 * The provincial SSO attacked (security review of issue 13's registry, sessions and logout): each test is an
 * attack that used to work, next to the use that must keep working.
 */
import { eq } from 'drizzle-orm';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { accounts } from '../src/db/schema/index.js';
import { testDatabase } from './support/db.js';
import { freshDemo } from './support/fixtures.js';
import { registerTestClient, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';
import { nextAuthorization, ssoLogin } from './support/sso-flow.js';

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

const idOf = async (username: string) =>
  (await database.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.usernameLower, username)))[0]!.id;

describe('a provider session on a shared counter PC', () => {
  it('is not handed to whoever uses the browser after the official who made it closed it (the one-stop session still live, its cookie gone)', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const first = await ssoLogin(server, rp, { username: 'admin.sct' });
    expect(first.tokens.claims()!.sub).toBe(await idOf('admin.sct'));
    // The use: the same official, same browser, is logged in at once.
    expect(await nextAuthorization(server, rp, first.browser)).toMatch(/^https:\/\/vbdh\.example\.gov\.vn\/auth\/callback\?code=/);

    // The browser is closed: its session cookie (motcua_sid) is gone, the provider's persistent cookie stays, and the
    // one-stop session is still live on the server (not idle yet). The next person opens the application.
    first.browser.cookies.delete('motcua_sid');
    expect(await nextAuthorization(server, rp, first.browser)).toMatch(`${server.origin}/tiepnhan/dang-nhap`);

    // Another official logs in on that browser: the application receives them, not the previous one.
    const second = await ssoLogin(server, rp, { username: 'hoadk.sct', browser: first.browser });
    expect(second.tokens.claims()!.sub).toBe(await idOf('hoadk.sct'));
  });
});
