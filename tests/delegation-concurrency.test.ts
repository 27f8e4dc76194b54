/**
 * A delegation made at the same instant as a move that puts its two accounts in two agencies (PostgreSQL only: PGlite
 * has one connection, so transactions never overlap there). Without the lock of src/delegation/agency-lock.ts this is a
 * write skew: the creation checks the units as committed before the move, the move's ending query cannot see the
 * delegation not yet committed, both commit and the delegate acts across agencies until the end date. With it,
 * whichever goes second sees the first: the creation is refused, or the move ends the delegation.
 *
 * The move under way is written here as each move is (src/org/move-unit.ts, merge-units.ts, update-unit.ts,
 * src/accounts/update-official.ts): the lock, its own updates, then endDelegationsAcrossAgencies, then its commit —
 * held open between them on purpose. A creation is held open after its checks by a trigger of this test on `delegations`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { TEST_PASSWORD } from './support/app.js';
import { actorFor, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { accounts, auditLog, delegations, units } from '../src/db/schema/index.js';
import type { Tx } from '../src/db/client.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { createDelegation } from '../src/delegation/create-delegation.js';
import { endDelegationsAcrossAgencies } from '../src/delegation/end-across-agencies.js';
import { lockDelegationAgencies } from '../src/delegation/agency-lock.js';
import { delegationsInForce } from '../src/dossiers/access.js';
import { moveUnit } from '../src/org/move-unit.js';
import type { StaffActor } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';

const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const MADE = vn('2026-12-02T10:00');
const MOVED = vn('2026-12-02T10:00');
const IN_FORCE = vn('2026-12-03T09:00');
/** The advisory key this test's trigger waits on (not one of the application's, src/delegation/agency-lock.ts). */
const TEST_PAUSE_KEY = 7411999;

