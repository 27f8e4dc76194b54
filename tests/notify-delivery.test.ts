/**
 * Delivery of notifications (src/notify: enqueue, send, fallback, delivery reports) against the simulator's real
 * stand-ins: the SMTP stand-in (sim/smtp.ts), the SMS and ZNS gateways (reports not called back here: no webhook).
 * Each abuse beside its use: a rolled-back change sends nothing, a gateway down then up delivers once, a refusal
 * falls back, a report before the send record and a repeated report never move a final state, an opt-out holds.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { and, eq, sql } from 'drizzle-orm';
import { startSimulator, type Simulator } from '../sim/server.js';
import { GATEWAY_FAULTS_OFF } from '../sim/state.js';
import { MAIL_FAULTS_OFF } from '../sim/smtp.js';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { citizens, dossiers, notificationPreferences, notificationTemplates, notifications } from '../src/db/schema/index.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { startJobQueue, type JobQueue } from '../src/jobs/queue.js';
import { adaptersFor } from '../src/notify/adapters/index.js';
import type { ChannelAdapter } from '../src/notify/adapters/types.js';
import { applyDeliveryReport } from '../src/notify/delivery-report.js';
import { notify } from '../src/notify/enqueue.js';
import { sendNotification, type SendDeps } from '../src/notify/send.js';
import { listFailedNotifications } from '../src/notify/failed-messages.js';
import { receiveAtCounter } from './support/reception.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { freePort } from './support/vneid.js';
import { Client, TEST_PASSWORD } from './support/app.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });
let sim: Simulator;
let env: Record<string, string>;
const running: JobQueue[] = [];

beforeAll(async () => {
  const port = await freePort();
  sim = await startSimulator({
    port,
    issuer: `http://127.0.0.1:${port}`,
    clients: [],
    registryToken: 'registry-test-token',
    sms: { token: 'sms-token', reportSecret: 'sms-report-secret-for-tests' },
    zns: {
      appId: '4242',
      appSecret: 'zns-app-secret',
      refreshToken: 'zns-refresh',
      accessToken: 'zns-token',
      secret: 'zns-webhook-secret-for-tests',
    },
    smtp: { port: 0 },
  });
  env = {
    SMTP_URL: `smtp://127.0.0.1:${sim.smtpPort}`,
    MAIL_FROM: 'Một cửa thử nghiệm <thongbao@motcua.test>',
    SMS_GATEWAY_URL: `${sim.url}/sms-gateway/v1/send`,
    SMS_GATEWAY_TOKEN: 'sms-token',
    SMS_BRANDNAME: 'DONGNAI.GOV',
    SMS_REPORT_SECRET: 'sms-report-secret-for-tests',
    ZNS_URL: `${sim.url}/zns/v1/message/template`,
    ZNS_APP_ID: '4242',
    ZNS_ACCESS_TOKEN: 'zns-token',
    ZNS_APP_SECRET: 'zns-app-secret',
    ZNS_REFRESH_TOKEN: 'zns-refresh',
    ZNS_OAUTH_URL: `${sim.url}/zns/oauth/v4/oa/access_token`,
    ZNS_WEBHOOK_SECRET: 'zns-webhook-secret-for-tests',
  };
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => {
  Object.assign(sim.state.faults, GATEWAY_FAULTS_OFF, MAIL_FAULTS_OFF);
  sim.mailbox.received.splice(0);
});
afterEach(async () => {
  for (const q of running.splice(0)) await q.stop(2_000);
  await t.database.db.execute(sql`delete from pgboss.job`);
});

const config = () => loadConfig({ NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(40), ...env });
const deps = (adapters = adaptersFor(config(), { db: t.database.db, now: () => new Date() })): SendDeps => ({
  db: t.database.db,
  adapters,
  sms: { unaccented: false, maxSegments: 3 },
  now: () => new Date(),
});
const FIRST_TRY = { id: 'test', retryCount: 0, retryLimit: 7 };

async function receive(contact: { phone?: string; email?: string }) {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const { p } = await currentProcedure(t.database, '2.000633');
  return receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thư', ...contact });
}
const rowsOf = (dossierId: string) =>
  t.database.db.select().from(notifications).where(eq(notifications.dossierId, dossierId)).orderBy(notifications.createdAt);
const row = async (id: string) => (await t.database.db.select().from(notifications).where(eq(notifications.id, id)))[0]!;
const sendJobs = () => queryRows<{ id: string }>(t.database.db, sql`select id from pgboss.job where name = 'notify.send'`);

describe('recording notifications with the change', () => {
  it('a reception records an e-mail and an SMS, each with its send job', async () => {
    const d = await receive({ phone: '0912345678', email: 'tran.thi.thu@example.vn' });
    const rows = await rowsOf(d.id);
    expect(rows.map((r) => [r.channel, r.state, r.address]).sort()).toEqual([
      ['email', 'queued', 'tran.thi.thu@example.vn'],
      ['sms', 'queued', '0912345678'],
    ]);
    expect(rows[0]!.data).toMatchObject({ ma_ho_so: d.code, ma_tra_cuu: d.lookupCode });
    expect(await sendJobs()).toHaveLength(2);
  });

  it('a notification recorded in a rolled-back transaction is never sent: no row, no job', async () => {
    const d = await receive({});
    await t.database.db
      .transaction(async (tx) => {
        await tx
          .update(dossiers)
          .set({ applicant: { ...d.applicant, email: 'rollback@example.vn' } })
          .where(eq(dossiers.id, d.id));
        await notify(tx, {
          event: 'dossier.withdrawn',
          to: { kind: 'applicant', dossierId: d.id },
          dossierId: d.id,
          data: { ma_ho_so: d.code, thu_tuc: 'Thủ tục', co_quan: 'Sở' },
        });
        throw new Error('the change fails');
      })
      .catch(() => undefined);
    expect(await rowsOf(d.id)).toHaveLength(0);
    expect(await sendJobs()).toHaveLength(0);
  });

  it('the same key records nothing a second time', async () => {
    const d = await receive({ email: 'a@example.vn' });
    const input = {
      event: 'dossier.withdrawn' as const,
      to: { kind: 'applicant' as const, dossierId: d.id },
      dossierId: d.id,
      data: { ma_ho_so: d.code, thu_tuc: 'Thủ tục', co_quan: 'Sở' },
      key: '2026-12-03',
    };
    await t.database.db.transaction((tx) => notify(tx, input));
    await t.database.db.transaction((tx) => notify(tx, input));
    expect((await rowsOf(d.id)).filter((r) => r.event === 'dossier.withdrawn')).toHaveLength(1);
  });

  it("an opted-out channel is not used; the portal citizen's in-app notice is delivered at once", async () => {
    const d = await receive({});
    const [citizen] = await t.database.db
      .insert(citizens)
      .values({ issuer: 'test', subject: 'c-1', fullName: 'Trần Thị Thư', phone: '0987654321', email: 'thu@example.vn' })
      .returning();
    await t.database.db.update(dossiers).set({ citizenId: citizen!.id }).where(eq(dossiers.id, d.id));
    await t.database.db.insert(notificationPreferences).values({ citizenId: citizen!.id, channel: 'sms', enabled: false });
    await t.database.db.transaction((tx) =>
      notify(tx, {
        event: 'dossier.withdrawn',
        to: { kind: 'applicant', dossierId: d.id },
        dossierId: d.id,
        data: { ma_ho_so: d.code, thu_tuc: 'Thủ tục', co_quan: 'Sở' },
      }),
    );
    const rows = await rowsOf(d.id);
    expect(rows.map((r) => r.channel).sort()).toEqual(['email', 'inapp']);
    const inapp = rows.find((r) => r.channel === 'inapp')!;
    expect(inapp).toMatchObject({ state: 'delivered', citizenId: citizen!.id });
    expect(inapp.body).toContain(d.code);
  });
});

describe('sending', () => {
  it('an SMTP server down for a while, then up, delivers each e-mail once (the worker retries with back-off)', async () => {
    // The worker first: a job takes its queue's retry settings when it is enqueued.
    running.push(
      await startJobQueue(t.database, {
        logger: silent,
        handlers: jobHandlers({
          db: t.database.db,
          logger: silent,
          sessionPolicy: { idleMs: 60_000, absoluteMs: 3_600_000 },
          config: config(),
        }),
        schedules: false,
        pollingIntervalSeconds: 0.5,
        settings: { 'notify.send': { retryLimit: 20, retryDelaySeconds: 1, retryBackoff: false } },
      }),
    );
    sim.state.faults.mailDown = true;
    const d = await receive({ email: 'cho.gui@example.vn' });
    const [n] = await rowsOf(d.id);
    await vi.waitFor(async () => expect((await row(n!.id)).attempts).toBeGreaterThanOrEqual(2), { timeout: 20_000, interval: 200 });
    expect(['queued', 'sending']).toContain((await row(n!.id)).state);
    expect((await row(n!.id)).reason).toContain('421');
    sim.state.faults.mailDown = false;
    await vi.waitFor(async () => expect((await row(n!.id)).state).toBe('delivered'), { timeout: 20_000, interval: 200 });
    await new Promise((r) => setTimeout(r, 1_500));
    const mails = sim.mailbox.to('cho.gui@example.vn');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ messageId: `<${n!.id}@motcua.test>`, subject: expect.stringContaining(d.code) });
    expect(mails[0]!.text).toContain(d.code);
    const res = await fetch(`${sim.url}/dev/mail?to=cho.gui@example.vn`);
    expect(((await res.json()) as unknown[]).length).toBe(1);
  }, 40_000);

  it('on the last attempt a temporary failure is recorded failed instead of retried', async () => {
    sim.state.faults.mailDown = true;
    const d = await receive({ email: 'het.luot@example.vn' });
    const [n] = await rowsOf(d.id);
    await expect(sendNotification(deps(), n!.id, FIRST_TRY)).rejects.toThrow(/421|not sent/);
    await sendNotification(deps(), n!.id, { id: 'test', retryCount: 7, retryLimit: 7 });
    expect(await row(n!.id)).toMatchObject({ state: 'failed', attempts: 2 });
    expect((await row(n!.id)).reason).toContain('Đã thử 8 lần');
  });

  it('a ZNS refused for good falls back to SMS; an SMS refused falls back to e-mail only if no e-mail went', async () => {
    await t.database.db.insert(notificationTemplates).values({
      event: 'dossier.received',
      channel: 'zns',
      body: 'Hồ sơ {ma_ho_so}',
      znsTemplateId: '229712',
      znsParams: { ma_ho_so: 'ma_ho_so' },
    });
    const d = await receive({ phone: '0912345678', email: 'co.thu@example.vn' });
    const [zns] = (await rowsOf(d.id)).filter((r) => r.channel === 'zns');
    expect(zns).toBeDefined();
    sim.state.faults.znsReject = true;
    await sendNotification(deps(), zns!.id, FIRST_TRY);
    expect((await row(zns!.id)).state).toBe('failed');
    const fallback = (await rowsOf(d.id)).filter((r) => r.fallbackOf === zns!.id);
    expect(fallback).toMatchObject([{ channel: 'sms', address: '0912345678', state: 'queued' }]);
    // The SMS refused too: the e-mail already went with the event, so nothing further.
    sim.state.faults.smsReject = true;
    await sendNotification(deps(), fallback[0]!.id, FIRST_TRY);
    expect((await row(fallback[0]!.id)).state).toBe('failed');
    expect((await rowsOf(d.id)).filter((r) => r.fallbackOf === fallback[0]!.id)).toHaveLength(0);
  });

  it('an SMS refused for good falls back to an e-mail the event did not use', async () => {
    const d = await receive({ phone: '0912345678' });
    const [sms] = await rowsOf(d.id);
    // The applicant's e-mail is known since.
    await t.database.db
      .update(dossiers)
      .set({ applicant: { ...d.applicant, email: 'moi.co@example.vn' } })
      .where(eq(dossiers.id, d.id));
    sim.state.faults.smsReject = true;
    // A connection the stand-in dropped is a temporary failure: the job's retry, as pg-boss would run it.
    await sendNotification(deps(), sms!.id, FIRST_TRY).catch(() => sendNotification(deps(), sms!.id, { ...FIRST_TRY, retryCount: 1 }));
    const [email] = (await rowsOf(d.id)).filter((r) => r.fallbackOf === sms!.id);
    expect(email).toMatchObject({ channel: 'email', address: 'moi.co@example.vn' });
    await sendNotification(deps(), email!.id, FIRST_TRY);
    expect((await row(email!.id)).state).toBe('delivered');
    expect(sim.mailbox.to('moi.co@example.vn')).toHaveLength(1);
  });

  it('a channel unconfigured at send time fails with the reason and falls back', async () => {
    const d = await receive({ phone: '0912345678' });
    const [sms] = await rowsOf(d.id);
    await sendNotification(deps(new Map()), sms!.id, FIRST_TRY);
    expect(await row(sms!.id)).toMatchObject({ state: 'failed', reason: 'Kênh chưa được cấu hình' });
  });
});

describe('delivery reports', () => {
  it("a report that arrives before the send is recorded updates the row, and the later 'accepted' does not move it back", async () => {
    const d = await receive({ phone: '0912345678' });
    const [n] = await rowsOf(d.id);
    // A gateway so fast that its delivery report is in before it answers the send.
    const fast: ChannelAdapter = {
      channel: 'sms',
      async send(message) {
        const applied = await applyDeliveryReport(t.database.db, {
          notificationId: message.id,
          channel: 'sms',
          gatewayId: 'GW-1',
          state: 'delivered',
          reason: null,
          at: new Date(),
        });
        expect(applied).toBe('applied');
        return { kind: 'accepted', gatewayId: 'GW-1' };
      },
    };
    await sendNotification(deps(new Map([['sms', fast]])), n!.id, FIRST_TRY);
    expect(await row(n!.id)).toMatchObject({ state: 'delivered', gatewayId: 'GW-1', attempts: 1 });
    expect((await row(n!.id)).sentAt).not.toBeNull();
  });

  it('a report for a queued message applies; a repeated or late one is ignored; an unknown id is unknown', async () => {
    const d = await receive({ phone: '0912345678' });
    const [n] = await rowsOf(d.id);
    const report = {
      notificationId: n!.id,
      channel: 'sms' as const,
      gatewayId: 'GW-2',
      state: 'delivered' as const,
      reason: null,
      at: new Date(),
    };
    expect(await applyDeliveryReport(t.database.db, report)).toBe('applied');
    expect(await applyDeliveryReport(t.database.db, report)).toBe('ignored');
    expect(await applyDeliveryReport(t.database.db, { ...report, state: 'failed', reason: 'late' })).toBe('ignored');
    expect(await row(n!.id)).toMatchObject({ state: 'delivered', reason: null });
    // The job then finds it final and sends nothing.
    await sendNotification(deps(), n!.id, FIRST_TRY);
    expect((await row(n!.id)).attempts).toBe(0);
    expect(await applyDeliveryReport(t.database.db, { ...report, notificationId: 'not-a-uuid' })).toBe('unknown');
    expect(await applyDeliveryReport(t.database.db, { ...report, channel: 'zns' })).toBe('unknown');
    expect(await applyDeliveryReport(t.database.db, { ...report, notificationId: crypto.randomUUID() })).toBe('unknown');
  });

  it('a failed report falls back once, however often it is repeated', async () => {
    const d = await receive({ phone: '0912345678' });
    const [n] = await rowsOf(d.id);
    await t.database.db
      .update(dossiers)
      .set({ applicant: { ...d.applicant, email: 'du.phong@example.vn' } })
      .where(eq(dossiers.id, d.id));
    const report = {
      notificationId: n!.id,
      channel: 'sms' as const,
      gatewayId: null,
      state: 'expired' as const,
      reason: null,
      at: new Date(),
    };
    expect(await applyDeliveryReport(t.database.db, report)).toBe('applied');
    expect(await applyDeliveryReport(t.database.db, report)).toBe('ignored');
    const rows = await t.database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.dossierId, d.id), eq(notifications.channel, 'email')));
    expect(rows).toHaveLength(1);
    expect(await row(n!.id)).toMatchObject({ state: 'expired', reason: 'Hết thời hạn chờ nhận tin' });
  });
});

describe('Quản trị → Thông báo', () => {
  async function failedEmail() {
    sim.state.faults.mailReject = true;
    const d = await receive({ email: 'bi.loi@example.vn' });
    const [n] = await rowsOf(d.id);
    await sendNotification(deps(), n!.id, FIRST_TRY);
    expect((await row(n!.id)).state).toBe('failed');
    sim.state.faults.mailReject = false;
    return { d, n: n! };
  }

  it('the unit administrator sees the failure (address masked) and resends it once, audited; a double resend is 409', async () => {
    const { d, n } = await failedEmail();
    const c = new Client(t.app);
    await c.login('admin.sct', TEST_PASSWORD);
    const list = await c.get('/tiepnhan/quan-tri/thong-bao?kenh=email');
    expect(list.status).toBe(200);
    expect(list.text).toContain(d.code);
    expect(list.text).toContain('b•••@example.vn');
    expect(list.text).not.toContain('bi.loi@example.vn');
    const res = await c.post(`/tiepnhan/quan-tri/thong-bao/${n.id}/gui-lai`, {}, { csrfFrom: '/tiepnhan/quan-tri/thong-bao' });
    expect(res.status).toBe(303);
    const again = await c.post(`/tiepnhan/quan-tri/thong-bao/${n.id}/gui-lai`, {}, { csrfFrom: '/tiepnhan/quan-tri/thong-bao' });
    expect(again.status).toBe(409);
    const resent = (await rowsOf(d.id)).filter((r) => r.fallbackOf === n.id);
    expect(resent).toMatchObject([{ channel: 'email', state: 'queued', address: 'bi.loi@example.vn' }]);
    expect(await row(n.id)).toMatchObject({ state: 'failed' });
    await sendNotification(deps(), resent[0]!.id, FIRST_TRY);
    expect(sim.mailbox.to('bi.loi@example.vn')).toHaveLength(1);
    const audit = await queryRows<{ target_id: string }>(
      t.database.db,
      sql`select target_id from audit_log where action = 'notification.resend'`,
    );
    expect(audit).toEqual([{ target_id: n.id }]);
  });

  it('keyset pages: 51 failures created in one statement come as 50 then 1, none twice, none skipped', async () => {
    const d = await receive({});
    await t.database.db.insert(notifications).values(
      Array.from({ length: 51 }, () => ({
        event: 'dossier.received',
        channel: 'sms' as const,
        recipientKind: 'applicant' as const,
        address: '0912345678',
        dossierId: d.id,
        state: 'failed' as const,
        reason: 'x',
      })),
    );
    const admin = await actorFor(t.database, 'admin.sct');
    const first = await listFailedNotifications(t.database.db, admin, { channel: 'sms' });
    expect(first.rows).toHaveLength(50);
    expect(first.next).not.toBeNull();
    const second = await listFailedNotifications(t.database.db, admin, { channel: 'sms', after: first.next ?? undefined });
    expect(second.rows).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(51);
  });

  it("another unit's administrator gets 404 and sends nothing; a resend without its CSRF token is refused", async () => {
    const { d, n } = await failedEmail();
    const c = new Client(t.app);
    await c.login('admin.snv', TEST_PASSWORD);
    expect((await c.get('/tiepnhan/quan-tri/thong-bao')).text).not.toContain(d.code);
    const res = await c.post(`/tiepnhan/quan-tri/thong-bao/${n.id}/gui-lai`, {}, { csrfFrom: '/tiepnhan/quan-tri/thong-bao' });
    expect(res.status).toBe(404);
    const bad = await c.post('/tiepnhan/quan-tri/thong-bao/not-an-id/gui-lai', {}, { csrfFrom: '/tiepnhan/quan-tri/thong-bao' });
    expect(bad.status).toBe(404);
    const clerk = new Client(t.app);
    await clerk.login(sctClerkUsername(), TEST_PASSWORD);
    expect((await clerk.get('/tiepnhan/quan-tri/thong-bao')).status).toBe(404);
    const admin = new Client(t.app);
    await admin.login('admin.sct', TEST_PASSWORD);
    expect((await admin.post(`/tiepnhan/quan-tri/thong-bao/${n.id}/gui-lai`, {}, { csrf: null })).status).toBe(403);
    expect((await rowsOf(d.id)).filter((r) => r.fallbackOf === n.id)).toHaveLength(0);
  });
});

describe('the dossier page: Thông báo đã gửi', () => {
  it('an official who may view the dossier sees its messages, addresses masked; one of another unit gets 404', async () => {
    const d = await receive({ phone: '0912345678', email: 'nguoi.nop@example.vn' });
    const c = new Client(t.app);
    await c.login(sctClerkUsername(), TEST_PASSWORD);
    const page = await c.get(`/tiepnhan/ho-so/${d.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Thông báo đã gửi');
    const section = page.text.slice(page.text.indexOf('id="dossier-notifications"'));
    expect(section).toContain('09••••5678');
    expect(section).toContain('n•••@example.vn');
    expect(section.slice(0, section.indexOf('</table>'))).not.toContain('0912345678');
    expect(section).toContain('Đang chờ gửi');
    const other = new Client(t.app);
    await other.login('admin.snv', TEST_PASSWORD);
    const refused = await other.get(`/tiepnhan/ho-so/${d.id}`);
    expect(refused.status).toBe(404);
    expect(refused.text).not.toContain('09••••5678');
  });
});

describe('SMTP_URL and MAIL_FROM', () => {
  const base = { NODE_ENV: 'test', SESSION_SECRET: 'x'.repeat(40) };
  const prod = {
    NODE_ENV: 'production',
    SESSION_SECRET: 'y'.repeat(40),
    PUBLIC_URL: 'https://motcua.example.vn',
    SSO_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
    VNEID_ISSUER: 'https://vneid.example.vn',
    VNEID_CLIENT_ID: 'c',
    VNEID_CLIENT_SECRET: 's',
    REGISTRY_URL: 'https://registry.example.vn',
    REGISTRY_TOKEN: 't',
    PAYMENT_URL: 'https://pay.example.vn/pay',
    PAYMENT_MERCHANT: 'M',
    PAYMENT_SECRET: 'z'.repeat(20),
  };
  it('demo mode sends to the stand-in; a half setting is refused by name; production refuses the stand-in, allows a relay', () => {
    expect(loadConfig(base).email).toMatchObject({ smtpUrl: 'smtp://127.0.0.1:2525', simulated: true });
    expect(() => loadConfig({ ...base, SMTP_URL: 'smtp://mail.example.vn:587' })).toThrow(/MAIL_FROM: required when SMTP_URL is set/);
    expect(() => loadConfig({ ...base, SMTP_URL: 'http://mail.example.vn', MAIL_FROM: 'a@b.vn' })).toThrow(/SMTP_URL/);
    expect(loadConfig(prod).email).toBeNull();
    expect(() => loadConfig({ ...prod, SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'a@b.vn' })).toThrow(/SMTP stand-in/);
    expect(loadConfig({ ...prod, SMTP_URL: 'smtp://127.0.0.1:25', MAIL_FROM: 'a@b.vn' }).email).toMatchObject({ simulated: false });
  });
});
