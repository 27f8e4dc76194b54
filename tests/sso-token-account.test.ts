/**
 * What the token endpoint and userinfo read of the account on every request (src/sso/account-claims.ts, one
 * prepared statement for a live official): the claims as the organisation has them now — unit path root first,
 * roles — and nothing at all for an account suspended or deleted since the login, even while its provider session,
 * refresh token and access token are still live in sso_models. And the adapter's read-ahead (a token read with
 * its grant and provider session) never serves what was written or ended since, nor outside its request.
 */
import { and, eq } from 'drizzle-orm';
import type { AdapterPayload } from 'oidc-provider';
import * as oidc from 'openid-client';
import { describe, expect, it } from 'vitest';
import type { Database } from '../src/db/client.js';
import { accounts, citizens, roleGrants, ssoModels, units } from '../src/db/schema/index.js';
import { ssoAccount } from '../src/sso/account-claims.js';
import { postgresAdapter } from '../src/sso/adapter.js';
import { withProviderRequest } from '../src/sso/provider-request.js';
import { registerTestClient, relyingParty, type SsoServer, useSsoServer } from './support/sso.js';
import { oauthError, ssoLogin } from './support/sso-flow.js';

let database: Database;
const NO_TOKEN = { withToken: false };
let server: SsoServer;

useSsoServer((d, s) => {
  database = d;
  server = s;
});

