/**
 * Thông báo: a person's in-app notices on the portal and in the one-stop system — only their own (another's id in a
 * URL or a form is 404 and changes nothing), unread marked and counted in the menu, keyset pages that lose nothing
 * among notices of one transaction, read on opening or by Đánh dấu đã đọc (CSRF); Cài đặt thông báo saved, audited
 * and honoured by notify(); Dữ liệu của tôi and its ZIP carry every message and the preferences.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { strFromU8, unzipSync } from 'fflate';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { accounts, auditLog, citizens, dossiers, notificationPreferences, notifications } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { citizenActor } from '../src/shared/context.js';
import { notify } from '../src/notify/enqueue.js';
import { exportMyData } from '../src/portal/my-data-export.js';
import type { MyData } from '../src/portal/my-data.js';
import { demoOfficials } from '../src/demo/officials.js';

const t = useDemoApp();
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const LIST = '/ca-nhan/thong-bao';
const SETTINGS = '/ca-nhan/thong-bao/cai-dat';

type Person = { id: string; cccd: string; client: Client };

async function citizen(cccd: string, fullName: string, contact: { phone?: string; email?: string } = {}): Promise<Person> {
  const [row] = await t.database.db
    .insert(citizens)
    .values({
      issuer: 'https://vneid.test',
      subject: crypto.randomUUID(),
      cccd,
      fullName,
      loa: 2,
      phone: contact.phone,
      email: contact.email,
    })
    .returning({ id: citizens.id });
  const client = new Client(t.app);
  client.cookies.set(PORTAL_COOKIE, await createCitizenSession(t.database.db, row!.id, POLICY, new Date()));
  return { id: row!.id, cccd, client };
}

/** A dossier naming `p` as its applicant, submitted by them (its messages carry their account and preferences). */
async function dossierOf(p: Person, contact: { phone?: string; email?: string } = {}) {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const proc = await currentProcedure(t.database, '2.000633');
  const d = await receiveAtCounter(t.database.db, clerk, {
    procedureId: proc.p.id,
    channel: '1',
    fullName: 'Người nộp',
    cccd: p.cccd,
    ...contact,
  });
  await t.database.db.update(dossiers).set({ citizenId: p.id }).where(eq(dossiers.id, d.id));
  return d;
}

/** In-app notices written as notify() writes them (one statement: they share created_at to the microsecond). */
async function notices(owner: { citizenId?: string; accountId?: string }, n: number, dossierId: string | null = null) {
  const rows = Array.from({ length: n }, (_, i) => ({
    event: 'dossier.withdrawn',
    channel: 'inapp' as const,
    recipientKind: owner.citizenId ? ('applicant' as const) : ('official' as const),
    ...owner,
    dossierId,
    state: 'delivered' as const,
    subject: `Thông báo số ${i + 1}`,
    body: `Nội dung ${i + 1}`,
  }));
  return t.database.db.insert(notifications).values(rows).returning({ id: notifications.id });
}

const readAt = async (id: string) =>
  (await t.database.db.select({ readAt: notifications.readAt }).from(notifications).where(eq(notifications.id, id)))[0]?.readAt;
const menuCount = (html: string) =>
  /id="menu-thong-bao"[^>]*>[^<]*(?:<span class="badge warn unread-count">(\d+\+?)<\/span>)?/.exec(html)?.[1] ?? null;

