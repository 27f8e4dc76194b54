/**
 * The national id on the wire (decision 0024, "The national id"): a dossier pulled from the national portal is known
 * there by its MaHoSoQG, so every status record of it — its creation's first, written before the pull links it —
 * names that id and goes under the key `<MaHoSoQG>:<seq>`; the stand-in keeps those statuses against the national
 * dossier and refuses records that would put one dossier's statuses on another's. Our own dossiers keep our code.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { asc, eq } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { dossiers, nationalIntake, nationalStatusOutbox, procedures } from '../src/db/schema/index.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { systemActor } from '../src/shared/context.js';
import { startSimulator, type Simulator } from '../sim/server.js';
import { nationalPortalClient, NationalPortalError, type NationalPortalClient } from '../src/national-portal/client.js';
import { pushDossier } from '../src/national-portal/push.js';
import { pullNationalDossiers } from '../src/national-portal/pull.js';
import { reconcileNationalStatuses } from '../src/national-portal/reconcile.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });
const STAND_IN = { token: 'test-national-portal-token', province: 'H10' };
const QG = 'G22.H10-0001';
const vn = (s: string) => new Date(`${s}+07:00`);

let sim: Simulator;
let client: NationalPortalClient;
beforeEach(async () => {
  sim = await startSimulator({ port: 0, issuer: 'http://127.0.0.1', clients: [], registryToken: 'r', nationalPortal: STAND_IN });
  client = nationalPortalClient({ url: `${sim.url}/national-portal/api/v1`, ...STAND_IN, simulated: true }, { timeoutMs: 5_000 });
});
afterEach(async () => {
  await sim.close();
});

type Record_ = { id: string; key: string; record: { MaHoSo: string; MaHoSoQG?: string; TrangThaiHoSo: number } };
type NationalDossier = { MaHoSoQG: string; MaHoSo: string | null; statuses: number[]; TrangThaiHoSo: number | null };
const standIn = async (query = '') =>
  (await (await fetch(`${sim.url}/dev/national-portal${query}`)).json()) as { records: Record_[]; submitted: NationalDossier[] };
const nationalDossier = async (id: string) => (await standIn()).submitted.find((d) => d.MaHoSoQG === id);
const faults = (f: Record<string, unknown>) =>
  fetch(`${sim.url}/dev/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
const outbox = (dossierId: string) =>
  t.database.db
    .select()
    .from(nationalStatusOutbox)
    .where(eq(nationalStatusOutbox.dossierId, dossierId))
    .orderBy(asc(nationalStatusOutbox.seq));
const now = () => new Date();

/** The demo's national dossier G22.H10-0001, pulled: our dossier for it. */
async function pulled() {
  await pullNationalDossiers(t.database.db, client, vn('2026-11-23T09:00'), silent);
  const [row] = await t.database.db
    .select({ d: dossiers })
    .from(nationalIntake)
    .innerJoin(dossiers, eq(dossiers.id, nationalIntake.dossierId))
    .where(eq(nationalIntake.nationalId, QG));
  return row!.d;
}

/** Accepted at the SCT counter, then handed to processing: Mới đăng ký → Đã tiếp nhận → Đang xử lý. */
async function acceptAndProcess(dossierId: string) {
  await actOnDossier(
    t.database.db,
    await actorFor(t.database, sctClerkUsername()),
    dossierId,
    { action: 'accept' },
    vn('2026-11-23T09:30'),
  );
  await actOnDossier(
    t.database.db,
    await actorFor(t.database, sctClerkUsername()),
    dossierId,
    { action: 'handover' },
    vn('2026-11-23T10:00'),
  );
}

async function counterDossier() {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  const clerk = await actorFor(t.database, sctClerkUsername());
  return receiveAtCounter(t.database.db, clerk, { procedureId: p!.id, channel: '1', fullName: 'Trần Thị Thử' }, vn('2026-11-23T09:00'));
}

/** A database refusal's message (drizzle wraps the driver's error: its cause says why). */
const refusal = async (p: Promise<unknown>): Promise<string> => {
  try {
    await p;
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    return `${err instanceof Error ? err.message : String(err)} ${cause}`;
  }
  throw new Error('not refused');
};

