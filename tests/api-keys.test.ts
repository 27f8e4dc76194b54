/**
 * Khóa API (issue 12, item 4) and what a key may do (items 6 and 7): an administrator issues a key with an
 * expiry, sees it once with how to use it, the list shows it; the official sees, issues and revokes their own (the
 * VNeID-only date's rule: api-key-holder.test.ts); revoked
 * and expired keys get typed 401s; GET /api/v1/me tells the account, roles and operations; channel 2 is the
 * portals'. Abuse: another unit's administrator, a replayed revoked key, a forged key id, a double revoke.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';
import { accounts, apiClients, auditLog, dossiers } from '../src/db/schema/index.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { testDatabase } from './support/db.js';
import { accountByUsername, currentProcedure, freshDemo, sctClerkUsername } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';
import { sha256 } from '../src/api/key-secret.js';

const DAY = 86_400_000;
let database: Database;
let app: App;
let clock = new Date();

beforeAll(async () => {
  database = await testDatabase();
  app = buildApp(database, {}, { now: () => clock });
});
beforeEach(async () => {
  clock = new Date();
  await freshDemo(database);
});

async function api(method: string, path: string, token: string | null, body?: unknown) {
  const res = await app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes; tests/api-contract.test.ts checks them
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function loggedIn(username: string) {
  const c = new Client(app);
  const res = await c.login(username, TEST_PASSWORD);
  expect(res.status).toBe(303);
  return c;
}

/** Issues a key through the administrator's page; returns the page and the key it shows. */
async function issueOnPage(admin: Client, accountId: string, form: Record<string, string>) {
  const base = `/tiepnhan/quan-tri/nguoi-dung/${accountId}/khoa-api`;
  const posted = await admin.post(base, form, { csrfFrom: base });
  // Post/Redirect/Get: the key is shown on the page the post redirects to, once (admin/save-receipt.ts).
  const page = posted.status === 303 ? await admin.get(posted.location!) : posted;
  const token = /value="(mc_[^"]+)"/.exec(page.text)?.[1] ?? null;
  return { posted, page, token };
}

