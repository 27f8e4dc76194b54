/**
 * Roles (Phân quyền sử dụng) per unit and subtree, issue 11: the labels as the issue lists them, Xem thống kê
 * and its policy, one page of an account's effective permissions, Tách tài khoản dùng chung, and the server's
 * refusals — a statistics or result holder in administration, an administrator granting outside their
 * subtree, a grant giving dossier positions outside its subtree or without a workflow role.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { accounts, auditLog, roleGrants, ROLES, WORKFLOW_ROLES, type Role } from '../src/db/schema/index.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { setRoles } from '../src/accounts/set-roles.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { grantAllows, grantLabel, ROLE_LABELS } from '../src/accounts/roles.js';
import { administeredPermissions, ownPermissions } from '../src/accounts/effective-permissions.js';
import { splitSharedAccount } from '../src/accounts/split-account.js';
import { mayReadStatistics } from '../src/statistics/policy.js';
import { mayActAt, mayReadRegister, registerAgencies } from '../src/dossiers/access.js';
import { listInbox } from '../src/dossiers/inbox.js';
import { receiveAtCounter } from './support/reception.js';
import { viewDossier } from '../src/dossiers/view-dossier.js';
import { AppError } from '../src/shared/errors.js';
import type { StaffActor } from '../src/shared/context.js';

const t = useDemoApp();
const NOW = new Date('2026-11-25T09:00:00+07:00');

/** The THÔNG TIN CÁN BỘ of one person who used a shared account of Sở Công Thương. */
const person = (username: string, extra: Record<string, string> = {}) => ({
  username,
  middleName: 'Lê Thị',
  givenName: 'Hoa',
  unitId: t.unitIds['sct-vp']!,
  gender: 'female',
  ...extra,
});

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

/** A new official of `unitKey` holding `roles` at `grantAt`, who logs in with TEST_PASSWORD. */
async function official(username: string, unitKey: string, roles: Role[], grantAt = unitKey): Promise<StaffActor> {
  const root = await actorFor(t.database, 'quantri1');
  const { account } = await createOfficial(
    t.database.db,
    root,
    { username, middleName: 'Nguyễn Văn', givenName: 'Thử', unitId: t.unitIds[unitKey], gender: 'male' },
    new Date(),
    { password: TEST_PASSWORD },
  );
  await setRoles(
    t.database.db,
    root,
    account.id,
    roles.map((role) => ({ unitId: t.unitIds[grantAt], role })),
  );
  return actorFor(t.database, username);
}

describe('the roles as the issue lists them', () => {
  it('has every role of the issue, administration read as Quản trị tỉnh at a root unit', () => {
    expect(ROLES).toEqual(['admin', 'reception', 'processing', 'approval', 'result', 'statistics']);
    expect(grantLabel('reception', false)).toBe('Cán bộ tiếp nhận');
    expect(grantLabel('processing', false)).toBe('Cán bộ xử lý');
    expect(grantLabel('approval', false)).toBe('Lãnh đạo (phê duyệt)');
    expect(grantLabel('result', false)).toBe('Văn thư / trả kết quả');
    expect(grantLabel('admin', false)).toBe('Quản trị đơn vị');
    expect(grantLabel('admin', true)).toBe('Quản trị tỉnh');
    expect(grantLabel('statistics', true)).toBe('Xem thống kê');
    for (const r of ROLES) {
      expect(ROLE_LABELS[r]).toBe(ROLE_LABELS[r].normalize('NFC'));
      expect(grantAllows(r, false).length).toBeGreaterThan(20);
    }
    expect(grantAllows('admin', true)).not.toBe(grantAllows('admin', false));
  });

  it('the database refuses a role the code does not know', async () => {
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const err = await t.database.db
      .insert(roleGrants)
      .values({ accountId: clerk.id, unitId: t.unitIds.sct!, role: 'superuser' as Role })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
  });
});

