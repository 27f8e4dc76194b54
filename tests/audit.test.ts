import { systemActor } from '../src/shared/context.js';
import { describe, expect, it, vi } from 'vitest';
import { asc, desc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { auditLog, sessions } from '../src/db/schema/index.js';
import { endOwnSession } from '../src/auth/end-own-session.js';
import { saveNotificationPreferences } from '../src/notify/save-notification-preferences.js';
import { listAuditEntries } from '../src/audit/list.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { type AuditEntry, GENESIS_HASH, entryHash, recordAudit } from '../src/audit/record.js';
import { administeredUnitIds } from '../src/accounts/policies.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { formatDate, todayInVietnam } from '../src/shared/dates.js';
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
    await setSuspended(t.database.db, root, acc.id, true, new Date());
    await setSuspended(t.database.db, root, acc.id, false, new Date());
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
    await setSuspended(t.database.db, root, (await accountByUsername(t.database, 'admin.snv'))!.id, true, new Date());
    await setSuspended(t.database.db, root, (await accountByUsername(t.database, sctClerkUsername()))!.id, true, new Date());
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const page = await c.get('/tiepnhan/quan-tri/nhat-ky');
    expect(page.status).toBe(200);
    const snvId = (await accountByUsername(t.database, 'admin.snv'))!.id;
    const clerkId = (await accountByUsername(t.database, sctClerkUsername()))!.id;
    expect(page.text).toContain(clerkId);
    expect(page.text).not.toContain(snvId);
  });

  it("an official's own action is filed under their unit; a row of no unit is the province administrator's: every row has a reader", async () => {
    const username = sctClerkUsername();
    const clerk = (await accountByUsername(t.database, username))!;
    const first = new Client(t.app);
    expect((await first.login(username, TEST_PASSWORD)).status).toBe(303);
    const second = new Client(t.app);
    expect((await second.login(username, TEST_PASSWORD)).status).toBe(303);
    const [session] = await t.database.db.select().from(sessions).where(eq(sessions.accountId, clerk.id)).limit(1);
    const actor = await actorFor(t.database, username);
    await endOwnSession(t.database.db, actor, null, { phien: session!.idHash });
    await saveNotificationPreferences(t.database.db, actor, { zns: 'on' }, new Date());
    // A citizen's row, and the system's, are of no unit.
    await recordAudit(t.database.db, {
      action: 'portal.login',
      actor: { kind: 'citizen', citizenId: clerk.id, label: 'citizen:x', meta: { ip: null, requestId: null } },
    });
    await recordAudit(t.database.db, { action: 'sso_client.register', actor: systemActor('test') });
    const rows = await t.database.db.select().from(auditLog).where(eq(auditLog.actorId, clerk.id));
    const own = rows.filter((r) => r.action === 'auth.session_end' || r.action === 'notify.preferences');
    expect(own.map((r) => r.unitId)).toEqual([clerk.unitId, clerk.unitId]);
    const read = async (who: string, action: string) =>
      (await listAuditEntries(t.database.db, await actorFor(t.database, who), { action }, 100)).map((r) => r.action);
    expect(await read('admin.sct', 'auth.session_end')).toContain('auth.session_end');
    expect(await read('admin.sct', 'notify.preferences')).toContain('notify.preferences');
    expect(await read('admin.snv', 'auth.session_end')).toEqual([]);
    expect(await read('quantri1', 'auth.session_end')).toContain('auth.session_end');
    expect(await read('quantri1', 'portal.login')).toContain('portal.login');
    expect(await read('quantri1', 'sso_client.register')).toContain('sso_client.register');
    expect(await read('admin.sct', 'portal.login')).toEqual([]);
  });
});