/** The demo Chuyên viên of Quản lý Thương mại (Sở Công Thương): holds processing positions of their own. */
const expert = () => actorFor(t.database, demoOfficials().find((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên')!.username);

/** A new official of Quản lý công nghiệp, another division of Sở Công Thương: the delegator's agency. */
async function colleague(): Promise<StaffActor> {
  const root = await actorFor(t.database, 'quantri1');
  await createOfficial(
    t.database.db,
    root,
    { username: 'nhan.qlcn', middleName: 'Lê Văn', givenName: 'Nhận', unitId: t.unitIds['sct-qlcn'], gender: 'male' },
    new Date(),
    { password: TEST_PASSWORD },
  );
  return actorFor(t.database, 'nhan.qlcn');
}

const form = (delegate: StaffActor) => ({
  delegateId: delegate.accountId,
  scope: 'all',
  from: '2026-12-03T08:00',
  to: '2026-12-03T17:00',
  reason: 'Nghỉ phép, giao đồng chí xử lý thay',
});

const outcome = (p: Promise<unknown>) =>
  p.then(
    (v) => ({ ok: v }),
    (err: unknown) =>
      err instanceof AppError
        ? { error: err.code, fields: err.fields }
        : { error: `raw: ${String(err)} ${String((err as { cause?: unknown }).cause)}` },
  );

/**
 * Until `n` sessions of this database wait for a lock — or `p` settled first (what happens without the lock: nothing
 * waits, it just runs through). Either way the interleaving the test means is in place.
 */
async function waitingOrDone(p: Promise<unknown>, n: number) {
  let settled = false;
  void p.finally(() => {
    settled = true;
  });
  for (let i = 0; i < 400 && !settled; i++) {
    const { rows } = await t.database.pool!.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if ((rows[0]?.n ?? 0) >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  if (!settled) throw new Error(`never ${n} sessions waiting for a lock`);
}

/** A transaction run to `before`'s end, held open, then run through `after` and committed when released. */
function heldOpen(before: (tx: Tx) => Promise<void>, after: (tx: Tx) => Promise<void> = async () => {}) {
  let release!: () => void;
  const released = new Promise<void>((r) => {
    release = r;
  });
  let ready!: () => void;
  const holding = new Promise<void>((r) => {
    ready = r;
  });
  const done = t.database.db.transaction(async (tx) => {
    await before(tx);
    ready();
    await released;
    await after(tx);
  });
  return { holding: Promise.race([holding, done]), release, done };
}

/** The delegations between the two still open (not ended). */
const openBetween = (delegator: StaffActor, delegate: StaffActor) =>
  t.database.db
    .select({ id: delegations.id })
    .from(delegations)
    .where(
      and(eq(delegations.delegatorId, delegator.accountId), eq(delegations.delegateId, delegate.accountId), isNull(delegations.endedAt)),
    );

const INELIGIBLE = { error: 'validation_failed', fields: { delegateId: 'Chỉ được ủy quyền cho tài khoản cùng cơ quan.' } };

describe.skipIf(!onPostgres)('a delegation made while a move puts its two accounts in two agencies (PostgreSQL)', () => {
  afterEach(async () => {
    await t.database.db.execute(sql`drop trigger if exists motcua_test_pause_insert on delegations`);
    await t.database.db.execute(sql`drop function if exists motcua_test_pause_insert()`);
  });

  it('a unit move that has ended what it ended, not committed: the creation waits, then is refused', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const delegator = await expert();
    const delegate = await colleague();
    // Quản lý công nghiệp (no agency code of its own) moved under Sở Nội vụ: its officials are of Sở Nội vụ now.
    const move = heldOpen(async (tx) => {
      await lockDelegationAgencies(tx);
      await tx.update(units).set({ parentId: t.unitIds.snv!, updatedAt: MOVED }).where(eq(units.id, t.unitIds['sct-qlcn']!));
      expect(await endDelegationsAcrossAgencies(tx, root, MOVED)).toBe(0);
    });
    await move.holding;
    const creating = outcome(createDelegation(db, delegator, form(delegate), MADE));
    await waitingOrDone(creating, 1);
    move.release();
    await move.done;

    expect(await creating).toEqual(INELIGIBLE);
    expect(await openBetween(delegator, delegate)).toEqual([]);
    expect(await delegationsInForce(db, delegate, IN_FORCE)).toEqual([]);
  });

  it('an account moved, not yet at its ending query: the creation waits, then is refused (no deadlock)', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const delegator = await expert();
    const delegate = await colleague();
    // As update-official.ts: the lock, the account's row written, the delegations across agencies ended after.
    const move = heldOpen(
      async (tx) => {
        await lockDelegationAgencies(tx);
        await tx.update(accounts).set({ unitId: t.unitIds['snv-vp']!, updatedAt: MOVED }).where(eq(accounts.id, delegate.accountId));
      },
      async (tx) => {
        expect(await endDelegationsAcrossAgencies(tx, root, MOVED)).toBe(0);
      },
    );
    await move.holding;
    const creating = outcome(createDelegation(db, delegator, form(delegate), MADE));
    await waitingOrDone(creating, 1);
    move.release();
    await move.done;

    expect(await creating).toEqual(INELIGIBLE);
    expect(await openBetween(delegator, delegate)).toEqual([]);
  });

  it('a creation that has checked and written, not committed: the move waits, then ends it, audited', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const delegator = await expert();
    const delegate = await colleague();
    // The creation stops at its insert, after every check, until this test lets it go.
    await db.execute(sql`create function motcua_test_pause_insert() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock_shared(${sql.raw(String(TEST_PAUSE_KEY))}); return new; end $$`);
    await db.execute(sql`create trigger motcua_test_pause_insert before insert on delegations
      for each row execute function motcua_test_pause_insert()`);
    const pause = heldOpen(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${TEST_PAUSE_KEY})`);
    });
    await pause.holding;
    const creating = outcome(createDelegation(db, delegator, form(delegate), MADE));
    // The real move of Quản lý công nghiệp under Sở Nội vụ, while the creation is under way.
    let moving: ReturnType<typeof outcome> | undefined;
    try {
      await waitingOrDone(creating, 1);
      moving = outcome(moveUnit(db, root, t.unitIds['sct-qlcn']!, t.unitIds.snv!, MOVED));
      await waitingOrDone(moving, 2);
    } finally {
      pause.release(); // never left holding the creation (and the trigger's drop) if a wait above failed
    }
    await pause.done;

    const created = await creating;
    expect(created).toMatchObject({ ok: { delegatorId: delegator.accountId, delegateId: delegate.accountId } });
    expect(await moving).toEqual({ ok: undefined });
    expect(await openBetween(delegator, delegate)).toEqual([]);
    expect(await delegationsInForce(db, delegate, IN_FORCE)).toEqual([]);
    const id = String((created as { ok: { id: number } }).ok.id);
    const ended = await db
      .select({ data: auditLog.data })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'delegation.end'), eq(auditLog.targetId, id)));
    expect(ended).toEqual([{ data: { reason: 'agency_changed' } }]);
  });
});