describe('a dossier pulled from the national portal', () => {
  it('reaches the national dossier under its national id, every record in order, its creation’s included', async () => {
    const d = await pulled();
    await acceptAndProcess(d.id);
    const rows = await outbox(d.id);
    // The creation's record was written by the dossier's insert, before the pull linked the national id: it has it too.
    expect(rows.map((r) => [r.seq, r.code, r.payload.MaHoSoQG, r.payload.MaHoSo])).toEqual([
      [1, 1, QG, d.code],
      [2, 2, QG, d.code],
      [3, 4, QG, d.code],
    ]);
    expect(await pushDossier(t.database.db, client, d.id, now)).toEqual({ sent: 3 });
    const { records } = await standIn(`?maHoSoQG=${QG}`);
    expect(records.map((r) => [r.key, r.record.MaHoSoQG, r.record.MaHoSo, r.record.TrangThaiHoSo])).toEqual([
      [`${QG}:1`, QG, d.code, 1],
      [`${QG}:2`, QG, d.code, 2],
      [`${QG}:3`, QG, d.code, 4],
    ]);
    expect(await nationalDossier(QG)).toMatchObject({ MaHoSo: d.code, statuses: [1, 2, 4], TrangThaiHoSo: 4 });
    // Nothing went under our code alone.
    expect((await standIn(`?maHoSo=${d.code}`)).records.every((r) => r.record.MaHoSoQG === QG)).toBe(true);
  });

  it('is idempotent under its national id: a lost answer, a replay and a second push record each status once', async () => {
    const d = await pulled();
    await acceptAndProcess(d.id);
    await faults({ nationalLoseReply: true });
    await expect(pushDossier(t.database.db, client, d.id, now)).rejects.toBeInstanceOf(NationalPortalError);
    await faults({ nationalLoseReply: false });
    expect(await pushDossier(t.database.db, client, d.id, now)).toEqual({ sent: 3 });
    expect(await pushDossier(t.database.db, client, d.id, now)).toEqual({ sent: 0 });
    const [first] = await outbox(d.id);
    const { records } = await standIn(`?maHoSoQG=${QG}`);
    expect(first!.nationalId).toBe(records[0]!.id);
    expect(await client.sendStatus(first!.payload, `${QG}:1`)).toEqual({ id: records[0]!.id });
    expect((await standIn(`?maHoSoQG=${QG}`)).records.map((r) => r.key)).toEqual([1, 2, 3].map((n) => `${QG}:${n}`));
    expect((await nationalDossier(QG))?.statuses).toEqual([1, 2, 4]);
  });

  it('is reconciled under its national id', async () => {
    const d = await pulled();
    await acceptAndProcess(d.id);
    await pushDossier(t.database.db, client, d.id, now);
    // The day after: the reconciliation looks at the dossiers changed in the last 7 days (by our clock).
    const at = vn('2026-11-24T02:40');
    expect((await reconcileNationalStatuses(t.database.db, client, at, silent)).differing).toBe(0);
    // The national side loses its latest status of the national dossier: the reconciliation finds it by that id.
    expect((await fetch(`${sim.url}/dev/national-portal/trang-thai?maHoSo=${QG}`, { method: 'DELETE' })).status).toBe(200);
    expect(await reconcileNationalStatuses(t.database.db, client, at, silent)).toMatchObject({ differing: 1, codes: [d.code] });
    expect(await pushDossier(t.database.db, client, d.id, now)).toEqual({ sent: 1 });
    expect((await standIn(`?maHoSoQG=${QG}`)).records.at(-1)!.key).toBe(`${QG}:4`);
    expect(await nationalDossier(QG)).toMatchObject({ TrangThaiHoSo: 4 });
    expect((await reconcileNationalStatuses(t.database.db, client, at, silent)).differing).toBe(0);
  });
});

describe('a dossier of our own', () => {
  it('still goes under our code, without a national id', async () => {
    const d = await counterDossier();
    expect(await pushDossier(t.database.db, client, d.id, now)).toEqual({ sent: 1 });
    const { records } = await standIn(`?maHoSo=${d.code}`);
    expect(records.map((r) => [r.key, r.record.MaHoSoQG])).toEqual([[`${d.code}:1`, undefined]]);
    expect((await outbox(d.id))[0]!.payload).not.toHaveProperty('MaHoSoQG');
  });
});

