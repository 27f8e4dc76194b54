/**
 * Lệ phí cần hoàn trả: a fee the platform confirmed for a dossier that did not owe it (withdrawn first; or paid by
 * another order first) is kept for a refund, listed to the collecting agency's reception officials, and recorded as
 * refunded once by one of them; the citizen's page follows. Beside each use, its abuse: another agency's official, a
 * processing official of the same agency, a lent reception position, a double submit, an order not owed a refund, a
 * note that is empty or hostile, a replayed confirmation — and the list agrees with the check that opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { accounts, auditLog, citizens, dossiers, notifications, payments, procedures, roleGrants } from '../src/db/schema/index.js';
import { recordAudit } from '../src/audit/record.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { demoOfficials } from '../src/demo/officials.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { sign } from '../src/payments/platform.js';
import { mayHandleRefund, refundsOf } from '../src/payments/refunds.js';
import { recordRefund } from '../src/payments/record-refund.js';
import { createDelegation } from '../src/delegation/create-delegation.js';
import { delegationsInForce } from '../src/dossiers/access.js';
import { toLocalInput } from '../src/delegation/delegation-input.js';
import { systemActor } from '../src/shared/context.js';
import { MIGRATIONS_DIR, queryRows } from '../src/db/client.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen } from './support/portal-citizen.js';

const t = useDemoApp();
/** The simulator's demo merchant, which the app uses outside production (config.ts). */
const MERCHANT = { code: 'MOTCUA-DEMO', secret: 'motcua-demo-payment-secret' };
const REFUNDS = '/tiepnhan/hoan-tra-le-phi';

async function notify(fields: Record<string, string>) {
  const res = await new Client(t.app).request(
    'POST',
    '/api/payments/notify',
    JSON.stringify({ ...fields, signature: sign(MERCHANT.secret, fields) }),
    {
      'content-type': 'application/json',
    },
  );
  return { status: res.status, code: (JSON.parse(res.text) as { error?: { code: string } }).error?.code };
}

const confirmation = (orderId: string, amount: number, transactionId: string, status: 'success' | 'failed' = 'success') => ({
  merchantCode: MERCHANT.code,
  orderId,
  transactionId,
  amount: String(amount),
  status,
  paidAt: new Date().toISOString(),
});

/** A citizen's online dossier of a procedure with a fee, and an order started for it on the portal. */
async function orderedDossier(phone?: string) {
  const citizen = await loggedInCitizen(t.database.db, t.app);
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const d = await receiveDossier(t.database.db, systemActor('national-portal:test'), {
    procedureId: p!.id,
    channel: '2',
    fullName: 'Người Nộp Thử',
    ...(phone ? { phone } : {}),
  });
  await t.database.db.update(dossiers).set({ citizenId: citizen.id }).where(eq(dossiers.id, d.id));
  const [dossier] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
  const start = async () => {
    const r = await citizen.client.post(`/ca-nhan/ho-so/${d.id}/thanh-toan`, {}, { csrfFrom: '/ca-nhan' });
    expect(r.status).toBe(303);
    const orderId = new URL(r.location!).searchParams.get('orderId')!;
    const [order] = await t.database.db.select().from(payments).where(eq(payments.id, orderId));
    return order!;
  };
  return { citizen, dossier: dossier!, start };
}

/** Withdrawn while the platform's page was open, then paid there: kept for a refund (owes_nothing). */
async function refundDueAfterWithdrawal(phone?: string) {
  const o = await orderedDossier(phone);
  const order = await o.start();
  const w = await o.citizen.client.post(
    `/ca-nhan/ho-so/${o.dossier.id}/rut`,
    { 'xac-nhan': '1' },
    { csrfFrom: `/ca-nhan/ho-so/${o.dossier.id}` },
  );
  expect(w.status).toBe(303);
  // The withdrawal closed the order (the dossier owes nothing): audited, no longer "waiting for payment".
  expect((await statusOf(order.id)).status).toBe('abandoned');
  const closed = await t.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, 'payment.abandoned'), eq(auditLog.targetId, order.id)));
  expect(closed.map((a) => a.data)).toEqual([{ amount: order.amount, dossierId: o.dossier.id, dossierOwesNothing: true }]);
  const c = confirmation(order.id, order.amount, `PG-${order.id.slice(0, 8)}`);
  expect(await notify(c)).toEqual({ status: 409, code: 'payment_dossier_owes_nothing' });
  return { ...o, order, confirmation: c };
}

