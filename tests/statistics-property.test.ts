/**
 * The kept statistics counters against a recount, after random transitions of every kind (each workflow action, a
 * result file, a payment, a rating, a withdrawal, a deletion), and the report's figures against an independent
 * reckoning in JavaScript from the dossiers and their history.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { recordSignedResult } from './support/results.js';
import { demoOfficials } from '../src/demo/officials.js';
import { queryRows } from '../src/db/client.js';
import { citizens, dossierRatings, dossiers, notifications, payments, procedures } from '../src/db/schema/index.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { AppError } from '../src/shared/errors.js';
import { todayInVietnam } from '../src/shared/dates.js';
import { addDays } from '../src/statistics/periods.js';
import { counterDrift } from '../src/statistics/recount.js';
import { readSituationReport } from '../src/statistics/situation-report.js';
import type { SituationFigures } from '../src/statistics/report-types.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

/** A small seeded generator (mulberry32): the same seed replays the same history. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const drift = async () => (await counterDrift(t.database.db)).rows;

type Row = {
  id: string;
  status: string;
  channel: number;
  received_at: Date;
  due_at: Date;
  finished_at: Date | null;
  clock_stopped_at: Date | null;
};
type Ev = { dossier_id: string; action: string; at: Date };

/** Biểu 06 reckoned from the rows themselves, by the definitions in src/statistics/report-types.ts. */
function reckon(rows: Row[], events: Ev[], from: string, to: string, asOf: string): SituationFigures {
  const day = (d: Date) => todayInVietnam(d);
  const accepted = new Set(events.filter((e) => e.action === 'receive' || e.action === 'accept').map((e) => e.dossier_id));
  const end = addDays(to, 1);
  const running = end > asOf;
  const inP = (d: Date | null) => d !== null && day(d) >= from && day(d) <= to;
  const acc = rows.filter((r) => accepted.has(r.id));
  const settledRows = acc.filter((r) => (r.status === 'done' || r.status === 'returned') && inP(r.finished_at));
  const early = settledRows.filter((r) => r.finished_at! <= r.due_at && day(r.finished_at!) < day(r.due_at)).length;
  const late = settledRows.filter((r) => r.finished_at! > r.due_at).length;
  const closedBefore = (r: Row, limit: string) => r.finished_at !== null && day(r.finished_at) < limit;
  const inProgressRows = acc.filter((r) => day(r.received_at) < end && !closedBefore(r, end));
  // Waiting for a supplement now, since before the end (every waiting dossier, for a period not over): clock stopped.
  // Stopped or withdrawn while waiting (clock_stopped_at kept): paused until it finished (inProgressRows: after the end).
  const pausedAtEnd = (r: Row) =>
    ((r.status === 'supplement' && r.finished_at === null) ||
      ((r.status === 'withdrawn' || r.status === 'stopped') && r.clock_stopped_at !== null)) &&
    day(r.clock_stopped_at ?? r.received_at) < end;
  const inProgressPaused = inProgressRows.filter(pausedAtEnd).length;
  const inProgressLate = inProgressRows.filter(
    (r) => !pausedAtEnd(r) && (running ? r.finished_at === null && day(r.due_at) < asOf : day(r.due_at) < end),
  ).length;
  const online = acc.filter((r) => r.channel === 2 && inP(r.received_at)).length;
  const direct = acc.filter((r) => r.channel !== 2 && inP(r.received_at)).length;
  const carriedOver = acc.filter((r) => day(r.received_at) < from && !closedBefore(r, from)).length;
  const settled = settledRows.length;
  return {
    received: { total: online + direct + carriedOver, online, direct, carriedOver },
    settled: { total: settled, early, onTime: settled - early - late, late },
    inProgress: {
      total: inProgressRows.length,
      withinDeadline: inProgressRows.length - inProgressLate - inProgressPaused,
      late: inProgressLate,
      paused: inProgressPaused,
    },
    withdrawn: rows.filter((r) => r.status === 'withdrawn' && inP(r.finished_at)).length,
    stopped: rows.filter((r) => r.status === 'stopped' && inP(r.finished_at)).length,
    refused: rows.filter((r) => (r.status === 'refused' || r.status === 'rejected') && inP(r.finished_at)).length,
    supplementRequests: events.filter((e) => e.action === 'request_supplement' && inP(e.at)).length,
    onTimeRate: settled > 0 ? (settled - late) / settled : null,
  };
}