describe('Xem thống kê: mayReadStatistics', () => {
  it('a statistics or approval grant reads its unit and subtree; the province administrator reads all; nobody else', async () => {
    const db = t.database.db;
    const stats = await official('thongke.sct', 'sct-vp', ['statistics'], 'sct');
    expect(await mayReadStatistics(db, stats, t.unitIds.sct!)).toBe(true);
    expect(await mayReadStatistics(db, stats, t.unitIds['sct-tt-kc']!)).toBe(true);
    expect(await mayReadStatistics(db, stats, t.unitIds.snv!)).toBe(false);
    expect(await mayReadStatistics(db, stats, t.unitIds.tinh!)).toBe(false);
    expect(await mayReadStatistics(db, stats, 'not-a-uuid')).toBe(false);
    expect(await mayReadStatistics(db, stats, '00000000-0000-4000-8000-000000000000')).toBe(false);

    const leader = await official('lanhdao.snv', 'snv', ['approval'], 'snv');
    expect(await mayReadStatistics(db, leader, t.unitIds['snv-tcbc']!)).toBe(true);
    expect(await mayReadStatistics(db, leader, t.unitIds.sct!)).toBe(false);

    const province = await actorFor(t.database, 'quantri1');
    for (const key of ['tinh', 'sct', 'dx-tanphu', 'bd-minhhung'])
      expect(await mayReadStatistics(db, province, t.unitIds[key]!)).toBe(true);
    // Administering a unit is not reading its statistics; nor is receiving, processing or returning results.
    expect(await mayReadStatistics(db, await actorFor(t.database, 'admin.sct'), t.unitIds.sct!)).toBe(false);
    expect(await mayReadStatistics(db, await actorFor(t.database, sctClerkUsername()), t.unitIds['sct-vp']!)).toBe(false);

    await setSuspended(db, province, stats.accountId, true, new Date());
    expect(await mayReadStatistics(db, stats, t.unitIds.sct!)).toBe(false);
  });

  it('a statistics grant, even at the root, gives no dossier position: no step, no inbox, no dossier, no register', async () => {
    const db = t.database.db;
    const clerk = await actorFor(t.database, sctClerkUsername());
    const proc = await currentProcedure(t.database, '2.000633');
    const d = await receiveAtCounter(
      db,
      clerk,
      { procedureId: proc.p.id, channel: '1', fullName: 'Người Nộp Thử', phone: '0912000111' },
      NOW,
    );
    const stats = await official('thongke.tinh', 'tinh', ['statistics'], 'tinh');
    for (const role of WORKFLOW_ROLES) {
      expect(await mayActAt(db, stats, role, t.unitIds.sct!)).toBe(false);
      expect(await mayActAt(db, stats, role, t.unitIds['sct-vp']!)).toBe(false);
    }
    expect(await mayReadRegister(db, stats, t.unitIds.sct!)).toBe(false);
    expect(await registerAgencies(db, stats)).toEqual([]);
    const inbox = await listInbox(db, stats, { limit: 50 }, NOW, NOW);
    expect(inbox.rows).toEqual([]);
    expect(Object.values(inbox.counts).every((n) => n === 0)).toBe(true);
    expect((await refusal(viewDossier(db, stats, d.id, NOW))).status).toBe(404);
    // The clerk still sees it: the change concerns only roles outside the workflow.
    expect((await viewDossier(db, clerk, d.id, NOW)).dossier.id).toBe(d.id);
  });

  it('no role gives positions outside its subtree', async () => {
    const db = t.database.db;
    const snv = await official('xuly.snv', 'snv-tcbc', [...WORKFLOW_ROLES], 'snv');
    for (const role of WORKFLOW_ROLES) {
      expect(await mayActAt(db, snv, role, t.unitIds['snv-tcbc']!)).toBe(true);
      expect(await mayActAt(db, snv, role, t.unitIds.sct!)).toBe(false);
      expect(await mayActAt(db, snv, role, t.unitIds.tinh!)).toBe(false);
    }
    expect(await mayReadRegister(db, snv, t.unitIds.sct!)).toBe(false);
    expect((await registerAgencies(db, snv)).map((a) => a.id)).not.toContain(t.unitIds.sct);
  });
});

