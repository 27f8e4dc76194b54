/**
 * How deep the unit tree may go (src/org/unit-depth.ts): the root is level 1, at most MAX_UNIT_LEVEL levels. The scope
 * checks walk the tree only so far (tree.ts), so an attacker review found a department administrator could build a
 * chain of divisions deeper than the walks and hide an account there from the province administrator. Creating,
 * moving, merging and importing now refuse a unit below level 10, and write nothing when they do.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, useDemoApp } from './support/fixtures.js';
import { auditLog, units } from '../src/db/schema/index.js';
import { canAdministerUnit } from '../src/accounts/policies.js';
import { readTable } from '../src/accounts/read-sheet.js';
import { createUnit } from '../src/org/create-unit.js';
import { importUnits } from '../src/org/import-units.js';
import { UNIT_SHEET } from '../src/org/import-units-columns.js';
import { mergeUnits } from '../src/org/merge-units.js';
import { moveUnit } from '../src/org/move-unit.js';
import { MAX_UNIT_LEVEL, TREE_WALK_LIMIT, unitLevel } from '../src/org/unit-depth.js';
import { loadUnit } from '../src/org/unit-queries.js';
import type { StaffActor } from '../src/shared/context.js';
import { systemActor } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const onPostgres = process.env.MOTCUA_TEST_DB === 'postgres';
const TOO_DEEP = 'Cây đơn vị có tối đa 10 cấp (tỉnh là cấp 1); sau thao tác này sẽ có đơn vị ở cấp 11.';

/** `n` divisions, each under the one before, below `parentId`: their ids, top first. */
async function chain(actor: StaffActor, parentId: string, n: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= n; i++) {
    ids.push((await createUnit(t.database.db, actor, ids.at(-1) ?? parentId, { name: `${prefix} ${i}`, kind: 'division' })).id);
  }
  return ids;
}

async function counts() {
  const [u] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(units);
  const [a] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
  return { units: u!.n, audit: a!.n };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof AppError ? { code: e.code, message: e.message, status: e.status } : e),
  );

