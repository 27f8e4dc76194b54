/**
 * Fee payment through the payment platform's simulator, over HTTP as a browser and the platform would: the portal
 * sends the citizen to the simulator's payment page, the simulator confirms to the app's notify address (the app
 * listens on a real port here) and sends the browser back. Forged, changed and replayed confirmations change nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { serve, type ServerType } from '@hono/node-server';
import { extractText } from 'unpdf';
import { startSimulator, type Simulator } from '../sim/server.js';
import { signFields as platformSignature } from '../sim/payment.js';
import { auditLog, citizens, dossiers, payments, procedureVersions, procedures } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { sign } from '../src/payments/platform.js';
import { isDossierPaid, paidDossierIds, unpaidCondition } from '../src/payments/queries.js';
import { amountInWords } from '../src/payments/amount-words.js';
import { formatDateTime } from '../src/shared/dates.js';
import type { Database } from '../src/db/client.js';
import { resetDatabase, testDatabase } from './support/db.js';
import { buildApp, Client, TEST_PASSWORD, type App } from './support/app.js';
import { systemActor } from '../src/shared/context.js';
import { freePort } from './support/vneid.js';

const MERCHANT = { code: 'TEST-MERCHANT', secret: 'test-payment-secret-0123456789', name: 'UBND tỉnh (thử nghiệm)' };
const FEE = 1_200_000;

let database: Database;
let sim: Simulator;
let app: App;
let appPort: number;
let appUrl: string;
let server: ServerType | null = null;

const listen = () =>
  new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, port: appPort, hostname: '127.0.0.1' }, () => resolve());
  });
const stopListening = () =>
  new Promise<void>((resolve) => {
    const s = server;
    server = null;
    if (!s) return resolve();
    if ('closeAllConnections' in s) s.closeAllConnections();
    s.close(() => resolve());
  });

beforeAll(async () => {
  database = await testDatabase();
  const simPort = await freePort();
  sim = await startSimulator({
    port: simPort,
    issuer: `http://127.0.0.1:${simPort}`,
    clients: [],
    registryToken: 'registry-test-token',
    payment: { merchants: [MERCHANT] },
  });
  appPort = await freePort();
  appUrl = `http://127.0.0.1:${appPort}`;
  app = buildApp(database, {
    PORT: String(appPort),
    PUBLIC_URL: appUrl,
    PAYMENT_URL: `${sim.url}/sim-payment/pay`,
    PAYMENT_MERCHANT: MERCHANT.code,
    PAYMENT_SECRET: MERCHANT.secret,
  });
  await listen();
});
afterAll(async () => {
  await stopListening();
  await sim?.close();
});
beforeEach(async () => {
  if (!server) await listen();
  await resetDatabase(database);
  await seedDemo(database.db, TEST_PASSWORD);
  Object.assign(sim.state.faults, { outage: false, latencyMs: 0, dropSms: false, paymentNotifyDelayMs: 0, dropPaymentNotify: false });
  sim.state.paymentRetryDelaysMs = [1_000, 5_000];
});

/** A citizen with a portal session (the VNeID login itself is tested in portal-and-sso.test.ts). */
async function citizen(subject: string, cccd: string): Promise<{ id: string; client: Client }> {
  const [row] = await database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject, cccd, fullName: `Công dân ${subject}`, loa: 2 })
    .returning();
  const token = await createCitizenSession(database.db, row!.id, { idleMs: 30 * 60_000, absoluteMs: 3_600_000 }, new Date());
  const client = new Client(app);
  client.cookies.set('motcua_portal', token);
  return { id: row!.id, client };
}

/** An online dossier of the citizen (channel 2: online dossiers pay online; counter ones pay at the counter). */
async function dossierOf(citizenId: string, procedureCode = '2.000633') {
  const [p] = await database.db.select().from(procedures).where(eq(procedures.code, procedureCode));
  const d = await receiveDossier(database.db, systemActor('national-portal:test'), {
    procedureId: p!.id,
    channel: '2',
    fullName: 'Người Nộp Thử',
  });
  await database.db.update(dossiers).set({ citizenId }).where(eq(dossiers.id, d.id));
  const [row] = await database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
  return row!;
}