describe('the portal: a citizen reads their own notices only', () => {
  it('lists them newest first with the dossier linked by the one rule, counts the unread in the menu, marks one read on opening', async () => {
    const a = await citizen('001190012345', 'Trần Thị An');
    const b = await citizen('001190054321', 'Lê Văn Bình');
    const mine = await dossierOf(a);
    const theirs = await dossierOf(b);
    const [aboutMine] = await notices({ citizenId: a.id }, 1, mine.id);
    // A notice of A's about a dossier A may not open (the rule says no): its text only, no code, no link.
    const [aboutTheirs] = await notices({ citizenId: a.id }, 1, theirs.id);
    const [bs] = await notices({ citizenId: b.id }, 1);

    const home = await a.client.get('/ca-nhan');
    expect(menuCount(home.text)).toBe('2');
    const list = await a.client.get(LIST);
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/ca-nhan/ho-so/${mine.id}"`);
    expect(list.text).toContain(mine.code);
    expect(list.text).not.toContain(theirs.code);
    expect(list.text).not.toContain(`/ca-nhan/ho-so/${theirs.id}`);
    expect(list.text).not.toContain(bs!.id);
    expect(list.text.match(/class="notice unread"/g)).toHaveLength(2);

    const one = await a.client.get(`${LIST}/${aboutMine!.id}`);
    expect(one.status).toBe(200);
    // The menu of this very page already counts it read.
    expect(menuCount(one.text)).toBe('1');
    expect(await readAt(aboutMine!.id)).toBeInstanceOf(Date);
    expect(await readAt(aboutTheirs!.id)).toBeNull();
    expect(menuCount((await a.client.get(LIST)).text)).toBe('1');
  });

  it("another citizen's notice: 404 in the address and in the form, never marked read; a malformed id the same", async () => {
    const a = await citizen('001190012345', 'Trần Thị An');
    const b = await citizen('001190054321', 'Lê Văn Bình');
    const [bs] = await notices({ citizenId: b.id }, 1);
    const [officials] = await notices({ accountId: (await accountByUsername(t.database, sctClerkUsername()))!.id }, 1);
    for (const id of [bs!.id, officials!.id, 'khong-phai-ma', crypto.randomUUID()]) {
      expect((await a.client.get(`${LIST}/${id}`)).status).toBe(404);
      expect((await a.client.post(`${LIST}/da-doc`, { id }, { csrfFrom: LIST })).status).toBe(404);
    }
    expect(await readAt(bs!.id)).toBeNull();
    expect(await readAt(officials!.id)).toBeNull();
    // Marking all of A's read touches none of B's.
    expect((await a.client.post(`${LIST}/da-doc`, {}, { csrfFrom: LIST })).status).toBe(303);
    expect(await readAt(bs!.id)).toBeNull();
  });

  it('Đánh dấu đã đọc needs the CSRF token; with it, one or all are marked and the count goes to nothing', async () => {
    const a = await citizen('001190012345', 'Trần Thị An');
    const [first, second] = await notices({ citizenId: a.id }, 3);
    expect((await a.client.post(`${LIST}/da-doc`, { id: first!.id }, { csrf: null })).status).toBe(403);
    expect((await a.client.post(`${LIST}/da-doc`, {}, { csrf: 'forged' })).status).toBe(403);
    expect(await readAt(first!.id)).toBeNull();
    expect((await a.client.post(`${LIST}/da-doc`, { id: second!.id }, { csrfFrom: LIST })).status).toBe(303);
    expect(await readAt(second!.id)).toBeInstanceOf(Date);
    expect(menuCount((await a.client.get(LIST)).text)).toBe('2');
    expect((await a.client.post(`${LIST}/da-doc`, {}, { csrfFrom: LIST })).status).toBe(303);
    const after = await a.client.get(LIST);
    expect(menuCount(after.text)).toBeNull();
    expect(after.text).not.toContain('class="notice unread"');
  });

  it('keyset pages lose nothing among notices of one transaction (the same created_at)', async () => {
    const a = await citizen('001190012345', 'Trần Thị An');
    const made = await notices({ citizenId: a.id }, 45);
    const seen: string[] = [];
    let path: string | null = LIST;
    while (path) {
      const page = await a.client.get(path);
      expect(page.status).toBe(200);
      seen.push(...[...page.text.matchAll(/<li class="notice[^"]*" id="tb-([0-9a-f-]{36})"/g)].map((m) => m[1]!));
      const next = /href="(\/ca-nhan\/thong-bao\?sau=[^"]+)"/.exec(page.text)?.[1];
      path = next ? next.replaceAll('&amp;', '&') : null;
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen)).toEqual(new Set(made.map((m) => m.id)));
    // A cursor that is not one is the first page, not an error.
    expect((await a.client.get(`${LIST}?sau=x`)).status).toBe(200);
  });

  it('the unread count shows 99+ at the cap', async () => {
    const a = await citizen('001190012345', 'Trần Thị An');
    await notices({ citizenId: a.id }, 120);
    expect(menuCount((await a.client.get('/ca-nhan')).text)).toBe('99+');
  });

  it('anonymous visitors go to Đăng nhập', async () => {
    const res = await new Client(t.app).get(LIST);
    expect(res.status).toBe(303);
    expect(res.location).toContain('/dang-nhap');
  });
});

