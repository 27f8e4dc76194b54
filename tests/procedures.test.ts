import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { auditLog, procedureVersions, procedures, units } from '../src/db/schema/index.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { receiveAtCounter } from './support/reception.js';
import { procedureForm } from './support/procedure-form.js';
import { procedureFormValues, procedureInputOf } from '../src/procedures/procedure-form.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();

const current = (code: string) => currentProcedure(t.database, code);

const formOf = (v: typeof procedureVersions.$inferSelect, code: string, over: Record<string, unknown> = {}) => procedureForm(code, v, over);

describe('procedure catalog', () => {
  it("a new version's audit row names the procedure saved, not a code the form sent", async () => {
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    await saveProcedure(t.database.db, admin, p.id, formOf(v, '9.999999'));
    const [row] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'procedure.new_version'), eq(auditLog.targetId, p.id)));
    expect(row!.data).toMatchObject({ code: '2.000633', version: 2 });
    expect((await current('2.000633')).v.version).toBe(2);
  });

  it('stores a new code in capitals: another spelling of it is the same code, refused beside the field', async () => {
    const { v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const local = (code: string) => formOf(v, code, { name: 'Thủ tục địa phương thử nghiệm' });
    const saved = await saveProcedure(t.database.db, admin, null, local(' 1.001234.000.00.00.h10 '));
    const [stored] = await t.database.db.select().from(procedures).where(eq(procedures.id, saved.procedureId));
    expect(stored!.code).toBe('1.001234.000.00.00.H10');
    for (const code of ['1.001234.000.00.00.H10', '1.001234.000.00.00.h10']) {
      const twin = await saveProcedure(t.database.db, admin, null, local(code)).catch((e: AppError) => e);
      expect(twin).toMatchObject({ code: 'procedure_code_taken', status: 409, fields: { code: 'Mã thủ tục đã tồn tại.' } });
    }
    expect((await current('1.001234.000.00.00.H10')).p.id).toBe(saved.procedureId);
  });

  it("refuses another province's local code as the import does, beside the field", async () => {
    const { v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const foreign = await saveProcedure(
      t.database.db,
      admin,
      null,
      formOf(v, '1.001234.000.00.00.h11', { name: 'Thủ tục của tỉnh khác' }),
    ).catch((e: AppError) => e);
    expect(foreign).toMatchObject({
      code: 'validation_failed',
      status: 400,
      fields: { code: 'Mã thủ tục 1.001234.000.00.00.H11 là thủ tục của tỉnh khác (mã của tỉnh này kết thúc bằng .H10).' },
    });
  });

  it('refuses a receiving unit without an electronic agency code (its dossiers could get no code), beside the field', async () => {
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const division = t.unitIds['sct-qltm']!;
    for (const [id, code] of [
      [p.id, p.code],
      [null, '1.009999.000.00.00.H10'],
    ] as const) {
      const refused = await saveProcedure(t.database.db, admin, id, formOf(v, code, { unitId: division })).catch((e: AppError) => e);
      expect(refused).toMatchObject({ code: 'validation_failed', status: 400 });
      expect((refused as AppError).fields?.unitId).toContain('chưa có mã định danh điện tử');
    }
    expect((await current('2.000633')).v.version).toBe(v.version);
  });

  it('refuses an inactive receiving unit beside the field: its procedures would be offered nowhere', async () => {
    const { p, v } = await current('2.000633');
    const root = await actorFor(t.database, 'quantri1');
    const other = t.unitIds.snv!;
    // Closed (as set-unit-active.ts leaves a unit once its accounts and sub-units are moved).
    await t.database.db.update(units).set({ active: false }).where(eq(units.id, other));
    const refused = await saveProcedure(t.database.db, root, p.id, formOf(v, p.code, { unitId: other, version: String(v.version) })).catch(
      (e: AppError) => e,
    );
    expect(refused).toMatchObject({ code: 'validation_failed', status: 400 });
    expect((refused as AppError).fields?.unitId).toContain('đã ngừng hoạt động');
    expect((await current('2.000633')).v.version).toBe(v.version);
  });

  it('a new version applies to new dossiers; received ones keep theirs', async () => {
    const { p, v } = await current('2.000633');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const before = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Người Nộp Cũ' });
    const admin = await actorFor(t.database, 'admin.sct');
    const v2 = await saveProcedure(
      t.database.db,
      admin,
      p.id,
      formOf(v, p.code, { limit: '12', documents: 'Đơn đề nghị\nBản sao hợp đồng (nếu có)' }),
    );
    expect(v2).toMatchObject({ version: 2, workingDays: 12, current: true });
    expect(v2.documents).toEqual([
      { name: 'Đơn đề nghị', required: true, copies: 1 },
      { name: 'Bản sao hợp đồng', required: false, copies: 1 },
    ]);
    const after = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Người Nộp Mới' });
    expect(before.procedureVersionId).toBe(v.id);
    expect(after.procedureVersionId).toBe(v2.id);
    const versions = await t.database.db.select().from(procedureVersions).where(eq(procedureVersions.procedureId, p.id));
    expect(versions.filter((x) => x.current)).toHaveLength(1);
  });

  it('keeps the units of a version posted in capitals as PostgreSQL spells them', async () => {
    // The steps are jsonb compared as text with the units' ids (the inbox's rule): an id in capitals would name no unit.
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const upper = formOf(v, p.code, {
      sectorId: v.sectorId.toUpperCase(),
      unitId: v.unitIds[0]!.toUpperCase(),
      steps: v.steps.map((s) => ({
        name: s.name,
        unitId: (s.unitId ?? v.unitIds[0]!).toUpperCase(),
        role: s.role,
        share: String(s.share),
      })),
    });
    const saved = await saveProcedure(t.database.db, admin, p.id, upper);
    expect(saved.unitIds).toEqual(v.unitIds);
    expect(saved.steps.map((s) => s.unitId)).toEqual(v.steps.map((s) => s.unitId ?? v.unitIds[0]));
    expect(saved.steps.every((s) => s.unitId === s.unitId?.toLowerCase())).toBe(true);
  });

  it('checks the process and the scope', async () => {
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const noApproval = await saveProcedure(
      t.database.db,
      admin,
      p.id,
      formOf(v, p.code, {
        steps: v.steps
          .filter((s) => s.role !== 'approval')
          .map((s) => ({ name: s.name, unitId: s.unitId, role: s.role, share: String(s.share) })),
      }),
    ).catch((e: AppError) => e);
    expect((noApproval as AppError).fields?.steps).toContain('phê duyệt');
    const tooLong = await saveProcedure(t.database.db, admin, p.id, formOf(v, p.code, { limit: '1' })).catch((e: AppError) => e);
    expect((tooLong as AppError).fields?.steps).toContain('vượt thời hạn');
    const snv = await actorFor(t.database, 'admin.snv');
    const other = await saveProcedure(t.database.db, snv, p.id, formOf(v, p.code)).catch((e: AppError) => e);
    expect((other as AppError).status).toBe(404);
  });

  it('the form as the page fills it saves the version it came from unchanged (the page and its input share one mapping)', async () => {
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const v2 = await saveProcedure(t.database.db, admin, p.id, formOf(v, p.code, { version: String(v.version) }));
    // What a version is, apart from its identity (id, number, who saved it when, current).
    const same = ({ id: _id, version: _n, createdAt: _at, createdBy: _by, current: _cur, ...rest }: typeof v) => rest;
    expect(v2.version).toBe(v.version + 1);
    expect(same(v2)).toEqual(same(v));
  });

  it("a step's narrowed actions survive a save; a step whose role changes, or a list naming another role's action, allows what its role allows", async () => {
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const approval = v.steps.findIndex((s) => s.role === 'approval');
    expect(v.steps[approval]!.actions).toEqual(['approve', 'return', 'refuse']);
    const kept = await saveProcedure(t.database.db, admin, p.id, formOf(v, p.code, { fee: '1000', version: String(v.version) }));
    expect(kept.steps[approval]!.actions).toEqual(['approve', 'return', 'refuse']);
    // The reception step made a processing one: its list (accept…) names no processing action.
    const flat = procedureFormValues(p.code, kept);
    const roleChanged = await saveProcedure(
      t.database.db,
      admin,
      p.id,
      procedureInputOf({ ...flat, version: String(kept.version), 'steps.1.role': 'approval', 'steps.2.actions': 'approve,record_result' }),
    );
    expect(roleChanged.steps[1]!.actions).toEqual([]);
    expect(roleChanged.steps[2]!.actions).toEqual([]);
    expect(roleChanged.steps[0]!.actions).toEqual(['accept', 'handover', 'request_supplement', 'refuse']);
  });

  it('over HTTP: the list and the form', async () => {
    const c = new Client(t.app);
    await c.login('admin.sct', TEST_PASSWORD);
    const list = await c.get('/tiepnhan/quan-tri/thu-tuc?q=ruou');
    expect(list.text).toContain('Cấp Giấy phép bán lẻ sản phẩm rượu');
    const { p } = await current('2.000633');
    const form = await c.get(`/tiepnhan/quan-tri/thu-tuc/${p.id}`);
    expect(form.text).toContain('Quy trình nội bộ');
    expect(form.text).toContain('Phiên bản 1');
    // The approval step's narrowing is named and carried by the form.
    expect(form.text).toContain('Chỉ cho phép: Phê duyệt, Trả lại bước trước, Từ chối giải quyết');
    expect(form.text).toMatch(/name="steps\.2\.actions" value="approve,return,refuse"/);
  });

  it('bounds the documents and the fee note as the catalog import does (the reception checklist reads 100 documents)', async () => {
    const { p, v } = await current('2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const refused = (over: Record<string, unknown>) =>
      saveProcedure(t.database.db, admin, p.id, formOf(v, p.code, over)).catch((e: AppError) => e) as Promise<AppError>;
    const many = Array.from({ length: 101 }, (_, i) => `Giấy tờ số ${i + 1}`).join('\n');
    expect((await refused({ documents: many })).fields?.documents).toBe('Thành phần hồ sơ tối đa 100 giấy tờ (đang có 101).');
    expect((await refused({ documents: `Đơn ${'x'.repeat(1000)}` })).fields?.documents).toContain('tối đa 1000 ký tự');
    expect((await refused({ feeNote: 'y'.repeat(2001) })).fields?.feeNote).toBe('Ghi chú lệ phí tối đa 2000 ký tự.');
    expect((await current('2.000633')).v.version).toBe(v.version);
    const hundred = Array.from({ length: 100 }, (_, i) => `Giấy tờ số ${i + 1}`).join('\n');
    expect((await saveProcedure(t.database.db, admin, p.id, formOf(v, p.code, { documents: hundred }))).documents).toHaveLength(100);
  });

  it('a save from a page older than the current version is refused, not a silent undo of the newer one', async () => {
    const { p, v } = await current('2.000633');
    const path = `/tiepnhan/quan-tri/thu-tuc/${p.id}`;
    const a = new Client(t.app);
    await a.login('admin.sct', TEST_PASSWORD);
    const page = await a.get(path);
    expect(page.text).toContain('name="version" value="1"');
    // The form as the page sends it: flat fields, the steps as steps.N.field.
    const flat = (over: Record<string, string>) => {
      const { steps, ...rest } = formOf(v, p.code, over) as ReturnType<typeof formOf> & { steps: Record<string, string>[] };
      const out: Record<string, string> = { version: '1', ...(rest as Record<string, string>) };
      steps.forEach((st, i) => {
        for (const [k, x] of Object.entries(st)) out[`steps.${i}.${k}`] = x;
      });
      return out;
    };
    const first = await a.post(path, flat({ limit: '12' }), { csrfFrom: path });
    // Post/Redirect/Get: the save lands on the procedure's page, whose reload reads again and saves nothing.
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`${path}?tb=da-luu-2`);
    const landing = await a.get(`${path}?tb=da-luu-2`);
    expect(landing.text).toContain('Đã lưu phiên bản 2');
    expect(landing.text).toContain('name="version" value="2"');
    expect((await a.get(`${path}?tb=constructor`)).status).toBe(200);
    // An address naming a version that is not the current one says nothing.
    expect((await a.get(`${path}?tb=da-luu-999999`)).text).not.toContain('Đã lưu phiên bản');
    expect((await a.get(`${path}?tb=da-luu-1`)).text).not.toContain('Đã lưu phiên bản');
    // Another tab still showing version 1: refused with what happened; version 2 stays current.
    const stale = await a.post(path, flat({ fee: '50000' }), { csrfFrom: path });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Thủ tục vừa được cập nhật thành phiên bản 2');
    // The refusal names the procedure's page, where a GET shows it again (post-answer.ts); the GET names none.
    expect(stale.text).toContain(`<meta name="motcua-address" content="${path}"`);
    expect(page.text).not.toContain('motcua-address');
    const now = await current('2.000633');
    expect([now.v.version, now.v.workingDays, now.v.fee]).toEqual([2, 12, v.fee]);
    const forged = await a.post(path, flat({ version: 'x' }), { csrfFrom: path });
    expect(forged.status).toBe(400);
  });
});
