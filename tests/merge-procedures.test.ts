/**
 * A merge moves the merged unit's procedures to the unit it merged into (org/merge-procedures.ts): a new version of
 * each current version that named it, as its receiving agency or as a step's unit, audited like a save; dossiers
 * already received keep their version. And whatever made an agency inactive (a merge, set-unit-active), neither the
 * counter's list nor the public catalog offers a procedure it receives: what they list is what reception opens.
 */
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { auditLog, procedureVersions, units } from '../src/db/schema/index.js';
import { mergeUnits } from '../src/org/merge-units.js';
import { setUnitActive } from '../src/org/set-unit-active.js';
import { createUnit } from '../src/org/create-unit.js';
import { receivableProcedures } from '../src/dossiers/receivable-procedures.js';
import { catalogFilters, loadCatalogProcedure, searchCatalogSql } from '../src/catalog/list-catalog.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { queryRows } from '../src/db/client.js';
import type { StaffActor } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';

const t = useDemoApp();

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

/** Every procedure the SQL catalog lists (one page holds the demo's). */
async function catalogIds(unitId?: string) {
  const page = await searchCatalogSql(t.database.db, { limit: 500, ...(unitId ? { unitId } : {}) });
  return page.items.map((e) => e.procedureId);
}

/** Every procedure the in-memory catalog serves (GET /api/v1/procedures). */
async function apiIds(unitId?: string) {
  const res = await t.app.request(`http://localhost/api/v1/procedures?limit=100${unitId ? `&unitId=${unitId}` : ''}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Array<{ id: string }>).map((p) => p.id);
}

const receive = (clerk: StaffActor, procedureId: string) =>
  receiveAtCounter(t.database.db, clerk, { procedureId, channel: '1', fullName: 'Trần Văn Sáp Nhập' });

describe('a merge moves the procedures of the merged unit', () => {
  it('merging an agency: its procedures name the survivor in a new version, are offered and received there', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const before = await currentProcedure(t.database, '2.000190');
    expect(before.v.unitIds[0]).toBe(t.unitIds.sct);
    // A dossier received under the old version keeps it.
    const old = await receive(clerk, before.p.id);
    const named = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from procedure_versions where current and unit_ids @> ${JSON.stringify([t.unitIds.sct])}::jsonb`,
    );

    const res = await mergeUnits(t.database.db, root, t.unitIds.sct!, t.unitIds.skhdt!, new Date());

    expect(res.movedProcedures).toBe(named[0]!.n);
    const after = await currentProcedure(t.database, '2.000190');
    expect(after.v.version).toBe(before.v.version + 1);
    expect(after.v.unitIds).toEqual([t.unitIds.skhdt]);
    // The steps named the Sở's divisions, which moved with it and are live: unchanged.
    expect(after.v.steps).toEqual(before.v.steps);
    expect({ ...after.v, id: 0, version: 0, unitIds: 0, createdAt: 0, createdBy: 0 }).toEqual({
      ...before.v,
      id: 0,
      version: 0,
      unitIds: 0,
      createdAt: 0,
      createdBy: 0,
    });
    // The old version is history, unchanged, and the dossier received under it keeps it.
    const [oldVersion] = await t.database.db.select().from(procedureVersions).where(eq(procedureVersions.id, before.v.id));
    expect(oldVersion).toMatchObject({ current: false, unitIds: [t.unitIds.sct] });
    const [{ version_id } = { version_id: '' }] = await queryRows<{ version_id: string }>(
      t.database.db,
      sql`select procedure_version_id as version_id from dossiers where id = ${old.id}`,
    );
    expect(version_id).toBe(before.v.id);
    // Audited like a save on the procedure's screen.
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'procedure.new_version'), eq(auditLog.targetId, before.p.id)));
    expect(audit).toMatchObject({ unitId: t.unitIds.skhdt, data: { code: '2.000190', version: after.v.version, source: 'unit.merge' } });
    const [merge] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'unit.merge'));
    expect(merge!.data).toMatchObject({ movedProcedures: res.movedProcedures });
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);

    // The clerk who moved is offered it, and the reception opens, at the survivor.
    expect((await receivableProcedures(t.database.db, clerk)).map((o) => o.id)).toContain(before.p.id);
    const dossier = await receive(clerk, before.p.id);
    expect(dossier.agencyUnitId).toBe(t.unitIds.skhdt);
    expect(dossier.procedureVersionId).toBe(after.v.id);
    // The catalog lists it under the survivor; the merged Sở is no longer a Cơ quan to filter by.
    expect(await catalogIds(t.unitIds.skhdt)).toContain(before.p.id);
    expect(await apiIds(t.unitIds.skhdt)).toContain(before.p.id);
    expect(await catalogIds(t.unitIds.sct)).toEqual([]);
    expect((await catalogFilters(t.database.db)).units.map((u) => u.id)).not.toContain(t.unitIds.sct);
  });

  it('merging a unit that is a step unit but no agency: the steps name the survivor, the agency stays', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const before = await currentProcedure(t.database, '2.000190');
    const qltmStep = before.v.steps.findIndex((s) => s.unitId === t.unitIds['sct-qltm']);
    expect(qltmStep).toBeGreaterThanOrEqual(0);
    expect(before.v.unitIds).not.toContain(t.unitIds['sct-qltm']);

    await mergeUnits(t.database.db, root, t.unitIds['sct-qltm']!, t.unitIds['sct-qlcn']!, new Date());

    const after = await currentProcedure(t.database, '2.000190');
    expect(after.v.version).toBe(before.v.version + 1);
    expect(after.v.unitIds).toEqual(before.v.unitIds);
    expect(after.v.steps.map((s) => s.unitId)).toEqual(
      before.v.steps.map((s) => (s.unitId === t.unitIds['sct-qltm'] ? t.unitIds['sct-qlcn'] : s.unitId)),
    );
    const [{ n } = { n: -1 }] = await queryRows<{ n: number }>(
      t.database.db,
      sql`select count(*)::int as n from procedure_versions v where v.current
          and exists (select 1 from jsonb_array_elements(v.steps) s where s ->> 'unitId' = ${t.unitIds['sct-qltm']})`,
    );
    expect(n).toBe(0);
    // A procedure that never named it keeps its version.
    expect((await currentProcedure(t.database, '1.001612')).v.version).toBe(1);
  });

  it('refuses, naming the procedure, a merge whose new versions the administrator could not save, and changes nothing', async () => {
    const sctAdmin = await actorFor(t.database, 'admin.sct');
    const p = await currentProcedure(t.database, '2.000190');
    // Its approval at the Sở Nội vụ, which the Sở Công Thương's administrator does not administer.
    const steps = p.v.steps.map((s) => (s.role === 'approval' ? { ...s, unitId: t.unitIds['snv-vp']! } : s));
    await t.database.db.update(procedureVersions).set({ steps }).where(eq(procedureVersions.id, p.v.id));

    const err = await mergeUnits(t.database.db, sctAdmin, t.unitIds['sct-qltm']!, t.unitIds['sct-qlcn']!, new Date()).catch(
      (e: AppError) => e,
    );
    expect(err).toMatchObject({ code: 'unit_merge_procedures_out_of_scope', status: 409 });
    expect((err as AppError).message).toContain('2.000190');
    expect((err as AppError).message.normalize('NFC')).toBe((err as AppError).message);
    expect((await currentProcedure(t.database, '2.000190')).v.id).toBe(p.v.id);
    const [qltm] = await t.database.db.select().from(units).where(eq(units.id, t.unitIds['sct-qltm']!));
    expect(qltm!.active).toBe(true);
  });
});