describe('the one-stop system: an official reads their own notices only', () => {
  const clerk = () => sctClerkUsername();
  const other = () => demoOfficials().find((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên')!.username;
  async function loggedIn(username: string) {
    const client = new Client(t.app);
    expect((await client.login(username, TEST_PASSWORD)).status).toBe(303);
    return client;
  }

  it('lists, counts in the user menu, opens and marks read; another official’s id is 404 and stays unread', async () => {
    const me = (await accountByUsername(t.database, clerk()))!;
    const them = (await accountByUsername(t.database, other()))!;
    const [mine] = await notices({ accountId: me.id }, 2);
    const [theirs] = await notices({ accountId: them.id }, 1);
    const client = await loggedIn(clerk());
    const start = await client.get('/tiepnhan');
    expect(menuCount(start.text)).toBe('2');
    const list = await client.get('/tiepnhan/thong-bao');
    expect(list.status).toBe(200);
    expect(list.text).toContain(mine!.id);
    expect(list.text).not.toContain(theirs!.id);
    const one = await client.get(`/tiepnhan/thong-bao/${mine!.id}`);
    expect(one.status).toBe(200);
    expect(menuCount(one.text)).toBe('1');
    expect(await readAt(mine!.id)).toBeInstanceOf(Date);

    expect((await client.get(`/tiepnhan/thong-bao/${theirs!.id}`)).status).toBe(404);
    expect((await client.post('/tiepnhan/thong-bao/da-doc', { id: theirs!.id }, { csrfFrom: '/tiepnhan/thong-bao' })).status).toBe(404);
    expect((await client.post('/tiepnhan/thong-bao/da-doc', {}, { csrf: null })).status).toBe(403);
    expect(menuCount((await client.get('/tiepnhan')).text)).toBe('1');
    expect((await client.post('/tiepnhan/thong-bao/da-doc', {}, { csrfFrom: '/tiepnhan/thong-bao' })).status).toBe(303);
    expect(menuCount((await client.get('/tiepnhan')).text)).toBeNull();
    expect(await readAt(theirs!.id)).toBeNull();
  });

  it('Thông tin tài khoản → Cài đặt thông báo: saved (CSRF), audited, and notify() sends nothing on a switched-off channel', async () => {
    const me = (await accountByUsername(t.database, clerk()))!;
    await t.database.db.update(accounts).set({ mobile: '0912000222', emails: 'canbo@example.vn' }).where(eq(accounts.id, me.id));
    const client = await loggedIn(clerk());
    const page = await client.get('/tiepnhan/tai-khoan/thong-bao');
    expect(page.status).toBe(200);
    expect(page.text).toContain('0912000222');
    expect(page.text).toContain('canbo@example.vn');
    expect((await client.post('/tiepnhan/tai-khoan/thong-bao', { sms: 'on' }, { csrf: null })).status).toBe(403);
    expect(await t.database.db.select().from(notificationPreferences).where(eq(notificationPreferences.accountId, me.id))).toHaveLength(0);
    const saved = await client.post('/tiepnhan/tai-khoan/thong-bao', { sms: 'on' }, { csrfFrom: '/tiepnhan/tai-khoan/thong-bao' });
    expect(saved.status).toBe(303);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notify.preferences'), eq(auditLog.actorId, me.id)));
    expect(audit?.data).toMatchObject({ zns: false, sms: true, email: false });

    await t.database.db.transaction((tx) =>
      notify(tx, {
        event: 'official.overdue',
        to: { kind: 'official', accountId: me.id },
        dossierId: null,
        data: overdueData(),
      }),
    );
    const sent = await t.database.db.select().from(notifications).where(eq(notifications.accountId, me.id));
    expect(sent.map((r) => r.channel).sort()).toEqual(['inapp', 'sms']);
  });
});

describe('Cài đặt thông báo on the portal', () => {
  it('shows where messages go, saves the choice (CSRF, audited), and notify() honours it', async () => {
    const a = await citizen('001190012345', 'Trần Thị An', { phone: '0987654321', email: 'an@vneid.example' });
    const d = await dossierOf(a, { phone: '0912 345 678', email: 'an@hoso.example' });
    const page = await a.client.get(SETTINGS);
    expect(page.status).toBe(200);
    for (const v of ['0987654321', 'an@vneid.example', '0912345678', 'an@hoso.example', d.code]) expect(page.text).toContain(v);
    expect(page.text.match(/type="checkbox" name="(zns|sms|email)"[^>]*checked/g)).toHaveLength(3);

    expect((await a.client.post(SETTINGS, { email: 'on' }, { csrf: null })).status).toBe(403);
    expect((await a.client.post(SETTINGS, { email: 'yes please' }, { csrfFrom: SETTINGS })).status).toBe(400);
    expect(await t.database.db.select().from(notificationPreferences).where(eq(notificationPreferences.citizenId, a.id))).toHaveLength(0);

    const saved = await a.client.post(SETTINGS, { email: 'on' }, { csrfFrom: SETTINGS });
    expect(saved.status).toBe(303);
    const prefs = await t.database.db.select().from(notificationPreferences).where(eq(notificationPreferences.citizenId, a.id));
    expect(Object.fromEntries(prefs.map((p) => [p.channel, p.enabled]))).toEqual({ zns: false, sms: false, email: true });
    const again = await a.client.get(`${SETTINGS}?luu=1`);
    expect(again.text).toContain('Đã lưu cài đặt thông báo.');
    expect(again.text.match(/type="checkbox" name="(zns|sms|email)"[^>]*checked/g)).toHaveLength(1);
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'notify.preferences'), eq(auditLog.actorId, a.id)));
    expect(audit?.data).toMatchObject({ zns: false, sms: false, email: true });

    await t.database.db.delete(notifications).where(eq(notifications.dossierId, d.id));
    await t.database.db.transaction((tx) =>
      notify(tx, { event: 'dossier.withdrawn', to: { kind: 'applicant', dossierId: d.id }, dossierId: d.id, data: dossierData(d.code) }),
    );
    const sent = await t.database.db.select().from(notifications).where(eq(notifications.dossierId, d.id));
    expect(sent.map((r) => r.channel).sort()).toEqual(['email', 'inapp']);
    expect(sent.find((r) => r.channel === 'inapp')?.citizenId).toBe(a.id);
  });
});

