/**
 * Abuse cases found reviewing issue 14 (notifications): a page cursor naming an impossible time is the first page,
 * never a 500; Gửi lại never sends on a channel the person switched off nor to a suspended official; a mail
 * server's refusal naming the address keeps the address out of the reason (shown on screens, logged on retries).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { accounts, citizens, dossiers, notificationPreferences, notifications } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { emailAdapter } from '../src/notify/adapters/email.js';
import { resendNotification } from '../src/notify/resend.js';
import { sendNotification } from '../src/notify/send.js';
import { verifySmsReport } from '../src/notify/gateway-reports.js';
import type { ChannelAdapter } from '../src/notify/adapters/types.js';
import { listFailedNotifications } from '../src/notify/failed-messages.js';

const t = useDemoApp();
const BAD_TIMES = ['2026-13-45T25:61:61.000000Z', '0000-01-01T00:00:00.000000Z', '2026-02-30T00:00:00.000000Z'];
const ID = '00000000-0000-4000-8000-000000000000';

async function portalCitizen() {
  const [row] = await t.database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd: '001099000777', fullName: 'Lê Văn Duyệt', loa: 2 })
    .returning({ id: citizens.id });
  const client = new Client(t.app);
  client.cookies.set(
    PORTAL_COOKIE,
    await createCitizenSession(t.database.db, row!.id, { idleMs: 1_800_000, absoluteMs: 43_200_000 }, new Date()),
  );
  return { id: row!.id, client };
}

describe('notice pages: a cursor naming an impossible time', () => {
  it('is read as the first page on the portal and in the one-stop system, never a 500', async () => {
    const { client } = await portalCitizen();
    const official = new Client(t.app);
    await official.login(sctClerkUsername(), TEST_PASSWORD);
    for (const at of BAD_TIMES) {
      expect((await client.get(`/ca-nhan/thong-bao?sau=${at}_${ID}`)).status).toBe(200);
      expect((await official.get(`/tiepnhan/thong-bao?sau=${at}_${ID}`)).status).toBe(200);
    }
  });
});

describe('Quản trị → Thông báo: a cursor naming an impossible time', () => {
  it('is read as the first page, never a 500', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    for (const at of BAD_TIMES) {
      await expect(listFailedNotifications(t.database.db, admin, { after: `${at}_${ID}` })).resolves.toMatchObject({ next: null });
    }
  });
});

describe('Gửi lại', () => {
  async function failedSms(citizenId: string | null) {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const { p } = await currentProcedure(t.database, '2.000633');
    const d = await receiveAtCounter(t.database.db, clerk, {
      procedureId: p.id,
      channel: '1',
      fullName: 'Lê Văn Duyệt',
      phone: '0912345678',
    });
    if (citizenId) await t.database.db.update(dossiers).set({ citizenId }).where(eq(dossiers.id, d.id));
    const [n] = await t.database.db
      .insert(notifications)
      .values({
        event: 'dossier.received',
        channel: 'sms',
        recipientKind: 'applicant',
        citizenId,
        address: '0912345678',
        dossierId: d.id,
        state: 'failed',
        reason: 'x',
      })
      .returning();
    return n!;
  }
  const replacements = async (id: string) => t.database.db.select().from(notifications).where(eq(notifications.fallbackOf, id));

  it('refuses a channel the applicant has switched off since (409), and sends nothing', async () => {
    const { id: citizenId } = await portalCitizen();
    const n = await failedSms(citizenId);
    await t.database.db.insert(notificationPreferences).values({ citizenId, channel: 'sms', enabled: false, updatedAt: new Date() });
    const admin = await actorFor(t.database, 'admin.sct');
    await expect(resendNotification(t.database.db, admin, { id: n.id }, new Date())).rejects.toMatchObject({ status: 409 });
    expect(await replacements(n.id)).toHaveLength(0);
  });

  it('refuses an official suspended since (409), and sends nothing', async () => {
    const acc = (await accountByUsername(t.database, sctClerkUsername()))!;
    const [n] = await t.database.db
      .insert(notifications)
      .values({
        event: 'official.due_tomorrow',
        channel: 'sms',
        recipientKind: 'official',
        accountId: acc.id,
        address: '0912345678',
        state: 'failed',
      })
      .returning();
    await t.database.db.update(accounts).set({ suspended: true }).where(eq(accounts.id, acc.id));
    try {
      const admin = await actorFor(t.database, 'admin.sct');
      await expect(resendNotification(t.database.db, admin, { id: n!.id }, new Date())).rejects.toMatchObject({ status: 409 });
      expect(await replacements(n!.id)).toHaveLength(0);
    } finally {
      await t.database.db.update(accounts).set({ suspended: false }).where(eq(accounts.id, acc.id));
    }
  });
});

describe('e-mail: a refusal naming the address', () => {
  it('keeps the address out of the reason (temporary and permanent alike)', async () => {
    let code = 550;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: code }));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const addr = server.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const adapter = emailAdapter({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'Thử <a@motcua.test>', simulated: false });
      const message = { id: crypto.randomUUID(), channel: 'email' as const, to: 'bi.mat@example.vn', subject: 'x', body: 'y', zns: null };
      for (const c of [550, 450]) {
        code = c;
        const out = await adapter.send(message, AbortSignal.timeout(10_000));
        expect(out.kind).toBe(c === 550 ? 'permanent' : 'retry');
        const reason = 'reason' in out ? out.reason : '';
        expect(reason).toContain(String(c));
        expect(reason).not.toContain('bi.mat');
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a channel switched off while the message waited', () => {
  it('is not used: the message is cancelled with the reason, nothing reaches the gateway, nothing falls back', async () => {
    const { id: citizenId } = await portalCitizen();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const { p } = await currentProcedure(t.database, '2.000633');
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Lê Văn Duyệt' });
    await t.database.db.update(dossiers).set({ citizenId }).where(eq(dossiers.id, d.id));
    const [n] = await t.database.db
      .insert(notifications)
      .values({ event: 'dossier.received', channel: 'sms', recipientKind: 'applicant', citizenId, address: '0912345678', dossierId: d.id })
      .returning();
    await t.database.db.insert(notificationPreferences).values({ citizenId, channel: 'sms', enabled: false, updatedAt: new Date() });
    const sent: string[] = [];
    const sms: ChannelAdapter = {
      channel: 'sms',
      send: async (m) => {
        sent.push(m.id);
        return { kind: 'accepted', gatewayId: `gw-${m.id}` };
      },
    };
    await sendNotification(
      { db: t.database.db, adapters: new Map([['sms', sms]]), sms: { unaccented: false, maxSegments: 3 }, now: () => new Date() },
      n!.id,
      { id: 'test', retryCount: 0, retryLimit: 7 },
    );
    expect(sent).toEqual([]);
    const [after] = await t.database.db.select().from(notifications).where(eq(notifications.id, n!.id));
    expect(after).toMatchObject({ state: 'cancelled', reason: 'Người nhận đã tắt kênh này trong Cài đặt thông báo' });
    expect(await t.database.db.select().from(notifications).where(eq(notifications.fallbackOf, n!.id))).toHaveLength(0);
  });
});

describe('an SMS delivery report naming a time PostgreSQL cannot hold', () => {
  it('is refused 400 (invalid_report), never applied (it would answer the gateway 500 at every retry)', () => {
    const secret = 's'.repeat(32);
    const now = new Date();
    const ts = String(Math.floor(now.getTime() / 1000));
    for (const doneAt of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '9999-12-31T23:00:00-05:00', '2026-12-03T10:00:00Z']) {
      const raw = JSON.stringify({ reportId: 'r1', messageId: 'm1', clientRef: ID, status: 'delivered', doneAt });
      const signature = crypto.createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');
      const v = verifySmsReport(secret, raw, { timestamp: ts, signature }, now);
      expect(v.ok).toBe(doneAt.startsWith('2026'));
    }
  });
});