describe('Khóa API', () => {
  it('an administrator issues a key, sees it once with its use and expiry; it is listed, used, revoked and refused', async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const admin = await loggedIn('admin.sct');
    const { page, token } = await issueOnPage(admin, clerk.id, { name: 'Phần mềm một cửa cũ', validDays: '30' });
    expect(page.status).toBe(200);
    expect(token).toMatch(/^mc_[A-Za-z0-9_-]{12}\.[A-Za-z0-9_-]{43}$/);
    // What it is, shown once, how to use it, when it expires, how to revoke it — not a password text.
    expect(page.text).toContain('Khóa API');
    expect(page.text).toContain('khóa chỉ hiển thị một lần');
    expect(page.text).toContain('Authorization: Bearer &lt;khóa API&gt;');
    expect(page.text).toContain(`curl -H &quot;Authorization: Bearer ${token}&quot; http://localhost:3999/api/v1/me`);
    expect(page.text).toContain('Thu hồi');
    expect(page.text).not.toContain('Mật khẩu tạm thời');
    expect(page.headers.get('cache-control')).toBe('no-store');
    const [row] = await database.db.select().from(apiClients).where(eq(apiClients.accountId, clerk.id));
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(30 * DAY);
    const expiry = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric' });
    expect(page.text).toContain(expiry.format(row!.expiresAt));
    // Stored as a hash only: the secret is nowhere in the row.
    const secret = token!.slice(token!.indexOf('.') + 1);
    expect(row!.secretHash).toBe(sha256(secret));
    expect(JSON.stringify(row)).not.toContain(secret);
    // The list shows it, without the secret.
    const list = await admin.get(`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api`);
    expect(list.text).toContain(row!.id);
    expect(list.text).toContain('Đang hiệu lực');
    expect(list.text).toContain('Chưa dùng');
    expect(list.text).not.toContain(secret);

    // The key acts as the clerk: GET /me tells account, roles and the operations it can call.
    const me = await api('GET', '/me', token);
    expect(me.status).toBe(200);
    expect(me.json.account).toMatchObject({ id: clerk.id, username: clerk.username });
    expect(me.json.credential).toMatchObject({ kind: 'api_key', keyId: row!.id, name: 'Phần mềm một cửa cũ' });
    expect(new Date(me.json.credential.expiresAt).getTime()).toBe(row!.expiresAt.getTime());
    expect(me.json.roles.map((r: { role: string }) => r.role)).toContain('reception');
    const ops = Object.fromEntries(me.json.operations.map((o: { operationId: string; allowed: boolean }) => [o.operationId, o.allowed]));
    expect(ops).toMatchObject({ receiveDossier: true, listDossiers: true, actOnDossier: true, getMe: true, listProcedures: true });
    // Last used: written on first use, then at most once a minute.
    const used = async () => (await database.db.select().from(apiClients).where(eq(apiClients.id, row!.id)))[0]!.lastUsedAt;
    const first = await used();
    expect(first?.getTime()).toBe(clock.getTime());
    clock = new Date(clock.getTime() + 30_000);
    await api('GET', '/me', token);
    expect((await used())?.getTime()).toBe(first!.getTime());
    clock = new Date(clock.getTime() + 31_000);
    await api('GET', '/me', token);
    expect((await used())?.getTime()).toBe(clock.getTime());

    // Thu hồi: asked once, then effective on the next request, audited.
    const confirm = await admin.get(`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api/${row!.id}/thu-hoi`);
    expect(confirm.text).toContain('Thu hồi khóa');
    const revoked = await admin.post(
      `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api/${row!.id}/thu-hoi`,
      {},
      { csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api` },
    );
    expect(revoked.status).toBe(303);
    const revokedPage = await admin.get(revoked.location!);
    expect(revokedPage.text).toContain('Đã thu hồi khóa API');
    expect(revokedPage.text).toContain('Đã thu hồi');
    const refused = await api('GET', '/me', token);
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe('api_key_revoked');
    // Replayed on every operation, the revoked key stays refused — the public catalog too.
    expect((await api('GET', '/procedures', token)).json.error.code).toBe('api_key_revoked');
    const proc = await currentProcedure(database, '2.000633');
    const replay = await api('POST', '/dossiers', token, { procedureId: proc.p.id, channel: 1, fullName: 'Đinh Văn Thu Hồi' });
    expect(replay.status).toBe(401);
    expect(replay.json.error.code).toBe('api_key_revoked');
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, clerk.id), eq(auditLog.action, 'api_client.revoke')));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toMatchObject({ clientId: row!.id });
    // A second revoke (another tab, a double submit) is told, not applied twice.
    const again = await admin.post(
      `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api/${row!.id}/thu-hoi`,
      {},
      { csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api` },
    );
    expect(again.status).toBe(409);
    expect(again.text).toContain('đã bị thu hồi trước đó');
    expect(
      await database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, clerk.id), eq(auditLog.action, 'api_client.revoke'))),
    ).toHaveLength(1);
  });

  it('a key expires: default 90 days, at most 365; an expired key gets api_key_expired', async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const admin = await loggedIn('admin.sct');
    const tooLong = await issueOnPage(admin, clerk.id, { name: 'Quá hạn', validDays: '400' });
    expect(tooLong.page.status).toBe(400);
    expect(tooLong.token).toBeNull();
    expect(tooLong.page.text).toContain('Thời hạn của khóa API từ 1 đến 365 ngày.');
    // The refusal names the account's keys page, where a GET shows it again (post-answer.ts); the GET names none.
    const keys = `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api`;
    expect(tooLong.page.text).toContain(`<meta name="motcua-address" content="${keys}"`);
    expect((await admin.get(keys)).text).not.toContain('motcua-address');
    const { token } = await issueOnPage(admin, clerk.id, { name: 'Mặc định' });
    const [row] = await database.db.select().from(apiClients).where(eq(apiClients.accountId, clerk.id));
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(90 * DAY);
    clock = new Date(row!.expiresAt.getTime() - 1000);
    expect((await api('GET', '/me', token)).status).toBe(200);
    clock = new Date(row!.expiresAt.getTime());
    const expired = await api('GET', '/dossiers', token);
    expect(expired.status).toBe(401);
    expect(expired.json.error.code).toBe('api_key_expired');
    // The list says so (a new session: the old one lapsed with the clock).
    const later = await loggedIn('admin.sct');
    expect((await later.get(`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api`)).text).toContain('Đã hết hạn');
  });

  it("the official sees and revokes their own keys and may issue one, never through an administrator's page; another unit administrator sees nothing (404)", async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const admin = await loggedIn('admin.sct');
    const { token } = await issueOnPage(admin, clerk.id, { name: 'Hệ thống kho', validDays: '180' });
    const [row] = await database.db.select().from(apiClients).where(eq(apiClients.accountId, clerk.id));

    // Another department's administrator: list, issue and revoke are all "not found"; nothing changes.
    const other = await loggedIn('admin.snv');
    const base = `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/khoa-api`;
    expect((await other.get(base)).status).toBe(404);
    expect((await other.post(base, { name: 'Chen ngang', validDays: '30' }, { csrfFrom: '/tiepnhan' })).status).toBe(404);
    expect((await other.get(`${base}/${row!.id}/thu-hoi`)).status).toBe(404);
    expect((await other.post(`${base}/${row!.id}/thu-hoi`, {}, { csrfFrom: '/tiepnhan' })).status).toBe(404);
    // Its own account's path with the clerk's key id: the key is not its account's.
    const snvAdmin = (await accountByUsername(database, 'admin.snv'))!;
    expect(
      (await other.post(`/tiepnhan/quan-tri/nguoi-dung/${snvAdmin.id}/khoa-api/${row!.id}/thu-hoi`, {}, { csrfFrom: '/tiepnhan' })).status,
    ).toBe(404);
    expect(await database.db.select().from(apiClients).where(eq(apiClients.accountId, clerk.id))).toHaveLength(1);
    expect((await api('GET', '/me', token)).status).toBe(200);

    // The official: Thông tin tài khoản → Khóa API lists it, with their own issuing form; an administrator's page is closed.
    const official = await loggedIn(clerk.username);
    const own = await official.get('/tiepnhan/tai-khoan/khoa-api');
    expect(own.status).toBe(200);
    expect(own.text).toContain(row!.id);
    expect(own.text).toContain('Hệ thống kho');
    expect(own.text).toContain('id="issue-key"');
    expect(own.text).toContain('action="/tiepnhan/tai-khoan/khoa-api"');
    expect((await official.post(base, { name: 'Tự cấp', validDays: '30' }, { csrfFrom: '/tiepnhan' })).status).toBe(403);
    // A forged key id and a malformed one: not found.
    expect((await official.get('/tiepnhan/tai-khoan/khoa-api/mc_AAAAAAAAAAAA/thu-hoi')).status).toBe(404);
    expect((await official.get('/tiepnhan/tai-khoan/khoa-api/nope/thu-hoi')).status).toBe(404);
    // The official revokes it: refused from the next request.
    const done = await official.post(`/tiepnhan/tai-khoan/khoa-api/${row!.id}/thu-hoi`, {}, { csrfFrom: '/tiepnhan/tai-khoan/khoa-api' });
    expect(done.status).toBe(303);
    expect((await official.get(done.location!)).text).toContain('Đã thu hồi khóa API');
    expect((await api('GET', '/me', token)).json.error.code).toBe('api_key_revoked');
    const [after] = await database.db.select().from(apiClients).where(eq(apiClients.id, row!.id));
    expect(after!.revokedBy).toBe(clerk.id);
  });

  it('a suspended account’s key and an unknown key are refused with their own codes', async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const admin = await loggedIn('admin.sct');
    const { token } = await issueOnPage(admin, clerk.id, { name: 'Tạm dừng', validDays: '30' });
    const wrongSecret = `${token!.slice(0, token!.indexOf('.'))}.${'A'.repeat(43)}`;
    expect((await api('GET', '/me', wrongSecret)).json.error.code).toBe('invalid_token');
    expect((await api('GET', '/me', 'mc_AAAAAAAAAAAA.x')).json.error.code).toBe('invalid_token');
    await database.db.update(accounts).set({ suspended: true }).where(eq(accounts.id, clerk.id));
    const res = await api('GET', '/me', token);
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('api_key_account_unavailable');
  });
});