describe('statistics counters under random transitions', () => {
  it('equal a recount after every kind of transition, and the report equals a reckoning from the dossiers', async () => {
    const next = random(20261203);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const staff = {
      clerk: await actorFor(t.database, sctClerkUsername()),
      expert: await actorFor(t.database, who('sct-qltm', 'Chuyên viên')),
      head: await actorFor(t.database, who('sct-qltm', 'Trưởng phòng')),
      director: await actorFor(t.database, who('sct-ld', 'Giám đốc')),
    };
    const [citizen] = await t.database.db
      .insert(citizens)
      .values({ issuer: 'https://vneid.test', subject: 'stats-property', cccd: '070199012345', fullName: 'Tạ Thị Mẫu', loa: 2 })
      .returning({ id: citizens.id });
    // A clock that only moves forward, across the end of October and November.
    let clock = new Date('2026-10-19T02:00:00Z').getTime();
    const tick = () => {
      clock += Math.floor(next() * 9 + 1) * 3_600_000;
      return new Date(clock);
    };
    const ids: string[] = [];
    const kinds = new Set<string>();
    const attempt = async (id: string) => {
      // Mostly what the dossier's step expects next, sometimes anything: dossiers reach every step and every ending.
      const [d] = await t.database.db
        .select({ status: dossiers.status, role: dossiers.currentRole })
        .from(dossiers)
        .where(eq(dossiers.id, id));
      const expected: Record<string, readonly string[]> = {
        submitted: ['accept', 'accept', 'accept', 'request_supplement', 'refuse'],
        received: ['handover', 'handover', 'handover', 'extend', 'request_supplement'],
        processing:
          d?.role === 'approval'
            ? ['approve', 'approve', 'approve', 'return', 'extend']
            : ['result_file', 'handover', 'handover', 'return', 'extend'],
        supplement: ['supplement_received', 'supplement_received', 'supplement_received', 'stop'],
        done: ['return_result'],
        returned: ['rating', 'payment'],
      };
      const action =
        next() < 0.85 && d && expected[d.status]
          ? pick(expected[d.status]!)
          : pick(['refuse', 'stop', 'withdraw', 'payment', 'request_supplement', 'extend', 'return']);
      const now = tick();
      if (action === 'result_file') {
        await recordSignedResult(t.database.db, staff.expert, id, now).then(
          () => kinds.add(action),
          (e: unknown) => {
            // Not at a step where results are recorded: an expected refusal, like the workflow's below.
            if (!(e instanceof AppError)) throw e;
          },
        );
        return;
      }
      if (action === 'payment') {
        // An order, then the gateway's confirmation (the status changes from pending to paid).
        if ((await t.database.db.select().from(payments).where(eq(payments.dossierId, id))).length) return;
        await t.database.db.insert(payments).values({ dossierId: id, citizenId: citizen!.id, amount: 1_200_000, expiresAt: now });
        await t.database.db.update(payments).set({ status: 'paid', paidAt: now }).where(eq(payments.dossierId, id));
        kinds.add(action);
        return;
      }
      if (action === 'rating') {
        const [d] = await t.database.db.select({ status: dossiers.status }).from(dossiers).where(eq(dossiers.id, id));
        if (d?.status !== 'returned') return;
        await t.database.db
          .insert(dossierRatings)
          .values({ dossierId: id, citizenId: citizen!.id, score: pick([1, 2, 4, 5]), at: now })
          .onConflictDoNothing();
        kinds.add(action);
        return;
      }
      if (action === 'withdraw') {
        // The applicant's withdrawal (src/portal): only the status, the end and the history change.
        const done = await queryRows<{ id: string }>(
          t.database.db,
          sql`update dossiers set status = 'withdrawn', finished_at = ${now}, updated_at = ${now}
          where id = ${id} and status in ('submitted', 'received', 'processing', 'supplement') returning id`,
        );
        if (done.length) kinds.add(action);
        return;
      }
      const extra: Record<string, string> = { note: 'Ghi chú thử', items: 'Bản sao giấy tờ', returnChannel: '1' };
      if (action === 'extend') {
        const [d] = await t.database.db.select({ dueAt: dossiers.dueAt }).from(dossiers).where(eq(dossiers.id, id));
        const later = new Date(Math.max(d!.dueAt.getTime(), clock) + 10 * 86_400_000);
        extra.newDueDate = todayInVietnam(later).split('-').reverse().join('/');
      }
      for (const actor of [staff.clerk, staff.expert, staff.head, staff.director]) {
        try {
          await actOnDossier(t.database.db, actor, id, { action, ...extra }, now);
          kinds.add(action);
          return;
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
        }
      }
    };

    for (let step = 0; step < 260; step++) {
      if (ids.length < 24 && (ids.length < 4 || next() < 0.25)) {
        const d = await receiveAtCounter(
          t.database.db,
          staff.clerk,
          { procedureId: p!.id, channel: pick(['1', '1', '2', '3']), fullName: 'Đặng Văn Đếm' },
          tick(),
        );
        ids.push(d.id);
        continue;
      }
      await attempt(pick(ids));
      if (step % 20 === 0) expect(await drift()).toEqual([]);
    }
    expect(await drift()).toEqual([]);
    // Every kind of change happened at least once in this history.
    for (const k of [
      'handover',
      'accept',
      'return',
      'request_supplement',
      'supplement_received',
      'refuse',
      'stop',
      'extend',
      'approve',
      'return_result',
      'result_file',
      'payment',
      'rating',
      'withdraw',
    ])
      expect([...kinds].sort(), k).toContain(k);

    const rows = await queryRows<Row>(
      t.database.db,
      sql`select id, status, channel, received_at, due_at, finished_at, clock_stopped_at from dossiers`,
    );
    const events = await queryRows<Ev>(t.database.db, sql`select dossier_id, action, at from dossier_events`);
    const asOf = todayInVietnam(new Date(clock));
    const now = new Date(clock);
    for (const [from, to] of [
      ['2026-10-01', '2026-10-31'],
      ['2026-11-01', '2026-11-30'],
      ['2026-10-15', '2026-11-10'],
      ['2026-11-20', '2027-03-31'],
      ['2026-01-01', '2026-12-31'],
      [asOf, asOf],
    ] as const) {
      const report = await readSituationReport(t.database.db, staff.director, { unit: t.unitIds.sct!, from, to }, now);
      expect(report.total, `${from}…${to}`).toEqual(
        reckon(
          rows.map((r) => ({
            ...r,
            received_at: new Date(r.received_at),
            due_at: new Date(r.due_at),
            finished_at: r.finished_at && new Date(r.finished_at),
            clock_stopped_at: r.clock_stopped_at && new Date(r.clock_stopped_at),
          })),
          events.map((e) => ({ ...e, at: new Date(e.at) })),
          from,
          to,
          asOf,
        ),
      );
      const sum = report.rows.reduce((n, r) => n + r.figures.received.total, 0);
      expect(sum).toBe(report.total.received.total);
    }

    // Deleting every dossier (as some tests and a purge do) takes every counter back to zero.
    await t.database.db.execute(sql`delete from dossier_events`);
    await t.database.db.execute(sql`delete from dossier_results`);
    await t.database.db.execute(sql`delete from dossier_components`);
    await t.database.db.execute(sql`delete from dossier_files`);
    await t.database.db.delete(dossierRatings);
    await t.database.db.delete(payments);
    await t.database.db.delete(notifications);
    await t.database.db.execute(sql`delete from national_status_outbox`);
    await t.database.db.delete(dossiers);
    expect(await queryRows(t.database.db, sql`select * from stats_counts where n <> 0`)).toEqual([]);
  });
});
