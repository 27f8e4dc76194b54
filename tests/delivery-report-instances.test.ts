/**
 * A gateway's delivery report is applied once whichever instance it reaches (docs/decisions/0028): the report id is
 * recorded in PostgreSQL (applied_delivery_reports) in the transaction that applies it, not in a process's memory.
 *
 * - Two apps built on one database (both databases): a report applied by A is a duplicate at B; the same report sent
 *   to both at once is applied once; a forged one changes nothing; the ids are forgotten by the job sessions.purge
 *   only past their expiry, when the signature's window refuses a replay anyway.
 * - Two app PROCESSES (`src/main.ts`, as `npm start` runs) on one PostgreSQL database, where a process-local memory
 *   would have applied the replay a second time (PostgreSQL only: PGlite belongs to one process).
 */
import crypto from 'node:crypto';
import pino from 'pino';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../src/db/client.js';
import { appliedDeliveryReports, notifications } from '../src/db/schema/index.js';
import { seedDemo } from '../src/demo/seed.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { buildApp, TEST_PASSWORD, type App } from './support/app.js';
import { resetDatabase, testDatabase } from './support/db.js';
import { accountByUsername } from './support/fixtures.js';
import { type AppProcess, AppProcesses, newPostgresDatabase } from './support/app-processes.js';

const SMS_PATH = '/thong-bao/bao-cao/sms';
const SECRET = 'sms-report-secret-two-instances';
/** The SMS channel as a province configures it (the worker is off here: the gateway is never called). */
const SMS_ENV = {
  SMS_GATEWAY_URL: 'http://127.0.0.1:9/sms-gateway/v1/send',
  SMS_GATEWAY_TOKEN: 'sms-token',
  SMS_BRANDNAME: 'DONGNAI.GOV',
  SMS_REPORT_SECRET: SECRET,
};

/** A message handed to the gateway: state 'sent', to an official's phone. */
async function sentMessage(database: Database): Promise<string> {
  const official = await accountByUsername(database, 'quantri1');
  if (!official) throw new Error('the demo data has no quantri1');
  const [row] = await database.db
    .insert(notifications)
    .values({
      event: 'official.overdue',
      channel: 'sms',
      recipientKind: 'official',
      accountId: official.id,
      address: '0914969047',
      state: 'sent',
      body: 'Ho so H01.234 da qua han',
      sentAt: new Date(),
    })
    .returning({ id: notifications.id });
  return row!.id;
}

/** A signed SMS report of `notificationId`, with its headers (the gateway's scheme, gateway-reports.ts). */
function signedReport(notificationId: string, at = new Date(), secret = SECRET) {
  const body = JSON.stringify({
    reportId: crypto.randomUUID(),
    // The gateway's own id of the message: one per message (notifications_gateway_key).
    messageId: `SMS-${notificationId}`,
    clientRef: notificationId,
    status: 'failed',
    errorCode: 'SUBSCRIBER_UNREACHABLE',
    doneAt: at.toISOString(),
  });
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-timestamp': timestamp, 'x-signature': signature } };
}

type Answer = { status: number; json: { status?: string; error?: string } };
const answer = async (res: Response): Promise<Answer> => {
  const text = await res.text();
  if (!res.headers.get('content-type')?.includes('json')) throw new Error(`${res.status}: ${text.slice(0, 2000)}`);
  return { status: res.status, json: JSON.parse(text) as Answer['json'] };
};
const state = async (database: Database, id: string) =>
  (await database.db.select({ state: notifications.state }).from(notifications).where(eq(notifications.id, id)))[0]?.state;
/** The messages a failed SMS fell back to (the next channel): a second application must not add any. */
const fallbacks = async (database: Database, id: string) =>
  (await database.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.fallbackOf, id))).length;

