import { describe, expect, it } from 'vitest';
import { asc, eq, sql } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import type { Database } from '../src/db/client.js';
import { auditLog } from '../src/db/schema/index.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { recordAudit } from '../src/audit/record.js';
import { setSuspended } from '../src/accounts/set-suspended.js';

const t = useDemoApp();

describe('audit log', () => {
  it('records changes with actor, target, old and new values, address and request id', async () => {
    const c = new Client(t.app, '203.0.113.5');
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const target = (await accountByUsername(t.database, (sctClerkUsername()))!)!;
    const res = await c.post(`/tiepnhan/quan-tri/nguoi-dung/${target.id}/tam-dinh-chi`, { value: '1' }, { csrfFrom: '/tiepnhan/quan-tri/nguoi-dung' });
    expect(res.status).toBe(303);
    const [row] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'account.suspend'));
    expect(row).toMatchObject({ actorLabel: 'admin.sct', targetType: 'account', targetId: target.id, unitId: target.unitId, ip: '203.0.113.5' });
    expect(row!.requestId).toBeTruthy();
    expect(row!.data).toEqual({ old: { suspended: false }, new: { suspended: true } });
    const logins = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login'));
    expect(logins).toHaveLength(1);
  });

  it('the t.database refuses to update or delete audit rows', async () => {
    const reason = (p: Promise<unknown>) =>
      p.then(
        () => 'no error',
        (e: Error & { cause?: Error }) => (e.cause ?? e).message,
      );
    expect(await reason(t.database.db.execute(sql`update audit_log set action = 'x'`))).toMatch(/append-only/);
    expect(await reason(t.database.db.execute(sql`delete from audit_log`))).toMatch(/append-only/);
  });

  it('verifies an intact chain and names the first altered entry', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const acc = (await accountByUsername(t.database, 'admin.snv'))!;
    await setSuspended(t.database.db, root, acc.id, true);
    await setSuspended(t.database.db, root, acc.id, false);
    const intact = await verifyAuditChain(t.database.db);
    expect(intact.ok).toBe(true);
    const rows = await t.database.db.select().from(auditLog).orderBy(asc(auditLog.id));
    expect(intact.checked).toBe(rows.length);

    // Someone with DDL rights bypasses the trigger and edits an entry in the middle.
    const victim = rows[Math.floor(rows.length / 2)]!;
    await t.database.db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
    await t.database.db.execute(sql`update audit_log set data = '{"old":{"suspended":false}}'::jsonb where id = ${victim.id}`);
    await t.database.db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
    const broken = await verifyAuditChain(t.database.db);
    expect(broken).toMatchObject({ ok: false, firstBadId: victim.id, reason: 'content_altered' });
  });

  it('catches a removed entry as a broken link', async () => {
    const rows = await t.database.db.select().from(auditLog).orderBy(asc(auditLog.id));
    const victim = rows[3]!;
    await t.database.db.execute(sql`alter table audit_log disable trigger audit_log_no_update`);
    await t.database.db.execute(sql`delete from audit_log where id = ${victim.id}`);
    await t.database.db.execute(sql`alter table audit_log enable trigger audit_log_no_update`);
    const broken = await verifyAuditChain(t.database.db);
    expect(broken).toMatchObject({ ok: false, firstBadId: rows[4]!.id, reason: 'link_broken' });
  });

  it('keeps one chain under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.database.db.transaction((tx) => recordAudit(tx, { action: 'test.concurrent', actorId: null, actorLabel: `w${i}`, data: { i } })),
      ),
    );
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
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