describe('a merge into a unit without an agency code', () => {
  it('is refused, naming the procedures it would receive, and changes nothing; a procedure of an uncoded agency is offered nowhere', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const target = (await createUnit(t.database.db, root, t.unitIds.tinh!, { name: 'Sở Chưa Có Mã', kind: 'department' })) as {
      id: string;
    };
    const before = await currentProcedure(t.database, '2.000190');
    const refused = await mergeUnits(t.database.db, root, t.unitIds.sct!, target.id, new Date()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect([(refused as AppError).status, (refused as AppError).code]).toEqual([409, 'unit_merge_target_uncoded']);
    expect((refused as AppError).message).toContain('2.000190');
    expect((await currentProcedure(t.database, '2.000190')).v.version).toBe(before.v.version);
    const [sct] = await t.database.db.select().from(units).where(eq(units.id, t.unitIds.sct!));
    expect(sct!.active).toBe(true);
    // An agency whose code is taken away (by hand, in the database) receives nothing: offered neither at the counter
    // nor in the catalog, as reception refuses it (agency_code_missing).
    await t.database.db.update(units).set({ agencyCode: null }).where(eq(units.id, t.unitIds.sct!));
    const clerk = await actorFor(t.database, sctClerkUsername());
    expect((await receivableProcedures(t.database.db, clerk)).map((p) => p.id)).not.toContain(before.p.id);
    expect(await catalogIds()).not.toContain(before.p.id);
    expect(await apiIds()).not.toContain(before.p.id);
    expect(
      await receive(clerk, before.p.id).then(
        () => 'ok',
        (e: AppError) => e.code,
      ),
    ).toBe('agency_code_missing');
  });
});

