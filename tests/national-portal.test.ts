import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { and, asc, eq, sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { queryRows } from '../src/db/client.js';
import { auditLog, dossierEvents, dossiers, nationalIntake, nationalStatusOutbox, procedures } from '../src/db/schema/index.js';
import { actOnDossier, applyAction, TransitionInput } from '../src/dossiers/act-on-dossier.js';
import { loadCalendar } from '../src/calendar/load.js';
import { DOSSIER_STATUSES, STATUS_KEYS } from '../src/dossiers/transitions.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { nationalPortalClient, NationalPortalError, type NationalPortalClient } from '../src/national-portal/client.js';
import { pushDossier } from '../src/national-portal/push.js';
import { sweepUnpushed } from '../src/national-portal/sweep.js';
import { reconcileNationalStatuses } from '../src/national-portal/reconcile.js';
import { pullNationalDossiers } from '../src/national-portal/pull.js';
import { loadConfig } from '../src/config.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { enqueue, startJobQueue, type JobQueue } from '../src/jobs/queue.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { enqueueNationalPush } from '../src/national-portal/push.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });
const STAND_IN = { token: 'test-national-portal-token', province: 'H10' };
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

let sim: Simulator;
let client: NationalPortalClient;
beforeEach(async () => {
  sim = await startSimulator({ port: 0, issuer: 'http://127.0.0.1', clients: [], registryToken: 'r', nationalPortal: STAND_IN });
  client = nationalPortalClient({ url: `${sim.url}/national-portal/api/v1`, ...STAND_IN, simulated: true }, { timeoutMs: 5_000 });
});
afterEach(async () => {
  await sim.close();
});

type Held = { records: Array<{ id: string; key: string; record: { MaHoSo: string; TrangThaiHoSo: number } }> };
const held = async (maHoSo?: string): Promise<Held['records']> =>
  ((await (await fetch(`${sim.url}/dev/national-portal${maHoSo ? `?maHoSo=${encodeURIComponent(maHoSo)}` : ''}`)).json()) as Held).records;
const faults = (f: Record<string, unknown>) =>
  fetch(`${sim.url}/dev/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });

const outbox = (dossierId: string) =>
  t.database.db
    .select()
    .from(nationalStatusOutbox)
    .where(eq(nationalStatusOutbox.dossierId, dossierId))
    .orderBy(asc(nationalStatusOutbox.seq));

/** A dossier received at the SCT counter, then handed to processing and asked for a supplement: 3 status records. */
async function movedDossier() {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const clerk = await actorFor(t.database, sctClerkUsername());
  const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
  const d = await receiveAtCounter(
    t.database.db,
    clerk,
    { procedureId: p!.id, channel: '1', fullName: 'Trần Thị Thử' },
    vn('2026-11-23T09:00'),
  );
  await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, vn('2026-11-23T10:00'));
  await actOnDossier(
    t.database.db,
    expert,
    d.id,
    { action: 'request_supplement', note: 'Thiếu', items: 'Hợp đồng thuê' },
    vn('2026-11-24T10:00'),
  );
  return { d, clerk, expert };
}

describe('the status outbox', () => {
  it('writes a row for the creation and every status change, in order, with the TrangThaiHoSo payload', async () => {
    const { d, expert } = await movedDossier();
    await actOnDossier(t.database.db, expert, d.id, { action: 'supplement_received' }, vn('2026-12-01T10:00'));
    // A hand-over inside processing changes nothing the national portal holds: no row.
    const rows = await outbox(d.id);
    expect(rows.map((r) => [r.seq, r.status, r.code, r.channel])).toEqual([
      [1, 'received', 2, 1],
      [2, 'processing', 4, 1],
      [3, 'supplement', 5, 1],
      [4, 'processing', 4, 1],
    ]);
    expect(rows[0]!.payload).toMatchObject({
      MaHoSo: d.code,
      MaTTHC: '2.000633',
      MaDonVi: '000.00.13.H10',
      TrangThaiHoSo: 2,
      KenhThucHien: 1,
    });
    expect(rows[0]!.payload.ThoiDiem).toBe('20261123090000');
    expect(rows[1]!.payload.ThoiDiem).toBe('20261123100000');
    // Resumed: a new promised date travels with it.
    expect(rows[3]!.payload.NgayHenTra).not.toBe(rows[2]!.payload.NgayHenTra);
    expect(rows.every((r) => r.pushedAt === null)).toBe(true);
  });

  it('writes nothing for an action rolled back with its transaction', async () => {
    const { d, clerk } = await movedDossier();
    const before = (await outbox(d.id)).length;
    const calendar = await loadCalendar(t.database.db, vn('2026-11-25T09:00'));
    const input = TransitionInput.parse({ action: 'supplement_received' });
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    await expect(
      t.database.db.transaction(async (tx) => {
        await applyAction(tx, expert, d.id, input, calendar, vn('2026-11-25T09:00'));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await outbox(d.id)).toHaveLength(before);
    // A refused action (not allowed here) writes nothing either.
    await expect(actOnDossier(t.database.db, clerk, d.id, { action: 'approve' }, vn('2026-11-25T09:00'))).rejects.toThrow();
    expect(await outbox(d.id)).toHaveLength(before);
  });

  it("maps every status of transitions.ts to its TrangThaiHoSo in the trigger's function", async () => {
    for (const s of STATUS_KEYS) {
      const [row] = await queryRows<{ code: number | null }>(t.database.db, sql`select national_status_code(${s}) as code`);
      expect([s, row?.code]).toEqual([s, DOSSIER_STATUSES[s]]);
    }
  });
});

describe('the push', () => {
  it('sends a dossier’s rows in seq order, once, and marks them pushed', async () => {
    const { d } = await movedDossier();
    expect(await pushDossier(t.database.db, client, d.id, () => new Date())).toEqual({ sent: 3 });
    const records = await held(d.code);
    expect(records.map((r) => [r.key, r.record.TrangThaiHoSo])).toEqual([
      [`${d.code}:1`, 2],
      [`${d.code}:2`, 4],
      [`${d.code}:3`, 5],
    ]);
    const rows = await outbox(d.id);
    expect(rows.every((r) => r.pushedAt !== null && r.nationalId !== null)).toBe(true);
    expect(await pushDossier(t.database.db, client, d.id, () => new Date())).toEqual({ sent: 0 });
    expect(await held(d.code)).toHaveLength(3);
  });

  it('survives the national side down: stops at the first row, keeps order, the sweep retries after its back-off, all sent once when it is up', async () => {
    const { d, expert } = await movedDossier();
    await faults({ nationalDown: true });
    const t0 = new Date();
    await expect(pushDossier(t.database.db, client, d.id, () => t0)).rejects.toBeInstanceOf(NationalPortalError);
    await actOnDossier(t.database.db, expert, d.id, { action: 'supplement_received' }, vn('2026-12-01T10:00'));
    let rows = await outbox(d.id);
    expect(rows.map((r) => [r.seq, r.attempts, r.pushedAt])).toEqual([
      [1, 1, null],
      [2, 0, null],
      [3, 0, null],
      [4, 0, null],
    ]);
    expect(rows[0]!.lastError).toMatch(/503/);
    // Within its back-off the sweep leaves it; after, it enqueues its push.
    expect(await sweepUnpushed(t.database.db, new Date(t0.getTime() + 30_000))).toEqual({ enqueued: 0 });
    expect(await sweepUnpushed(t.database.db, new Date(t0.getTime() + 3 * 60_000))).toEqual({ enqueued: 1 });
    await expect(pushDossier(t.database.db, client, d.id, () => new Date())).rejects.toBeInstanceOf(NationalPortalError);
    expect(await held(d.code)).toHaveLength(0);
    await faults({ nationalDown: false });
    expect(await pushDossier(t.database.db, client, d.id, () => new Date())).toEqual({ sent: 4 });
    expect((await held(d.code)).map((r) => r.key)).toEqual([1, 2, 3, 4].map((n) => `${d.code}:${n}`));
    rows = await outbox(d.id);
    expect(rows.every((r) => r.pushedAt !== null && r.lastError === null)).toBe(true);
  });

  it("shows the synchronisation on the officials' dossier page: what was sent, what waits and why", async () => {
    const { d } = await movedDossier();
    const clerk = new Client(t.app);
    expect((await clerk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const fact = async () => {
      const html = (await clerk.get(`/tiepnhan/ho-so/${d.id}`)).text;
      return /<dd id="national-sync">([\s\S]*?)<\/dd>/.exec(html)?.[1]?.replace(/<!-- -->/g, '') ?? '';
    };
    expect(await fact()).toContain('Chưa gửi trạng thái nào; 3 trạng thái đang chờ gửi.');
    await faults({ nationalDown: true });
    await expect(pushDossier(t.database.db, client, d.id, () => new Date())).rejects.toBeInstanceOf(NationalPortalError);
    expect(await fact()).toContain('đã thử 1 lần, sẽ thử lại tự động (lỗi gần nhất:');
    await faults({ nationalDown: false });
    await pushDossier(t.database.db, client, d.id, () => new Date());
    expect(await fact()).toMatch(/^\s*Đã gửi trạng thái mã 5 lúc [\d/: ]+\.\s*$/);
  });

  it('sends nothing twice across a crash between the national side recording and our marking', async () => {
    const { d } = await movedDossier();
    // The stand-in keeps the record but its answer is lost (504): our row stays unpushed.
    await faults({ nationalLoseReply: true });
    await expect(pushDossier(t.database.db, client, d.id, () => new Date())).rejects.toBeInstanceOf(NationalPortalError);
    expect(await held(d.code)).toHaveLength(1);
    expect((await outbox(d.id))[0]!.pushedAt).toBeNull();
    await faults({ nationalLoseReply: false });
    expect(await pushDossier(t.database.db, client, d.id, () => new Date())).toEqual({ sent: 3 });
    const records = await held(d.code);
    expect(records.map((r) => r.key)).toEqual([1, 2, 3].map((n) => `${d.code}:${n}`));
    // The retried row got the record the national side already had.
    expect((await outbox(d.id))[0]!.nationalId).toBe(records[0]!.id);
    // The same key sent again by hand: the same record.
    const [row] = await outbox(d.id);
    expect(await client.sendStatus(row!.payload, `${d.code}:1`)).toEqual({ id: records[0]!.id });
    expect(await held(d.code)).toHaveLength(3);
  });

  it('two pushers of one dossier at once send each record once, in order', async () => {
    const { d } = await movedDossier();
    await faults({ nationalLatencyMs: 20 });
    const results = await Promise.all([1, 2, 3].map(() => pushDossier(t.database.db, client, d.id, () => new Date())));
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(3);
    expect((await held(d.code)).map((r) => r.key)).toEqual([1, 2, 3].map((n) => `${d.code}:${n}`));
  });
});

describe('through the job queue', () => {
  let queue: JobQueue | null = null;
  afterEach(async () => {
    await queue?.stop(2_000);
    queue = null;
    await t.database.db.execute(sql`delete from pgboss.job`);
  });
  const until = async (check: () => Promise<boolean>, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('keeps one waiting push job per dossier', async () => {
    const { d } = await movedDossier();
    await t.database.db.execute(sql`delete from pgboss.job`);
    const ids = await t.database.db.transaction(async (tx) => [
      await enqueue(tx, 'national.push', { dossierId: d.id }, { singletonKey: d.id }),
      await enqueue(tx, 'national.push', { dossierId: d.id }, { singletonKey: d.id }),
    ]);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBeNull();
    await enqueueNationalPush(t.database.db, d.id);
    const [{ n }] = (await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from pgboss.job where name = 'national.push' and state = 'created'`,
    )) as [{ n: number }];
    expect(n).toBe(1);
  });

  it('pushes what reception and the workflow enqueue, with the worker and the configured client', async () => {
    const config = loadConfig({
      NATIONAL_PORTAL_URL: `${sim.url}/national-portal/api/v1`,
      NATIONAL_PORTAL_TOKEN: STAND_IN.token,
      NATIONAL_PORTAL_PROVINCE: STAND_IN.province,
    });
    queue = await startJobQueue(t.database, {
      logger: silent,
      handlers: jobHandlers({ db: t.database.db, logger: silent, sessionPolicy: { idleMs: 60_000, absoluteMs: 3_600_000 }, config }),
      schedules: false,
      pollingIntervalSeconds: 0.5,
    });
    const { d } = await movedDossier();
    await until(async () => (await held(d.code)).length === 3);
    expect((await held(d.code)).map((r) => r.key)).toEqual([1, 2, 3].map((n) => `${d.code}:${n}`));
    await until(async () => (await outbox(d.id)).every((r) => r.pushedAt !== null));
  }, 30_000);
});

