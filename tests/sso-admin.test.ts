/**
 * Quản trị → Ứng dụng kết nối SSO through its screens, against the real provider on a real server (openid-client
 * as the application): registering (the secret once, no-store, only its hash kept, never audited), rotating and
 * revoking a secret (the old one invalid_client at once; a repeated rotation issues and shows nothing), disabling
 * and enabling, editing (applies at the next authorization), recent logins; and who may not — a unit administrator,
 * a plain official, a malformed or unknown client id. Pairwise subjects: different and stable per application
 * host, the same in another instance; a public application receives the account id.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { Database } from '../src/db/client.js';
import { accounts, auditLog, ssoClients } from '../src/db/schema/index.js';
import { hashClientSecret } from '../src/sso/clients.js';
import { freshDemo, sctClerkUsername } from './support/fixtures.js';
import { testDatabase } from './support/db.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { APP_CALLBACK, Browser, relyingParty, startSsoServer, type SsoServer } from './support/sso.js';
import { nextAuthorization, oauthError, ssoLogin } from './support/sso-flow.js';

const BASE = '/tiepnhan/quan-tri/ung-dung-sso';

let database: Database;
let server: SsoServer;
let unitIds: Record<string, string>;

beforeAll(async () => {
  database = await testDatabase();
});
// A new server per test (the database reset empties the provider's signing keys).
beforeEach(async () => {
  unitIds = (await freshDemo(database)).unitIds;
  server = await startSsoServer(database);
});
afterEach(async () => {
  await server.close();
});

async function official(username: string): Promise<Client> {
  const client = new Client(server.app);
  const res = await client.login(username, TEST_PASSWORD);
  expect(res.status).toBe(303);
  return client;
}

const FORM = {
  name: 'Văn bản điều hành',
  redirectUris: APP_CALLBACK,
  postLogoutRedirectUris: 'https://vbdh.example.gov.vn/',
  backchannelLogoutUri: '',
  scopes: ['openid', 'profile', 'official'],
  kind: 'confidential',
  accessTokenTtl: '600',
  refreshTokenTtl: '43200',
  idTokenTtl: '600',
  subjectType: 'public',
};

const secretOn = (page: string) =>
  /data-testid="sso-client-secret"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="sso-client-secret"/.exec(page);
const secretOf = (page: string) => {
  const m = secretOn(page);
  if (!m) throw new Error('no secret on the page');
  return (m[1] ?? m[2])!;
};
const replacesOn = (page: string) => /name="replaces" value="([^"]+)"/.exec(page)![1]!;

/** Registers through the screen; the client id and the secret shown. */
async function registerThroughScreen(admin: Client, form: Record<string, string | string[]> = {}) {
  const res = await admin.post(`${BASE}/dang-ky`, { ...FORM, ...form }, { csrfFrom: `${BASE}/dang-ky` });
  expect(res.status).toBe(200);
  const clientId = /id="sso-client-id"[^>]*value="(sso_[\w-]+)"/.exec(res.text)![1]!;
  return { res, clientId, secret: secretOf(res.text) };
}

async function rotateThroughScreen(admin: Client, clientId: string) {
  const confirm = await admin.get(`${BASE}/${clientId}/doi-khoa`);
  expect(confirm.status).toBe(200);
  const replaces = replacesOn(confirm.text);
  const res = await admin.post(`${BASE}/${clientId}/doi-khoa`, { replaces }, { csrfFrom: `${BASE}/${clientId}/doi-khoa` });
  return { res, replaces };
}

const clientCredentials = async (clientId: string, secret: string) =>
  oidc.clientCredentialsGrant(await relyingParty(server, clientId, secret), { scope: 'profile' });

async function auditText(): Promise<string> {
  return JSON.stringify(await database.db.select().from(auditLog));
}

