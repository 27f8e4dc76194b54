import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { readTable } from '../src/accounts/read-sheet.js';
import { verifyAuditChain } from '../src/audit/verify.js';
import { auditLog, units } from '../src/db/schema/index.js';
import { importUnits } from '../src/org/import-units.js';
import { UNIT_SHEET } from '../src/org/import-units-columns.js';
import { systemActor } from '../src/shared/context.js';
import type { AppError } from '../src/shared/errors.js';
import { runImportCommand } from '../src/shared/import-command.js';
import { logSerializers } from '../src/web/observability.js';
import { actorFor, useDemoApp } from './support/fixtures.js';

const t = useDemoApp();

const HEADER = 'Tên đơn vị,Đơn vị cấp trên,Mã định danh điện tử,Loại đơn vị';
/** A new department with a division and a centre, children before their parent, plus an existing unit as it is. */
const TREE = [
  HEADER,
  'Phòng Kế hoạch - Ngân sách,Sở Tài chính,,Phòng ban',
  'Trung tâm Dịch vụ tài chính công,000.00.20.H10,000.20.20.H10,Trung tâm / đơn vị sự nghiệp',
  'Sở Tài chính,000.00.00.H10,000.00.20.H10,"Sở, ban, ngành"',
  'Sở Công Thương,Tỉnh Bình Phước,000.00.13.H10,department',
].join('\n');

const csv = (text: string) => new TextEncoder().encode(text);

async function run(text: string | Uint8Array, apply: boolean, actor = systemActor('test:import-units')) {
  const bytes = typeof text === 'string' ? csv(text) : text;
  return importUnits(t.database.db, actor, await readTable(bytes, UNIT_SHEET), { apply, now: new Date() });
}

async function counts() {
  const [u] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(units);
  const [a] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
  return { units: u!.n, audit: a!.n };
}

async function unitByName(name: string) {
  const [u] = await t.database.db.select().from(units).where(eq(units.name, name));
  return u;
}