describe('depth of the unit tree', () => {
  it('keeps the limit well inside the tree walks', () => {
    expect(MAX_UNIT_LEVEL).toBe(10);
    expect(TREE_WALK_LIMIT).toBeGreaterThan(MAX_UNIT_LEVEL * 2);
  });

  it('a department administrator cannot create a unit below level 10; the province administrator sees the deepest', async () => {
    const sctAdmin = await actorFor(t.database, 'admin.sct');
    const provinceAdmin = await actorFor(t.database, 'quantri1');
    // Sở Công Thương is level 2: eight divisions below it reach level 10.
    const ids = await chain(sctAdmin, t.unitIds.sct!, 8, 'Tổ công tác');
    const deepest = ids.at(-1)!;
    expect(await canAdministerUnit(t.database.db, provinceAdmin, deepest)).toBe(true);

    const before = await counts();
    const refused = await refusal(createUnit(t.database.db, sctAdmin, deepest, { name: 'Tổ công tác 9', kind: 'division' }));
    expect(refused).toEqual({ code: 'unit_too_deep', message: TOO_DEEP, status: 409 });
    expect(await counts()).toEqual(before);

    // The screen shows the same message on the unit's page, and writes nothing either.
    const c = new Client(t.app, '203.0.113.61');
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const res = await c.post(
      `/tiepnhan/quan-tri/don-vi/${deepest}/don-vi-con`,
      { name: 'Tổ công tác 9', kind: 'division' },
      { csrfFrom: `/tiepnhan/quan-tri/don-vi?dv=${deepest}` },
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain('Cây đơn vị có tối đa 10 cấp (tỉnh là cấp 1)');
    expect((await counts()).units).toBe(before.units);
  });

  it('a move counts the moved subtree: its deepest unit may not go below level 10', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const branch = await chain(root, t.unitIds.sct!, 3, 'Nhánh'); // levels 3, 4, 5
    const ladder = await chain(root, t.unitIds.snv!, 6, 'Bậc'); // levels 3 … 8
    const before = await counts();
    // Under level 8, the branch's three levels would end at level 11.
    const refused = await refusal(moveUnit(t.database.db, root, branch[0]!, ladder[5]!, new Date()));
    expect(refused).toEqual({ code: 'unit_too_deep', message: TOO_DEEP, status: 409 });
    expect((await loadUnit(t.database.db, branch[0]!))!.parentId).toBe(t.unitIds.sct);
    expect(await counts()).toEqual(before);
    // Under level 7 they end at level 10: allowed.
    await moveUnit(t.database.db, root, branch[0]!, ladder[4]!, new Date());
    expect((await loadUnit(t.database.db, branch[0]!))!.parentId).toBe(ladder[4]);
  });

  it('a merge counts the sub-units that go to the target', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const branch = await chain(root, t.unitIds.sct!, 3, 'Nhánh'); // levels 3, 4, 5: two levels below the source
    const ladder = await chain(root, t.unitIds.snv!, 7, 'Bậc'); // levels 3 … 9
    const before = await counts();
    const refused = await refusal(mergeUnits(t.database.db, root, branch[0]!, ladder[6]!, new Date()));
    expect(refused).toEqual({ code: 'unit_too_deep', message: TOO_DEEP, status: 409 });
    expect(await loadUnit(t.database.db, branch[0]!)).toMatchObject({ active: true, parentId: t.unitIds.sct, mergedIntoId: null });
    expect(await counts()).toEqual(before);
    // Into level 8 the sub-units land at levels 9 and 10: allowed.
    await mergeUnits(t.database.db, root, branch[0]!, ladder[5]!, new Date());
    expect((await loadUnit(t.database.db, branch[2]!))!.parentId).toBe(branch[1]);
    expect((await loadUnit(t.database.db, branch[1]!))!.parentId).toBe(ladder[5]);
  });

  it('the import refuses the row that creates or moves a unit below level 10, and writes nothing', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await chain(root, t.unitIds.snv!, 7, 'Bậc'); // levels 3 … 9
    const sheet = [
      'Tên đơn vị,Đơn vị cấp trên,Mã định danh điện tử,Loại đơn vị',
      'Tổ A,Bậc 7,,Phòng ban', // level 10: allowed
      'Tổ B,Tổ A,,Phòng ban', // level 11
      'Sở Công Thương,Bậc 7,000.00.13.H10,Sở', // its divisions would be at level 11
      'Tổ C,Bậc 6,,Phòng ban', // level 9: allowed
    ].join('\n');
    const before = await counts();
    const report = await importUnits(
      t.database.db,
      systemActor('test:import-units'),
      await readTable(new TextEncoder().encode(sheet), UNIT_SHEET),
      { apply: true, now: new Date() },
    );
    expect(report.applied).toBe(false);
    const why = Object.fromEntries(report.rows.map((r) => [r.line, { status: r.status, details: r.details.join(' ') }]));
    expect(why[2]!.status).toBe('created');
    expect(why[3]).toEqual({ status: 'refused', details: TOO_DEEP });
    expect(why[4]).toEqual({ status: 'refused', details: TOO_DEEP });
    expect(why[5]!.status).toBe('created');
    expect(await counts()).toEqual(before);
    expect((await loadUnit(t.database.db, t.unitIds.sct!))!.parentId).toBe(t.unitIds.tinh);
  });

  it.skipIf(!onPostgres)('a creation waits for a move under way and sees how deep it went', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const ladder = await chain(root, t.unitIds.sct!, 7, 'Bậc'); // levels 3 … 9
    const step = (await createUnit(t.database.db, root, t.unitIds.snv!, { name: 'Bệ', kind: 'division' })).id; // level 3
    let moved!: () => void;
    let release!: () => void;
    const movedNow = new Promise<void>((r) => (moved = r));
    const held = new Promise<void>((r) => (release = r));
    // The ladder moved under a level-3 unit: its last rung at level 10, committed only when released.
    const move = t.database.db.transaction(async (tx) => {
      await moveUnit(tx, root, ladder[0]!, step, new Date());
      moved();
      await held;
    });
    await movedNow;
    const creation = refusal(createUnit(t.database.db, root, ladder[6]!, { name: 'Tổ cuối', kind: 'division' }));
    await new Promise((r) => setTimeout(r, 300));
    release();
    await move;
    expect(await creation).toEqual({ code: 'unit_too_deep', message: TOO_DEEP, status: 409 });
    const made = await t.database.db
      .select()
      .from(units)
      .where(and(eq(units.name, 'Tổ cuối')));
    expect(made).toHaveLength(0);
  });

  it('an import whose final tree is within the limit is applied, whatever the order of its rows (a later row lifting an earlier row’s parent)', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const db = t.database.db;
    // A ladder under Sở Nội vụ: levels 3 … 9; its second rung has a code.
    const ladder: string[] = [];
    for (let i = 1; i <= 7; i++) {
      const code = i === 2 ? '000.77.02.H10' : undefined;
      ladder.push(
        (await createUnit(db, root, ladder.at(-1) ?? t.unitIds.snv!, { name: `Bậc ${i}`, kind: 'division', agencyCode: code })).id,
      );
    }
    // A small branch under Sở Công Thương: levels 3 … 5.
    const x = await createUnit(db, root, t.unitIds.sct!, { name: 'Nhóm X', kind: 'division', agencyCode: '000.77.03.H10' });
    const y = await createUnit(db, root, x.id, { name: 'Nhóm Y', kind: 'division' });
    await createUnit(db, root, y.id, { name: 'Nhóm Z', kind: 'division' });
    const [tinh] = await db.select().from(units).where(eq(units.id, t.unitIds.tinh!));
    const sheet = [
      'Tên đơn vị,Đơn vị cấp trên,Mã định danh điện tử,Loại đơn vị',
      'Nhóm X,Bậc 7,000.77.03.H10,Phòng ban', // under Bậc 7: level 10 now, 8 once Bậc 2 moves up
      `Bậc 2,${tinh!.name},000.77.02.H10,Phòng ban`, // Bậc 2 from level 4 to level 2
    ].join('\n');
    const rows = await readTable(new TextEncoder().encode(sheet), UNIT_SHEET);
    const dry = await importUnits(db, systemActor('test:import'), rows, { apply: false, now: new Date() });
    expect(dry.rows.map((r) => r.status)).not.toContain('refused');
    // The final tree: X at level 8 and Nhóm Z at level 10 — within the limit.
    const report = await importUnits(db, systemActor('test:import'), rows, { apply: true, now: new Date() }).catch((e: unknown) => e);
    expect(report, JSON.stringify(report)).toMatchObject({ applied: true });
    expect(await unitLevel(db, x.id)).toBe(8);
  });
});