describe('Quyền sử dụng: one page per account', () => {
  it('the official reads their own grants, what each allows, and their state', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const own = await ownPermissions(db, root, NOW);
    expect(own.grants.map((g) => g.label)).toEqual(['Quản trị tỉnh']);
    expect(own.grants[0]!.coveredUnits).toBeGreaterThan(20);
    expect(own.account.suspended).toBe(false);

    const c = new Client(t.app);
    expect((await c.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const page = await c.get('/tiepnhan/tai-khoan/quyen');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Cán bộ tiếp nhận');
    expect(page.text).toContain('Văn thư / trả kết quả');
    expect(page.text).toContain('Đang hoạt động.');
    expect(page.text).toContain('id="delegations"');
    expect((await c.get('/tiepnhan/tai-khoan')).text).toContain('/tiepnhan/tai-khoan/quyen');
  });

  it('an administrator reads an account of their subtree; another unit’s account answers not found', async () => {
    const db = t.database.db;
    const sct = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    await setSuspended(db, sct, clerk.id, true, new Date());
    const perm = await administeredPermissions(db, sct, clerk.id, NOW);
    expect(perm.account.suspended).toBe(true);
    expect(perm.grants.map((g) => g.role).sort()).toEqual(['reception', 'result']);
    const other = (await accountByUsername(t.database, 'admin.snv'))!;
    expect((await refusal(administeredPermissions(db, sct, other.id, NOW))).status).toBe(404);

    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const page = await c.get(`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/quyen`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tạm đình chỉ');
    expect(page.text).toContain('Cán bộ tiếp nhận');
    expect((await c.get(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/quyen`)).status).toBe(404);
    expect((await c.get('/tiepnhan/quan-tri/nguoi-dung/not-a-uuid/quyen')).status).toBe(404);
  });

  it('an administrator sees only the grants within their subtree, and how many others there are', async () => {
    const db = t.database.db;
    const root = await actorFor(t.database, 'quantri1');
    const both = await official('haidonvi', 'sct-vp', ['processing'], 'sct');
    await setRoles(db, root, both.accountId, [
      { unitId: t.unitIds.sct!, role: 'processing' },
      { unitId: t.unitIds.snv!, role: 'statistics' },
    ]);
    const seen = await administeredPermissions(db, await actorFor(t.database, 'admin.sct'), both.accountId, NOW);
    expect(seen.grants.map((g) => `${g.role}@${g.unitName}`)).toEqual(['processing@Sở Công Thương']);
    expect(seen.hiddenGrants).toBe(1);
    expect((await administeredPermissions(db, root, both.accountId, NOW)).grants).toHaveLength(2);
  });
});

describe('Tách tài khoản dùng chung', () => {
  it('creates one account per person, without the shared account’s roles unless asked, and records where it came from', async () => {
    const db = t.database.db;
    const sct = await actorFor(t.database, 'admin.sct');
    const shared = (await accountByUsername(t.database, sctClerkUsername()))!;
    const plain = await splitSharedAccount(db, sct, shared.id, person('hoa.sct'), new Date());
    expect(plain.temporaryPassword.length).toBeGreaterThan(8);
    expect(await db.select().from(roleGrants).where(eq(roleGrants.accountId, plain.account.id))).toEqual([]);
    const [row] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'account.create'), eq(auditLog.targetId, plain.account.id)));
    expect(row!.data.splitFrom).toEqual({ id: shared.id, username: shared.username });
    expect((await administeredPermissions(db, sct, plain.account.id, NOW)).splitFrom?.username).toBe(shared.username);

    // Cấp cùng vai trò: the workflow grants are copied, administration never.
    await setRoles(db, await actorFor(t.database, 'quantri1'), shared.id, [
      { unitId: shared.unitId, role: 'reception' },
      { unitId: shared.unitId, role: 'result' },
      { unitId: shared.unitId, role: 'admin' },
    ]);
    const same = await splitSharedAccount(db, sct, shared.id, person('lan.sct', { givenName: 'Lan', sameRoles: '1' }), new Date());
    const copied = await db.select({ role: roleGrants.role }).from(roleGrants).where(eq(roleGrants.accountId, same.account.id));
    expect(copied.map((g) => g.role).sort()).toEqual(['reception', 'result']);
  });

  it('refuses a shared account or a new unit outside the subtree, and a taken username', async () => {
    const db = t.database.db;
    const sct = await actorFor(t.database, 'admin.sct');
    const other = (await accountByUsername(t.database, 'admin.snv'))!;
    expect((await refusal(splitSharedAccount(db, sct, other.id, person('x1.sct'), new Date()))).status).toBe(404);
    const shared = (await accountByUsername(t.database, sctClerkUsername()))!;
    expect(
      (await refusal(splitSharedAccount(db, sct, shared.id, person('x2.sct', { unitId: t.unitIds['snv-vp']! }), new Date()))).status,
    ).toBe(404);
    expect((await refusal(splitSharedAccount(db, sct, shared.id, person(shared.username), new Date()))).status).toBe(409);
    expect(await accountByUsername(t.database, 'x1.sct')).toBeUndefined();
    expect(await accountByUsername(t.database, 'x2.sct')).toBeUndefined();
  });

  it('over HTTP: the prefilled form, the new account shown with Tách từ tài khoản, another subtree not found', async () => {
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const shared = (await accountByUsername(t.database, sctClerkUsername()))!;
    const form = await c.get(`/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`);
    expect(form.status).toBe(200);
    expect(form.text).toContain('Cấp cùng vai trò');
    expect(form.text).toContain(`value="${shared.position}"`);
    const res = await c.post(`/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`, person('hoa.sct'), {
      csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`,
    });
    expect(res.status).toBe(303);
    const created = (await accountByUsername(t.database, 'hoa.sct'))!;
    expect(res.location).toBe(`/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach?tk=${created.id}`);
    expect((await c.get(res.location!)).text).toContain('data-testid="temporary-password"');
    const page = await c.get(`/tiepnhan/quan-tri/nguoi-dung?tk=${created.id}`);
    expect(page.text).toContain(`Tách từ tài khoản <strong>${shared.username}</strong>`);
    const bad = await c.post(`/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`, person('', { givenName: '' }), {
      csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${shared.id}/tach`,
    });
    expect(bad.status).toBe(400);
    const other = (await accountByUsername(t.database, 'admin.snv'))!;
    expect((await c.get(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/tach`)).status).toBe(404);
    const forged = await c.post(`/tiepnhan/quan-tri/nguoi-dung/${other.id}/tach`, person('y.sct'), {
      csrfFrom: '/tiepnhan/quan-tri/nguoi-dung',
    });
    expect(forged.status).toBe(404);
    expect(await accountByUsername(t.database, 'y.sct')).toBeUndefined();
  });
});

describe('the server checks every administration page and form', () => {
  const ADMIN_PAGES = [
    '/tiepnhan/quan-tri/nguoi-dung',
    '/tiepnhan/quan-tri/nguoi-dung/nhap',
    '/tiepnhan/quan-tri/nguoi-dung/xuat',
    '/tiepnhan/quan-tri/don-vi',
    '/tiepnhan/quan-tri/nhat-ky',
    '/tiepnhan/quan-tri/hang-doi',
    '/tiepnhan/quan-tri/chuyen-doi-vneid',
    '/tiepnhan/quan-tri/lich-lam-viec',
    '/tiepnhan/quan-tri/thu-tuc',
  ];

  it('a statistics or result holder opens no administration page and sends no administration form', async () => {
    await official('thongke.vp', 'sct-vp', ['statistics'], 'tinh');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    for (const username of ['thongke.vp', sctClerkUsername()]) {
      const c = new Client(t.app);
      expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
      const pages = [
        ...ADMIN_PAGES,
        ...['quyen', 'tach', 'phan-quyen', 'xoa'].map((p) => `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/${p}`),
      ];
      for (const path of pages) expect([403, 404], `${username} GET ${path}`).toContain((await c.get(path)).status);
      const csrfFrom = '/tiepnhan/tai-khoan';
      const posts: Array<[string, Record<string, string | string[]>]> = [
        ['/tiepnhan/quan-tri/nguoi-dung/moi', person('z.sct')],
        [`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/tach`, person('z.sct')],
        [`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen`, { newUnit: t.unitIds.tinh!, newRole: 'admin' }],
        [`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/tam-dinh-chi`, { value: '1' }],
      ];
      for (const [path, body] of posts)
        expect([403, 404], `${username} POST ${path}`).toContain((await c.post(path, body, { csrfFrom })).status);
      // Nor does the menu offer administration.
      expect((await c.get('/tiepnhan')).text).not.toContain('QUẢN TRỊ HỆ THỐNG');
    }
    expect(await accountByUsername(t.database, 'z.sct')).toBeUndefined();
    const grants = await t.database.db.select().from(roleGrants).where(eq(roleGrants.accountId, clerk.id));
    expect(grants.some((g) => g.role === 'admin')).toBe(false);
    const after = (await t.database.db.select().from(accounts).where(eq(accounts.id, clerk.id)))[0]!;
    expect(after.suspended).toBe(false);
  });

  it('an administrator of unit A cannot grant at unit B, even a statistics role, and the page offers statistics within A', async () => {
    const db = t.database.db;
    const sct = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    for (const role of ROLES) {
      const err = await refusal(setRoles(db, sct, clerk.id, [{ unitId: t.unitIds.snv!, role }]));
      expect(err.code).toBe('grant_out_of_scope');
    }
    await setRoles(db, sct, clerk.id, [
      { unitId: clerk.unitId, role: 'reception' },
      { unitId: clerk.unitId, role: 'result' },
      { unitId: t.unitIds.sct!, role: 'statistics' },
    ]);
    expect(await mayReadStatistics(db, await actorFor(t.database, sctClerkUsername()), t.unitIds['sct-qlcn']!)).toBe(true);

    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const rolesPage = await c.get(`/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen`);
    expect(rolesPage.text).toContain('Xem thống kê');
    const res = await c.post(
      `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen`,
      { newUnit: t.unitIds.snv!, newRole: 'statistics' },
      { csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen` },
    );
    expect(res.status).toBe(403);
    const forgedRole = await c.post(
      `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen`,
      { newUnit: t.unitIds.sct!, newRole: 'superuser' },
      { csrfFrom: `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen` },
    );
    expect(forgedRole.status).toBe(400);
    const held = await db
      .select({ role: roleGrants.role, unitId: roleGrants.unitId })
      .from(roleGrants)
      .where(eq(roleGrants.accountId, clerk.id));
    expect(held.every((g) => g.unitId !== t.unitIds.snv)).toBe(true);
  });

  it('a Lưu of Phân quyền from a page older than a change made meanwhile is refused, and never brings a removed grant back', async () => {
    const db = t.database.db;
    const sct = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    await setRoles(db, sct, clerk.id, [
      { unitId: clerk.unitId, role: 'reception' },
      { unitId: clerk.unitId, role: 'result' },
    ]);
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const address = `/tiepnhan/quan-tri/nguoi-dung/${clerk.id}/phan-quyen`;
    const page = (await c.get(address)).text;
    const shown = /<input type="hidden" name="shown" value="([^"]*)"/.exec(page)?.[1];
    expect(shown).toBe([`${clerk.unitId}:reception`, `${clerk.unitId}:result`].sort().join(' '));
    // Another administrator (the province's) takes the result role away while the page stays open.
    await setRoles(db, await actorFor(t.database, 'quantri1'), clerk.id, [{ unitId: clerk.unitId, role: 'reception' }]);
    // The old page adds a statistics role, its two boxes still ticked.
    const stale = await c.post(
      address,
      { shown: shown!, grant: [`${clerk.unitId}:reception`, `${clerk.unitId}:result`], newUnit: t.unitIds.sct!, newRole: 'statistics' },
      { csrfFrom: address },
    );
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Quyền của tài khoản vừa được thay đổi');
    // The page answering shows the grants as they are now, ready to be chosen again.
    expect(stale.text).toContain(`value="${clerk.unitId}:reception"`);
    expect(stale.text).not.toContain(`value="${clerk.unitId}:result"`);
    const held = async () =>
      (await db.select({ role: roleGrants.role }).from(roleGrants).where(eq(roleGrants.accountId, clerk.id))).map((g) => g.role).sort();
    expect(await held()).toEqual(['reception']);
    // From the page as it is now, the same addition goes through.
    const fresh = /<input type="hidden" name="shown" value="([^"]*)"/.exec(stale.text)?.[1];
    const ok = await c.post(
      address,
      { shown: fresh!, grant: [`${clerk.unitId}:reception`], newUnit: t.unitIds.sct!, newRole: 'statistics' },
      { csrfFrom: address },
    );
    expect(ok.status).toBe(303);
    expect(await held()).toEqual(['reception', 'statistics']);
  });

  it.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')(
    'two Lưu of Phân quyền at the same instant: the second waits for the first and, its page now old, is refused',
    async () => {
      const db = t.database.db;
      const sct = await actorFor(t.database, 'admin.sct');
      const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
      const both = [
        { unitId: clerk.unitId, role: 'reception' as const },
        { unitId: clerk.unitId, role: 'result' as const },
      ];
      await setRoles(db, sct, clerk.id, both);
      const shown = both.map((g) => `${g.unitId}:${g.role}`).join(' ');
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let holding!: () => void;
      const held = new Promise<void>((r) => (holding = r));
      // Another administrator's save under way: it holds the account (as every save does) and takes "result" away.
      const first = db.transaction(async (tx) => {
        await tx.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, clerk.id)).for('update');
        await tx.delete(roleGrants).where(and(eq(roleGrants.accountId, clerk.id), eq(roleGrants.role, 'result')));
        holding();
        await gate;
      });
      await held;
      let settled = false;
      const second = setRoles(db, sct, clerk.id, [...both, { unitId: t.unitIds.sct!, role: 'statistics' }], { shown })
        .then(
          () => null,
          (e: AppError) => e.code,
        )
        .finally(() => (settled = true));
      let waiting = false;
      for (let i = 0; i < 200 && !waiting && !settled; i++) {
        const [w] = await queryRows<{ n: number }>(
          db,
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        waiting = w?.n === 1;
        if (!waiting) await new Promise((r) => setTimeout(r, 50));
      }
      release();
      await first;
      expect(await second).toBe('roles_changed_meanwhile');
      expect(waiting).toBe(true);
      const held2 = await db.select({ role: roleGrants.role }).from(roleGrants).where(eq(roleGrants.accountId, clerk.id));
      expect(held2.map((g) => g.role)).toEqual(['reception']);
    },
  );
});
