import ExcelJS from 'exceljs';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { readTable } from '../src/accounts/read-sheet.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { auditLog, procedureVersions, procedures, sectors } from '../src/db/schema/index.js';
import { importCatalog } from '../src/procedures/import-catalog.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { CATALOG_SHEET } from '../src/procedures/import-catalog-columns.js';
import { systemActor } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { procedureForm } from './support/procedure-form.js';

const t = useDemoApp();

const HEADERS = [
  'STT',
  'Mã thủ tục',
  'Tên thủ tục',
  'Cấp thực hiện',
  'Lĩnh vực',
  'Mức độ',
  'Cơ quan thực hiện',
  'Thời hạn giải quyết',
  'Phí, lệ phí',
  'Thành phần hồ sơ',
];

/** A new procedure as the national database exports it: local code, new sector, bullets, "(nếu có)". */
const NEW_ROW = [
  '1',
  '1.001234.000.00.00.H10',
  'Cấp Giấy phép kinh doanh tạm nhập, tái xuất hàng hóa',
  'Cấp Tỉnh',
  'Thương mại quốc tế',
  'Toàn trình',
  'Sở Công Thương tỉnh Bình Phước',
  '15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ',
  'Lệ phí: 200.000 đồng/giấy phép',
  'Thành phần hồ sơ:\n- Đơn đề nghị cấp giấy phép;\n- Bản sao Giấy chứng nhận đăng ký doanh nghiệp\n- Báo cáo tình hình kinh doanh (nếu có)\nSố lượng hồ sơ: 01 bộ',
];

async function xlsx(rows: Array<Array<string | ExcelJS.CellValue>>, title = true) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('TTHC');
  if (title) ws.addRow(['DANH SÁCH THỦ TỤC HÀNH CHÍNH']);
  ws.addRow(HEADERS);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function run(bytes: Uint8Array, apply: boolean) {
  return importCatalog(t.database.db, systemActor('test:import-procedures'), await readTable(bytes, CATALOG_SHEET), {
    apply,
    now: new Date(),
  });
}

