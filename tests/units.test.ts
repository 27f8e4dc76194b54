import { describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, useDemoApp } from './support/fixtures.js';
import { accounts, auditLog, roleGrants, units } from '../src/db/schema/index.js';
import { mergeUnits } from '../src/org/merge-units.js';
import { moveUnit } from '../src/org/move-unit.js';
import { createUnit } from '../src/org/create-unit.js';
import { updateUnit } from '../src/org/update-unit.js';
import { setUnitActive } from '../src/org/set-unit-active.js';
import { loadUnit } from '../src/org/unit-queries.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { listAuditEntries } from '../src/audit/list.js';
import { setProvinceCutoff } from '../src/cutover/set-cutoff.js';
import { provinceUnitId } from '../src/org/tree.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: AppError) => e.code,
  );

async function liveAccountsIn(unitId: string) {
  return t.database.db
    .select()
    .from(accounts)
    .where(and(eq(accounts.unitId, unitId), isNull(accounts.deletedAt)));
}

describe('organisation tree', () => {
  it('merges a unit: accounts, sub-units and grants move to the survivor; the old unit stays as history', async () => {
    const root = await actorFor(t.database, 'quantri1');
    // The 2025 reorganisation: a district People's Committee is merged into another.
    const source = t.unitIds.bd!;
    const target = t.unitIds.dx!;
    const accountsBefore = await liveAccountsIn(t.unitIds['bd-vp']!);
    expect(accountsBefore.length).toBeGreaterThan(0);
    const moved = await mergeUnits(t.database.db, root, t.unitIds['bd-vp']!, t.unitIds['dx-vp']!, new Date());
    expect(moved.movedAccounts).toBe(accountsBefore.length);
    const nowInTarget = (await liveAccountsIn(t.unitIds['dx-vp']!)).map((a) => a.id);
    for (const a of accountsBefore) expect(nowInTarget).toContain(a.id);
    const grantsAtSource = await t.database.db.select().from(roleGrants).where(eq(roleGrants.unitId, t.unitIds['bd-vp']!));
    expect(grantsAtSource).toHaveLength(0);

    const res = await mergeUnits(t.database.db, root, source, target, new Date());
    expect(res.movedUnits).toBeGreaterThan(0);
    const commune = (await loadUnit(t.database.db, t.unitIds['bd-minhhung']!))!;
    expect(commune.parentId).toBe(target);
    const old = (await loadUnit(t.database.db, source))!;
    expect(old).toMatchObject({ active: false, mergedIntoId: target });
    // History that names the old unit still resolves and stays readable by the survivor's administrators.
    const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'unit.merge'));
    expect(entry!.unitId).toBe(t.unitIds['dx-vp']);
    const dxAdmin = await actorFor(t.database, 'admin.dx');
    expect(await code(setUnitActive(t.database.db, dxAdmin, source, true, new Date()))).toBe('unit_merged');
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('merging keeps a single grant when the survivor already has the same one', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const clerk = (await liveAccountsIn(t.unitIds['dx-tanphu']!))[0]!;
    await t.database.db.insert(roleGrants).values([{ accountId: clerk.id, unitId: t.unitIds['dx-tanbinh']!, role: 'reception' }]);
    await t.database.db
      .insert(roleGrants)
      .values([{ accountId: clerk.id, unitId: t.unitIds['dx-tanphu']!, role: 'reception' }])
      .onConflictDoNothing();
    await mergeUnits(t.database.db, root, t.unitIds['dx-tanbinh']!, t.unitIds['dx-tanphu']!, new Date());
    const grants = await t.database.db
      .select()
      .from(roleGrants)
      .where(and(eq(roleGrants.accountId, clerk.id), eq(roleGrants.role, 'reception')));
    expect(grants.map((g) => g.unitId)).toEqual([t.unitIds['dx-tanphu']]);
  });

  it('refuses merges and moves that would make a cycle, and merging into itself', async () => {
    const root = await actorFor(t.database, 'quantri1');
    expect(await code(mergeUnits(t.database.db, root, t.unitIds.sct!, t.unitIds['sct-qlcn']!, new Date()))).toBe('unit_cycle');
    expect(await code(moveUnit(t.database.db, root, t.unitIds.sct!, t.unitIds['sct-qlcn']!, new Date()))).toBe('unit_cycle');
    expect(await code(mergeUnits(t.database.db, root, t.unitIds.sct!, t.unitIds.sct!, new Date()))).toBe('unit_merge_self');
    expect(await code(mergeUnits(t.database.db, root, t.unitIds.tinh!, t.unitIds.sct!, new Date()))).toBe('unit_is_root');
  });

  it('a scoped administrator can only merge or move within their subtree', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    expect(await code(mergeUnits(t.database.db, sct, t.unitIds['sct-tt']!, t.unitIds['snv-vp']!, new Date()))).toBe('not_found');
    expect(await code(moveUnit(t.database.db, sct, t.unitIds['sct-tt']!, t.unitIds.snv!, new Date()))).toBe('not_found');
    expect(await code(mergeUnits(t.database.db, sct, t.unitIds['sct-tt']!, t.unitIds['sct-qlcn']!, new Date()))).toBe('ok');
  });

  it('creates, renames and moves units with validated fields; deactivation needs an empty unit', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const bad = await createUnit(t.database.db, root, t.unitIds.sct!, { name: 'X', kind: 'division', agencyCode: 'abc' }).catch(
      (e: AppError) => e,
    );
    expect((bad as AppError).fields).toMatchObject({
      name: expect.stringContaining('ít nhất 2 ký tự'),
      agencyCode: expect.stringContaining('000.00.13.H10'),
    });
    const taken = await createUnit(t.database.db, root, t.unitIds.tinh!, {
      name: 'Sở Tài chính',
      kind: 'department',
      agencyCode: '000.00.13.H10',
    }).catch((e: AppError) => e);
    expect((taken as AppError).code).toBe('agency_code_taken');
    const u = await createUnit(t.database.db, root, t.unitIds.tinh!, {
      name: '  Sở  Tài   chính ',
      kind: 'department',
      agencyCode: '000.00.20.h10',
    });
    expect(u).toMatchObject({ name: 'Sở Tài chính', agencyCode: '000.00.20.H10', nameFolded: 'so tai chinh' });
    const renamed = await updateUnit(
      t.database.db,
      root,
      u.id,
      {
        name: 'Sở Tài chính tỉnh',
        kind: 'department',
        agencyCode: '000.00.20.H10',
      },
      new Date(),
    );
    expect(renamed.name).toBe('Sở Tài chính tỉnh');
    await moveUnit(t.database.db, root, t.unitIds['sct-tt-kc']!, u.id, new Date());
    expect((await loadUnit(t.database.db, t.unitIds['sct-tt-kc']!))!.parentId).toBe(u.id);
    expect(await code(setUnitActive(t.database.db, root, t.unitIds['sct-qlcn']!, false, new Date()))).toBe('unit_not_empty');
    const empty = await createUnit(t.database.db, root, u.id, { name: 'Phòng Ngân sách', kind: 'division' });
    expect(await code(setUnitActive(t.database.db, root, empty.id, false, new Date()))).toBe('ok');
    const [row] = await t.database.db.select().from(units).where(eq(units.id, empty.id));
    expect(row!.active).toBe(false);
  });

  it('over HTTP: the unit page merges a unit and shows a clear message on error', async () => {
    const c = new Client(t.app);
    expect((await c.login('quantri1', TEST_PASSWORD)).status).toBe(303);
    const csrfFrom = '/tiepnhan/quan-tri/don-vi';
    const err = await c.post(`/tiepnhan/quan-tri/don-vi/${t.unitIds.sct}/sap-nhap`, { targetId: t.unitIds['sct-qlcn']! }, { csrfFrom });
    expect(err.status).toBe(409);
    expect(err.text).toContain('Không thể sáp nhập');
    // The refusal names the unit's page in the tree, where a GET shows it again (post-answer.ts).
    expect(err.text).toContain(`<meta name="motcua-address" content="/tiepnhan/quan-tri/don-vi?dv=${t.unitIds.sct}"`);
    expect((await c.get(`/tiepnhan/quan-tri/don-vi?dv=${t.unitIds.sct}`)).text).not.toContain('motcua-address');
    const ok = await c.post(
      `/tiepnhan/quan-tri/don-vi/${t.unitIds['dx-tanbinh']}/sap-nhap`,
      { targetId: t.unitIds['dx-tanphu']! },
      { csrfFrom },
    );
    expect(ok.status).toBe(303);
    const page = await c.get(ok.location!);
    expect(page.text).toContain('Đã sáp nhập đơn vị');
    const acc = await accountByUsername(t.database, 'admin.dx');
    expect(acc).toBeTruthy();
  });
});