describe('Dữ liệu của tôi', () => {
  it('the page and the ZIP carry every message sent to the citizen and their preferences — none of another’s', async () => {
    const a = await citizen('001190012345', 'Trần Thị An', { phone: '0987654321' });
    const b = await citizen('001190054321', 'Lê Văn Bình');
    const d = await dossierOf(a, { email: 'an@hoso.example' });
    await t.database.db.delete(notifications).where(eq(notifications.dossierId, d.id));
    await a.client.post(SETTINGS, { sms: 'on', email: 'on' }, { csrfFrom: SETTINGS });
    await t.database.db.transaction((tx) =>
      notify(tx, { event: 'dossier.withdrawn', to: { kind: 'applicant', dossierId: d.id }, dossierId: d.id, data: dossierData(d.code) }),
    );
    const [bs] = await notices({ citizenId: b.id }, 1);

    const page = await a.client.get('/ca-nhan/du-lieu');
    // In-app, e-mail to the dossier's contact, SMS to the VNeID phone (the dossier has none).
    expect(page.text).toContain('Thông báo đã gửi cho bạn (3)');
    expect(page.text).toContain('an@hoso.example');

    const zip = await exportMyData(t.database.db, citizenActor(a.id, { ip: null, requestId: null }), (await citizenRow(a.id))!, new Date());
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.open()) chunks.push(Buffer.from(chunk as Uint8Array));
    const data = JSON.parse(strFromU8(unzipSync(new Uint8Array(Buffer.concat(chunks)))['data.json']!)) as MyData;
    expect(data.notifications.map((n) => n.channel).sort()).toEqual(['email', 'inapp', 'sms']);
    expect(data.notifications.find((n) => n.channel === 'sms')?.address).toBe('0987654321');
    expect(data.notifications.find((n) => n.channel === 'email')).toMatchObject({
      address: 'an@hoso.example',
      dossierCode: d.code,
      state: 'queued',
    });
    expect(data.notifications.some((n) => n.id === bs!.id)).toBe(false);
    expect(Object.fromEntries(data.notificationPreferences.map((p) => [p.channel, p.enabled]))).toEqual({
      zns: false,
      sms: true,
      email: true,
    });
    expect(JSON.stringify(data)).not.toContain('gatewayId');
  });
});

const citizenRow = async (id: string) => (await t.database.db.select().from(citizens).where(eq(citizens.id, id)))[0];
const dossierData = (code: string) => ({ ma_ho_so: code, thu_tuc: 'Cấp giấy phép', co_quan: 'Sở Công Thương' });
const overdueData = () => ({ ...dossierData('H10-1'), ngay_hen_tra: '01/12/2026', so_ngay_qua_han: '2' });
