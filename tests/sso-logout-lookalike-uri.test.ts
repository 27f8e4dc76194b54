/**
 * RP-initiated logout whose post_logout_redirect_uri has the provider's resume path (/sso/auth/…) on the
 * application's own host: still a logout, not oidc-provider's internal account switch (session-hooks.ts afterLogout
 * compares the whole address). Found by an attacker review: comparing the path alone left the one-stop session open.
 */
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { auditLog, sessions } from '../src/db/schema/index.js';
import { registerTestClient, relyingParty, type SsoServer, useSsoServer } from './support/sso.js';
import { ssoLogin } from './support/sso-flow.js';

let database: Database;
let server: SsoServer;

useSsoServer((d, s) => {
  database = d;
  server = s;
});

describe('RP-initiated logout with a post-logout URI whose path looks like the provider resume path', () => {
  it('still ends the one-stop session (a counter PC is shared) and audits sso.logout', async () => {
    const LOGGED_OUT = 'https://vbdh.example.gov.vn/sso/auth/logged-out';
    const { clientId, clientSecret } = await registerTestClient(database, { postLogoutRedirectUris: [LOGGED_OUT] });
    const rp = await relyingParty(server, clientId, clientSecret);
    const first = await ssoLogin(server, rp);
    expect((await first.staff.get('/tiepnhan')).status).toBe(200);

    const end = oidc.buildEndSessionUrl(rp, { id_token_hint: first.tokens.id_token!, post_logout_redirect_uri: LOGGED_OUT });
    const question = await first.browser.get(end.href);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(question.text)![1]!;
    const done = await first.browser.get(`${server.issuer}/session/end/confirm`, { xsrf, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.location).toBe(LOGGED_OUT);

    // The official believes they logged out everywhere; the next person at the PC must not find their one-stop session.
    const after = await first.staff.get('/tiepnhan');
    expect(after.status, 'the one-stop session survived the SSO logout').toBe(303);
    expect(await database.db.select().from(sessions)).toEqual([]);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.logout'))).toHaveLength(1);
  });
});