const refusals = (report: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(report.rows.filter((r) => r.status === 'refused').map((r) => [r.line, r.details.join(' ')]));

describe('import of the unit tree', () => {
  it('dry run reports per row and writes nothing; apply builds the tree with audit rows; re-import is a no-op; a change updates', async () => {
    const before = await counts();
    const dry = await run(TREE, false);
    expect(dry.applied).toBe(false);
    expect(dry.rows.map((r) => [r.line, r.status])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'created'],
      [5, 'unchanged'],
    ]);
    expect(await counts()).toEqual(before);

    const applied = await run(TREE, true);
    expect(applied.applied).toBe(true);
    expect(applied.counts).toMatchObject({ created: 3, unchanged: 1, refused: 0 });
    const dept = (await unitByName('Sở Tài chính'))!;
    expect(dept).toMatchObject({ agencyCode: '000.00.20.H10', kind: 'department', parentId: t.unitIds.tinh });
    expect(await unitByName('Phòng Kế hoạch - Ngân sách')).toMatchObject({ parentId: dept.id, kind: 'division', agencyCode: null });
    expect(await unitByName('Trung tâm Dịch vụ tài chính công')).toMatchObject({ parentId: dept.id, kind: 'centre' });
    const actions = await t.database.db.select({ action: auditLog.action }).from(auditLog).where(sql`${auditLog.id} > 0`);
    expect(actions.filter((a) => a.action === 'unit.create')).toHaveLength(3);
    expect(actions.filter((a) => a.action === 'unit.import')).toHaveLength(1);

    const afterApply = await counts();
    const again = await run(TREE, true);
    expect(again.counts).toMatchObject({ created: 0, updated: 0, unchanged: 4 });
    // Nothing changed, so only the import's own audit row is added.
    expect(await counts()).toEqual({ units: afterApply.units, audit: afterApply.audit + 1 });

    const changed = TREE.replace('Phòng Kế hoạch - Ngân sách,Sở Tài chính', 'Phòng Ngân sách,Trung tâm Dịch vụ tài chính công');
    const update = await run(changed, true);
    // Without a code the row is matched by name under its parent: a renamed division under a new parent is a new unit.
    expect(update.counts).toMatchObject({ created: 1 });
    const moved = TREE.replace('Trung tâm Dịch vụ tài chính công,000.00.20.H10', 'Trung tâm Dịch vụ tài chính,000.00.13.H10');
    const report = await run(moved, true);
    expect(report.rows.find((r) => r.line === 3)).toMatchObject({ status: 'updated' });
    expect(report.rows.find((r) => r.line === 3)!.details.join(' ')).toContain('chuyển sang đơn vị cấp trên "Sở Công Thương"');
    expect(await unitByName('Trung tâm Dịch vụ tài chính')).toMatchObject({ parentId: t.unitIds.sct, agencyCode: '000.20.20.H10' });
    const kinds = await t.database.db.select({ action: auditLog.action }).from(auditLog);
    expect(kinds.map((k) => k.action)).toEqual(expect.arrayContaining(['unit.update', 'unit.move']));
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('reads an XLSX with English headers and a title row, through the officials import reader', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Units');
    ws.addRow(['UNIT TREE OF THE PROVINCE']);
    ws.addRow(['Name', 'Parent unit', 'Electronic agency code', 'Unit type']);
    ws.addRow(['Sở Xây dựng', 'Tỉnh Bình Phước', '000.00.21.H10', 'department']);
    ws.addRow(['Phòng Quản lý xây dựng', '000.00.21.H10', '', 'division']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const report = await run(bytes, true);
    expect(report.rows.map((r) => [r.line, r.status])).toEqual([
      [3, 'created'],
      [4, 'created'],
    ]);
    const dept = (await unitByName('Sở Xây dựng'))!;
    expect(await unitByName('Phòng Quản lý xây dựng')).toMatchObject({ parentId: dept.id });
  });

  it("refuses cycles, duplicate codes, unknown parents, invalid and other provinces' codes, a second province, and writes nothing at all", async () => {
    const before = await counts();
    const bad = [
      HEADER,
      'Sở Tài chính,000.00.00.H10,000.00.20.H10,Sở',
      'Phòng A,Phòng B,,Phòng ban',
      'Phòng B,Phòng C,,Phòng ban',
      'Phòng C,Phòng A,,Phòng ban',
      'Sở Y tế,000.00.00.H10,000.00.20.H10,Sở',
      'Sở Du lịch,Sở Không Có,000.00.22.H10,Sở',
      'Sở Ngoại vụ,000.00.00.H10,000-00-23,Sở',
      'Sở Tư pháp,000.00.00.H10,000.00.24.H22,Sở',
      'Phòng con,Sở Du lịch,,Phòng ban',
      'Ban Quản lý,000.00.00.H10,000.00.25.H10,Hội đồng',
      'Đơn vị mồ côi,,000.00.26.H10,Sở',
      'Ban Chỉ đạo,000.00.00.H10,000.00.27.H10,Tỉnh',
    ].join('\n');
    const report = await run(bad, true);
    expect(report.applied).toBe(false);
    const why = refusals(report);
    expect(why[2]).toContain('trùng với dòng 6');
    expect(why[6]).toContain('trùng với dòng 2');
    for (const line of [3, 4, 5]) expect(why[line]).toContain('Vòng lặp đơn vị cấp trên');
    expect(why[7]).toContain('Không tìm thấy đơn vị cấp trên "Sở Không Có"');
    expect(why[8]).toContain('Mã định danh điện tử không đúng dạng');
    expect(why[9]).toContain('không thuộc tỉnh này');
    expect(why[10]).toContain('Đơn vị cấp trên (dòng 7) bị từ chối');
    expect(why[11]).toContain('Loại đơn vị "Hội đồng" không hợp lệ');
    expect(why[12]).toContain('Chưa ghi đơn vị cấp trên');
    // Only the root is the province (org/unit-kind-rule.ts).
    expect(why[13]).toBe('Chỉ đơn vị gốc (tỉnh) có loại "Tỉnh / thành phố"; hãy chọn loại khác.');
    expect(await counts()).toEqual(before);
  });

  it('refuses a cycle through the existing tree: a unit moved under its own sub-unit', async () => {
    const report = await run([HEADER, 'Sở Công Thương,Quản lý Thương mại,000.00.13.H10,Sở'].join('\n'), true);
    expect(refusals(report)[2]).toContain('Vòng lặp');
    expect((await t.database.db.select().from(units).where(eq(units.id, t.unitIds.sct!)))[0]!.parentId).toBe(t.unitIds.tinh);
  });

  it('refuses a formula cell, a huge cell, a wrong header and an oversize file', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Units');
    ws.addRow(['Tên đơn vị', 'Đơn vị cấp trên', 'Mã định danh điện tử', 'Loại đơn vị']);
    ws.addRow([{ formula: 'HYPERLINK("http://example.invalid","Sở X")', result: 'Sở X' }, 'Tỉnh Bình Phước', '000.00.27.H10', 'Sở']);
    ws.addRow(['x'.repeat(100_000), 'Tỉnh Bình Phước', '000.00.28.H10', 'Sở']);
    ws.addRow(['=1+1', 'Tỉnh Bình Phước', '000.00.29.H10', 'Sở']);
    const before = await counts();
    const report = await run(new Uint8Array(await wb.xlsx.writeBuffer()), true);
    const why = refusals(report);
    expect(why[2]).toContain('chứa công thức');
    expect(why[3]).toContain('Tên đơn vị tối đa 200 ký tự');
    // The report never echoes a huge cell whole.
    expect(report.rows.find((r) => r.line === 3)!.subject.length).toBeLessThan(100);
    expect(why[4]).toContain('không được bắt đầu bằng =');
    expect(await counts()).toEqual(before);

    const header = await readTable(csv('Họ tên,Địa chỉ\nA,B'), UNIT_SHEET).catch((e: AppError) => e);
    expect((header as AppError).code).toBe('import_header');
    expect((header as AppError).message).toContain('"Tên đơn vị", "Đơn vị cấp trên", "Loại đơn vị"');
    const huge = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x41);
    expect(((await readTable(huge, UNIT_SHEET).catch((e: AppError) => e)) as AppError).code).toBe('import_too_large');
  });

  it('the command: a dry run by default, --apply, --as a province administrator only, the file size checked first', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'import-units-'));
    try {
      const file = path.join(dir, 'don-vi.csv');
      await writeFile(file, TREE);
      const command = { name: 'import:units', systemLabel: 'cli:import-units', run: runUnits, logger: pino({ level: 'silent' }) };
      const dry = await runImportCommand(t.database.db, [file], command);
      expect(dry.exitCode).toBe(0);
      expect(dry.lines.join('\n')).toContain('Chạy thử: chưa ghi gì');
      expect(await unitByName('Sở Tài chính')).toBeUndefined();

      const notProvince = await runImportCommand(t.database.db, [file, '--apply', '--as', 'admin.sct'], command);
      expect(notProvince).toMatchObject({ exitCode: 1, lines: ['Lỗi: Tài khoản "admin.sct" không phải quản trị viên cấp tỉnh.'] });
      const applied = await runImportCommand(t.database.db, [file, '--apply', '--as', 'quantri1'], command);
      expect(applied.exitCode).toBe(0);
      const [row] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import'));
      expect(row!.actorId).toBe((await actorFor(t.database, 'quantri1')).accountId);
      expect(row!.data).toMatchObject({ created: 3, file: { name: 'don-vi.csv' } });

      expect((await runImportCommand(t.database.db, ['--bogus'], command)).exitCode).toBe(2);
      const big = path.join(dir, 'big.csv');
      await writeFile(big, Buffer.alloc(5 * 1024 * 1024 + 1, 0x41));
      expect(await runImportCommand(t.database.db, [big], command)).toEqual({ exitCode: 1, lines: ['Lỗi: Tệp quá lớn (tối đa 5 MB).'] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the command: a write the database refuses is the row refused on its line, or "nothing written", exit 1, the error on the logger', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'import-units-'));
    const logged: Array<{ msg: string; line?: number; err?: { cause?: { code?: string } } }> = [];
    const logger = pino(
      { level: 'warn', serializers: logSerializers },
      { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) },
    );
    const command = { name: 'import:units', systemLabel: 'cli:import-units', run: runUnits, logger };
    const db = t.database.db;
    try {
      const file = path.join(dir, 'don-vi.csv');
      await writeFile(file, TREE);
      const before = await counts();
      for (const [errcode, expected] of [
        ['23505', 'Dòng    2  TỪ CHỐI    "Phòng Kế hoạch - Ngân sách": Cơ sở dữ liệu từ chối ghi dòng này vì trùng với dữ liệu đã có.'],
        ['57014', 'Lỗi: Không nhập được, chưa có thay đổi nào được ghi. Vui lòng thử lại.'],
      ] as const) {
        // A trigger refusing line 2's division as a unique index or a statement timeout would.
        await db.execute(
          sql.raw(`create function test_refuse_row() returns trigger language plpgsql as $$
            begin
              if new.name = 'Phòng Kế hoạch - Ngân sách' then raise exception 'test trigger refuses' using errcode = '${errcode}'; end if;
              return new;
            end $$`),
        );
        await db.execute(sql.raw('create trigger test_refuse_row before insert on units for each row execute function test_refuse_row()'));
        let result: Awaited<ReturnType<typeof runImportCommand>>;
        try {
          result = await runImportCommand(db, [file, '--apply'], command);
        } finally {
          await db.execute(sql.raw('drop trigger test_refuse_row on units'));
          await db.execute(sql.raw('drop function test_refuse_row()'));
        }
        expect(result.exitCode, errcode).toBe(1);
        expect(result.lines, errcode).toContain(expected);
        expect(await counts(), errcode).toEqual(before);
        expect(logged.at(-1)?.err?.cause?.code, errcode).toBe(errcode);
      }
      expect((await runImportCommand(db, [file, '--apply'], command)).exitCode).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const runUnits: Parameters<typeof runImportCommand>[2]['run'] = async (db, actor, bytes, opts) =>
  importUnits(db, actor, await readTable(bytes, UNIT_SHEET), opts);
