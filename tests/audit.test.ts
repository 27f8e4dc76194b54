import { systemActor } from '../src/shared/context.js';
import { describe, expect, it } from 'vitest';
import { asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { auditLog } from '../src/db/schema/index.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { GENESIS_HASH, entryHash, recordAudit } from '../src/audit/record.js';
import { sealAuditChain } from '../src/audit/seal.js';
import { setSuspended } from '../src/accounts/set-suspended.js';

const t = useDemoApp();

const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: Error & { cause?: Error }) => (e.cause ?? e).message,
  );
/** What someone with DDL rights can do: switch the triggers off, change the table, switch them on. */
async function bypassTriggers(run: () => Promise<unknown>) {
  await t.database.db.execute(sql`alter table audit_log disable trigger user`);
  try {
    await run();
  } finally {
    await t.database.db.execute(sql`alter table audit_log enable trigger user`);
  }
}
const write = (i: number, label = `w${i}`) =>
  t.database.db.transaction((tx) => recordAudit(tx, { action: 'test.concurrent', actor: systemActor(label), data: { i } }));

describe('audit log', () => {
  it('records changes with actor, target, old and new values, address and request id', async () => {
    const c = new Client(t.app, '203.0.113.5');
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const target = (await accountByUsername(t.database, sctClerkUsername())!)!;
    const res = await c.post(
      `/tiepnhan/quan-tri/nguoi-dung/${target.id}/tam-dinh-chi`,
      { value: '1', xacnhan: '1' },
      { csrfFrom: '/tiepnhan/quan-tri/nguoi-dung' },
    );
    expect(res.status).toBe(303);
    const [row] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'account.suspend'));
    expect(row).toMatchObject({
      actorLabel: 'admin.sct',
      targetType: 'account',
      targetId: target.id,
      unitId: target.unitId,
      ip: '203.0.113.5',
    });
    expect(row!.requestId).toBeTruthy();
    expect(row!.data).toEqual({ old: { suspended: false }, new: { suspended: true } });
    const logins = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(logins).toHaveLength(1);
  });

  it('the database refuses to update or delete audit rows, except sealing an unsealed row once', async () => {
    await write(1);
    expect(await reason(t.database.db.execute(sql`update audit_log set action = 'x'`))).toMatch(/append-only/);
    expect(await reason(t.database.db.execute(sql`delete from audit_log`))).toMatch(/append-only/);
    // Sealing may set the chain columns and nothing else.
    expect(
      await reason(
        t.database.db.execute(sql`update audit_log set seq = 1000000 + id, prev_hash = 'x', hash = 'y', action = 'x' where seq is null`),
      ),
    ).toMatch(/append-only/);
    expect(
      await reason(
        t.database.db.execute(
          sql`insert into audit_log (at, action, data, row_hash, seq, prev_hash, hash) values (now(), 'x', '{}', 'r', 1, 'p', 'h')`,
        ),
      ),
    ).toMatch(/unsealed/);
    expect(await reason(t.database.db.execute(sql`insert into audit_log (at, action, data) values (now(), 'x', '{}')`))).toMatch(
      /unsealed/,
    );
    expect((await sealAuditChain(t.database.db)).sealed).toBeGreaterThan(0);
    // A sealed row is never sealed again.
    expect(await reason(t.database.db.execute(sql`update audit_log set hash = 'forged'`))).toMatch(/append-only/);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('200 concurrent audited writes, sealed, form one intact chain in the order of sealing', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => write(i)));
    const before = await verifyAuditChain(t.database.db);
    expect(before).toMatchObject({ ok: true });
    expect(before.unsealed).toBeGreaterThanOrEqual(200);
    const { sealed } = await sealAuditChain(t.database.db, { batch: 64 });
    expect(sealed).toBe(before.unsealed);
    const after = await verifyAuditChain(t.database.db);
    expect(after).toEqual({ ok: true, checked: before.checked, unsealed: 0 });
    const rows = await t.database.db.select().from(auditLog).orderBy(asc(auditLog.seq));
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    expect((await sealAuditChain(t.database.db)).sealed).toBe(0);
  });

  it('names an altered unsealed entry, an altered sealed entry, and a removed sealed entry', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const acc = (await accountByUsername(t.database, 'admin.snv'))!;
    await setSuspended(t.database.db, root, acc.id, true);
    await setSuspended(t.database.db, root, acc.id, false);
    await sealAuditChain(t.database.db);
    await write(1);
    await write(2);
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true, unsealed: 2 });
    const sealedRows = await t.database.db.select().from(auditLog).where(isNotNull(auditLog.seq)).orderBy(asc(auditLog.seq));
    const [unsealed] = await t.database.db.select().from(auditLog).where(isNull(auditLog.seq)).orderBy(asc(auditLog.id)).limit(1);

    // An entry not sealed yet: its own hash no longer fits.
    await bypassTriggers(() => t.database.db.execute(sql`update audit_log set actor_label = 'someone else' where id = ${unsealed!.id}`));
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: false, firstBadId: unsealed!.id, reason: 'content_altered' });
    await bypassTriggers(() =>
      t.database.db.execute(sql`update audit_log set actor_label = ${unsealed!.actorLabel} where id = ${unsealed!.id}`),
    );
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
    // Sealing does not launder an altered entry: the chain commits to the hash written with the row.
    await bypassTriggers(() => t.database.db.execute(sql`update audit_log set data = '{"i":99}'::jsonb where id = ${unsealed!.id}`));
    await sealAuditChain(t.database.db);
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: false, firstBadId: unsealed!.id, reason: 'content_altered' });
    await bypassTriggers(() =>
      t.database.db.execute(sql`update audit_log set data = ${JSON.stringify(unsealed!.data)}::jsonb where id = ${unsealed!.id}`),
    );
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);

    // A sealed entry in the middle, its row hash recomputed to match: the chain hash no longer fits.
    const victim = sealedRows[Math.floor(sealedRows.length / 2)]!;
    await bypassTriggers(() =>
      t.database.db.execute(sql`update audit_log set data = '{"old":{"suspended":false}}'::jsonb where id = ${victim.id}`),
    );
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: false, firstBadId: victim.id, reason: 'content_altered' });
    await bypassTriggers(() =>
      t.database.db.execute(sql`update audit_log set data = ${JSON.stringify(victim.data)}::jsonb where id = ${victim.id}`),
    );
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);

    // A sealed entry removed: the next one's link is broken.
    await bypassTriggers(() => t.database.db.execute(sql`delete from audit_log where id = ${sealedRows[3]!.id}`));
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: false, firstBadId: sealedRows[4]!.id, reason: 'link_broken' });
  });

  it('still verifies a chain written before sealing existed, and seals new entries after it', async () => {
    // Rows as migration 0014 leaves them: chained by entryHash in id order, seq = id, no row hash.
    let prevHash = GENESIS_HASH;
    await bypassTriggers(async () => {
      for (let id = 1; id <= 3; id++) {
        const at = new Date(Date.UTC(2025, 0, id)).toISOString();
        const fields = {
          at,
          actorId: null,
          actorLabel: 'legacy',
          action: 'test.legacy',
          targetType: null,
          targetId: null,
          unitId: null,
          ip: null,
          requestId: null,
          data: { id },
        };
        const hash = entryHash(prevHash, fields);
        await t.database.db.insert(auditLog).values({ ...fields, id: 1_000_000 + id, at: new Date(at), seq: id, prevHash, hash });
        prevHash = hash;
      }
    });
    await write(1);
    await sealAuditChain(t.database.db);
    expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true, unsealed: 0 });
    const [first] = await t.database.db.select().from(auditLog).where(eq(auditLog.seq, 4));
    expect(first!.prevHash).toBe(prevHash);
  });

  it.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')(
    'never seals past a transaction still open: its entry joins the chain after it commits',
    async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let written!: () => void;
      const wrote = new Promise<void>((r) => (written = r));
      const held = t.database.db.transaction(async (tx) => {
        await recordAudit(tx, { action: 'test.held', actor: systemActor('held'), data: {} });
        written();
        await gate;
      });
      await wrote;
      // Later writers get higher ids and commit first.
      await Promise.all(Array.from({ length: 5 }, (_, i) => write(i)));
      await sealAuditChain(t.database.db);
      expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true, unsealed: 0 });
      release();
      await held;
      expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true, unsealed: 1 });
      expect((await sealAuditChain(t.database.db)).sealed).toBe(1);
      expect(await verifyAuditChain(t.database.db)).toMatchObject({ ok: true, unsealed: 0 });
      const rows = await t.database.db.select().from(auditLog).where(sql`${auditLog.action} in ('test.held', 'test.concurrent')`);
      const heldRow = rows.find((r) => r.action === 'test.held')!;
      const others = rows.filter((r) => r.action !== 'test.held');
      expect(others.every((r) => r.id > heldRow.id && r.seq! < heldRow.seq!)).toBe(true);
    },
  );

  it('a login refused by the CAPTCHA or a lock writes no audit row; a wrong password does', async () => {
    const before = await t.database.db.select().from(auditLog);
    const c = new Client(t.app, '198.51.100.77');
    expect((await c.post('/tiepnhan/dang-nhap', { username: 'quantri1', password: 'wrong-password-x' })).status).toBe(400);
    expect(
      (await c.post('/tiepnhan/dang-nhap', { username: 'quantri1', password: 'wrong-password-x', altcha: 'not-a-solution' })).status,
    ).toBe(400);
    expect(await t.database.db.select().from(auditLog)).toHaveLength(before.length);
    for (let i = 0; i < 5; i++) await new Client(t.app, '198.51.100.77').login('quantri1', 'wrong-password-x');
    const failures = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(failures.map((f) => (f.data as { reason: string }).reason)).toEqual(Array(5).fill('bad_credentials'));
    // Locked now at that address: refused before the password, not audited.
    expect((await new Client(t.app, '198.51.100.77').login('quantri1', TEST_PASSWORD)).status).toBe(429);
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'))).toHaveLength(5);
  });

  it('administrators read only the entries of their subtree', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setSuspended(t.database.db, root, (await accountByUsername(t.database, 'admin.snv'))!.id, true);
    await setSuspended(t.database.db, root, (await accountByUsername(t.database, sctClerkUsername()))!.id, true);
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const page = await c.get('/tiepnhan/quan-tri/nhat-ky');
    expect(page.status).toBe(200);
    const snvId = (await accountByUsername(t.database, 'admin.snv'))!.id;
    const clerkId = (await accountByUsername(t.database, sctClerkUsername()))!.id;
    expect(page.text).toContain(clerkId);
    expect(page.text).not.toContain(snvId);
  });
});