describe('an inactive agency offers no procedure', () => {
  it('set-unit-active(false) on an agency: the counter and the catalog no longer offer its procedures; reception refuses', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const agency = await createUnit(t.database.db, root, t.unitIds.tinh!, {
      name: 'Sở Thử nghiệm',
      kind: 'department',
      agencyCode: '000.00.20.H10',
    });
    const p = await currentProcedure(t.database, '2.000190');
    // The procedure received by the new agency; its steps stay at the Sở Công Thương's office, where the clerk is.
    await t.database.db
      .update(procedureVersions)
      .set({ unitIds: [agency.id] })
      .where(eq(procedureVersions.id, p.v.id));
    expect((await receivableProcedures(t.database.db, clerk)).map((o) => o.id)).toContain(p.p.id);
    expect(await catalogIds(agency.id)).toEqual([p.p.id]);
    expect(await apiIds(agency.id)).toEqual([p.p.id]);
    expect((await catalogFilters(t.database.db)).units.map((u) => u.id)).toContain(agency.id);

    await setUnitActive(t.database.db, root, agency.id, false, new Date());

    expect((await receivableProcedures(t.database.db, clerk)).map((o) => o.id)).not.toContain(p.p.id);
    expect(await outcome(receive(clerk, p.p.id))).toBe('unit_inactive');
    expect(await catalogIds()).not.toContain(p.p.id);
    expect(await apiIds()).not.toContain(p.p.id);
    expect(await apiIds(agency.id)).toEqual([]);
    expect((await catalogFilters(t.database.db)).units.map((u) => u.id)).not.toContain(agency.id);
    expect(await outcome(loadCatalogProcedure(t.database.db, p.p.id))).toBe('not_found');
    const page = await t.app.request(`http://localhost/thu-tuc?unitId=${agency.id}`);
    expect(await page.text()).not.toContain('Cấp Giấy phép kinh doanh sản phẩm thuốc lá');
  });

  it('what the counter and the catalog list agrees with what reception opens, for every current procedure', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const clerk = await actorFor(t.database, sctClerkUsername());
    // One agency closed without a merge: two of the clerk's procedures now name it.
    const agency = await createUnit(t.database.db, root, t.unitIds.tinh!, {
      name: 'Sở Đóng cửa',
      kind: 'department',
      agencyCode: '000.00.21.H10',
    });
    const a = await currentProcedure(t.database, '2.000190');
    const b = await currentProcedure(t.database, '2.000181');
    await t.database.db
      .update(procedureVersions)
      .set({ unitIds: [agency.id] })
      .where(sql`${procedureVersions.id} in (${a.v.id}, ${b.v.id})`);
    await setUnitActive(t.database.db, root, agency.id, false, new Date());

    // The check that opens: receiveDossier reads the current version's first unit and refuses it inactive.
    const versions = await t.database.db.select().from(procedureVersions).where(eq(procedureVersions.current, true));
    const active = new Map((await t.database.db.select().from(units)).map((u) => [u.id, u.active]));
    const opens = new Set(versions.filter((v) => active.get(v.unitIds[0]!)).map((v) => v.procedureId));
    expect(opens.size).toBeLessThan(versions.length);
    expect(new Set(await catalogIds())).toEqual(opens);
    expect(new Set(await apiIds())).toEqual(opens);

    const offered = new Set((await receivableProcedures(t.database.db, clerk)).map((o) => o.id));
    for (const v of versions) {
      const got = await outcome(receive(clerk, v.procedureId));
      // Offered: received. Not offered: refused — and refused as inactive exactly when the agency is.
      expect({ code: v.procedureId, got: got === 'ok' }).toEqual({ code: v.procedureId, got: offered.has(v.procedureId) });
      expect({ code: v.procedureId, inactive: got === 'unit_inactive' }).toEqual({
        code: v.procedureId,
        inactive: !opens.has(v.procedureId),
      });
    }
  });
});
