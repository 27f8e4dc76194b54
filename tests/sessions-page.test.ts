/**
 * Thông tin tài khoản → Phiên đăng nhập, and Quản lý người dùng → Kết thúc mọi phiên đăng nhập, through the pages:
 * the official's live sessions with device, address and the applications each logged in to through the SSO; ending
 * another of one's sessions, the current one only after the confirmation; another official's session by id is
 * not found; an administrator of another unit gets 404.
 */
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Database } from '../src/db/client.js';
import { auditLog, sessions } from '../src/db/schema/index.js';
import { tokenHash } from '../src/auth/sessions.js';
import { accountByUsername } from './support/fixtures.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { registerTestClient, relyingParty, type SsoServer, useSsoServer } from './support/sso.js';
import { ssoLogin } from './support/sso-flow.js';

const PAGE = '/tiepnhan/tai-khoan/phien-dang-nhap';
const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

let database: Database;
let server: SsoServer;

useSsoServer((d, s) => {
  database = d;
  server = s;
});

async function loggedIn(username: string) {
  const c = new Client(server.app);
  const res = await c.login(username, TEST_PASSWORD);
  expect(res.status).toBe(303);
  return c;
}

const sessionId = (c: Client) => tokenHash(c.cookies.get('motcua_sid')!);

describe('Phiên đăng nhập', () => {
  it('lists the live sessions with device, address and SSO applications; ends another one, the current one only when confirmed', async () => {
    const client = await registerTestClient(database, { name: 'Văn bản điều hành' });
    const rp = await relyingParty(server, client.clientId, client.clientSecret);
    const viaApp = await ssoLogin(server, rp, { username: 'admin.sct' });
    const here = await loggedIn('admin.sct');
    await database.db
      .update(sessions)
      .set({ userAgent: CHROME_WINDOWS })
      .where(eq(sessions.idHash, sessionId(viaApp.staff)));

    const info = await here.get('/tiepnhan/tai-khoan');
    expect(info.text).toContain(`href="${PAGE}"`);
    const page = await here.get(PAGE);
    expect(page.status).toBe(200);
    const rows = page.text.split('<tr data-session=').slice(1);
    expect(rows).toHaveLength(2);
    const other = rows.find((r) => r.startsWith(`"${sessionId(viaApp.staff)}"`))!;
    expect(other).toContain('Chrome trên Windows');
    expect(other).toContain('Văn bản điều hành');
    expect(other).toContain('192.0.2.10');
    const current = rows.find((r) => r.startsWith(`"${sessionId(here)}"`))!;
    expect(current).toContain('(phiên đang dùng)');
    expect(current).toContain(`href="${PAGE}/ket-thuc?phien=${sessionId(here)}"`);

    // Another of one's sessions: ended at once, with its application's session.
    const ended = await here.post(`${PAGE}/ket-thuc`, { phien: sessionId(viaApp.staff) }, { csrfFrom: PAGE });
    expect(ended.status).toBe(200);
    expect(ended.text).toContain('Đã kết thúc phiên đăng nhập');
    expect(ended.text.split('<tr data-session=')).toHaveLength(2);
    expect((await viaApp.staff.get('/tiepnhan')).status).toBe(303);
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.session_end'));
    expect(audit.map((a) => a.data)).toEqual([
      expect.objectContaining({ device: 'Chrome trên Windows', current: false, providerSessions: 1 }),
    ]);

    // The current one: refused without the ticked box, then the confirmation logs this browser out.
    const unconfirmed = await here.post(`${PAGE}/ket-thuc`, { phien: sessionId(here) }, { csrfFrom: PAGE });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('Tôi xác nhận');
    expect((await here.get('/tiepnhan')).status).toBe(200);
    const ask = await here.get(`${PAGE}/ket-thuc?phien=${sessionId(here)}`);
    expect(ask.text).toContain('Kết thúc phiên đang dùng');
    const phien = sessionId(here);
    const out = await here.post(`${PAGE}/ket-thuc`, { phien, xacnhan: '1' }, { csrfFrom: PAGE });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/tiepnhan/dang-nhap?da-dang-xuat=1');
    expect(await database.db.select().from(sessions).where(eq(sessions.idHash, phien))).toEqual([]);
  });

  it("another official's session by id is not found, and lives on", async () => {
    const theirs = await loggedIn('admin.sct');
    const me = await loggedIn('admin.snv');
    const res = await me.post(`${PAGE}/ket-thuc`, { phien: sessionId(theirs) }, { csrfFrom: PAGE });
    expect(res.status).toBe(404);
    expect((await theirs.get('/tiepnhan')).status).toBe(200);
    expect((await me.get(PAGE)).text).not.toContain(sessionId(theirs));
  });
});

describe('Kết thúc mọi phiên đăng nhập (administrator)', () => {
  it('an administrator of the subtree ends them all after confirming; one of another unit gets 404', async () => {
    const target = await accountByUsername(database, 'admin.sct');
    const a = await loggedIn('admin.sct');
    const b = await loggedIn('admin.sct');
    const url = `/tiepnhan/quan-tri/nguoi-dung/${target!.id}/ket-thuc-phien`;

    const outsider = await loggedIn('admin.snv');
    expect((await outsider.get(url)).status).toBe(404);
    expect((await outsider.post(url, { xacnhan: '1' }, { csrfFrom: '/tiepnhan' })).status).toBe(404);
    expect((await a.get('/tiepnhan')).status).toBe(200);

    const admin = await loggedIn('quantri1');
    const users = await admin.get(`/tiepnhan/quan-tri/nguoi-dung?donvi=${target!.unitId}&tk=${target!.id}`);
    expect(users.text).toContain(`href="${url}"`);
    expect((await admin.get(url)).text).toContain('Tôi xác nhận kết thúc mọi phiên đăng nhập của tài khoản admin.sct');
    expect((await admin.post(url, {}, { csrfFrom: url })).status).toBe(400);
    expect((await a.get('/tiepnhan')).status).toBe(200);
    const done = await admin.post(url, { xacnhan: '1' }, { csrfFrom: url });
    expect(done.status).toBe(303);
    expect((await admin.get(done.location!)).text).toContain('Đã kết thúc 2 phiên đăng nhập');
    expect((await a.get('/tiepnhan')).status).toBe(303);
    expect((await b.get('/tiepnhan')).status).toBe(303);
    expect((await admin.get('/tiepnhan')).status).toBe(200);
    const audit = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'account.end_sessions'), eq(auditLog.targetId, target!.id)));
    expect(audit).toHaveLength(1);
  });
});