describe('two apps on one database (both databases)', () => {
  let database: Database;
  let a: App;
  let b: App;
  let clock = new Date();

  beforeAll(async () => {
    database = await testDatabase();
    a = buildApp(database, SMS_ENV, { now: () => clock });
    b = buildApp(database, SMS_ENV, { now: () => clock });
  });
  beforeEach(async () => {
    clock = new Date();
    await resetDatabase(database);
    await seedDemo(database.db, TEST_PASSWORD);
  });

  const post = async (app: App, r: ReturnType<typeof signedReport>) =>
    answer(await app.request(SMS_PATH, { method: 'POST', headers: r.headers, body: r.body }));

  it('a report applied by A is a duplicate at B; sent to both at once it is applied once', async () => {
    const first = await sentMessage(database);
    const report = signedReport(first, clock);
    expect(await post(a, report)).toEqual({ status: 200, json: { status: 'applied' } });
    expect(await state(database, first)).toBe('failed');
    const fellBack = await fallbacks(database, first);
    expect(await post(b, report)).toEqual({ status: 200, json: { status: 'duplicate' } });
    expect(await post(a, report)).toEqual({ status: 200, json: { status: 'duplicate' } });
    expect(await fallbacks(database, first)).toBe(fellBack);

    const second = await sentMessage(database);
    const both = signedReport(second, clock);
    const answers = await Promise.all([post(a, both), post(b, both)]);
    expect(answers.map((x: Answer) => x.json.status).sort()).toEqual(['applied', 'duplicate']);
    expect(await state(database, second)).toBe('failed');
  });

  it('abuse: a forged or stale report at B changes nothing and records nothing; a message not ours is not recorded', async () => {
    const id = await sentMessage(database);
    const forged = signedReport(id, clock, 'not-the-secret-not-the-secret');
    expect(await post(b, forged)).toEqual({ status: 401, json: { error: 'invalid_signature' } });
    const stale = signedReport(id, new Date(clock.getTime() - 6 * 60_000));
    expect(await post(b, stale)).toEqual({ status: 401, json: { error: 'stale_timestamp' } });
    expect(await post(b, signedReport('not-a-message-of-ours', clock))).toEqual({ status: 200, json: { status: 'unknown' } });
    expect(await state(database, id)).toBe('sent');
    expect(await database.db.select().from(appliedDeliveryReports)).toEqual([]);
  });

  it('sessions.purge forgets a report id only past its expiry, when the signature window refuses the replay anyway', async () => {
    const id = await sentMessage(database);
    const report = signedReport(id, clock);
    expect((await post(a, report)).json.status).toBe('applied');
    const purge = (now: Date) =>
      jobHandlers({
        db: database.db,
        logger: pino({ level: 'silent' }),
        sessionPolicy: { idleMs: 60_000, absoluteMs: 3_600_000 },
        now: () => now,
      })['sessions.purge']({}, { id: 'test', retryCount: 0 });
    // Within the window: kept, and the replay is refused.
    await purge(new Date(clock.getTime() + 5 * 60_000));
    expect(await database.db.select().from(appliedDeliveryReports)).toHaveLength(1);
    // Past twice the window: forgotten; the same bytes are now refused by their timestamp.
    clock = new Date(clock.getTime() + 11 * 60_000);
    await purge(clock);
    expect(await database.db.select().from(appliedDeliveryReports)).toEqual([]);
    expect(await post(b, report)).toEqual({ status: 401, json: { error: 'stale_timestamp' } });
  });
});

const skipReason = process.env.MOTCUA_TEST_DB !== 'postgres' ? 'the PostgreSQL project only (TEST_DATABASE_URL)' : null;

describe.skipIf(skipReason !== null)(`two app processes on one PostgreSQL database${skipReason ? ` — skipped: ${skipReason}` : ''}`, () => {
  let database: Database;
  const instances = new AppProcesses();
  let a: AppProcess;
  let b: AppProcess;

  beforeAll(async () => {
    const url = await newPostgresDatabase('reports2');
    database = await openDatabase({ url, poolSize: 2 });
    await database.migrate();
    await seedDemo(database.db, TEST_PASSWORD);
    a = await instances.start('A', { databaseUrl: url, env: SMS_ENV });
    b = await instances.start('B', { databaseUrl: url, env: SMS_ENV });
    await instances.ready();
  }, 120_000);

  afterAll(async () => {
    await instances.stop();
    await database?.close();
  });

  const post = (inst: AppProcess, r: ReturnType<typeof signedReport>) =>
    fetch(`${inst.origin}${SMS_PATH}`, { method: 'POST', headers: r.headers, body: r.body }).then(answer);

  it('a report applied by instance A and replayed to instance B is refused as a duplicate, and its fallback made once', async () => {
    const id = await sentMessage(database);
    const report = signedReport(id);
    expect(await post(a, report)).toEqual({ status: 200, json: { status: 'applied' } });
    const fellBack = await fallbacks(database, id);
    expect(await post(b, report)).toEqual({ status: 200, json: { status: 'duplicate' } });
    expect(await state(database, id)).toBe('failed');
    expect(await fallbacks(database, id)).toBe(fellBack);
    // Abuse at B: the same report re-signed with another secret is refused before anything is looked up.
    expect(await post(b, signedReport(id, new Date(), 'not-the-secret-not-the-secret'))).toEqual({
      status: 401,
      json: { error: 'invalid_signature' },
    });
  });
});
