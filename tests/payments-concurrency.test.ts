/**
 * Payments under concurrency (PostgreSQL only: PGlite has one connection, so transactions never overlap there). A
 * confirmation and a new start of the same dossier, or two confirmations of two orders of one dossier, run one after
 * the other on the dossier's row: never a second order for a paid dossier, never a unique-index error (500).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { citizens, dossiers, payments, procedures } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { confirmPayment } from '../src/payments/confirm-payment.js';
import { startPayment } from '../src/payments/start-payment.js';
import { httpPaymentPlatform, sign } from '../src/payments/platform.js';
import { AppError } from '../src/shared/errors.js';
import { citizenActor, systemActor } from '../src/shared/context.js';
import type { Database } from '../src/db/client.js';
import { resetDatabase, testDatabase } from './support/db.js';
import { TEST_PASSWORD } from './support/app.js';

const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
const MERCHANT = { code: 'TEST-MERCHANT', secret: 'test-payment-secret-0123456789' };
const platform = httpPaymentPlatform({ url: 'https://pay.example.test/pay', merchant: MERCHANT.code, secret: MERCHANT.secret });
const meta = { ip: null, requestId: null };

let database: Database;

beforeEach(async () => {
  database = await testDatabase();
  await resetDatabase(database);
  await seedDemo(database.db, TEST_PASSWORD);
});

async function onlineDossier() {
  const [c] = await database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: 'a', cccd: '070085000111', fullName: 'Công dân A', loa: 2 })
    .returning();
  const [p] = await database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const d = await receiveDossier(database.db, systemActor('national-portal:test'), {
    procedureId: p!.id,
    channel: '2',
    fullName: 'Người Nộp',
  });
  await database.db.update(dossiers).set({ citizenId: c!.id }).where(eq(dossiers.id, d.id));
  return { citizenId: c!.id, dossierId: d.id };
}

const confirmation = (orderId: string, amount: number, transactionId: string) => {
  const fields = {
    merchantCode: MERCHANT.code,
    orderId,
    transactionId,
    amount: String(amount),
    status: 'success',
    paidAt: new Date().toISOString(),
  };
  return { ...fields, signature: sign(MERCHANT.secret, fields) };
};

/**
 * Holds, in a transaction of its own, an uncommitted payments row with this platform transaction id: a confirmation
 * naming it waits at its update (the unique index) with its own locks held — a slow confirmation, made on purpose.
 */
async function holdTransactionId(citizenId: string, transactionId: string) {
  // On a dossier of its own: a row of the raced dossier would lock that dossier's row (its foreign key) by itself.
  const [p] = await database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const other = await receiveDossier(database.db, systemActor('national-portal:test'), {
    procedureId: p!.id,
    channel: '2',
    fullName: 'Khác',
  });
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let ready!: () => void;
  const holding = new Promise<void>((r) => {
    ready = r;
  });
  const done = database.db
    .transaction(async (tx) => {
      await tx.insert(payments).values({
        dossierId: other.id,
        citizenId,
        amount: 1,
        status: 'failed',
        providerTransactionId: transactionId,
        expiresAt: new Date(),
      });
      ready();
      await released;
      tx.rollback();
    })
    .catch(() => undefined);
  await holding;
  return { release, done };
}

/** Until `n` sessions of this database wait for a lock. */
async function waitersAtLeast(n: number) {
  for (let i = 0; i < 200; i++) {
    const { rows } = await database.pool!.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    const row = rows[0];
    if ((row?.n ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never ${n} sessions waiting for a lock`);
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ ok: v }),
    (err: unknown) => ({ error: err instanceof AppError ? err.code : `raw: ${String(err)} ${String((err as { cause?: unknown }).cause)}` }),
  );

describe.skipIf(!onPostgres)('payments under concurrency (PostgreSQL)', () => {
  it('a start while the pending order is being confirmed: refused as already paid, not a second order to pay', async () => {
    const { citizenId, dossierId } = await onlineDossier();
    const actor = citizenActor(citizenId, meta);
    const first = await startPayment(database.db, platform, actor, dossierId, { publicUrl: 'https://motcua.test' });
    const [order] = await database.db.select().from(payments).where(eq(payments.id, first.paymentId));

    const hold = await holdTransactionId(citizenId, 'PG-RACE-1');
    const confirming = outcome(
      confirmPayment(database.db, platform, confirmation(order!.id, order!.amount, 'PG-RACE-1'), meta, new Date()),
    );
    await waitersAtLeast(1);
    const starting = outcome(startPayment(database.db, platform, actor, dossierId, { publicUrl: 'https://motcua.test' }));
    await waitersAtLeast(2);
    hold.release();
    await hold.done;

    expect(await confirming).toEqual({ ok: { paymentId: order!.id, status: 'paid', duplicate: false } });
    expect(await starting).toEqual({ error: 'payment_already_paid' });
    const rows = await database.db.select().from(payments).where(eq(payments.dossierId, dossierId));
    expect(rows.map((r) => r.status)).toEqual(['paid']);
  });

  it('two orders of one dossier confirmed at once: one pays it, the other is refused for a refund (never a 500)', async () => {
    const { citizenId, dossierId } = await onlineDossier();
    const actor = citizenActor(citizenId, meta);
    const first = await startPayment(database.db, platform, actor, dossierId, { publicUrl: 'https://motcua.test' });
    // The first order nearly expired: a new start abandons it; the citizen pays both, in two tabs.
    await database.db
      .update(payments)
      .set({ expiresAt: new Date(Date.now() + 60_000) })
      .where(eq(payments.id, first.paymentId));
    const second = await startPayment(database.db, platform, actor, dossierId, { publicUrl: 'https://motcua.test' });
    expect(second.paymentId).not.toBe(first.paymentId);
    const fee = (await database.db.select().from(payments).where(eq(payments.id, first.paymentId)))[0]!.amount;

    const hold = await holdTransactionId(citizenId, 'PG-RACE-A');
    const a = outcome(confirmPayment(database.db, platform, confirmation(first.paymentId, fee, 'PG-RACE-A'), meta, new Date()));
    await waitersAtLeast(1);
    const b = outcome(confirmPayment(database.db, platform, confirmation(second.paymentId, fee, 'PG-RACE-B'), meta, new Date()));
    await new Promise((r) => setTimeout(r, 200));
    hold.release();
    await hold.done;

    const results = [await a, await b];
    expect(results.filter((r) => 'ok' in r)).toHaveLength(1);
    expect(results.filter((r) => 'error' in r)).toEqual([{ error: 'payment_dossier_already_paid' }]);
    const rows = await database.db.select().from(payments).where(eq(payments.dossierId, dossierId));
    expect(rows.filter((r) => r.status === 'paid')).toHaveLength(1);
    // The other is kept for its refund, whichever lost.
    expect(rows.filter((r) => r.status === 'refund_due').map((r) => r.refundReason)).toEqual(['dossier_paid']);
  });
});