/** Accounts holding `role` by a grant at this agency or one of its desks (units below it without an agency code). */
async function holders(role: string, agencyUnitId: string) {
  return queryRows<{ username: string; id: string }>(
    t.database.db,
    sql`with recursive desks(id) as (select ${agencyUnitId}::uuid union select u.id from units u join desks on u.parent_id = desks.id where u.agency_code is null)
      select a.username, a.id from role_grants g join accounts a on a.id = g.account_id
      where g.role = ${role} and g.unit_id in (select id from desks) order by a.username`,
  );
}

async function officialClient(username: string) {
  const c = new Client(t.app);
  const res = await c.login(username, TEST_PASSWORD);
  expect(res.status).toBe(303);
  return c;
}

/** Migration 0067's statement that keeps, from the audit log, the orders refusals left unmarked. */
function backfillStatement(): string {
  const file = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.startsWith('0067_'))!;
  const statements = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8').split('--> statement-breakpoint');
  return statements.find((x) => x.includes('"refund_from_log" = true') && x.trim().startsWith('UPDATE'))!;
}

const statusOf = async (id: string) => (await t.database.db.select().from(payments).where(eq(payments.id, id)))[0]!;

describe('Lệ phí cần hoàn trả', () => {
  it('the agency’s reception official sees the refund, records it once; the citizen’s page says refunded; a replay changes nothing', async () => {
    const r = await refundDueAfterWithdrawal();
    expect((await statusOf(r.order.id)).refundReason).toBe('owes_nothing');
    const [clerk] = await holders('reception', r.dossier.agencyUnitId);
    const official = await officialClient(clerk!.username);
    const page = await official.get(REFUNDS);
    expect(page.status).toBe(200);
    expect(page.text).toContain(r.dossier.code);
    expect(page.text).toContain(r.confirmation.transactionId);
    expect(page.text).toContain('Hồ sơ đã được rút, bị từ chối hoặc dừng xử lý');
    // The reception page links it.
    expect((await official.get('/tiepnhan/tiep-nhan')).text).toContain(`href="${REFUNDS}"`);

    const done = await official.post(
      `${REFUNDS}/${r.order.id}`,
      { ghiChu: '  Chuyển khoản  UNC số 0012 ngày 06/12 ' },
      { csrfFrom: REFUNDS },
    );
    expect([done.status, done.location]).toEqual([303, `${REFUNDS}?da-ghi-nhan=1`]);
    const row = await statusOf(r.order.id);
    expect([row.status, row.refundNote, row.refundedBy]).toEqual(['refunded', 'Chuyển khoản UNC số 0012 ngày 06/12', clerk!.id]);
    const after = await official.get(`${REFUNDS}?da-ghi-nhan=1`);
    expect(after.text).toContain('Đã ghi nhận hoàn trả');
    expect(after.text).toContain('Chờ hoàn trả (0)');
    expect(after.text).toContain('Đã hoàn trả trong 90 ngày qua (1)');
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'payment.refunded'));
    expect(audit).toHaveLength(1);
    expect(audit[0]!).toMatchObject({ targetId: r.order.id, unitId: r.dossier.agencyUnitId, actorId: clerk!.id });
    expect(audit[0]!.data).toMatchObject({ amount: r.order.amount, reason: 'owes_nothing', note: 'Chuyển khoản UNC số 0012 ngày 06/12' });

    // The applicant is told, once (in the app here: the test citizen left no phone or e-mail).
    const told = await t.database.db.select().from(notifications).where(eq(notifications.event, 'dossier.fee_refunded'));
    expect(told.map((n) => [n.channel, n.citizenId, n.dossierId])).toEqual([['inapp', r.citizen.id, r.dossier.id]]);
    expect(told[0]!.data).toMatchObject({ ma_ho_so: r.dossier.code, so_tien: '1.200.000' });
    // The dossier's page, to the official: nothing owed, refunded.
    const fee = /<dd id="fee">([\s\S]*?)<\/dd>/.exec((await official.get(`/tiepnhan/ho-so/${r.dossier.id}`)).text)![1]!;
    expect(fee).toContain('Không phải nộp (hồ sơ đã rút');
    expect(fee).toContain('Đã hoàn trả 1.200.000 đồng lúc');
    // The citizen's page of the order.
    const mine = await r.citizen.client.get(`/ca-nhan/thanh-toan/${r.order.id}/ket-qua`);
    expect(mine.text).toContain('Khoản thanh toán đã được hoàn trả');
    expect(mine.text).toContain('Thời gian hoàn trả');
    expect(mine.text).not.toContain('Thanh toán lại');
    // The platform repeats its confirmation: answered as before, nothing changes, no second refusal row.
    expect(await notify(r.confirmation)).toEqual({ status: 409, code: 'payment_dossier_owes_nothing' });
    expect((await statusOf(r.order.id)).status).toBe('refunded');
    const refusals = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'payment.confirmation_refused'), eq(auditLog.targetId, r.order.id)));
    expect(refusals).toHaveLength(1);

    // A second Ghi nhận (a double tap, another tab, a colleague) is refused, naming when; nothing more is written.
    const again = await official.post(`${REFUNDS}/${r.order.id}`, { ghiChu: 'Lần nữa' }, { csrfFrom: REFUNDS });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Khoản này đã được ghi nhận hoàn trả lúc');
    expect((await statusOf(r.order.id)).refundNote).toBe('Chuyển khoản UNC số 0012 ngày 06/12');
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'payment.refunded'))).toHaveLength(1);
  });

  it('paid twice (two orders of one dossier): the second is kept for a refund as such, and the citizen is told so', async () => {
    const o = await orderedDossier();
    const first = await o.start();
    expect(await notify(confirmation(first.id, first.amount, 'PG-FIRST-FAILED', 'failed'))).toEqual({ status: 200, code: undefined });
    const second = await o.start();
    expect(second.id).not.toBe(first.id);
    expect((await notify(confirmation(second.id, second.amount, 'PG-SECOND'))).status).toBe(200);
    // The platform settles the first after all: the dossier is paid already, so this money goes back.
    const late = confirmation(first.id, first.amount, 'PG-FIRST-LATE');
    expect(await notify(late)).toEqual({ status: 409, code: 'payment_dossier_already_paid' });
    const kept = await statusOf(first.id);
    expect([kept.status, kept.refundReason, kept.providerTransactionId]).toEqual(['refund_due', 'dossier_paid', 'PG-FIRST-LATE']);
    expect(await notify(late)).toEqual({ status: 409, code: 'payment_dossier_already_paid' });
    const flagged = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'payment.confirmation_refused'), eq(auditLog.targetId, first.id)));
    expect(flagged).toHaveLength(1);
    const page = await o.citizen.client.get(`/ca-nhan/thanh-toan/${first.id}/ket-qua`);
    expect(page.text).toContain('đã được thanh toán bằng một giao dịch khác trước giao dịch này');
    expect(page.text).not.toContain('Thanh toán lại');
    const [clerk] = await holders('reception', o.dossier.agencyUnitId);
    const official = await officialClient(clerk!.username);
    const list = await official.get(REFUNDS);
    expect(list.text).toContain('thanh toán hai lần');
    expect(list.text).toContain('PG-FIRST-LATE');
    // The dossier's own page says it is paid online, and that the other payment is to be refunded.
    const fee = /<dd id="fee">([\s\S]*?)<\/dd>/.exec((await official.get(`/tiepnhan/ho-so/${o.dossier.id}`)).text)![1]!;
    expect(fee).toContain('Đã thanh toán trực tuyến 1.200.000 đồng');
    expect(fee).toContain('(mã giao dịch PG-SECOND)');
    expect(fee).toContain('Cần hoàn trả 1.200.000 đồng (mã giao dịch PG-FIRST-LATE)');
    expect(fee).toContain(`href="${REFUNDS}"`);
    // The API says the same (GET /api/v1/dossiers/{id}), to a key of the same clerk.
    const { token } = await issueApiClient(t.database.db, await actorFor(t.database, 'admin.sct'), clerk!.id, { name: 'Kế toán' });
    const res = await t.app.request(`http://localhost/api/v1/dossiers/${o.dossier.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { fee: unknown }).fee).toMatchObject({
      amount: 1_200_000,
      paidOnline: { amount: 1_200_000, transactionId: 'PG-SECOND' },
      refunds: [{ amount: 1_200_000, transactionId: 'PG-FIRST-LATE', status: 'refund_due', refundedAt: null }],
    });
  });

  it('another agency’s reception official, a processing official of the same agency and a lent reception position: not listed, not found', async () => {
    const r = await refundDueAfterWithdrawal();
    const agency = r.dossier.agencyUnitId;
    const outsiders = await queryRows<{ username: string; id: string }>(
      t.database.db,
      sql`select a.username, a.id from accounts a join role_grants g on g.account_id = a.id
        where g.role = 'reception' and not exists (
          with recursive up(id) as (select ${agency}::uuid union select u.parent_id from units u join up on u.id = up.id where u.parent_id is not null)
          select 1 from up where up.id = g.unit_id)
        order by a.username limit 1`,
    );
    const receptionIds = new Set((await holders('reception', agency)).map((x) => x.id));
    const processing = (await holders('processing', agency)).filter((x) => !receptionIds.has(x.id));
    const [clerk] = await holders('reception', agency);
    for (const who of [outsiders[0], processing[0]]) {
      expect(who, 'the demo has such an official').toBeDefined();
      const c = await officialClient(who!.username);
      expect((await c.get(REFUNDS)).text).not.toContain(r.dossier.code);
      const res = await c.post(`${REFUNDS}/${r.order.id}`, { ghiChu: 'Đã trả' }, { csrfFrom: REFUNDS });
      expect(res.status).toBe(404);
    }
    // A delegation lends the clerk's reception position to the processing official: the agency's dossiers, not its money.
    await createDelegation(
      t.database.db,
      await actorFor(t.database, clerk!.username),
      {
        delegateId: processing[0]!.id,
        from: toLocalInput(new Date()),
        to: toLocalInput(new Date(Date.now() + 86_400_000)),
        scope: 'all',
        reason: 'Nghỉ phép',
      },
      new Date(),
    );
    const lent = await actorFor(t.database, processing[0]!.username);
    expect(await delegationsInForce(t.database.db, lent, new Date())).toHaveLength(1);
    expect(await mayHandleRefund(t.database.db, lent, r.order.id)).toBe(false);
    await expect(recordRefund(t.database.db, lent, r.order.id, { ghiChu: 'Đã trả' }, new Date())).rejects.toMatchObject({ status: 404 });
    expect((await statusOf(r.order.id)).status).toBe('refund_due');
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'payment.refunded'))).toHaveLength(0);
  });

  it('an empty or hostile note, an id that is not one, an order owed no refund: refused with a message, nothing written', async () => {
    const r = await refundDueAfterWithdrawal();
    const [clerk] = await holders('reception', r.dossier.agencyUnitId);
    const c = await officialClient(clerk!.username);
    const empty = await c.post(`${REFUNDS}/${r.order.id}`, { ghiChu: '   ' }, { csrfFrom: REFUNDS });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Vui lòng ghi cách đã hoàn trả');
    for (const hostile of ['UNC\u0000 12', 'UNC \u202E21 CNU']) {
      const control = await c.post(`${REFUNDS}/${r.order.id}`, { ghiChu: hostile }, { csrfFrom: REFUNDS });
      expect(control.status).toBe(400);
      expect(control.text).toContain('ký tự điều khiển');
    }
    const long = await c.post(`${REFUNDS}/${r.order.id}`, { ghiChu: 'x'.repeat(501) }, { csrfFrom: REFUNDS });
    expect(long.status).toBe(400);
    expect(long.text).toContain('Ghi chú tối đa 500 ký tự');
    // The form keeps what was typed.
    expect(long.text).toContain('x'.repeat(501));
    for (const id of ['not-an-id', '00000000-0000-4000-8000-000000000000', "1' or '1'='1"]) {
      expect((await c.post(`${REFUNDS}/${encodeURIComponent(id)}`, { ghiChu: 'Đã trả' }, { csrfFrom: REFUNDS })).status).toBe(404);
    }
    // An order of the same agency that is merely pending owes no refund.
    const o = await orderedDossier();
    const pending = await o.start();
    expect((await c.post(`${REFUNDS}/${pending.id}`, { ghiChu: 'Đã trả' }, { csrfFrom: REFUNDS })).status).toBe(404);
    expect((await statusOf(pending.id)).status).toBe('pending');
    // Without the CSRF token: refused before the use case.
    expect((await c.post(`${REFUNDS}/${r.order.id}`, { ghiChu: 'Đã trả' }, { csrfFrom: REFUNDS, csrf: null })).status).toBe(403);
    expect((await statusOf(r.order.id)).status).toBe('refund_due');
    // Logged out: the login page, not the list.
    const anonymous = await new Client(t.app).get(REFUNDS);
    expect([anonymous.status, anonymous.location?.startsWith('/tiepnhan/dang-nhap')]).toEqual([303, true]);
  });

  it('two officials record the same refund at once: one is recorded, the other told', async () => {
    const r = await refundDueAfterWithdrawal();
    const [clerk] = await holders('reception', r.dossier.agencyUnitId);
    const actor = await actorFor(t.database, clerk!.username);
    const results = await Promise.allSettled([
      recordRefund(t.database.db, actor, r.order.id, { ghiChu: 'Một' }, new Date()),
      recordRefund(t.database.db, actor, r.order.id, { ghiChu: 'Hai' }, new Date()),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((x) => x.status === 'rejected')).toMatchObject({ reason: { code: 'refund_already_recorded', status: 409 } });
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'payment.refunded'))).toHaveLength(1);
  });

  it('the list agrees with the check that opens, for every official of the demo', async () => {
    const r1 = await refundDueAfterWithdrawal();
    const r2 = await refundDueAfterWithdrawal();
    const orders = [r1.order.id, r2.order.id];
    const all = await t.database.db.select({ username: accounts.username }).from(accounts);
    let handled = 0;
    for (const { username } of all) {
      const actor = await actorFor(t.database, username);
      const listed = (await refundsOf(t.database.db, actor, new Date())).due.map((x) => x.id).sort();
      const opens = [];
      for (const id of orders) if (await mayHandleRefund(t.database.db, actor, id)) opens.push(id);
      expect(listed, username).toEqual(opens.sort());
      handled += opens.length;
    }
    expect(handled).toBeGreaterThan(0);
  });

  it('migration 0067 keeps as refund_due the orders a "paid by another order" refusal left as they were', async () => {
    const o = await orderedDossier();
    const first = await o.start();
    expect((await notify(confirmation(first.id, first.amount, 'PG-OLD-FAILED', 'failed'))).status).toBe(200);
    const second = await o.start();
    expect((await notify(confirmation(second.id, second.amount, 'PG-OLD-PAID'))).status).toBe(200);
    expect((await notify(confirmation(first.id, first.amount, 'PG-OLD-LATE'))).status).toBe(409);
    // As the code before 0067 left it: the order as it was (failed, its failure's transaction), the refusal audited.
    await t.database.db
      .update(payments)
      .set({ status: 'failed', refundReason: null, providerTransactionId: 'PG-OLD-FAILED' })
      .where(eq(payments.id, first.id));
    const backfill = backfillStatement();
    await t.database.db.execute(sql.raw(backfill));
    const kept = await statusOf(first.id);
    expect([kept.status, kept.refundReason, kept.providerTransactionId, kept.refundFromLog]).toEqual([
      'refund_due',
      'dossier_paid',
      'PG-OLD-LATE',
      true,
    ]);
    // The paid order, and orders of other refusals, are untouched; run again, nothing more changes.
    expect((await statusOf(second.id)).status).toBe('paid');
    await t.database.db.execute(sql.raw(backfill));
    expect((await statusOf(first.id)).status).toBe('refund_due');
  });

  it('a reception official at a desk the dossier never passes through is not shown its applicant, nor records its refund', async () => {
    const r = await refundDueAfterWithdrawal('0912345678');
    // Sở Công Thương's Quản lý năng lượng division (a desk: no agency code); 2.000633 runs sct-vp → sct-qltm → sct-ld.
    const who = demoOfficials().find((o) => o.unitKey === 'sct-qlnl')!;
    const acc = await accountByUsername(t.database, who.username);
    await t.database.db.insert(roleGrants).values({ accountId: acc!.id, unitId: t.unitIds['sct-qlnl']!, role: 'reception' });
    const c = await officialClient(who.username);
    expect((await c.get(`/tiepnhan/ho-so/${r.dossier.id}`)).status).toBe(404);
    const list = await c.get(REFUNDS);
    expect(list.text).not.toContain('Người Nộp Thử');
    expect(list.text).not.toContain('0912345678');
    expect(await mayHandleRefund(t.database.db, await actorFor(t.database, who.username), r.order.id)).toBe(false);
    expect((await c.post(`${REFUNDS}/${r.order.id}`, { ghiChu: 'Đã trả' }, { csrfFrom: REFUNDS })).status).toBe(404);
    // The clerk at the reception desk (a step of the dossier) sees it, with the phone to call.
    const clerk = (await holders('reception', r.dossier.agencyUnitId)).find((h) => h.username !== who.username);
    expect((await (await officialClient(clerk!.username)).get(REFUNDS)).text).toContain('0912345678');
  });

  it('an order 0067 keeps from the log answers the platform’s retry as the first time, writing nothing', async () => {
    const o = await orderedDossier();
    const first = await o.start();
    expect((await notify(confirmation(first.id, first.amount, 'PG-OLD-FAILED', 'failed'))).status).toBe(200);
    const asFailed = await statusOf(first.id);
    const second = await o.start();
    expect((await notify(confirmation(second.id, second.amount, 'PG-OLD-PAID'))).status).toBe(200);
    const late = confirmation(first.id, first.amount, 'PG-OLD-LATE');
    expect((await notify(late)).status).toBe(409);
    // Exactly as the code before 0067 left it: the failed order untouched (its failure's confirmation, no paid time).
    await t.database.db
      .update(payments)
      .set({
        status: 'failed',
        refundReason: null,
        providerTransactionId: 'PG-OLD-FAILED',
        confirmation: asFailed.confirmation,
        paidAt: null,
      })
      .where(eq(payments.id, first.id));
    await t.database.db.execute(sql.raw(backfillStatement()));
    expect((await statusOf(first.id)).providerTransactionId).toBe('PG-OLD-LATE');
    const refusals = () =>
      t.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, 'payment.confirmation_refused'), eq(auditLog.targetId, first.id)));
    const before = (await refusals()).length;
    expect(await notify(late)).toEqual({ status: 409, code: 'payment_dossier_already_paid' });
    expect((await refusals()).length).toBe(before);
    // The list asks to check the books: it may have been refunded by hand already.
    const [clerk] = await holders('reception', o.dossier.agencyUnitId);
    expect((await (await officialClient(clerk!.username)).get(REFUNDS)).text).toContain('có thể đơn vị đã hoàn trả thủ công');
  });

  it('0067 keeps for a refund only the first of two orders refused with one transaction id (one payment), and does not fail', async () => {
    const make = async () => {
      const o = await orderedDossier();
      const first = await o.start();
      expect((await notify(confirmation(first.id, first.amount, `PG-F-${first.id.slice(0, 6)}`, 'failed'))).status).toBe(200);
      const second = await o.start();
      expect((await notify(confirmation(second.id, second.amount, `PG-P-${second.id.slice(0, 6)}`))).status).toBe(200);
      return { o, first };
    };
    const a = await make();
    const b = await make();
    // Before 0067 a refused transaction id was stored nowhere: the same id refused for two orders left two such rows.
    for (const x of [a, b])
      await recordAudit(t.database.db, {
        action: 'payment.confirmation_refused',
        actor: { kind: 'system', label: 'payment-platform', meta: { ip: '192.0.2.1', requestId: 'test' } },
        targetType: 'payment',
        targetId: x.first.id,
        unitId: x.o.dossier.agencyUnitId,
        data: { reason: 'payment_dossier_already_paid', transactionId: 'PG-SAME', amount: x.first.amount, status: 'success' },
      });
    await t.database.db.execute(sql.raw(backfillStatement()));
    const [ka, kb] = [await statusOf(a.first.id), await statusOf(b.first.id)];
    expect([ka.status, ka.providerTransactionId]).toEqual(['refund_due', 'PG-SAME']);
    expect([kb.status, kb.providerTransactionId, kb.refundReason]).toEqual(['failed', `PG-F-${b.first.id.slice(0, 6)}`, null]);
  });

  it('0067 also keeps the orders an "owes nothing" refusal left unmarked (the code before 0066)', async () => {
    const r = await refundDueAfterWithdrawal();
    await t.database.db
      .update(payments)
      .set({ status: 'pending', refundReason: null, providerTransactionId: null, confirmation: null, paidAt: null, closedAt: null })
      .where(eq(payments.id, r.order.id));
    await t.database.db.execute(sql.raw(backfillStatement()));
    const kept = await statusOf(r.order.id);
    expect([kept.status, kept.refundReason, kept.providerTransactionId]).toEqual([
      'refund_due',
      'owes_nothing',
      r.confirmation.transactionId,
    ]);
  });

  it('the citizen who paid is told of the refund, not another who submitted the dossier (who cannot open the order)', async () => {
    // A: a representative who submitted online (another CCCD). B: the applicant, who proved the applicant's number and paid.
    const a = await loggedInCitizen(t.database.db, t.app);
    await t.database.db
      .update(citizens)
      .set({ cccd: '001190099999', fullName: 'Người Đại Diện', phone: '0912000111' })
      .where(eq(citizens.id, a.id));
    const b = await loggedInCitizen(t.database.db, t.app);
    await t.database.db.update(citizens).set({ phone: '0913000222' }).where(eq(citizens.id, b.id));
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const d = await receiveDossier(t.database.db, systemActor('national-portal:test'), {
      procedureId: p!.id,
      channel: '2',
      fullName: 'Người Nộp Thử',
    });
    await t.database.db
      .update(dossiers)
      .set({ citizenId: a.id, applicantIdNumber: '001190012345', applicantIdKind: 'cccd' })
      .where(eq(dossiers.id, d.id));
    const start = await b.client.post(`/ca-nhan/ho-so/${d.id}/thanh-toan`, {}, { csrfFrom: '/ca-nhan' });
    expect(start.status).toBe(303);
    const orderId = new URL(start.location!).searchParams.get('orderId')!;
    const [order] = await t.database.db.select().from(payments).where(eq(payments.id, orderId));
    expect(order!.citizenId).toBe(b.id);
    expect((await a.client.post(`/ca-nhan/ho-so/${d.id}/rut`, { 'xac-nhan': '1' }, { csrfFrom: `/ca-nhan/ho-so/${d.id}` })).status).toBe(
      303,
    );
    expect(await notify(confirmation(orderId, order!.amount, 'PG-REP-1'))).toEqual({ status: 409, code: 'payment_dossier_owes_nothing' });
    const [clerk] = await holders('reception', d.agencyUnitId);
    await recordRefund(t.database.db, await actorFor(t.database, clerk!.username), orderId, { ghiChu: 'UNC 1' }, new Date());
    const told = await t.database.db.select().from(notifications).where(eq(notifications.event, 'dossier.fee_refunded'));
    expect(told.map((n) => [n.channel, n.citizenId, n.address]).sort()).toEqual([
      ['inapp', b.id, null],
      ['sms', b.id, '0913000222'],
    ]);
    expect((await b.client.get(`/ca-nhan/thanh-toan/${orderId}/ket-qua`)).text).toContain('đã được hoàn trả');
    expect((await a.client.get(`/ca-nhan/thanh-toan/${orderId}/ket-qua`)).status).toBe(404);
  });

  it('0067 names a refund_due order first refused as paid by another order by that reason', async () => {
    const r = await refundDueAfterWithdrawal();
    await recordAudit(t.database.db, {
      action: 'payment.confirmation_refused',
      actor: { kind: 'system', label: 'payment-platform', meta: { ip: '192.0.2.1', requestId: 'test' } },
      targetType: 'payment',
      targetId: r.order.id,
      unitId: r.dossier.agencyUnitId,
      data: { reason: 'payment_dossier_already_paid', transactionId: 'PG-EARLIER', amount: r.order.amount, status: 'success' },
    });
    const file = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.startsWith('0067_'))!;
    const statements = fs.readFileSync(path.join(MIGRATIONS_DIR, file), 'utf8').split('--> statement-breakpoint');
    await t.database.db.execute(sql.raw(statements.find((x) => x.includes('WHERE p."status" = \'refund_due\''))!));
    expect((await statusOf(r.order.id)).refundReason).toBe('dossier_paid');
  });
});