describe('Quản trị → Ứng dụng kết nối SSO', () => {
  it('the province administrator registers an application: errors beside their fields, nothing typed lost; the secret once, no-store, hashed, not audited', async () => {
    const admin = await official('quantri1');
    const list = await admin.get(BASE);
    expect(list.status).toBe(200);
    expect(list.text).toContain('ỨNG DỤNG KẾT NỐI SSO');
    expect(list.text).toContain(`href="${BASE}"`);

    // Refused: an address with a fragment on line 2, no name, no scope but openid missing, a lifetime out of range.
    const bad = await admin.post(
      `${BASE}/dang-ky`,
      {
        ...FORM,
        name: '',
        redirectUris: `${APP_CALLBACK}\nhttps://vbdh.example.gov.vn/cb#x`,
        scopes: ['profile'],
        accessTokenTtl: '5',
        unitIds: [unitIds['sct']!],
      },
      { csrfFrom: `${BASE}/dang-ky` },
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/id="err-name"[^>]*>Vui lòng nhập tên ứng dụng\./);
    expect(bad.text).toContain('Dòng 2: Địa chỉ phải là một URL đầy đủ, không có phần #.');
    expect(bad.text).toMatch(/id="err-scopes"[^>]*>Phạm vi phải có openid\./);
    expect(bad.text).toMatch(/id="err-accessTokenTtl"[^>]*>Thời hạn access token từ 60 đến 3600 giây\./);
    // What was typed is still there.
    expect(bad.text).toContain(`${APP_CALLBACK}\nhttps://vbdh.example.gov.vn/cb#x</textarea>`);
    expect(bad.text).toMatch(new RegExp(`value="${unitIds['sct']}" checked`));
    expect(bad.text).toMatch(/name="accessTokenTtl"[^>]*value="5"/);
    // The refusal names the registration form's address, where a GET shows it again (post-answer.ts).
    expect(bad.text).toContain(`<meta name="motcua-address" content="${BASE}/dang-ky"`);
    expect((await admin.get(`${BASE}/dang-ky`)).text).not.toContain('motcua-address');
    expect(await database.db.select().from(ssoClients)).toEqual([]);

    const { res, clientId, secret } = await registerThroughScreen(admin, { unitIds: [unitIds['sct']!] });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.location).toBeNull();
    // No GET shows the secret again: its history entry becomes the application's page, never the form's resubmission.
    expect(res.text).toContain(`<meta name="motcua-address" content="${BASE}/${clientId}"`);
    const [row] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, clientId));
    expect(row).toMatchObject({ secretHash: hashClientSecret(secret), unitIds: [unitIds['sct']], subjectType: 'public' });
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(await auditText()).not.toContain(secret);
    // It works at the token endpoint, and is never shown again.
    expect((await clientCredentials(clientId, secret)).access_token).toBeTruthy();
    const page = await admin.get(`${BASE}/${clientId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sở Công Thương');
    expect(page.text).not.toContain(secret);
    expect((await admin.get(BASE)).text).toContain(clientId);
    expect((await admin.get(BASE)).text).not.toContain(secret);

    // A public application: no secret, straight to its page.
    const pub = await admin.post(
      `${BASE}/dang-ky`,
      { ...FORM, name: 'Cổng ứng dụng di động', kind: 'public' },
      { csrfFrom: `${BASE}/dang-ky` },
    );
    expect(pub.status).toBe(303);
    expect(pub.location).toMatch(new RegExp(`^${BASE}/sso_[\\w-]+\\?da=dang-ky$`));
    expect(secretOn((await admin.get(pub.location!)).text)).toBeNull();
  });

  it('a unit administrator and a plain official are refused every screen and change; a malformed or unknown id is a 404', async () => {
    const admin = await official('quantri1');
    const { clientId, secret } = await registerThroughScreen(admin);
    const replaces = replacesOn((await admin.get(`${BASE}/${clientId}/doi-khoa`)).text);
    for (const username of ['admin.sct', sctClerkUsername()]) {
      const other = await official(username);
      for (const path of [BASE, `${BASE}/dang-ky`, `${BASE}/${clientId}`, `${BASE}/${clientId}/sua`, `${BASE}/${clientId}/doi-khoa`])
        expect((await other.get(path)).status, `${username} GET ${path}`).toBe(404);
      const csrf = await other.csrf('/tiepnhan');
      expect((await other.post(`${BASE}/dang-ky`, FORM, { csrf })).status).toBe(403);
      for (const action of ['doi-khoa', 'thu-hoi-khoa', 'tam-dung', 'sua'])
        expect((await other.post(`${BASE}/${clientId}/${action}`, { ...FORM, replaces }, { csrf })).status, `${username} ${action}`).toBe(
          403,
        );
    }
    // Nothing changed: the secret still works, the application is enabled.
    expect((await clientCredentials(clientId, secret)).access_token).toBeTruthy();
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso_client.rotate_secret'))).toEqual([]);

    for (const id of ['sso_AAAAAAAAAAAAAAAA', 'x%00y', '%27%20or%201%3D1', 'a'.repeat(300)]) {
      expect((await admin.get(`${BASE}/${id}`)).status, id).toBe(404);
      expect((await admin.get(`${BASE}/${id}/doi-khoa`)).status, id).toBe(404);
    }
    const missing = await admin.post(`${BASE}/sso_AAAAAAAAAAAAAAAA/doi-khoa`, { replaces: 'none' }, { csrfFrom: BASE });
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('Ứng dụng kết nối SSO không tồn tại');
  });

  it('rotate: the old secret is invalid_client at once, the new one works; the same form again issues and shows nothing', async () => {
    const admin = await official('quantri1');
    const { clientId, secret: first } = await registerThroughScreen(admin);
    const { res, replaces } = await rotateThroughScreen(admin, clientId);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const second = secretOf(res.text);
    expect(second).not.toBe(first);
    expect(await oauthError(clientCredentials(clientId, first))).toBe('invalid_client');
    expect((await clientCredentials(clientId, second)).access_token).toBeTruthy();

    // A double submission, or a stale tab: 409, no third secret, no secret on the page.
    const again = await admin.post(`${BASE}/${clientId}/doi-khoa`, { replaces }, { csrfFrom: BASE });
    expect(again.status).toBe(409);
    expect(again.text).toContain('đã được thay đổi trước đó');
    expect(secretOn(again.text)).toBeNull();
    const [row] = await database.db.select().from(ssoClients).where(eq(ssoClients.clientId, clientId));
    expect(row!.secretHash).toBe(hashClientSecret(second));
    expect((await clientCredentials(clientId, second)).access_token).toBeTruthy();
    const rotations = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso_client.rotate_secret'));
    expect(rotations.map((r) => r.targetId)).toEqual([clientId]);
    // In the province administrators' Nhật ký hệ thống (the province's root unit).
    expect(rotations[0]!.unitId).toBe(unitIds['tinh']);
    const audit = await auditText();
    expect(audit).not.toContain(first);
    expect(audit).not.toContain(second);

    // Two rotations racing with the same form: one secret issued, the other refused.
    const form = replacesOn((await admin.get(`${BASE}/${clientId}/doi-khoa`)).text);
    const csrf = await admin.csrf(BASE);
    const raced = await Promise.all([1, 2].map(() => admin.post(`${BASE}/${clientId}/doi-khoa`, { replaces: form }, { csrf })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = secretOf(raced.find((r) => r.status === 200)!.text);
    expect((await clientCredentials(clientId, winner)).access_token).toBeTruthy();
    expect(await oauthError(clientCredentials(clientId, second))).toBe('invalid_client');
  });

  it('revoke: the application cannot authenticate until a new secret is issued; a public one has no secret to rotate', async () => {
    const admin = await official('quantri1');
    const { clientId, secret } = await registerThroughScreen(admin);
    const confirm = await admin.get(`${BASE}/${clientId}/thu-hoi-khoa`);
    const revoked = await admin.post(`${BASE}/${clientId}/thu-hoi-khoa`, { replaces: replacesOn(confirm.text) }, { csrfFrom: BASE });
    expect(revoked.status).toBe(303);
    expect(await oauthError(clientCredentials(clientId, secret))).toBe('invalid_client');
    const page = await admin.get(revoked.location!);
    expect(page.text).toContain('Đã thu hồi khóa bí mật');
    expect(page.text).toContain('Chưa có khóa bí mật');
    // Revoking again is a conflict, not a change.
    expect((await admin.post(`${BASE}/${clientId}/thu-hoi-khoa`, { replaces: replacesOn(confirm.text) }, { csrfFrom: BASE })).status).toBe(
      409,
    );

    const { res, replaces } = await rotateThroughScreen(admin, clientId);
    expect(replaces).toBe('none');
    const fresh = secretOf(res.text);
    expect((await clientCredentials(clientId, fresh)).access_token).toBeTruthy();
    expect(await database.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, clientId))).toEqual([
      { a: 'sso_client.register' },
      { a: 'sso_client.revoke_secret' },
      { a: 'sso_client.rotate_secret' },
    ]);

    const pub = await admin.post(`${BASE}/dang-ky`, { ...FORM, kind: 'public' }, { csrfFrom: `${BASE}/dang-ky` });
    const pubId = pub.location!.split('/').pop()!.split('?')[0]!;
    const refused = await admin.post(`${BASE}/${pubId}/doi-khoa`, { replaces: 'none' }, { csrfFrom: BASE });
    expect(refused.status).toBe(409);
    expect(secretOn(refused.text)).toBeNull();
  });

  it('disable: invalid_client at the token endpoint and the authorization; enable: back as it was', async () => {
    const admin = await official('quantri1');
    const { clientId, secret } = await registerThroughScreen(admin);
    const rp = await relyingParty(server, clientId, secret);
    const off = await admin.post(`${BASE}/${clientId}/tam-dung`, {}, { csrfFrom: `${BASE}/${clientId}` });
    expect(off.status).toBe(303);
    expect(await oauthError(oidc.clientCredentialsGrant(rp))).toBe('invalid_client');
    const authorize = await nextAuthorization(server, rp, new Browser());
    expect(authorize.startsWith(server.origin)).toBe(true);
    expect((await admin.get(`${BASE}/${clientId}`)).text).toContain('Tạm dừng');
    // A second "Tạm dừng" (another tab) changes nothing.
    expect((await admin.post(`${BASE}/${clientId}/tam-dung`, {}, { csrfFrom: BASE })).status).toBe(409);

    expect((await admin.post(`${BASE}/${clientId}/kich-hoat`, {}, { csrfFrom: BASE })).status).toBe(303);
    expect((await oidc.clientCredentialsGrant(rp, { scope: 'profile' })).access_token).toBeTruthy();
    const actions = await database.db.select({ a: auditLog.action }).from(auditLog).where(eq(auditLog.targetId, clientId));
    expect(actions.map((r) => r.a)).toEqual(['sso_client.register', 'sso_client.disable', 'sso_client.enable']);
  });

  it('edit: new redirect URIs and units apply at the next authorization; recent logins show who, newest first, refusals with their reason', async () => {
    const admin = await official('quantri1');
    const { clientId, secret } = await registerThroughScreen(admin);
    const rp = await relyingParty(server, clientId, secret);
    const { browser } = await ssoLogin(server, rp);

    const edit = await admin.get(`${BASE}/${clientId}/sua`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(`${APP_CALLBACK}</textarea>`);
    // Pairwise with two hosts is refused beside the field.
    const twoHosts = await admin.post(
      `${BASE}/${clientId}/sua`,
      { ...FORM, redirectUris: `${APP_CALLBACK}\nhttps://other.example.gov.vn/cb`, subjectType: 'pairwise' },
      { csrfFrom: BASE },
    );
    expect(twoHosts.status).toBe(400);
    expect(twoHosts.text).toMatch(/id="err-redirectUris"[^>]*>Ứng dụng dùng định danh riêng \(pairwise\)/);

    const moved = await admin.post(`${BASE}/${clientId}/sua`, { ...FORM, redirectUris: `${APP_CALLBACK}2` }, { csrfFrom: BASE });
    expect(moved.status).toBe(303);
    // The old callback is no longer registered: refused on the provider, never redirected to.
    const refused = await nextAuthorization(server, rp, browser);
    expect(refused.startsWith(server.origin)).toBe(true);

    // Back to the old callback, open to Sở Công Thương only: quantri1 (the province) is access_denied.
    await admin.post(`${BASE}/${clientId}/sua`, { ...FORM, unitIds: [unitIds['sct']!] }, { csrfFrom: BASE });
    const denied = new URL(await nextAuthorization(server, rp, browser));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    const updates = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso_client.update'));
    expect(updates.map((u) => Object.keys((u.data as { changes: object }).changes).sort())).toEqual([
      ['redirectUris'],
      ['redirectUris', 'unitIds'],
    ]);

    const page = await admin.get(`${BASE}/${clientId}`);
    const rows = [...page.text.matchAll(/<tr( data-refused="1")?><td>[^<]*<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)];
    const [acc] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    expect(rows.map((r) => [!!r[1], r[2], r[4]])).toEqual([
      [true, `${acc!.middleName} ${acc!.givenName} (quantri1)`, 'Bị từ chối: Đơn vị của tài khoản không được dùng ứng dụng'],
      [false, `${acc!.middleName} ${acc!.givenName} (quantri1)`, 'Thành công'],
    ]);
  });
});

