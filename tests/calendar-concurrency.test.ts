/**
 * A day off entered while a use case that writes a due date is in flight (PostgreSQL only: PGlite has one connection,
 * so transactions never overlap there). A calendar change recomputes only the dossiers committed when it runs; a
 * reception or a clock resumed that read the calendar before the change and commits after it would keep a due date
 * on the old calendar for good. Each reads the calendar inside its transaction under CALENDAR_LOCK shared
 * (calendar/load.ts loadCalendarInTransaction), which the change takes exclusively: the change waits for it, then
 * recomputes its dossier.
 *
 * The use case is held in flight on a row lock this test takes: a reception waits on its agency's code counter (the
 * ordinary queue of a busy counter), a resumption on the dossier's row.
 */
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { dossiers, units } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { setCalendarDay } from '../src/calendar/set-calendar-day.js';
import { loadCalendar } from '../src/calendar/load.js';
import { clockStartsAt, dueAfterStop, dueAt } from '../src/calendar/deadlines.js';
import { queryRows } from '../src/db/client.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const show = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** A transaction of the test that holds what `lock` locks until released. */
function holding(lock: (tx: Parameters<Parameters<typeof t.database.db.transaction>[0]>[0]) => Promise<unknown>) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => (locked = r));
  const done = t.database.db.transaction(async (tx) => {
    await lock(tx);
    locked();
    await held;
  });
  return { isLocked, release, done };
}

/** Sessions of this test's database waiting on a lock, the statement they wait in matching `like`. */
async function waiting(like: string, event?: string) {
  const rows = await queryRows<{ n: number }>(
    t.database.db,
    sql`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query ilike ${like}
        and (${event ?? null}::text is null or wait_event = ${event ?? null})`,
  );
  return rows[0]!.n;
}

/** Until `ready` (a statement waiting) or `settled` (the promise did not wait) says so; 10 s at most. */
async function until(ready: () => Promise<boolean>, settled: { done: boolean }) {
  for (let i = 0; i < 200; i++) {
    if (settled.done || (await ready())) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('neither waiting nor done after 10 s');
}

/** A promise and whether it has settled (a calendar change that does not wait finishes at once). */
function tracked<T>(p: Promise<T>) {
  const state = { done: false };
  const promise = p.finally(() => {
    state.done = true;
  });
  return { promise, state };
}

describe.runIf(process.env.MOTCUA_TEST_DB === 'postgres')('a day off entered while a due date is being written', () => {
  it('a reception waiting on its code counter gets the due date of the calendar in force when it commits', async () => {
    const db = t.database.db;
    const { p, v } = await currentProcedure(t.database, '2.000633'); // 10 working days
    const [agency] = await db.select().from(units).where(eq(units.id, v.unitIds[0]!));
    const now = vn('2026-11-23T09:00');
    // Another reception of the same agency and day holds the code counter's row.
    const other = holding((tx) =>
      tx.execute(sql`insert into dossier_code_counters (agency_code, day, last) values (${agency!.agencyCode}, '2026-11-23', 1)
        on conflict (agency_code, day) do update set last = dossier_code_counters.last + 1`),
    );
    await other.isLocked;
    const clerk = await actorFor(t.database, sctClerkUsername());
    const reception = tracked(receiveAtCounter(db, clerk, { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử' }, now));
    await until(async () => (await waiting('%dossier_code_counters%')) > 0, reception.state);
    // Meanwhile the province administrator enters Wednesday 25/11 as a day off (an announced closure): it waits for
    // the reception, which holds the calendar shared.
    const root = await actorFor(t.database, 'quantri1');
    const set = tracked(setCalendarDay(db, root, { date: '25/11/2026', kind: 'day_off', note: 'Nghỉ theo thông báo' }, now));
    await until(async () => (await waiting('%pg_advisory_xact_lock%', 'advisory')) > 0, set.state);
    other.release();
    await other.done;
    const d = await reception.promise;
    const { recomputed } = await set.promise;
    const [row] = await db.select().from(dossiers).where(eq(dossiers.id, d.id));
    // One working day later than before the day off (07/12): computed on the new calendar, or carried over to it.
    expect(show(row!.dueAt)).toBe('2026-12-08 17:00');
    expect(show(row!.dueAt)).toBe(show(dueAt(await loadCalendar(db, now), now, { workingDays: v.workingDays })));
    expect(recomputed).toBe(1);
  });

  it('a supplement received while the dossier row is busy resumes on the calendar in force when it commits', async () => {
    const db = t.database.db;
    const { p, v } = await currentProcedure(t.database, '2.000633'); // 10 working days
    const clerk = await actorFor(t.database, sctClerkUsername());
    const received = vn('2026-11-23T09:00');
    const d = await receiveAtCounter(db, clerk, { procedureId: p.id, channel: '1', fullName: 'Lê Văn Chờ' }, received);
    expect(show(d.dueAt)).toBe('2026-12-07 17:00');
    const note = { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao GCN' };
    await actOnDossier(db, clerk, d.id, note, vn('2026-11-24T09:00'));
    // The row is busy (another official's action on it, say) when the applicant's supplement is recorded.
    const busy = holding((tx) => tx.select().from(dossiers).where(eq(dossiers.id, d.id)).for('update'));
    await busy.isLocked;
    const resumedAt = vn('2026-11-27T10:00');
    const resume = tracked(actOnDossier(db, clerk, d.id, { action: 'supplement_received' }, resumedAt));
    await until(async () => (await waiting('%for update%')) > 0, resume.state);
    // Wed 09/12 becomes a day off: after the due date the dossier had when it stopped (07/12), so no recompute would
    // touch it, but before the one its resumption gives it.
    const root = await actorFor(t.database, 'quantri1');
    const set = tracked(setCalendarDay(db, root, { date: '09/12/2026', kind: 'day_off', note: 'Nghỉ theo thông báo' }, resumedAt));
    await until(async () => (await waiting('%pg_advisory_xact_lock%', 'advisory')) > 0, set.state);
    busy.release();
    await busy.done;
    await resume.promise;
    await set.promise;
    const [row] = await db.select().from(dossiers).where(eq(dossiers.id, d.id));
    const cal = await loadCalendar(db, resumedAt);
    const limit = { workingDays: v.workingDays };
    const stop = { stoppedAt: vn('2026-11-24T09:00'), resumedAt, countingFrom: clockStartsAt(cal, received, limit) };
    // Without the day off: Fri 11/12 08:30 (Tue 24/11 07:30–09:00 used, the rest laid out from Fri 27/11 10:00).
    expect(show(row!.dueAt)).toBe('2026-12-14 08:30');
    expect(show(row!.dueAt)).toBe(show(dueAfterStop(cal, dueAt(cal, received, limit), stop)));
  });
});