describe('the province unit and agency codes', () => {
  const NOT_PROVINCE = 'Chỉ đơn vị gốc (tỉnh) có loại "Tỉnh / thành phố"; hãy chọn loại khác.';
  const unitAudit = (action: string, unitId: string) =>
    t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, action), eq(auditLog.targetId, unitId)));

  it('only the root is the province: a department may not take the kind, on the screen or by the use cases', async () => {
    const sct = (await loadUnit(t.database.db, t.unitIds.sct!))!;
    const c = new Client(t.app, '203.0.113.44');
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const page = await c.get(`/tiepnhan/quan-tri/don-vi?dv=${sct.id}`);
    // Neither the unit's own form nor the sub-unit form offers it.
    expect(page.text).not.toContain('value="province"');
    const saved = await c.post(
      `/tiepnhan/quan-tri/don-vi/${sct.id}`,
      { name: sct.name, shortName: sct.shortName ?? '', agencyCode: sct.agencyCode ?? '', kind: 'province' },
      { csrfFrom: `/tiepnhan/quan-tri/don-vi?dv=${sct.id}` },
    );
    expect(saved.status).toBe(400);
    expect(saved.text).toContain('Chỉ đơn vị gốc (tỉnh) có loại');
    expect((await loadUnit(t.database.db, sct.id))!.kind).toBe('department');
    expect(await unitAudit('unit.update', sct.id)).toHaveLength(0);

    const root = await actorFor(t.database, 'quantri1');
    const made = await createUnit(t.database.db, root, t.unitIds.tinh!, { name: 'Tỉnh thứ hai', kind: 'province' }).catch(
      (e: AppError) => e,
    );
    expect(made).toMatchObject({ code: 'unit_kind_misfit', message: NOT_PROVINCE, fields: { kind: NOT_PROVINCE } });
    const rootUnit = (await loadUnit(t.database.db, t.unitIds.tinh!))!;
    const demoted = await updateUnit(
      t.database.db,
      root,
      rootUnit.id,
      { name: rootUnit.name, agencyCode: rootUnit.agencyCode ?? undefined, kind: 'department' },
      new Date(),
    ).catch((e: AppError) => e);
    expect(demoted).toMatchObject({ code: 'unit_kind_misfit', message: 'Đơn vị gốc là tỉnh: loại đơn vị phải là "Tỉnh / thành phố".' });
    expect((await loadUnit(t.database.db, rootUnit.id))!.kind).toBe('province');
    const rootPage = new Client(t.app, '203.0.113.45');
    expect((await rootPage.login('quantri1', TEST_PASSWORD)).status).toBe(303);
    expect((await rootPage.get(`/tiepnhan/quan-tri/don-vi?dv=${rootUnit.id}`)).text).toContain('value="province"');
  });

  it('province-wide rows are filed under the root even if another row carries the kind (data from before the rule)', async () => {
    await t.database.db.update(units).set({ kind: 'province' }).where(eq(units.id, t.unitIds.sct!));
    const root = await actorFor(t.database, 'quantri1');
    const rootUnit = (await loadUnit(t.database.db, t.unitIds.tinh!))!;
    // The root's row rewritten, so that it no longer comes first in the table's order.
    await updateUnit(
      t.database.db,
      root,
      rootUnit.id,
      { name: `${rootUnit.name} (mới)`, agencyCode: rootUnit.agencyCode ?? undefined, kind: 'province' },
      new Date(),
    );
    expect(await provinceUnitId(t.database.db)).toBe(rootUnit.id);
    await setProvinceCutoff(t.database.db, root, { date: '01/01/2031' }, new Date());
    const [row] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'cutover.province_cutoff'));
    expect(row!.unitId).toBe(rootUnit.id);
    const sctAdmin = await actorFor(t.database, 'admin.sct');
    expect(await listAuditEntries(t.database.db, sctAdmin, { action: 'cutover.province_cutoff' }, 50)).toHaveLength(0);
  });

  it("refuses another province's agency code on the screen's use cases, as the import does", async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const before = await t.database.db.select({ id: units.id }).from(units);
    const foreign = 'Mã định danh 000.00.13.H26 không thuộc tỉnh này (mã của tỉnh kết thúc bằng .H10).';
    const made = await createUnit(t.database.db, admin, t.unitIds.sct!, {
      name: 'Phòng X',
      agencyCode: '000.00.13.H26',
      kind: 'division',
    }).catch((e: AppError) => e);
    expect(made).toMatchObject({ code: 'agency_code_foreign', message: foreign, status: 400, fields: { agencyCode: foreign } });
    expect(await t.database.db.select({ id: units.id }).from(units)).toHaveLength(before.length);
    const division = (await loadUnit(t.database.db, t.unitIds['sct-qlcn']!))!;
    const updated = await updateUnit(
      t.database.db,
      admin,
      division.id,
      { name: division.name, agencyCode: '000.00.13.H26', kind: division.kind },
      new Date(),
    ).catch((e: AppError) => e);
    expect(updated).toMatchObject({ code: 'agency_code_foreign', message: foreign });
    expect((await loadUnit(t.database.db, division.id))!.agencyCode).toBeNull();
    expect(await unitAudit('unit.update', division.id)).toHaveLength(0);
  });

  it('"Kích hoạt lại" of a unit whose code another active unit took since answers 409 with a message', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const old = await createUnit(t.database.db, admin, t.unitIds.sct!, {
      name: 'Trung tâm cũ',
      agencyCode: '000.99.13.H10',
      kind: 'centre',
    });
    await setUnitActive(t.database.db, admin, old.id, false, new Date());
    // The code is free again for a new unit (as intended: the old unit is closed).
    await createUnit(t.database.db, admin, t.unitIds.sct!, { name: 'Trung tâm mới', agencyCode: '000.99.13.H10', kind: 'centre' });

    const c = new Client(t.app, '203.0.113.46');
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const res = await c.post(
      `/tiepnhan/quan-tri/don-vi/${old.id}/trang-thai`,
      { active: '1' },
      { csrfFrom: `/tiepnhan/quan-tri/don-vi?dv=${old.id}` },
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain(
      'Không thể kích hoạt lại: mã định danh điện tử 000.99.13.H10 đang được dùng cho Trung tâm mới. Hãy đổi mã của đơn vị đó trước.',
    );
    expect((await loadUnit(t.database.db, old.id))!.active).toBe(false);
    expect(await unitAudit('unit.activate', old.id)).toHaveLength(0);
  });

  it.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')(
    'two units with one code reactivated at the same instant: one is, the other answers 409, not a 500',
    async () => {
      const admin = await actorFor(t.database, 'admin.sct');
      const make = async (name: string) => {
        const u = await createUnit(t.database.db, admin, t.unitIds.sct!, { name, agencyCode: '000.99.14.H10', kind: 'centre' });
        await setUnitActive(t.database.db, admin, u.id, false, new Date());
        return u.id;
      };
      const [a, b] = [await make('Trung tâm A'), await make('Trung tâm B')];
      let reactivated!: () => void;
      let release!: () => void;
      const aDone = new Promise<void>((r) => (reactivated = r));
      const held = new Promise<void>((r) => (release = r));
      // A's reactivation is under way (not committed) when B's starts.
      const first = t.database.db.transaction(async (tx) => {
        await setUnitActive(tx, admin, a, true, new Date());
        reactivated();
        await held;
      });
      await aDone;
      const second = setUnitActive(t.database.db, admin, b, true, new Date()).catch((e: AppError) => e);
      await new Promise((r) => setTimeout(r, 300));
      release();
      await first;
      expect(await second).toMatchObject({ code: 'agency_code_taken', status: 409 });
      expect((await loadUnit(t.database.db, a))!.active).toBe(true);
      expect((await loadUnit(t.database.db, b))!.active).toBe(false);
    },
  );
});