describe('an existing provider session at an application that would refuse it', () => {
  it('a session opened at one application does not reach another open to other units only: access_denied, audited', async () => {
    const admin = await official('quantri1');
    const open = await registerThroughScreen(admin);
    const closed = await registerThroughScreen(admin, { name: 'Quản lý công nghiệp', unitIds: [unitIds['sct']!] });
    const { browser } = await ssoLogin(server, await relyingParty(server, open.clientId, open.secret));
    const denied = new URL(await nextAuthorization(server, await relyingParty(server, closed.clientId, closed.secret), browser));
    expect(denied.origin + denied.pathname).toBe(APP_CALLBACK);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('code')).toBeNull();
    const refused = await database.db.select().from(auditLog).where(eq(auditLog.action, 'sso.login_refused'));
    expect(refused.map((r) => [r.targetId, (r.data as { reason: string }).reason])).toEqual([[closed.clientId, 'unit_not_allowed']]);
  });
});

describe('pairwise subjects', () => {
  /** A whole login at an application whose callback is `callback` (one host per pairwise application). */
  async function subjectAt(rp: oidc.Configuration, callback: string, browser: Browser) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: callback,
      scope: 'openid official',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const back = await browser.follow(url.href, server.origin);
    expect(back.url.startsWith(`${callback}?`), back.url).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(back.url), { pkceCodeVerifier: verifier, expectedState: state });
    const sub = tokens.claims()!.sub;
    const info = await oidc.fetchUserInfo(rp, tokens.access_token, sub);
    // The claims are still the real account's: findAccount received its id.
    expect(info.username).toBe('quantri1');
    return sub;
  }

  it('two pairwise applications get different, stable subjects for one official (in another instance too); a public one gets the account id', async () => {
    const admin = await official('quantri1');
    const apps = [
      { name: 'Ứng dụng A', redirectUris: 'https://a.example.gov.vn/cb', subjectType: 'pairwise' },
      { name: 'Ứng dụng B', redirectUris: 'https://b.example.gov.vn/cb', subjectType: 'pairwise' },
      { name: 'Ứng dụng C', redirectUris: 'https://c.example.gov.vn/cb', subjectType: 'public' },
    ];
    const registered = [];
    for (const a of apps) registered.push({ ...a, ...(await registerThroughScreen(admin, a)) });
    const browser = new Browser();
    browser.cookies.set('motcua_sid', admin.cookies.get('motcua_sid')!);
    const subs = [];
    for (const r of registered) subs.push(await subjectAt(await relyingParty(server, r.clientId, r.secret), r.redirectUris, browser));
    const [acc] = await database.db.select().from(accounts).where(eq(accounts.usernameLower, 'quantri1'));
    expect(subs[2]).toBe(acc!.id);
    expect(subs[0]).not.toBe(acc!.id);
    expect(subs[1]).not.toBe(acc!.id);
    expect(subs[0]).not.toBe(subs[1]);
    expect(subs[0]).toMatch(/^[\w-]{43}$/);

    // Stable: again, and in a second instance (its own provider) on the same database.
    expect(
      await subjectAt(await relyingParty(server, registered[0]!.clientId, registered[0]!.secret), apps[0]!.redirectUris, browser),
    ).toBe(subs[0]);
    const other = await startSsoServer(database);
    try {
      const second = new Browser();
      second.cookies.set('motcua_sid', admin.cookies.get('motcua_sid')!);
      const rp = await relyingParty(other, registered[1]!.clientId, registered[1]!.secret);
      const prev = server;
      server = other;
      try {
        expect(await subjectAt(rp, apps[1]!.redirectUris, second)).toBe(subs[1]);
      } finally {
        server = prev;
      }
    } finally {
      await other.close();
    }
  });
});