describe('Nhật ký hệ thống: filters', () => {
  const PAGE = '/tiepnhan/quan-tri/nhat-ky';
  const DAY = 86_400_000;
  const meta = { ip: '192.0.2.9', requestId: 'test' };
  type Row = typeof auditLog.$inferSelect;

  /** The entry ids a page lists, in its order. */
  const listed = (html: string) => [...html.matchAll(/<tr data-action="[^"]*"><td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
  /** The page's table: what a filter's answer is made of. */
  const tableOf = (html: string) => {
    const start = html.indexOf('<table class="list" id="audit">');
    expect(start).toBeGreaterThan(0);
    return html.slice(start, html.indexOf('</table>', start) + '</table>'.length);
  };
  /** The address of "Cũ hơn →", or null. */
  const olderLink = (html: string) => {
    const m = /<a href="([^"]*)">Cũ hơn →<\/a>/.exec(html);
    return m ? m[1]!.replaceAll('&amp;', '&') : null;
  };
  const q = (params: Record<string, string>) => `${PAGE}?${new URLSearchParams(params)}`;

  /** What `admin` may read that `match` keeps, newest first: the answer the page must give, worked out here. */
  async function expected(admin: string, match: (r: Row) => boolean) {
    const scope = await administeredUnitIds(t.database.db, await actorFor(t.database, admin));
    const rows = await t.database.db.select().from(auditLog).orderBy(desc(auditLog.id));
    return rows.filter((r) => r.unitId !== null && scope.includes(r.unitId) && match(r)).map((r) => r.id);
  }

  /** The day after an ISO day; an instant of a day in Vietnam time; an entry's instant in ms. */
  const next = (iso: string) => new Date(Date.parse(`${iso}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  const vn = (iso: string, time: string) => new Date(`${iso}T${time}+07:00`);
  const at = (r: Row) => r.at.getTime();

  const write = (entry: AuditEntry) => t.database.db.transaction((tx) => recordAudit(tx, entry));
  /** An entry written by recordAudit as if the clock said `at` (after every other entry: ids follow time). */
  async function writeAt(at: Date, entry: AuditEntry) {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(at);
    try {
      await write(entry);
    } finally {
      vi.useRealTimers();
    }
  }

  async function adminClient(username = 'admin.sct') {
    const c = new Client(t.app);
    expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
    return c;
  }

  /**
   * The Sở Công Thương clerk receives a dossier, acts on it through an API key, and a login naming them fails; the
   * province administrator suspends and restores them; a Sở Nội vụ clerk receives a dossier there.
   */
  async function scene() {
    const db = t.database.db;
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const clerkActor = await actorFor(t.database, clerk.username);
    const root = await actorFor(t.database, 'quantri1');
    const liquor = (await currentProcedure(t.database, '2.000633')).p.id;
    const d = await receiveAtCounter(db, clerkActor, { procedureId: liquor, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' });
    const api = { kind: 'api' as const, accountId: clerk.id, clientId: 'test-key', label: clerk.username, meta };
    await write({
      action: 'dossier.assign',
      actor: api,
      targetType: 'dossier',
      targetId: d!.id,
      unitId: d!.agencyUnitId,
      data: { code: d!.code },
    });
    await new Client(t.app, '198.51.100.7').login(clerk.username, 'wrong-password-x');
    await setSuspended(db, root, clerk.id, true, new Date());
    await setSuspended(db, root, clerk.id, false, new Date());
    const snvUsername = demoOfficials().find((o) => o.unitKey === 'snv-vp' && o.position === 'Chuyên viên')!.username;
    const medal = (await currentProcedure(t.database, '1.000775')).p.id;
    const elsewhere = await receiveAtCounter(db, await actorFor(t.database, snvUsername), {
      procedureId: medal,
      channel: '1',
      fullName: 'Hoàng Văn Em',
    });
    return { clerk, dossier: d!, elsewhere: elsewhere! };
  }

  it('Người thực hiện: what the account did in person, through an API key and as a login naming it, any case typed', async () => {
    const { clerk } = await scene();
    const c = await adminClient();
    const page = await c.get(q({ nguoi: clerk.username.toUpperCase() }));
    expect(page.status).toBe(200);
    const want = await expected('admin.sct', (r) => r.actorId === clerk.id);
    expect(listed(page.text)).toEqual(want);
    const kinds = await t.database.db.select().from(auditLog).where(eq(auditLog.actorId, clerk.id));
    expect(new Set(kinds.map((r) => r.actorKind))).toEqual(new Set(['official', 'api', 'anonymous']));
    expect(want).toHaveLength(kinds.length);
    // The province administrator's entries about the clerk are not the clerk's doing.
    expect(page.text).not.toContain('data-action="account.suspend"');
    expect(page.text).toContain(`value="${clerk.username.toUpperCase()}"`);
  });

  it('Đối tượng: a dossier code (any case) or a username gives the entries about that dossier or account', async () => {
    const { clerk, dossier } = await scene();
    const c = await adminClient();
    const byCode = await c.get(q({ doituong: ` ${dossier.code.toLowerCase()} ` }));
    expect(byCode.status).toBe(200);
    const aboutDossier = await expected('admin.sct', (r) => r.targetType === 'dossier' && r.targetId === dossier.id);
    expect(aboutDossier.length).toBeGreaterThanOrEqual(2);
    expect(listed(byCode.text)).toEqual(aboutDossier);
    const byName = await c.get(q({ doituong: clerk.username }));
    const aboutClerk = await expected('admin.sct', (r) => r.targetType === 'account' && r.targetId === clerk.id);
    expect(listed(byName.text)).toEqual(aboutClerk);
    expect(byName.text).toContain('data-action="account.suspend"');
    expect(byName.text).toContain('data-action="auth.login_failed"');
    // Both filters: the login attempts that named the clerk.
    const both = await c.get(q({ nguoi: clerk.username, doituong: clerk.username }));
    expect(listed(both.text)).toEqual(await expected('admin.sct', (r) => r.actorId === clerk.id && r.targetId === clerk.id));
    expect(both.text.match(/data-action="[^"]+"/g)).toEqual(['data-action="auth.login_failed"']);
  });

  it('Từ ngày / Đến ngày: days in Vietnam time, đến ngày included, combined with the other filters', async () => {
    const { clerk, dossier } = await scene();
    const c = await adminClient();
    const root = await actorFor(t.database, 'quantri1');
    const official = await actorFor(t.database, clerk.username);
    // Three days a month ahead, so that every entry written so far comes before them, as time goes.
    const d1 = todayInVietnam(new Date(Date.now() + 30 * DAY));
    const [d2, d3] = [next(d1), next(next(d1))];
    const onDossier = { targetType: 'dossier', targetId: dossier.id, unitId: dossier.agencyUnitId, data: { code: dossier.code } };
    await writeAt(vn(d1, '23:30:00'), { action: 'dossier.assign', actor: official, ...onDossier });
    await writeAt(vn(d2, '00:00:00'), { action: 'dossier.assign', actor: official, ...onDossier });
    // Written after the entry above by a clock three minutes behind (another instance): still the day before.
    await writeAt(vn(d1, '23:57:00'), { action: 'dossier.assign', actor: official, ...onDossier });
    await writeAt(vn(d2, '12:00:00'), {
      action: 'account.suspend',
      actor: root,
      targetType: 'account',
      targetId: clerk.id,
      unitId: clerk.unitId,
      data: { old: { suspended: false }, new: { suspended: true } },
    });
    await writeAt(vn(d2, '23:59:59'), { action: 'dossier.record_result', actor: official, ...onDossier });
    await writeAt(vn(d3, '00:00:00'), { action: 'dossier.assign', actor: official, ...onDossier });
    // And one of d2 written after the first entry of d3.
    await writeAt(vn(d2, '23:58:00'), { action: 'dossier.assign', actor: official, ...onDossier });
    const ids = async (params: Record<string, string>) => {
      const page = await c.get(q(params));
      expect(page.status).toBe(200);
      return listed(page.text);
    };
    const inD2 = (r: Row) => at(r) >= vn(d2, '00:00:00').getTime() && at(r) < vn(d3, '00:00:00').getTime();
    const [tu, den] = [formatDate(d2), formatDate(d2)];
    const oneDay = await ids({ tu, den });
    expect(oneDay).toHaveLength(4);
    expect(oneDay).toEqual(await expected('admin.sct', inD2));
    expect(await ids({ tu })).toEqual(await expected('admin.sct', (r) => at(r) >= vn(d2, '00:00:00').getTime()));
    expect(await ids({ tu: formatDate(d2).replaceAll('/', '') })).toHaveLength(5);
    expect(await ids({ den: formatDate(d1) })).toEqual(
      (await expected('admin.sct', (r) => at(r) < vn(d2, '00:00:00').getTime())).slice(0, 100),
    );
    // With Người thực hiện, Thao tác and Đối tượng.
    const clerkD2 = await expected('admin.sct', (r) => inD2(r) && r.actorId === clerk.id);
    expect(clerkD2).toHaveLength(3);
    expect(await ids({ tu, den, nguoi: clerk.username })).toEqual(clerkD2);
    expect(await ids({ tu, den, nguoi: clerk.username, thaotac: 'dossier.assign' })).toEqual(
      await expected('admin.sct', (r) => inD2(r) && r.actorId === clerk.id && r.action === 'dossier.assign'),
    );
    expect(await ids({ tu, den, doituong: dossier.code })).toEqual(clerkD2);
    expect(await ids({ tu, den, doituong: clerk.username })).toEqual(
      await expected('admin.sct', (r) => inD2(r) && r.action === 'account.suspend'),
    );
    const none = await c.get(q({ tu: formatDate(d3), den: formatDate(d3), nguoi: 'quantri1' }));
    expect(tableOf(none.text)).toContain('Không có bản ghi nào khớp bộ lọc.');
  });

  it('a period lists exactly the entries stamped within it, whatever entries stamped by a wrong clock lie around it', async () => {
    const { clerk, dossier } = await scene();
    const c = await adminClient();
    const official = await actorFor(t.database, clerk.username);
    // Days two months ahead, so that every entry written so far comes before them, as time goes.
    const d1 = todayInVietnam(new Date(Date.now() + 60 * DAY));
    const [d2, d3] = [next(d1), next(next(d1))];
    const entry = {
      action: 'dossier.assign',
      actor: official,
      targetType: 'dossier',
      targetId: dossier.id,
      unitId: dossier.agencyUnitId,
      data: {},
    };
    await writeAt(vn(d1, '22:00:00'), entry);
    await writeAt(vn(d2, '00:05:00'), entry);
    // An instance whose clock is 25 minutes behind: the day before, though written after the entry above.
    await writeAt(vn(d1, '23:40:00'), entry);
    await writeAt(vn(d2, '10:00:00'), entry);
    // An instance whose clock is a year ahead, then one whose clock is decades behind (booted without its time).
    await writeAt(new Date(vn(d2, '10:30:00').getTime() + 365 * DAY), entry);
    await writeAt(new Date(Date.UTC(1990, 0, 1)), entry);
    // Entries of d2 written after both: the review found the year-ahead entry bounded them out of the filter.
    await writeAt(vn(d2, '11:00:00'), entry);
    await writeAt(vn(d2, '23:59:00'), entry);
    await writeAt(vn(d3, '00:01:00'), entry);
    const ids = async (params: Record<string, string>) => {
      const page = await c.get(q(params));
      expect(page.status).toBe(200);
      return listed(page.text);
    };
    const inD2 = (r: Row) => at(r) >= vn(d2, '00:00:00').getTime() && at(r) < vn(d3, '00:00:00').getTime();
    const day = await ids({ tu: formatDate(d2), den: formatDate(d2) });
    expect(day).toHaveLength(4);
    expect(day).toEqual(await expected('admin.sct', inD2));
    expect(await ids({ tu: formatDate(d1), den: formatDate(d1) })).toEqual(
      await expected('admin.sct', (r) => at(r) >= vn(d1, '00:00:00').getTime() && at(r) < vn(d2, '00:00:00').getTime()),
    );
    expect(await ids({ tu: formatDate(d2) })).toEqual(
      (await expected('admin.sct', (r) => at(r) >= vn(d2, '00:00:00').getTime())).slice(0, 100),
    );
  });

  it('a period at the end of the calendar is refused beside its field, not a server error', async () => {
    const c = await adminClient();
    for (const query of ['den=31/12/9999', 'tu=31/12/9999', 'tu=01/01/1900&den=31/12/9999']) {
      const page = await c.get(`/tiepnhan/quan-tri/nhat-ky?${query}`);
      expect(page.status, query).toBe(400);
      expect(page.text).toContain('không hợp lệ. Vui lòng nhập một ngày có thật');
    }
    expect((await c.get('/tiepnhan/quan-tri/nhat-ky?tu=01/01/1900&den=31/12/2999')).status).toBe(200);
  });

  it('pages of a filtered log carry the filters in "Cũ hơn →" and together hold every entry once', async () => {
    const { clerk, dossier } = await scene();
    const c = await adminClient();
    const official = await actorFor(t.database, clerk.username);
    const root = await actorFor(t.database, 'quantri1');
    await t.database.db.transaction(async (tx) => {
      for (let i = 0; i < 130; i++) {
        const onDossier = { targetType: 'dossier', targetId: dossier.id, unitId: dossier.agencyUnitId, data: { code: dossier.code, i } };
        await recordAudit(tx, { action: 'dossier.assign', actor: official, ...onDossier });
        await recordAudit(tx, { action: 'dossier.assign', actor: root, ...onDossier });
      }
    });
    const yesterday = formatDate(todayInVietnam(new Date(Date.now() - DAY)));
    const want = await expected('admin.sct', (r) => r.actorId === clerk.id && r.action === 'dossier.assign');
    expect(want.length).toBeGreaterThan(130);
    const first = await c.get(q({ thaotac: 'dossier.assign', nguoi: clerk.username, tu: yesterday }));
    expect(listed(first.text)).toEqual(want.slice(0, 100));
    const next = olderLink(first.text)!;
    expect(next).toContain('thaotac=dossier.assign');
    expect(next).toContain(`nguoi=${encodeURIComponent(clerk.username)}`);
    expect(next).toContain(`tu=${encodeURIComponent(yesterday)}`);
    expect(next).toContain(`truoc=${want[99]}`);
    const second = await c.get(next);
    expect(second.status).toBe(200);
    expect(listed(second.text)).toEqual(want.slice(100));
    expect(olderLink(second.text)).toBeNull();
  });

  it('a unit administrator: a username or dossier code with no entry in their units gives the page of one that does not exist; one from elsewhere that acted here finds those entries', async () => {
    const { elsewhere } = await scene();
    const sct = await adminClient();
    const table = async (params: Record<string, string>) => {
      const page = await sct.get(q(params));
      expect(page.status).toBe(200);
      return tableOf(page.text);
    };
    const nobody = await table({ nguoi: 'khong.co.ai' });
    expect(nobody).toContain('Không có bản ghi nào khớp bộ lọc.');
    expect(listed(nobody)).toEqual([]);
    // The province administrator acted in Sở Công Thương's log (the suspension), yet is no account of its units.
    expect((await sct.get(PAGE)).text).toContain('<td>quantri1</td>');
    for (const name of ['admin.snv', 'ADMIN.SNV']) expect(await table({ nguoi: name })).toBe(nobody);
    // …and filtering by that administrator, an account of no unit of theirs, lists exactly those entries: nothing the
    // unfiltered log does not show.
    const byRoot = await sct.get(q({ nguoi: 'quantri1' }));
    const rootId = (await actorFor(t.database, 'quantri1')).accountId;
    expect(listed(byRoot.text)).toEqual(await expected('admin.sct', (r) => r.actorId === rootId));
    expect(listed(byRoot.text).length).toBeGreaterThan(0);
    const fakeCode = elsewhere.code.replace(/-\d{4}$/, '-9999');
    const noDossier = await table({ doituong: fakeCode });
    expect(noDossier).toBe(nobody);
    expect(await table({ doituong: elsewhere.code })).toBe(nobody);
    expect(await table({ doituong: 'admin.snv' })).toBe(nobody);
    expect(await table({ doituong: 'quantri1' })).toBe(nobody);
    // The code does exist, in the province administrator's log.
    const province = await adminClient('quantri1');
    const there = await province.get(q({ doituong: elsewhere.code }));
    expect(listed(there.text)).toEqual(await expected('quantri1', (r) => r.targetType === 'dossier' && r.targetId === elsewhere.id));
    expect(listed(there.text).length).toBeGreaterThan(0);
  });

  it('input that cannot be read: its message at its field, 400, no list; someone who is no administrator still gets 403', async () => {
    const c = await adminClient();
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ nguoi: 'a'.repeat(51) }, 'nguoi', 'Người thực hiện: tên tài khoản tối đa 50 ký tự.'],
      [{ doituong: 'x'.repeat(61) }, 'doituong', 'Đối tượng: mã hồ sơ hoặc tên tài khoản tối đa 60 ký tự.'],
      [{ tu: '31/02/2026' }, 'tu', 'Từ ngày không hợp lệ. Vui lòng nhập một ngày có thật theo dạng dd/mm/yyyy, ví dụ 05/11/2026.'],
      [{ den: 'hôm qua' }, 'den', 'Đến ngày không hợp lệ. Vui lòng nhập một ngày có thật theo dạng dd/mm/yyyy, ví dụ 05/11/2026.'],
      [{ tu: '10/11/2026', den: '09/11/2026' }, 'den', 'Đến ngày phải cùng ngày hoặc sau từ ngày.'],
      [{ thaotac: 'khong.co' }, 'thaotac', 'Thao tác không hợp lệ: vui lòng chọn lại trong danh sách.'],
    ];
    for (const [params, field, message] of cases) {
      const page = await c.get(q(params));
      expect(page.status, JSON.stringify(params)).toBe(400);
      expect(page.text).toContain(`<span class="field-error" id="err-${field}">${message}</span>`);
      expect(page.text).toContain(`aria-describedby="err-${field}"`);
      expect(page.text).toContain('Bộ lọc chưa hợp lệ');
      expect(page.text).not.toContain('id="audit"');
    }
    // What was typed stays in its box.
    expect((await c.get(q({ tu: '31/02/2026' }))).text).toContain('value="31/02/2026"');
    const hand = await c.get(q({ truoc: 'abc', nguoi: 'admin.sct' }));
    expect(hand.status).toBe(400);
    expect(hand.text).toContain('Số thứ tự bản ghi phải là số nguyên dương.');
    const clerk = new Client(t.app);
    expect((await clerk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    expect((await clerk.get(q({ tu: '31/02/2026' }))).status).toBe(403);
  });
});