describe('channel 2 is the portals’ (item 7)', () => {
  it('an official’s key is refused an online dossier (422 online_channel_reserved); channels 1 and 3 are received', async () => {
    const clerk = (await accountByUsername(database, sctClerkUsername()))!;
    const admin = await loggedIn('admin.sct');
    const { token } = await issueOnPage(admin, clerk.id, { name: 'Phần mềm một cửa cũ', validDays: '30' });
    const proc = await currentProcedure(database, '2.000633');
    const before = (await database.db.select().from(dossiers)).length;
    for (const channel of [2, '2']) {
      const online = await api('POST', '/dossiers', token, { procedureId: proc.p.id, channel, fullName: 'Trần Văn Trực Tuyến' });
      expect(online.status).toBe(422);
      expect(online.json.error.code).toBe('online_channel_reserved');
      expect(online.json.error.fields.channel).toContain('Cổng Dịch vụ công');
    }
    // Wrapped so the check of the value misses it: the schema takes a number or its digits only, never [2] read as 2
    // (400 validation_failed beside the field, as every malformed input of the API).
    for (const channel of [[2], ['2'], [[2]], { 0: 2 }, true, null]) {
      const wrapped = await api('POST', '/dossiers', token, { procedureId: proc.p.id, channel, fullName: 'Trần Văn Trực Tuyến' });
      expect(wrapped.status, JSON.stringify(channel)).toBe(400);
      expect(wrapped.json.error.code).toBe('validation_failed');
      expect(wrapped.json.error.fields.channel).toContain('hình thức tiếp nhận');
    }
    expect(await database.db.select().from(dossiers)).toHaveLength(before);
    for (const channel of [1, 3]) {
      const documents = completeChecklist(proc.v.documents);
      const res = await api('POST', '/dossiers', token, { procedureId: proc.p.id, channel, fullName: 'Trần Văn Quầy', documents });
      expect(res.status).toBe(201);
      expect(res.json).toMatchObject({ channel, status: 'received' });
    }
    // The reception form offers 1 and 3; a forged 2 from a clerk's session is refused beside the field too.
    const session = await loggedIn(clerk.username);
    const forged = await session.post(
      '/tiepnhan/tiep-nhan',
      { procedureId: proc.p.id, channel: '2', fullName: 'Trần Văn Giả Mạo' },
      { csrfFrom: '/tiepnhan/tiep-nhan' },
    );
    expect(forged.status).toBe(422);
    expect(forged.text).toContain('Kênh trực tuyến (2) chỉ dành cho Cổng Dịch vụ công');
    expect(await database.db.select().from(dossiers)).toHaveLength(before + 2);
    // The document says so.
    const doc = await api('GET', '/openapi.json', null);
    const post = doc.json.paths['/dossiers'].post;
    expect(post.requestBody.content['application/json'].schema.properties.channel.enum).toEqual([1, 3]);
    expect(post.responses['422']).toBeTruthy();
    expect(doc.json.paths['/me'].get.operationId).toBe('getMe');
  });
});