describe('reconciliation', () => {
  it('re-sends the latest state of a dossier the national side holds differently, once', async () => {
    const { d } = await movedDossier();
    const other = await movedDossier();
    await pushDossier(t.database.db, client, d.id, () => new Date());
    await pushDossier(t.database.db, client, other.d.id, () => new Date());
    // The national side lost its latest record of d: it holds Đang xử lý where we say Yêu cầu bổ sung.
    expect((await fetch(`${sim.url}/dev/national-portal/trang-thai?maHoSo=${d.code}`, { method: 'DELETE' })).status).toBe(200);
    const res = await reconcileNationalStatuses(t.database.db, client, vn('2026-11-25T09:00'), silent);
    expect(res).toMatchObject({ checked: 2, differing: 1, codes: [d.code] });
    const rows = await outbox(d.id);
    expect(rows.at(-1)).toMatchObject({ seq: 4, reason: 'reconcile', code: 5, pushedAt: null });
    // Waiting to be pushed: a second run adds nothing.
    expect((await reconcileNationalStatuses(t.database.db, client, vn('2026-11-25T09:00'), silent)).differing).toBe(0);
    await pushDossier(t.database.db, client, d.id, () => new Date());
    expect((await held(d.code)).at(-1)!.record.TrangThaiHoSo).toBe(5);
    expect((await reconcileNationalStatuses(t.database.db, client, vn('2026-11-25T09:00'), silent)).differing).toBe(0);
  });
});