async function counts() {
  const n = async (table: typeof procedures | typeof procedureVersions | typeof sectors | typeof auditLog) =>
    (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
  return { procedures: await n(procedures), versions: await n(procedureVersions), sectors: await n(sectors), audit: await n(auditLog) };
}

/** The demo's 2.000633 as the export would list it, from its current version. */
async function demoRow(overrides: Partial<Record<number, string>> = {}) {
  const { v } = await currentProcedure(t.database, '2.000633');
  const [sector] = await t.database.db.select().from(sectors).where(eq(sectors.id, v.sectorId));
  const row = [
    '2',
    '2.000633',
    v.name,
    'Cấp Tỉnh',
    sector!.name,
    'Toàn trình',
    '000.00.13.H10',
    `${v.workingDays} ngày làm việc`,
    `${v.fee.toLocaleString('vi-VN')} đồng`,
    v.documents.map((d) => `${d.name}${d.required ? '' : ' (nếu có)'}`).join('\n'),
  ];
  for (const [i, value] of Object.entries(overrides)) row[Number(i)] = value!;
  return row;
}

const refusals = (report: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(report.rows.filter((r) => r.status === 'refused').map((r) => [r.line, r.details.join(' ')]));

describe('import of the procedure catalog', () => {
  it('dry run writes nothing; apply creates the procedure, its sector and a default process; re-import is a no-op', async () => {
    const file = await xlsx([NEW_ROW, await demoRow()]);
    const before = await counts();
    const dry = await run(file, false);
    // The demo version has no fee note; the export's fee text becomes one, the rest of the row is as it is.
    expect(dry.rows.map((r) => [r.line, r.status, r.details.length])).toEqual([
      [3, 'created', 1],
      [4, 'updated', 1],
    ]);
    expect(dry.rows[1]!.details[0]).toContain('phí, lệ phí');
    expect(dry.rows[0]!.details).toContain('lĩnh vực mới "Thương mại quốc tế"');
    expect(await counts()).toEqual(before);

    const applied = await run(file, true);
    expect(applied).toMatchObject({ applied: true, counts: { created: 1, updated: 1, refused: 0 } });
    const { v } = await currentProcedure(t.database, '1.001234.000.00.00.H10');
    expect(v).toMatchObject({
      version: 1,
      name: 'Cấp Giấy phép kinh doanh tạm nhập, tái xuất hàng hóa',
      unitIds: [t.unitIds.sct],
      workingDays: 15,
      workingHours: null,
      fee: 200_000,
      feeNote: 'Lệ phí: 200.000 đồng/giấy phép',
      onlineLevel: 'toan_trinh',
      createdBy: null,
    });
    expect(v.documents).toEqual([
      { name: 'Đơn đề nghị cấp giấy phép', required: true, copies: 1 },
      { name: 'Bản sao Giấy chứng nhận đăng ký doanh nghiệp', required: true, copies: 1 },
      { name: 'Báo cáo tình hình kinh doanh', required: false, copies: 1 },
    ]);
    expect(v.steps.map((s) => s.role)).toEqual(['reception', 'processing', 'approval', 'result']);
    expect(v.steps.reduce((n, s) => n + s.share, 0)).toBeLessThanOrEqual(15 + 1e-9);
    const actions = (await t.database.db.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['procedure.create', 'sector.create', 'procedure.import']));

    const afterApply = await counts();
    const again = await run(file, true);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(await counts()).toEqual({ ...afterApply, audit: afterApply.audit + 1 });
  });

  it('a changed row is a new version that keeps the process, tờ khai and templates; the old version stays for its dossiers', async () => {
    const old = await currentProcedure(t.database, '2.000633');
    const file = await xlsx([await demoRow({ 7: '07 ngày làm việc', 8: 'Lệ phí: 1.500.000 đồng/giấy phép' })]);
    const report = await run(file, true);
    expect(report.rows[0]).toMatchObject({ status: 'updated' });
    expect(report.rows[0]!.details.join(' ')).toContain('thời hạn → 7 ngày làm việc');
    expect(report.rows[0]!.details.join(' ')).toContain('chia lại theo thời hạn mới');
    const now = await currentProcedure(t.database, '2.000633');
    expect(now.v).toMatchObject({ version: old.v.version + 1, workingDays: 7, fee: 1_500_000, declaration: old.v.declaration });
    expect(now.v.steps.map((s) => [s.unitId, s.role])).toEqual(old.v.steps.map((s) => [s.unitId, s.role]));
    expect(now.v.steps.reduce((n, s) => n + s.share, 0)).toBeLessThanOrEqual(7 + 1e-9);
    expect(now.v.documents.map((d) => d.template ?? null)).toEqual(old.v.documents.map((d) => d.template ?? null));
    const [kept] = await t.database.db.select().from(procedureVersions).where(eq(procedureVersions.id, old.v.id));
    expect(kept).toMatchObject({ current: false, workingDays: old.v.workingDays, fee: old.v.fee });
    const [audit] = await t.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'procedure.new_version'), eq(auditLog.targetId, old.p.id)));
    expect(audit!.data).toMatchObject({ source: 'import', version: old.v.version + 1 });
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('refuses duplicate codes, unknown agencies, calendar days, bad or foreign codes, formulas, huge cells — and writes nothing', async () => {
    const before = await counts();
    const file = await xlsx([
      NEW_ROW,
      ['', '2.000111', 'Thủ tục thứ nhất trùng mã', '', 'Điện', 'Một phần', 'Sở Công Thương', '5 ngày làm việc', 'Không', 'Đơn'],
      ['', '2.000111', 'Thủ tục thứ hai trùng mã', '', 'Điện', 'Một phần', 'Sở Công Thương', '5 ngày làm việc', 'Không', 'Đơn'],
      ['', '2.000112', 'Thủ tục cơ quan lạ', '', 'Điện', 'Một phần', 'Sở Không Có', '5 ngày làm việc', 'Không', 'Đơn'],
      ['', '2.000113', 'Thủ tục ngày lịch', '', 'Điện', 'Một phần', 'Sở Công Thương', '30 ngày', 'Không', 'Đơn'],
      ['', 'ABC', 'Thủ tục mã sai', '', 'Điện', 'Một phần', 'Sở Công Thương', '5 ngày làm việc', 'Không', 'Đơn'],
      ['', '1.000001.000.00.00.H22', 'Thủ tục của tỉnh khác', '', 'Điện', 'Một phần', 'Sở Công Thương', '5 ngày làm việc', 'Không', 'Đơn'],
      ['', '2.000114', { formula: '1+1', result: 2 }, '', 'Điện', 'Một phần', 'Sở Công Thương', '5 ngày làm việc', 'Không', 'Đơn'],
      [
        '',
        '2.000115',
        'Thủ tục giấy tờ khổng lồ',
        '',
        'Điện',
        'Một phần',
        'Sở Công Thương',
        '5 ngày làm việc',
        'Không',
        'x'.repeat(100_000),
      ],
      ['', '2.000116', 'Thủ tục mức độ lạ', '', 'Điện', 'Mức độ 9', 'Sở Công Thương', '5 ngày làm việc', 'Không', 'Đơn'],
      await demoRow({ 6: 'Sở Nội vụ' }),
    ]);
    const report = await run(file, true);
    expect(report.applied).toBe(false);
    const why = refusals(report);
    expect(report.rows.find((r) => r.line === 3)!.status).toBe('created');
    expect(why[4]).toContain('trùng với dòng 5');
    expect(why[6]).toContain('Không tìm thấy cơ quan thực hiện "Sở Không Có"');
    expect(why[7]).toContain('tính theo ngày lịch');
    expect(why[8]).toContain('không đúng dạng');
    expect(why[9]).toContain('tỉnh khác');
    expect(why[10]).toContain('chứa công thức');
    expect(why[11]).toContain('dài quá 1000 ký tự');
    expect(report.rows.find((r) => r.line === 11)!.subject.length).toBeLessThan(100);
    expect(why[12]).toContain('Mức độ "Mức độ 9" không hợp lệ');
    expect(why[13]).toContain('Cơ quan thực hiện đổi từ "Sở Công Thương"');
    expect(await counts()).toEqual(before);

    const header = await readTable(new TextEncoder().encode('Mã,Tên\n1,2'), CATALOG_SHEET).catch((e: AppError) => e);
    expect((header as AppError).code).toBe('import_header');
    expect((header as AppError).message).toContain('"Mã thủ tục"');
    const huge = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x41);
    expect(((await readTable(huge, CATALOG_SHEET).catch((e: AppError) => e)) as AppError).code).toBe('import_too_large');
  });

  it('a code the screen saved in lower case is the same procedure to the import: updated, never a second one', async () => {
    const { v } = await currentProcedure(t.database, '2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    const typed = '1.001234.000.00.00.h10';
    const saved = await saveProcedure(t.database.db, admin, null, procedureForm(typed, v, { name: 'Thủ tục địa phương thử nghiệm' }));
    const [stored] = await t.database.db.select().from(procedures).where(eq(procedures.id, saved.procedureId));
    expect(stored!.code).toBe('1.001234.000.00.00.H10');
    const row = await demoRow({ 1: '1.001234.000.00.00.H10', 2: 'Thủ tục địa phương thử nghiệm (tên mới)' });
    const applied = await run(await xlsx([row]), true);
    expect(applied.rows[0]).toMatchObject({ status: 'updated' });
    const same = await t.database.db
      .select({ id: procedures.id })
      .from(procedures)
      .where(sql`upper(${procedures.code}) = '1.001234.000.00.00.H10'`);
    expect(same).toEqual([{ id: saved.procedureId }]);
    expect((await currentProcedure(t.database, '1.001234.000.00.00.H10')).v).toMatchObject({
      version: 2,
      name: 'Thủ tục địa phương thử nghiệm (tên mới)',
    });
  });

  it('a shorter limit never rescales a kept step to a share of 0; a process that cannot fit the new limit is refused as the screen would', async () => {
    const { v } = await currentProcedure(t.database, '2.000633');
    const fits = await run(await xlsx([await demoRow({ 7: '0,05 giờ làm việc' })]), true);
    expect(fits.rows[0], fits.rows[0]!.details.join(' ')).toMatchObject({ status: 'updated' });
    const now = await currentProcedure(t.database, '2.000633');
    expect(now.v).toMatchObject({ version: v.version + 1, workingHours: 0.05, workingDays: null });
    expect(now.v.steps).toHaveLength(v.steps.length);
    for (const s of now.v.steps) expect(s.share).toBeGreaterThan(0);
    expect(now.v.steps.reduce((n, s) => n + s.share, 0)).toBeLessThanOrEqual(0.05 + 1e-9);

    // Four steps of at least 0,01 giờ each do not fit 0,03 giờ: refused with the screen's words, nothing written.
    const before = await counts();
    const tight = await run(await xlsx([await demoRow({ 7: '0,03 giờ làm việc' })]), true);
    expect(tight.applied).toBe(false);
    expect(refusals(tight)[3]).toContain('Phiên bản mới không hợp lệ: Tổng thời gian các bước');
    expect(refusals(tight)[3]).toContain('vượt thời hạn giải quyết (0.03)');
    expect(await counts()).toEqual(before);
  });

  it('refuses an agency that has no electronic agency code (a division): none of its dossiers could get a code', async () => {
    const before = await counts();
    const division = [...NEW_ROW];
    division[1] = '1.009999.000.00.00.H10';
    division[6] = 'Quản lý Thương mại';
    const report = await run(await xlsx([division]), true);
    expect(report.applied).toBe(false);
    expect(refusals(report)[3]).toContain('"Quản lý Thương mại" là đơn vị chưa có mã định danh điện tử');
    expect(await counts()).toEqual(before);
  });

  it('refuses formula-looking text (=, +, -, @) in Thời hạn, Phí, lệ phí and Kết quả thực hiện too; a bullet-free cell passes', async () => {
    const headers = [...HEADERS, 'Kết quả thực hiện'];
    const row = (code: string, over: Record<number, string>) => {
      const r = [...NEW_ROW, 'Giấy phép kinh doanh'];
      r[1] = code;
      for (const [i, value] of Object.entries(over)) r[Number(i)] = value;
      return r;
    };
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('TTHC');
    ws.addRow(headers);
    for (const r of [
      row('1.000005.000.00.00.H10', { 10: '=HYPERLINK("http://example.invalid","x")' }),
      row('1.000006.000.00.00.H10', { 8: '=1+1' }),
      row('1.000007.000.00.00.H10', { 8: '-1+200.000 đồng' }),
      row('1.000008.000.00.00.H10', { 7: '@15 ngày làm việc' }),
      row('1.000009.000.00.00.H10', { 10: '+Giấy phép' }),
      row('1.000010.000.00.00.H10', {}),
    ])
      ws.addRow(r);
    const report = await run(new Uint8Array(await wb.xlsx.writeBuffer()), false);
    const why = refusals(report);
    expect(why[2]).toContain('Ô "Kết quả thực hiện" không được bắt đầu bằng =, +, - hoặc @.');
    expect(why[3]).toContain('Ô "Phí, lệ phí" không được bắt đầu bằng =, +, - hoặc @.');
    expect(why[4]).toContain('Ô "Phí, lệ phí" không được bắt đầu bằng =, +, - hoặc @.');
    expect(why[5]).toContain('Ô "Thời hạn giải quyết" không được bắt đầu bằng =, +, - hoặc @.');
    expect(why[6]).toContain('Ô "Kết quả thực hiện" không được bắt đầu bằng =, +, - hoặc @.');
    expect(report.rows.find((r) => r.line === 7)).toMatchObject({ status: 'created' });
  });

  it('reads a CSV with English headers, hours and the after-15:00 rule, and a named administrator as the actor', async () => {
    const csv = [
      'Code,Name,Sector,Level,Agency,Time limit,Fees,Documents',
      '"2.000884","Chứng thực bản sao từ bản chính (bản nhập)","Chứng thực","4","000.33.31.H10","Trong ngày làm việc; trường hợp nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo","2.000 đồng/trang; từ trang thứ ba 1.000 đồng/trang","Bản chính giấy tờ\nBản sao cần chứng thực"',
    ].join('\n');
    const actor = await actorFor(t.database, 'quantri1');
    const report = await importCatalog(t.database.db, actor, await readTable(new TextEncoder().encode(csv), CATALOG_SHEET), {
      apply: true,
      now: new Date(),
    });
    expect(report.rows[0]).toMatchObject({ status: 'updated' });
    expect(report.rows[0]!.details.join(' ')).toContain('nhiều mức phí');
    const { v } = await currentProcedure(t.database, '2.000884');
    expect(v).toMatchObject({ workingHours: null, workingDays: 0, after1500NextDay: true, fee: 2000, createdBy: actor.accountId });
  });

  it('is the province administrator’s: a unit administrator or an official is refused and nothing is written; the province administrator imports', async () => {
    const bytes = await xlsx([NEW_ROW]);
    const before = await counts();
    for (const username of ['admin.sct', sctClerkUsername()]) {
      const actor = await actorFor(t.database, username);
      for (const apply of [false, true]) {
        const err = await importCatalog(t.database.db, actor, await readTable(bytes, CATALOG_SHEET), { apply, now: new Date() }).catch(
          (e: unknown) => e,
        );
        expect(err, username).toBeInstanceOf(AppError);
        expect(err).toMatchObject({ code: 'forbidden', status: 403, message: 'Chỉ quản trị viên cấp tỉnh được nhập danh mục thủ tục.' });
      }
    }
    expect(await counts()).toEqual(before);
    const admin = await actorFor(t.database, 'quantri1');
    const report = await importCatalog(t.database.db, admin, await readTable(bytes, CATALOG_SHEET), { apply: true, now: new Date() });
    expect(report.rows[0]).toMatchObject({ status: 'created' });
    const { v } = await currentProcedure(t.database, '1.001234.000.00.00.H10');
    expect(v.createdBy).toBe(admin.accountId);
  });
});