describe('the link of a national id to a dossier (abuse)', () => {
  const link = (nationalId: string, dossierId: string) =>
    t.database.db.insert(nationalIntake).values({
      nationalId,
      procedureCode: '2.000633',
      outcome: 'registered',
      dossierId,
      pulledAt: new Date(),
    });
  const payloadIds = async (dossierId: string) => (await outbox(dossierId)).map((r) => r.payload.MaHoSoQG ?? null);

  it('cannot make another dossier push under a national id', async () => {
    const d = await pulled();
    const counter = await counterDossier();
    // A dossier received at the counter was never submitted nationally.
    expect(await refusal(link('G22.H10-FORGED', counter.id))).toMatch(/not a new online dossier/);
    // A second national id for the pulled dossier, or the pulled dossier's id for another: one link per dossier.
    expect(await refusal(link('G22.H10-OTHER', d.id))).toMatch(/national_intake_dossier_idx|duplicate key/);
    // Moved to another dossier or re-keyed: refused.
    expect(
      await refusal(t.database.db.update(nationalIntake).set({ dossierId: counter.id }).where(eq(nationalIntake.nationalId, QG))),
    ).toMatch(/the link does not change/);
    expect(
      await refusal(t.database.db.update(nationalIntake).set({ nationalId: 'G22.H10-9999' }).where(eq(nationalIntake.nationalId, QG))),
    ).toMatch(/the link does not change/);
    // A skipped national dossier cannot point at a dossier.
    expect(
      await refusal(
        t.database.db.update(nationalIntake).set({ dossierId: counter.id }).where(eq(nationalIntake.nationalId, 'G22.H10-0003')),
      ),
    ).toMatch(/national_intake_link_check|check constraint/);
    // An online dossier already sent under our code: too late to give it a national id.
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const online = await receiveDossier(
      t.database.db,
      systemActor('job:test'),
      { procedureId: p!.id, channel: 2, fullName: 'Người nộp' },
      vn('2026-11-23T09:00'),
    );
    await faults({ nationalDown: true });
    await expect(pushDossier(t.database.db, client, online.id, now)).rejects.toBeInstanceOf(NationalPortalError);
    expect(await refusal(link('G22.H10-LATE', online.id))).toMatch(/already sent under its own code/);

    // The refused links left nothing behind: the counter dossier's next change still goes under our code.
    const clerk = await actorFor(t.database, sctClerkUsername());
    await actOnDossier(t.database.db, clerk, counter.id, { action: 'handover' }, vn('2026-11-23T10:00'));
    expect(await payloadIds(counter.id)).toEqual([null, null]);
    expect(await payloadIds(online.id)).toEqual([null]);
    expect(new Set(await payloadIds(d.id))).toEqual(new Set([QG]));
    const [intake] = await t.database.db.select().from(nationalIntake).where(eq(nationalIntake.nationalId, QG));
    expect(intake?.dossierId).toBe(d.id);
  });

  it('the stand-in refuses records that would mix a national dossier with another', async () => {
    const post = (key: string, body: Record<string, unknown>) =>
      fetch(`${sim.url}/national-portal/api/v1/tinh/H10/trang-thai`, {
        method: 'POST',
        headers: { authorization: `Bearer ${STAND_IN.token}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    const rec = (MaHoSo: string, MaHoSoQG?: string) => ({ MaHoSo, ...(MaHoSoQG ? { MaHoSoQG } : {}), TrangThaiHoSo: 1, KenhThucHien: 2 });
    // A national id this side never issued; a key not built from the id it knows the dossier by.
    expect((await post('G22.H10-NONE:1', rec('A-1', 'G22.H10-NONE'))).status).toBe(404);
    expect((await post('A-1:1', rec('A-1', QG))).status).toBe(400);
    expect((await post(`${QG}:1`, rec('A-1', QG))).status).toBe(201);
    // Bound: another of our dossiers cannot write to it, nor this one go on without its id.
    expect((await post(`${QG}:2`, rec('B-1', QG))).status).toBe(409);
    expect((await post('A-1:2', rec('A-1'))).status).toBe(409);
    // A dossier first sent as our own cannot become a national one half-way.
    expect((await post('C-1:1', rec('C-1'))).status).toBe(201);
    expect((await post('G22.H10-0002:1', rec('C-1', 'G22.H10-0002'))).status).toBe(409);
    expect(await nationalDossier(QG)).toMatchObject({ MaHoSo: 'A-1', statuses: [1] });
    expect(await nationalDossier('G22.H10-0002')).toMatchObject({ MaHoSo: null, statuses: [] });
  });
});