const start = (c: Client, dossierId: string) => c.post(`/ca-nhan/ho-so/${dossierId}/thanh-toan`, {}, { csrfFrom: '/ca-nhan' });

/** The citizen's browser at the platform: opens the payment page and presses a button; returns where it is sent. */
async function atPlatform(url: string, action: 'success' | 'failed' | 'cancel') {
  const page = await fetch(url);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const formAction = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const res = await fetch(new URL(formAction, sim.url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }),
  });
  expect(res.status).toBe(303);
  return { html, back: new URL(res.headers.get('location')!) };
}

type SimOrder = {
  orderId: string;
  status: string;
  transactionId: string | null;
  notifications: Array<{ body: Record<string, string>; outcome: string; attempts: number }>;
};
const simOrders = async (): Promise<SimOrder[]> => (await (await fetch(`${sim.url}/dev/payments`)).json()) as SimOrder[];

const notify = async (body: unknown) => {
  const res = await fetch(`${appUrl}/api/payments/notify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { code?: string; error?: { code: string }; duplicate?: boolean } };
};

/** A confirmation signed with the merchant's secret (what only the platform can make). */
function signed(fields: Record<string, string>) {
  return { ...fields, signature: sign(MERCHANT.secret, fields) };
}

const paymentRows = (dossierId: string) =>
  database.db.select().from(payments).where(eq(payments.dossierId, dossierId)).orderBy(payments.createdAt);
const refusals = async () =>
  (await database.db.select().from(auditLog).where(eq(auditLog.action, 'payment.confirmation_refused')).orderBy(auditLog.id)).map(
    (r) => r.data.reason,
  );
const unpaidCount = async (citizenId: string) =>
  (
    await database.db
      .select({ n: count() })
      .from(dossiers)
      .where(and(eq(dossiers.citizenId, citizenId), unpaidCondition()))
  )[0]!.n;

describe('fee payment through the payment platform', () => {
  it('start → the platform pays → signed confirmation → paid, with the result page and the receipt', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    expect(await unpaidCount(a.id)).toBe(1);

    const r = await start(a.client, d.id);
    expect(r.status).toBe(303);
    const url = new URL(r.location!);
    expect(url.origin + url.pathname).toBe(`${sim.url}/sim-payment/pay`);
    expect(url.searchParams.get('amount')).toBe(String(FEE));
    expect(url.searchParams.get('merchantCode')).toBe(MERCHANT.code);
    expect(url.searchParams.get('notifyUrl')).toBe(`${appUrl}/api/payments/notify`);
    const [pending] = await paymentRows(d.id);
    expect(pending).toMatchObject({ status: 'pending', amount: FEE, citizenId: a.id });
    expect(url.searchParams.get('orderId')).toBe(pending!.id);

    const { html, back } = await atPlatform(r.location!, 'success');
    expect(html).toContain(MERCHANT.name);
    expect(html).toContain('1.200.000 đồng');
    expect(html).toContain(d.code!);
    expect(back.pathname).toBe(`/ca-nhan/thanh-toan/${pending!.id}/ket-qua`);

    const [paid] = await paymentRows(d.id);
    expect(paid!.status).toBe('paid');
    expect(paid!.providerTransactionId).toMatch(/^PG\d+/);
    expect(paid!.confirmation).not.toHaveProperty('signature');
    expect(await isDossierPaid(database.db, d.id)).toBe(true);
    expect(await paidDossierIds(database.db, [d.id])).toEqual(new Set([d.id]));
    expect(await unpaidCount(a.id)).toBe(0);

    // The return page reads the row; the query the platform added is not what it shows.
    const page = await a.client.get(`${back.pathname}?status=failed`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Thanh toán thành công');
    expect(page.text).toContain(`href="/ca-nhan/ho-so/${d.id}"`);
    expect(page.text).toContain(paid!.providerTransactionId!);

    const receipt = await a.client.request('GET', `/ca-nhan/thanh-toan/${paid!.id}/bien-lai`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    expect(receipt.headers.get('content-disposition')).toContain('attachment');
    const bytes = new Uint8Array(
      await (
        await app.request(`/ca-nhan/thanh-toan/${paid!.id}/bien-lai`, {
          headers: { cookie: `motcua_portal=${a.client.cookies.get('motcua_portal')}` },
        })
      ).arrayBuffer(),
    );
    const { text } = await extractText(bytes, { mergePages: true });
    expect(text).toContain('BIÊN LAI THU PHÍ, LỆ PHÍ');
    expect(text).toContain('1.200.000 đồng');
    expect(text).toContain('Một triệu hai trăm nghìn đồng');
    expect(text).toContain(d.code!);
    expect(text).toContain(paid!.providerTransactionId!);
    expect(text).toContain('Cấp Giấy phép bán lẻ sản phẩm rượu');

    // The same confirmation again (the platform retries): OK, nothing changes.
    const delivered = (await simOrders()).find((o) => o.orderId === paid!.id)!.notifications[0]!;
    expect(delivered.outcome).toBe('delivered');
    const again = await notify(delivered.body);
    expect(again.status).toBe(200);
    expect(again.json.duplicate).toBe(true);
    expect(await paymentRows(d.id)).toEqual([paid]);
    // Paid: no second order.
    const twice = await start(a.client, d.id);
    expect(twice.status).toBe(409);
    expect(twice.text).toContain('đã được thanh toán');

    const log = await database.db.select().from(auditLog).where(eq(auditLog.targetId, paid!.id));
    expect(log.map((e) => e.action)).toEqual(['payment.started', 'payment.paid']);
    expect(log[0]!.actorLabel).toBe(`citizen:${a.id}`);
    expect(log[1]!.actorLabel).toBe('payment-platform');
    expect(JSON.stringify(log)).not.toContain('070085000111');
  });

  it('after paying, the dossier page says paid, when and under which transaction, and links the receipt; others get neither', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    const before = await a.client.get(`/ca-nhan/ho-so/${d.id}`);
    expect(before.text).not.toContain('id="thanh-toan"');
    expect(before.text).not.toContain('/bien-lai');
    await atPlatform((await start(a.client, d.id)).location!, 'success');
    const [paid] = await paymentRows(d.id);
    expect(paid!.status).toBe('paid');

    const page = await a.client.get(`/ca-nhan/ho-so/${d.id}`);
    expect(page.status).toBe(200);
    expect(before.text).toContain(`action="/ca-nhan/ho-so/${d.id}/thanh-toan"`);
    expect(page.text).not.toContain(`action="/ca-nhan/ho-so/${d.id}/thanh-toan"`);
    const paidLine = /<dd id="thanh-toan">([\s\S]*?)<\/dd>/.exec(page.text)![1]!;
    expect(paidLine).toContain('Đã thanh toán 1.200.000 đồng lúc ');
    expect(paidLine).toContain(formatDateTime(paid!.paidAt));
    expect(paidLine).toContain(`mã giao dịch ${paid!.providerTransactionId}`);
    const receiptPath = `/ca-nhan/thanh-toan/${paid!.id}/bien-lai`;
    expect(paidLine).toContain(`<a href="${receiptPath}">Tải biên lai thu phí, lệ phí</a>`);
    // The link is the receipt itself.
    const receipt = await a.client.request('GET', receiptPath);
    expect([receipt.status, receipt.headers.get('content-type')]).toEqual([200, 'application/pdf']);

    // Another citizen: the dossier page and the receipt answer like missing ones.
    const b = await citizen('b', '070085000222');
    const other = await b.client.get(`/ca-nhan/ho-so/${d.id}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain(paid!.providerTransactionId!);
    expect((await b.client.request('GET', receiptPath)).status).toBe(404);

    // The applicant whose number the dossier carries sees it paid, but the receipt is the payer's: no link to a 404.
    await database.db.update(dossiers).set({ applicantIdNumber: '070085000222' }).where(eq(dossiers.id, d.id));
    const applicant = await b.client.get(`/ca-nhan/ho-so/${d.id}`);
    expect(applicant.status).toBe(200);
    expect(applicant.text).toContain('Đã thanh toán 1.200.000 đồng');
    expect(applicant.text).not.toContain(receiptPath);
    expect((await b.client.request('GET', receiptPath)).status).toBe(404);
  });

  it('the citizen’s pages may send a form on to the platform (browsers check form-action on the redirect); others may not', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    const formAction = (res: { headers: Headers }) =>
      (res.headers.get('content-security-policy') ?? '').split('; ').find((x) => x.startsWith('form-action'));
    const dossierPage = await a.client.get(`/ca-nhan/ho-so/${d.id}`);
    expect(dossierPage.text).toContain('Thanh toán lệ phí trực tuyến');
    expect(formAction(dossierPage)).toBe(`form-action 'self' ${new URL(sim.url).origin}`);
    expect(formAction(await new Client(app).get('/tiepnhan/dang-nhap'))).toBe("form-action 'self'");
    expect(formAction(await new Client(app).get('/thu-tuc'))).toBe("form-action 'self'");
  });

  it('a failed payment is recorded as failed, has no receipt, and can be paid again with a new order', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    const r = await start(a.client, d.id);
    const { back } = await atPlatform(r.location!, 'failed');
    const page = await a.client.get(back.pathname);
    expect(page.text).toContain('Thanh toán thất bại');
    const [failed] = await paymentRows(d.id);
    expect(failed!.status).toBe('failed');
    expect((await a.client.get(`/ca-nhan/thanh-toan/${failed!.id}/bien-lai`)).status).toBe(404);
    expect(await unpaidCount(a.id)).toBe(1);

    const again = await start(a.client, d.id);
    expect(new URL(again.location!).searchParams.get('orderId')).not.toBe(failed!.id);
    await atPlatform(again.location!, 'success');
    expect((await paymentRows(d.id)).map((p) => p.status)).toEqual(['failed', 'paid']);
  });

  it('a success the platform signs after reporting the order failed pays the dossier; a newer order is abandoned, or the money marked for refund', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    const r = await start(a.client, d.id);
    const orderId = new URL(r.location!).searchParams.get('orderId')!;
    await atPlatform(r.location!, 'failed');
    const failure = (await simOrders()).find((o) => o.orderId === orderId)!.notifications[0]!.body;
    const { signature: _s, ...fields } = failure;
    // The citizen tries again (a new, pending order); then the platform settles the first after all.
    const again = await start(a.client, d.id);
    const late = signed({ ...fields, status: 'success', transactionId: 'PG-LATE-1', message: 'Thành công' });
    const res = await notify(late);
    expect([res.status, res.json.duplicate]).toEqual([200, false]);
    expect((await paymentRows(d.id)).map((p) => [p.id === orderId, p.status])).toEqual([
      [true, 'paid'],
      [false, 'abandoned'],
    ]);
    expect(await unpaidCount(a.id)).toBe(0);
    expect((await a.client.get(`/ca-nhan/thanh-toan/${orderId}/bien-lai`)).status).toBe(200);
    const [paidRow] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'payment.paid'));
    expect(paidRow!.data).toMatchObject({ late: true, afterFailure: failure.transactionId, transactionId: 'PG-LATE-1' });
    // The platform repeats it: the same answer, nothing changes.
    expect((await notify(late)).json.duplicate).toBe(true);
    // Another failure for the order it has since paid is refused; the newer order's own success needs a refund.
    expect((await notify(signed({ ...fields, transactionId: 'PG-LATE-2' }))).json.error?.code).toBe('payment_already_paid');
    const newer = new URL(again.location!).searchParams.get('orderId')!;
    const settled = await notify(signed({ ...fields, orderId: newer, status: 'success', transactionId: 'PG-LATE-3' }));
    expect([settled.status, settled.json.error?.code]).toEqual([409, 'payment_dossier_already_paid']);
    // Kept on the newer order for the refund (Lệ phí cần hoàn trả: tests/payment-refunds.test.ts).
    expect((await paymentRows(d.id)).map((p) => [p.status, p.refundReason])).toEqual([
      ['paid', null],
      ['refund_due', 'dossier_paid'],
    ]);

    // A second failure of a failed order (another transaction) is still refused and changes nothing.
    const d2 = await dossierOf(a.id);
    const r2 = await start(a.client, d2.id);
    const order2 = new URL(r2.location!).searchParams.get('orderId')!;
    await atPlatform(r2.location!, 'failed');
    const f2 = (await simOrders()).find((o) => o.orderId === order2)!.notifications[0]!.body;
    const { signature: _s2, ...fields2 } = f2;
    const again2 = await notify(signed({ ...fields2, transactionId: 'PG-LATE-4' }));
    expect([again2.status, again2.json.error?.code]).toEqual([409, 'payment_not_pending']);
    expect((await paymentRows(d2.id)).map((p) => p.status)).toEqual(['failed']);
  });

  it("values with '&', '=', '+', spaces, '%' and Vietnamese: the platform accepts the signed request, the app a confirmation the platform signed, and a changed one fails", async () => {
    const tricky = 'Cấp phép A&B = "C+D" 100% — bản sao   (lần 2)';
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    await database.db.update(procedureVersions).set({ name: tricky }).where(eq(procedureVersions.id, d.procedureVersionId));
    const r = await start(a.client, d.id);
    const orderInfo = new URL(r.location!).searchParams.get('orderInfo')!;
    expect(orderInfo).toBe(`Lệ phí hồ sơ ${d.code} - ${tricky}`.replace(/\s+/g, ' '));
    // The simulator checks the request's signature with its own implementation of the rule: the page opens.
    const { html } = await atPlatform(r.location!, 'success');
    expect(html).toContain('A&amp;B = &quot;C+D&quot; 100%');
    const [paid] = await paymentRows(d.id);
    expect(paid!.status).toBe('paid');

    // A confirmation signed by the simulator's signer whose message holds the same characters verifies…
    const b = await citizen('b', '070085000222');
    const d2 = await dossierOf(b.id);
    const orderId = new URL((await start(b.client, d2.id)).location!).searchParams.get('orderId')!;
    const fields = {
      merchantCode: MERCHANT.code,
      orderId,
      transactionId: 'PG-TRICKY-1',
      amount: String(FEE),
      status: 'failed',
      paidAt: new Date().toISOString(),
      // A control character other than NUL in a genuine message is stored as it came, never refused at every retry.
      message: `Từ chối: thẻ A&B=C+D hết hạn 100% ${tricky}\u000b\u0085`,
    };
    const body = { ...fields, signature: platformSignature(MERCHANT.secret, fields) };
    // …and the same with a changed message, or the message's '&…=' moved into another field, does not.
    const changed = await notify({ ...body, message: `${fields.message} ` });
    expect([changed.status, changed.json.error?.code]).toEqual([401, 'payment_signature_invalid']);
    // One field holding "A&x=B" is not two fields "A" and x="B" (what a canonical string without encoding confused).
    const one = platformSignature(MERCHANT.secret, { ...fields, message: 'A&x=B' });
    expect(one).not.toBe(platformSignature(MERCHANT.secret, { ...fields, message: 'A', x: 'B' }));
    expect(sign(MERCHANT.secret, { ...fields, message: 'A&x=B' })).not.toBe(sign(MERCHANT.secret, { ...fields, message: 'A', x: 'B' }));
    expect((await paymentRows(d2.id)).map((p) => p.status)).toEqual(['pending']);
    const ok = await notify(body);
    expect(ok.status).toBe(200);
    expect((await paymentRows(d2.id)).map((p) => [p.status, p.providerTransactionId])).toEqual([['failed', 'PG-TRICKY-1']]);
    // The app's signer and the simulator's agree byte for byte on such values.
    expect(sign(MERCHANT.secret, fields)).toBe(body.signature);
  });

  it('an abandoned payment stays pending (no notify); starting again reuses it, or replaces it once expired', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    const first = await start(a.client, d.id);
    const orderId = new URL(first.location!).searchParams.get('orderId')!;
    const { back } = await atPlatform(first.location!, 'cancel');
    expect((await a.client.get(back.pathname)).text).toContain('Thanh toán chưa hoàn tất');
    expect((await paymentRows(d.id)).map((p) => p.status)).toEqual(['pending']);
    expect((await simOrders()).find((o) => o.orderId === orderId)!.notifications).toEqual([]);

    // A double click or a second try while the order is valid: the same order.
    const second = await start(a.client, d.id);
    expect(new URL(second.location!).searchParams.get('orderId')).toBe(orderId);
    expect(await paymentRows(d.id)).toHaveLength(1);

    // Expired on the platform: abandoned, and a new order.
    await database.db
      .update(payments)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(payments.id, orderId));
    const third = await start(a.client, d.id);
    const newId = new URL(third.location!).searchParams.get('orderId')!;
    expect(newId).not.toBe(orderId);
    await atPlatform(third.location!, 'success');
    expect((await paymentRows(d.id)).map((p) => [p.id, p.status])).toEqual([
      [orderId, 'abandoned'],
      [newId, 'paid'],
    ]);

    // A late confirmation of the abandoned order, once the dossier is paid: refused, flagged for a refund.
    const late = await notify(
      signed({
        merchantCode: MERCHANT.code,
        orderId,
        transactionId: 'PG-LATE-1',
        amount: String(FEE),
        status: 'success',
        paidAt: new Date().toISOString(),
      }),
    );
    expect(late.status).toBe(409);
    expect(late.json.error!.code).toBe('payment_dossier_already_paid');
    expect((await paymentRows(d.id)).map((p) => p.status)).toEqual(['refund_due', 'paid']);
    const [row] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'payment.confirmation_refused'), eq(auditLog.targetId, orderId)));
    expect(row!.data).toMatchObject({ reason: 'payment_dossier_already_paid', needsRefund: true });
  });

  it('paid on the platform after the dossier was withdrawn in another tab: not a fee paid, the money flagged for a refund', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    const r = await start(a.client, d.id);
    const orderId = new URL(r.location!).searchParams.get('orderId')!;
    const withdrawn = await a.client.post(`/ca-nhan/ho-so/${d.id}/rut`, { 'xac-nhan': '1' }, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
    expect(withdrawn.status).toBe(303);
    // Before the platform answers, the order's page offers no second payment of a dossier that owes nothing.
    const result = `/ca-nhan/thanh-toan/${orderId}/ket-qua`;
    const waiting = await a.client.get(result);
    expect(waiting.text).toContain('Hồ sơ không còn phải nộp lệ phí');
    expect(waiting.text).not.toContain('Thanh toán lại');
    const confirmation = signed({
      merchantCode: MERCHANT.code,
      orderId,
      transactionId: 'PG-AFTER-WITHDRAW',
      amount: String(FEE),
      status: 'success',
      paidAt: new Date().toISOString(),
    });
    const paid = await notify(confirmation);
    expect(paid.status).toBe(409);
    expect(paid.json.error!.code).toBe('payment_dossier_owes_nothing');
    // Kept on the order for the refund; the same confirmation again flags nothing more.
    expect((await paymentRows(d.id)).map((p) => [p.status, p.providerTransactionId])).toEqual([['refund_due', 'PG-AFTER-WITHDRAW']]);
    expect((await notify(confirmation)).status).toBe(409);
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'payment.confirmation_refused'), eq(auditLog.targetId, orderId)));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatchObject({ reason: 'payment_dossier_owes_nothing', needsRefund: true, dossierStatus: 'withdrawn' });
    const page = await a.client.get(result);
    expect(page.text).toContain('Khoản thanh toán sẽ được hoàn trả');
    expect(page.text).not.toContain('Thanh toán lại');
    expect((await a.client.get(`/ca-nhan/thanh-toan/${orderId}/bien-lai`)).status).toBe(404);
  });

  it('forged, changed, replayed and misdirected confirmations change nothing and are refused; those the platform signed are audited', async () => {
    const a = await citizen('a', '070085000111');
    const b = await citizen('b', '070085000222');
    const da = await dossierOf(a.id);
    const db_ = await dossierOf(b.id);
    // A pays; the platform's genuine confirmation is kept for the replays. B's order stays pending.
    const ra = await start(a.client, da.id);
    const orderA = new URL(ra.location!).searchParams.get('orderId')!;
    await atPlatform(ra.location!, 'success');
    const rb = await start(b.client, db_.id);
    const orderB = new URL(rb.location!).searchParams.get('orderId')!;
    const genuine = (await simOrders()).find((o) => o.orderId === orderA)!.notifications[0]!.body;
    const before = await database.db.select().from(payments).orderBy(payments.createdAt);

    const { signature, ...fields } = genuine;
    const cases: Array<[unknown, number, string]> = [
      // Another signature.
      [{ ...genuine, signature: sign('another-secret-0123456789', fields) }, 401, 'payment_signature_invalid'],
      // The amount changed after signing.
      [{ ...genuine, amount: '1' }, 401, 'payment_signature_invalid'],
      // A's confirmation replayed for B's order (another citizen's dossier).
      [{ ...genuine, orderId: orderB }, 401, 'payment_signature_invalid'],
      // Signed, but an amount other than the order's.
      [signed({ ...fields, orderId: orderB, transactionId: 'PG-OTHER-1', amount: '1000' }), 409, 'payment_amount_mismatch'],
      // Signed, for B's order, with the transaction id that paid A's.
      [signed({ ...fields, orderId: orderB }), 409, 'payment_transaction_reused'],
      // Signed, for A's paid order, with another transaction.
      [signed({ ...fields, transactionId: 'PG-OTHER-2' }), 409, 'payment_already_paid'],
      // Signed, for an order that does not exist.
      [signed({ ...fields, orderId: '00000000-0000-4000-8000-000000000000', transactionId: 'PG-OTHER-3' }), 404, 'payment_order_unknown'],
      // Signed for another merchant.
      [signed({ ...fields, merchantCode: 'OTHER', orderId: orderB, transactionId: 'PG-OTHER-4' }), 401, 'payment_merchant_mismatch'],
      // Not a confirmation.
      [{ orderId: orderB, status: 'success' }, 400, 'payment_confirmation_malformed'],
      // A lone surrogate in a signed field (JSON can carry one; UTF-8 cannot, so nothing signed it): malformed, not a 500.
      [{ ...genuine, message: 'Thanh toán \ud800' }, 400, 'payment_confirmation_malformed'],
      [{ ...genuine, orderId: `${orderB}\udc00` }, 400, 'payment_confirmation_malformed'],
      // Signed, with a NUL in its message (jsonb cannot keep one): malformed, not a 500 at each retry.
      [
        signed({ ...fields, orderId: orderB, transactionId: 'PG-OTHER-6', message: 'Giao dịch\u0000 thành công' }),
        400,
        'payment_confirmation_malformed',
      ],
      // Signed, for B's order, paid at a time PostgreSQL cannot hold (year 0 in UTC): malformed, not a 500 at each retry.
      [
        signed({ ...fields, orderId: orderB, transactionId: 'PG-OTHER-5', paidAt: '0001-01-01T00:00:00+14:00' }),
        400,
        'payment_confirmation_malformed',
      ],
    ];
    for (const [body, status, code] of cases) {
      const res = await notify(body);
      expect([res.status, res.json.error?.code], code).toEqual([status, code]);
    }
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(await database.db.select().from(payments).orderBy(payments.createdAt)).toEqual(before);
    // What anyone could send unsigned (or signed for another merchant) leaves no row in the append-only log.
    const unsigned = new Set(['payment_signature_invalid', 'payment_merchant_mismatch', 'payment_confirmation_malformed']);
    expect(await refusals()).toEqual(cases.map(([, , code]) => code).filter((code) => !unsigned.has(code)));
    // Not JSON at all.
    const junk = await fetch(`${appUrl}/api/payments/notify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(junk.status).toBe(400);
  });

  it('the platform retries its confirmation while the portal is down; a dropped one leaves the payment pending', async () => {
    const a = await citizen('a', '070085000111');
    const d = await dossierOf(a.id);
    sim.state.paymentRetryDelaysMs = [300, 300, 300, 300, 300, 300, 300, 300];
    const r = await start(a.client, d.id);
    await stopListening();
    const { back } = await atPlatform(r.location!, 'success');
    expect((await a.client.get(back.pathname)).text).toContain('Thanh toán chưa hoàn tất');
    await listen();
    for (let i = 0; i < 50 && (await paymentRows(d.id))[0]!.status !== 'paid'; i++) await new Promise((res) => setTimeout(res, 100));
    expect((await paymentRows(d.id))[0]!.status).toBe('paid');
    const n = (await simOrders()).find((o) => o.orderId === back.pathname.split('/')[3])!.notifications[0]!;
    expect(n.outcome).toBe('delivered');
    expect(n.attempts).toBeGreaterThan(1);

    // The fault switch: the notify is dropped.
    const other = await dossierOf(a.id, '2.000190');
    const faults = await fetch(`${sim.url}/dev/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dropPaymentNotify: true }),
    });
    expect(((await faults.json()) as { dropPaymentNotify: boolean }).dropPaymentNotify).toBe(true);
    const r2 = await start(a.client, other.id);
    const { back: back2 } = await atPlatform(r2.location!, 'success');
    expect((await a.client.get(back2.pathname)).text).toContain('Thanh toán chưa hoàn tất');
    expect((await paymentRows(other.id))[0]!.status).toBe('pending');
  });

  it("a citizen cannot pay for, nor see the payment or receipt of, another citizen's dossier; no fee, no payment", async () => {
    const a = await citizen('a', '070085000111');
    const b = await citizen('b', '070085000222');
    const d = await dossierOf(a.id);
    const r = await start(a.client, d.id);
    await atPlatform(r.location!, 'success');
    const [paid] = await paymentRows(d.id);

    const bStart = await start(b.client, d.id);
    expect(bStart.status).toBe(404);
    expect((await b.client.get(`/ca-nhan/thanh-toan/${paid!.id}/ket-qua`)).status).toBe(404);
    expect((await b.client.get(`/ca-nhan/thanh-toan/${paid!.id}/bien-lai`)).status).toBe(404);
    expect((await b.client.get('/ca-nhan/thanh-toan/not-an-id/bien-lai')).status).toBe(404);
    // Without a login: to Đăng nhập.
    const anon = new Client(app);
    const res = await anon.get(`/ca-nhan/thanh-toan/${paid!.id}/ket-qua`);
    expect(res.status).toBe(303);
    expect(res.location).toContain('/dang-nhap');
    // No CSRF token: refused.
    expect((await a.client.post(`/ca-nhan/ho-so/${d.id}/thanh-toan`, {}, { csrf: null })).status).toBe(403);

    // A procedure without fee.
    const free = await dossierOf(a.id);
    await database.db.update(procedureVersions).set({ fee: 0 }).where(eq(procedureVersions.id, free.procedureVersionId));
    const none = await start(a.client, free.id);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Thủ tục này không mất phí.');
    expect(await paymentRows(free.id)).toEqual([]);
    expect(await unpaidCount(a.id)).toBe(0);
  });
});

describe('amounts in words', () => {
  it('reads amounts as receipts write them', () => {
    expect(amountInWords(1_200_000)).toBe('Một triệu hai trăm nghìn đồng');
    expect(amountInWords(50_000)).toBe('Năm mươi nghìn đồng');
    expect(amountInWords(2_000)).toBe('Hai nghìn đồng');
    expect(amountInWords(1_005_000)).toBe('Một triệu không trăm lẻ năm nghìn đồng');
    expect(amountInWords(135_000)).toBe('Một trăm ba mươi lăm nghìn đồng');
    expect(amountInWords(21_415)).toBe('Hai mươi mốt nghìn bốn trăm mười lăm đồng');
    expect(amountInWords(2_100_024)).toBe('Hai triệu một trăm nghìn không trăm hai mươi tư đồng');
  });
});