describe('the pull', () => {
  const registered = () =>
    t.database.db
      .select({ d: dossiers, i: nationalIntake })
      .from(nationalIntake)
      .leftJoin(dossiers, eq(dossiers.id, nationalIntake.dossierId))
      .orderBy(asc(nationalIntake.nationalId));

  it('registers each national dossier once as an online dossier waiting for reception, and skips an unknown procedure', async () => {
    const first = await pullNationalDossiers(t.database.db, client, vn('2026-11-23T09:00'), silent);
    expect(first).toEqual({ registered: 2, skipped: 1, already: 0 });
    const rows = await registered();
    expect(rows.map((r) => [r.i.nationalId, r.i.outcome])).toEqual([
      ['G22.H10-0001', 'registered'],
      ['G22.H10-0002', 'registered'],
      ['G22.H10-0003', 'skipped'],
    ]);
    expect(rows[2]!.i.reason).toMatch(/9\.999999/);
    const d = rows[0]!.d!;
    expect(d).toMatchObject({ channel: 2, status: 'submitted', currentStep: 0, receivedBy: null, citizenId: null });
    expect(d.applicant).toMatchObject({ fullName: 'Trần Thị Mai', cccd: '070190001234', phone: '0912345678' });
    expect(d.code).toMatch(/^000\.00\.13\.H10-261123-\d{4}$/);
    const [event] = await t.database.db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id));
    expect(event).toMatchObject({ action: 'submit', actorKind: 'system', actorLabel: 'job:national.pull', toStatus: 'submitted' });
    expect(event!.note).toContain('G22.H10-0001');
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, d.id), eq(auditLog.action, 'dossier.receive')));
    expect(audit).toMatchObject({ actorKind: 'system', actorLabel: 'job:national.pull' });
    // Its first status record (Mới đăng ký, online) is in the outbox.
    expect((await outbox(d.id)).map((r) => [r.code, r.channel])).toEqual([[1, 2]]);

    // Again (the cursor moved), and again from the start (a lost cursor): nothing new.
    expect(await pullNationalDossiers(t.database.db, client, vn('2026-11-23T09:05'), silent)).toEqual({
      registered: 0,
      skipped: 0,
      already: 0,
    });
    await t.database.db.execute(sql`delete from national_sync_state`);
    expect(await pullNationalDossiers(t.database.db, client, vn('2026-11-23T09:10'), silent)).toEqual({
      registered: 0,
      skipped: 0,
      already: 3,
    });
    const [{ n }] = (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from dossiers where channel = 2`)) as [
      { n: number },
    ];
    expect(n).toBe(2);
  });

  it('two pulls at once make one dossier per national dossier', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await fetch(`${sim.url}/dev/national-portal/ho-so-nop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ MaHoSoQG: `G22.H10-1${i}`, MaTTHC: '2.000633', ChuHoSo: { HoVaTen: `Người nộp ${i}` } }),
      });
      expect(r.status).toBe(201);
    }
    const both = await Promise.all([1, 2].map(() => pullNationalDossiers(t.database.db, client, vn('2026-11-23T09:00'), silent)));
    expect(both[0]!.registered + both[1]!.registered).toBe(7);
    const [{ n }] = (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from dossiers where channel = 2`)) as [
      { n: number },
    ];
    expect(n).toBe(7);
    expect((await registered()).filter((r) => r.i.outcome === 'registered')).toHaveLength(7);
  });
});

describe('the stand-in and the configuration', () => {
  it('refuses a forged or absent token and another province', async () => {
    const url = `${sim.url}/national-portal/api/v1/tinh/H10/ho-so-nop`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer forged-token-xxxxxxxxxx' } })).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${STAND_IN.token}` } })).status).toBe(200);
    const other = `${sim.url}/national-portal/api/v1/tinh/H99/ho-so-nop`;
    expect((await fetch(other, { headers: { authorization: `Bearer ${STAND_IN.token}` } })).status).toBe(404);
    const forged = nationalPortalClient({ url: `${sim.url}/national-portal/api/v1`, ...STAND_IN, token: 'x'.repeat(30), simulated: true });
    await expect(forged.submittedDossiers(null)).rejects.toMatchObject({ status: 401 });
    // A status record without its idempotency key, or with the key of another record's body, is refused.
    const post = (key: string | null, body: unknown) =>
      fetch(`${sim.url}/national-portal/api/v1/tinh/H10/trang-thai`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${STAND_IN.token}`,
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: JSON.stringify(body),
      });
    const record = { MaHoSo: 'X-1', TrangThaiHoSo: 2, KenhThucHien: 1 };
    expect((await post(null, record)).status).toBe(400);
    expect((await post('X-1:1', record)).status).toBe(201);
    expect((await post('X-1:1', record)).status).toBe(200);
    expect((await post('X-1:1', { ...record, TrangThaiHoSo: 4 })).status).toBe(409);
    expect((await post('X-1:2', { ...record, TrangThaiHoSo: 11 })).status).toBe(400);
  });

  it('is all or nothing, refuses the stand-in in production, is the stand-in in demo mode and off otherwise', () => {
    const prod = {
      NODE_ENV: 'production',
      SESSION_SECRET: 'x'.repeat(40),
      PUBLIC_URL: 'https://dvc.example.vn',
      VNEID_ISSUER: 'https://sso.dichvucong.example.vn',
      VNEID_CLIENT_ID: 'client',
      VNEID_CLIENT_SECRET: 'secret',
      REGISTRY_URL: 'https://ndxp.example.vn/dancu/verify',
      REGISTRY_TOKEN: 'token',
      PAYMENT_URL: 'https://paygov.example.vn/payment/v1/pay',
      PAYMENT_MERCHANT: 'UBND-TINH',
      PAYMENT_SECRET: 'p'.repeat(32),
      SSO_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
    };
    expect(() => loadConfig({ NATIONAL_PORTAL_URL: 'https://dvc.example.vn/api' })).toThrow(/NATIONAL_PORTAL_TOKEN: required/);
    expect(loadConfig({}).nationalPortal).toMatchObject({ simulated: true, province: 'H10' });
    expect(loadConfig({ DEMO_DATA: 'false' }).nationalPortal).toBeNull();
    const set = {
      NATIONAL_PORTAL_URL: 'https://dvc.example.vn/api',
      NATIONAL_PORTAL_TOKEN: 't'.repeat(20),
      NATIONAL_PORTAL_PROVINCE: 'H10',
    };
    expect(loadConfig({ ...set, DEMO_DATA: 'false' }).nationalPortal).toEqual({
      url: 'https://dvc.example.vn/api',
      token: 't'.repeat(20),
      province: 'H10',
      simulated: false,
    });
    // Production: unset = off; the real portal accepted; the stand-in (its address or its demo token) refused.
    expect(loadConfig(prod).nationalPortal).toBeNull();
    expect(loadConfig({ ...prod, ...set }).nationalPortal?.simulated).toBe(false);
    expect(() => loadConfig({ ...prod, ...set, NATIONAL_PORTAL_URL: 'https://127.0.0.1:3001/national-portal/api/v1' })).toThrow(
      /NATIONAL_PORTAL_URL: points at the national portal stand-in/,
    );
    expect(() => loadConfig({ ...prod, ...set, NATIONAL_PORTAL_TOKEN: 'motcua-demo-national-portal-token' })).toThrow(
      /NATIONAL_PORTAL_TOKEN: is the stand-in's demo token/,
    );
  });
});