describe('the account behind SSO tokens', () => {
  it("claims are the account's as it is now: name, unit path from the province down, roles", async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const [official] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'hoadk.sct'));
    const { tokens } = await ssoLogin(server, rp, { username: 'hoadk.sct' });
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, official!.id);
    const [unit] = await database.db.select().from(units).where(eq(units.id, official!.unitId));
    const [parent] = await database.db.select().from(units).where(eq(units.id, unit!.parentId!));
    const [root] = await database.db.select().from(units).where(eq(units.id, parent!.parentId!));
    expect(root!.parentId).toBeNull();
    expect(info).toMatchObject({
      sub: official!.id,
      username: 'hoadk.sct',
      name: `${official!.middleName} ${official!.givenName}`,
      unit_name: unit!.name,
      unit_path: [root!.name, parent!.name, unit!.name],
    });
    const grants = await database.db.select().from(roleGrants).where(eq(roleGrants.accountId, official!.id));
    expect(info.roles).toEqual(expect.arrayContaining(grants.map((g) => expect.objectContaining({ role: g.role, unit_id: g.unitId }))));
    expect((info.roles as unknown[]).length).toBe(grants.length);
    // The ID token of a refresh carries the same claims, read again.
    await database.db.update(accounts).set({ givenName: 'Hòa Mới' }).where(eq(accounts.id, official!.id));
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token!);
    expect((await oidc.fetchUserInfo(rp, refreshed.access_token, official!.id)).given_name).toBe('Hòa Mới');
  });

  it('an account suspended or deleted since the login: its refresh token and access token stop working at once', async () => {
    const { clientId, clientSecret } = await registerTestClient(database);
    const rp = await relyingParty(server, clientId, clientSecret);
    const [official] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    const { tokens } = await ssoLogin(server, rp);
    expect((await oidc.fetchUserInfo(rp, tokens.access_token, official!.id)).sub).toBe(official!.id);

    // Straight in the table: the provider's own rows (session, grant, tokens) are untouched — only the account check stops them.
    await database.db.update(accounts).set({ suspended: true }).where(eq(accounts.id, official!.id));
    expect(await oauthError(oidc.refreshTokenGrant(rp, tokens.refresh_token!))).toBe('invalid_grant');
    expect(await oauthError(oidc.fetchUserInfo(rp, tokens.access_token, official!.id))).toBe('invalid_token');

    // Deleted (not suspended) is the same.
    await database.db.update(accounts).set({ suspended: false }).where(eq(accounts.id, official!.id));
    const again = await ssoLogin(server, rp);
    await database.db.update(accounts).set({ deletedAt: new Date() }).where(eq(accounts.id, official!.id));
    expect(await oauthError(oidc.refreshTokenGrant(rp, again.tokens.refresh_token!))).toBe('invalid_grant');
  });

  it('without a token (an authorization, which issues no ID token) the account is who the subject is; its claims are read only when asked', async () => {
    const [official] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'hoadk.sct'));
    const account = await ssoAccount(database.db, official!.id, NO_TOKEN);
    expect(account?.accountId).toBe(official!.id);
    // Read when asked, not at the lookup: a change made in between shows.
    await database.db.update(accounts).set({ givenName: 'Hòa Mới' }).where(eq(accounts.id, official!.id));
    expect(await account!.claims()).toMatchObject({
      sub: official!.id,
      username: 'hoadk.sct',
      given_name: 'Hòa Mới',
      unit_path: expect.any(Array),
    });

    // With a token the claims are read at the lookup, and no claims means no account (here outside a provider
    // request, so without the token's own read that normally brings them).
    const withToken = await ssoAccount(database.db, official!.id, { withToken: true });
    await database.db.update(accounts).set({ givenName: 'Hòa' }).where(eq(accounts.id, official!.id));
    expect(await withToken!.claims()).toMatchObject({ given_name: 'Hòa Mới' });

    // Suspended: no account at all; suspended after the lookup: the claims tell nothing but the subject.
    const before = await ssoAccount(database.db, official!.id, NO_TOKEN);
    await database.db.update(accounts).set({ suspended: true }).where(eq(accounts.id, official!.id));
    expect(await ssoAccount(database.db, official!.id, NO_TOKEN)).toBeUndefined();
    expect(await ssoAccount(database.db, official!.id, { withToken: true })).toBeUndefined();
    expect(await before!.claims()).toEqual({ sub: official!.id });

    // A citizen is an account with a citizen's claims; no one with that id, or no uuid at all, is none.
    const [citizen] = await database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001099000123', fullName: 'Người Thử Đăng Nhập', loa: 2 })
      .returning({ id: citizens.id });
    expect(await (await ssoAccount(database.db, citizen!.id, NO_TOKEN))!.claims()).toMatchObject({
      sub: citizen!.id,
      citizen_type: expect.any(String),
    });
    expect(await ssoAccount(database.db, crypto.randomUUID(), NO_TOKEN)).toBeUndefined();
    expect(await ssoAccount(database.db, 'not-a-uuid', NO_TOKEN)).toBeUndefined();
  });

  it("a token's grant and session read with it serve the same request once, and a write of their model drops them", async () => {
    const Adapter = postgresAdapter(database.db);
    const [tokens, grants, sessions] = [new Adapter('RefreshToken'), new Adapter('Grant'), new Adapter('Session')];
    const payload = (p: Record<string, unknown>) => p as unknown as AdapterPayload;
    await grants.upsert('g1', payload({ accountId: 'a1', clientId: 'c1', kind: 'Grant', jti: 'g1' }), 600);
    await sessions.upsert('s1', payload({ uid: 'u1', accountId: 'a1', kind: 'Session', jti: 's1' }), 600);
    await tokens.upsert('r1', payload({ grantId: 'g1', sessionUid: 'u1', accountId: 'a1', kind: 'RefreshToken', jti: 'r1' }), 600);
    const setGrantAccount = (accountId: string) =>
      database.db
        .update(ssoModels)
        .set({ payload: { accountId, clientId: 'c1', kind: 'Grant', jti: 'g1' } })
        .where(and(eq(ssoModels.model, 'Grant'), eq(ssoModels.id, 'g1')));

    await withProviderRequest(database.db, async () => {
      expect(await tokens.find('r1')).toMatchObject({ grantId: 'g1', sessionUid: 'u1' });
      // Changed since (by another instance): the grant read with the token is used, once; the next read is fresh.
      await setGrantAccount('a2');
      expect(await grants.find('g1')).toMatchObject({ accountId: 'a1' });
      expect(await grants.find('g1')).toMatchObject({ accountId: 'a2' });
      // A write of the model drops what was read ahead: the ended session is not served from memory.
      expect(await tokens.find('r1')).toBeTruthy();
      await sessions.destroy('s1');
      expect(await sessions.findByUid('u1')).toBeUndefined();
    });
    // Outside a provider request nothing is read ahead.
    await setGrantAccount('a3');
    expect(await tokens.find('r1')).toBeTruthy();
    expect(await grants.find('g1')).toMatchObject({ accountId: 'a3' });
  });
});
