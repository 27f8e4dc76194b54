/**
 * Quản trị → Nhập đơn vị từ tệp / Nhập danh mục thủ tục từ tệp (src/admin/catalog-import-routes.tsx), through the
 * app's HTTP: upload → dry run → "Xác nhận nhập"; the confirmation is good once and only for the previewed file.
 */
import ExcelJS from 'exceljs';
import { and, eq, inArray, sql } from 'drizzle-orm';
import pino from 'pino';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setRoles } from '../src/accounts/set-roles.js';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { auditLog, procedureVersions, procedures, sectors, stagedUploads, units } from '../src/db/schema/index.js';
import { buildDeps } from '../src/deps.js';
import { type App, Client, TEST_PASSWORD } from './support/app.js';
import { importCatalog } from '../src/procedures/import-catalog.js';
import { CATALOG_SHEET } from '../src/procedures/import-catalog-columns.js';
import { readTable } from '../src/accounts/read-sheet.js';
import { STAGED_SCAN_GONE, stageScans } from '../src/dossiers/staged-scans.js';
import { AppError } from '../src/shared/errors.js';
import { openStagedImport, stageImport } from '../src/shared/staged-imports.js';
import { updateUnit } from '../src/org/update-unit.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';

const t = useDemoApp();

/** A log line; `err.cause` is the database's error inside Drizzle's (its SQLSTATE, never its values). */
type LogLine = { level: number; msg: string; requestId?: string; line?: number; err?: { cause?: { code?: string } } };
const logLines: LogLine[] = [];
/** The same app with its log kept: a write the database refuses is logged with its error, and that is checked. */
let logged: App;
beforeAll(() => {
  const config = loadConfig({ NODE_ENV: 'test', PORT: '3999', SESSION_SECRET: 'test-secret-test-secret-test-secret-123' });
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) });
  logged = createApp(buildDeps(config, t.database, logger, { captcha: { counterMin: 10, counterMax: 50, cost: 1 } }));
});
beforeEach(() => {
  logLines.length = 0;
});

/**
 * Makes the database itself refuse, for real, the insert of the unit named `name` (a trigger raising SQLSTATE `errcode`:
 * P0001 as a RAISE does, 40001 a serialization failure); the returned function removes it again. Triggers outlive the
 * TRUNCATE between tests: always remove it (finally).
 */
async function databaseRefusesUnit(name: string, errcode: string) {
  const db = t.database.db;
  await db.execute(
    sql.raw(`create function test_refuse_unit() returns trigger language plpgsql as $$
      begin
        if new.name = '${name}' then raise exception 'test trigger refuses %', new.name using errcode = '${errcode}'; end if;
        return new;
      end $$`),
  );
  await db.execute(sql.raw('create trigger test_refuse_unit before insert on units for each row execute function test_refuse_unit()'));
  return async () => {
    await db.execute(sql.raw('drop trigger test_refuse_unit on units'));
    await db.execute(sql.raw('drop function test_refuse_unit()'));
  };
}

const UNITS = '/tiepnhan/quan-tri/don-vi/nhap';
const CATALOG = '/tiepnhan/quan-tri/thu-tuc/nhap';

const UNIT_CSV = [
  'Tên đơn vị,Đơn vị cấp trên,Mã định danh điện tử,Loại đơn vị',
  'Phòng Kế hoạch - Ngân sách,Sở Tài chính,,Phòng ban',
  'Sở Tài chính,000.00.00.H10,000.00.20.H10,"Sở, ban, ngành"',
  'Sở Công Thương,Tỉnh Bình Phước,000.00.13.H10,department',
].join('\n');

const csv = (text: string) => new TextEncoder().encode(text);

async function admin(username = 'quantri1', app: App = t.app) {
  const c = new Client(app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** Posts the upload form as a browser does: multipart, with the CSRF token of `csrf` (a page; the form's by default), or none. */
async function upload(c: Client, path: string, bytes: Uint8Array, name = 'tep.csv', csrf: string | false = path) {
  const form = new FormData();
  if (csrf) form.set('_csrf', await c.csrf(csrf));
  form.set('file', new File([new Uint8Array(bytes)], name, { type: 'text/csv' }));
  return c.request('POST', path, form, { origin: c.origin });
}

/** The confirmation form's fields on a dry run's page. */
function confirmation(html: string) {
  const id = /name="tep" value="([^"]+)"/.exec(html)?.[1];
  const sha256 = /name="sha256" value="([^"]+)"/.exec(html)?.[1];
  if (!id || !sha256) throw new Error('no confirmation form on the page');
  return { tep: id, sha256 };
}

const count = async (table: typeof units | typeof procedures | typeof procedureVersions | typeof sectors | typeof stagedUploads) =>
  (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;

const importAudits = async (action: string) =>
  (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(eq(auditLog.action, action)))[0]!.n;

/** Audit rows of these actions, all told (an import writes one per created unit or procedure besides its own). */
const audits = async (...actions: string[]) =>
  (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditLog).where(inArray(auditLog.action, actions)))[0]!.n;

describe('Nhập đơn vị từ tệp', () => {
  it('previews per row, writes nothing until confirmed, then creates; a second confirmation imports nothing', async () => {
    const c = await admin();
    const page = await c.get(UNITS);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Nhập đơn vị từ tệp');
    expect(page.text).toContain(`${UNITS}/mau`);
    const before = await count(units);

    const preview = await upload(c, UNITS, csv(UNIT_CSV), 'don-vi.csv');
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Kết quả chạy thử: don-vi.csv');
    expect(preview.text).toMatch(/data-status="created">\s*<td>2<\/td>\s*<td>Tạo mới/);
    expect(preview.text).toMatch(/data-status="unchanged">\s*<td>4<\/td>/);
    expect(preview.text).toContain('Xác nhận nhập');
    expect(await count(units)).toBe(before);

    const form = confirmation(preview.text);
    const done = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã nhập 3 dòng: 2 tạo mới');
    expect(await count(units)).toBe(before + 2);
    const [division] = await t.database.db.select().from(units).where(eq(units.name, 'Phòng Kế hoạch - Ngân sách'));
    const [parent] = await t.database.db.select().from(units).where(eq(units.agencyCode, '000.00.20.H10'));
    expect(division!.parentId).toBe(parent!.id);
    const [audit] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'unit.import'));
    expect(audit!.data).toMatchObject({ created: 2, file: { name: 'don-vi.csv', sha256: form.sha256 } });

    // The same confirmation again (a double click, the back button, a replay): refused, nothing written twice.
    const again = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    expect(again.status).toBe(409);
    expect(again.text).toContain('Tệp đã chạy thử không còn được giữ');
    expect(await count(units)).toBe(before + 2);
    expect(await importAudits('unit.import')).toBe(1);
  });

  it('two confirmations of one dry run at the same time import once', async () => {
    const c = await admin();
    const form = confirmation((await upload(c, UNITS, csv(UNIT_CSV))).text);
    const before = await count(units);
    const token = await c.csrf(UNITS);
    const [a, b] = await Promise.all([
      c.post(`${UNITS}/xac-nhan`, form, { csrf: token }),
      c.post(`${UNITS}/xac-nhan`, form, { csrf: token }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    expect([a.text, b.text].find((text) => text.includes('Tệp đã chạy thử không còn được giữ'))).toBeDefined();
    expect(await count(units)).toBe(before + 2);
    expect(await importAudits('unit.import')).toBe(1);
    expect(await count(stagedUploads)).toBe(0);
  });

  it('another administrator’s change since the dry run: the confirmation writes nothing, says so and shows the new plan', async () => {
    const c = await admin();
    const form = confirmation((await upload(c, UNITS, csv(UNIT_CSV), 'don-vi.csv')).text);
    const before = await count(units);
    // Sở Công Thương (line 4, "Không đổi" in the dry run) is renamed on the unit screen meanwhile.
    const [sct] = await t.database.db.select().from(units).where(eq(units.agencyCode, '000.00.13.H10'));
    const actor = await actorFor(t.database, 'quantri1');
    const rename = (name: string) =>
      updateUnit(
        t.database.db,
        actor,
        sct!.id,
        {
          name,
          shortName: sct!.shortName ?? undefined,
          agencyCode: sct!.agencyCode,
          kind: sct!.kind,
        },
        new Date(),
      );
    await rename('Sở Công Thương (đổi tên)');

    const stale = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Dữ liệu đã thay đổi kể từ khi chạy thử: không có gì được ghi. Vui lòng chạy thử lại để xem kết quả mới.');
    expect(stale.text).toMatch(/data-status="updated">\s*<td>4<\/td>/);
    expect(await count(units)).toBe(before);
    expect(await importAudits('unit.import')).toBe(0);
    const [renamed] = await t.database.db.select().from(units).where(eq(units.id, sct!.id));
    expect(renamed!.name).toBe('Sở Công Thương (đổi tên)');

    // The claim was rolled back with the rest: the same dry run is refused while the data differs, applies once it is
    // as it was (what is written is still exactly what was approved).
    expect(await count(stagedUploads)).toBe(1);
    expect((await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS })).status).toBe(409);
    await rename(sct!.name);
    const done = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã nhập 3 dòng: 2 tạo mới');
    expect(await count(units)).toBe(before + 2);
    expect(await importAudits('unit.import')).toBe(1);
    expect(await count(stagedUploads)).toBe(0);
  });

  it('a row the database refuses while writing: no error page — the row and why, nothing written, the error logged; confirmable again once the cause is gone', async () => {
    const c = await admin('quantri1', logged);
    const form = confirmation((await upload(c, UNITS, csv(UNIT_CSV), 'don-vi.csv')).text);
    const before = { units: await count(units), audits: await audits('unit.create', 'unit.update', 'unit.move', 'unit.import') };
    // Line 2's division is refused by the database (a trigger, as a constraint or a rule of the DBA would). Its parent,
    // line 3, is written before it in the same transaction: it must not stay either.
    const removeTrigger = await databaseRefusesUnit('Phòng Kế hoạch - Ngân sách', 'P0001');
    let failed: Awaited<ReturnType<typeof c.post>>;
    try {
      failed = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    } finally {
      await removeTrigger();
    }
    expect(failed.status).toBe(409);
    expect(failed.text).toContain('Không nhập được, chưa có thay đổi nào được ghi.');
    expect(failed.text).toContain(
      'Dòng 2 — &quot;Phòng Kế hoạch - Ngân sách&quot;: Cơ sở dữ liệu từ chối ghi dòng này theo một quy tắc kiểm tra dữ liệu của hệ thống.',
    );
    expect(failed.text).toMatch(/data-status="refused">\s*<td>2<\/td>/);
    // The database's own words stay in the log.
    expect(failed.text).not.toContain('test trigger refuses');
    expect(failed.text).not.toContain('data-error-code');
    expect({ units: await count(units), audits: await audits('unit.create', 'unit.update', 'unit.move', 'unit.import') }).toEqual(before);
    expect(await count(stagedUploads)).toBe(1);
    const [log] = logLines.filter((l) => l.msg.startsWith('catalog import: a row refused by the database'));
    expect(log).toMatchObject({ level: 40, line: 2, err: { cause: { code: 'P0001' } } });
    expect(log!.requestId).toBeTruthy();

    // The page offers the same staged file to confirm again; with the cause removed, it imports what the dry run showed.
    expect(confirmation(failed.text)).toEqual(form);
    const done = await c.post(`${UNITS}/xac-nhan`, confirmation(failed.text), { csrfFrom: UNITS });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã nhập 3 dòng: 2 tạo mới');
    expect(await count(units)).toBe(before.units + 2);
    expect(await importAudits('unit.import')).toBe(1);
    expect(await count(stagedUploads)).toBe(0);
  });

  it('a failure that is no row’s fault (a serialization failure): no error page, “nothing was written, try again”, logged; confirmable again', async () => {
    const c = await admin('quantri1', logged);
    const form = confirmation((await upload(c, UNITS, csv(UNIT_CSV), 'don-vi.csv')).text);
    const before = { units: await count(units), audits: await audits('unit.create', 'unit.update', 'unit.move', 'unit.import') };
    const removeTrigger = await databaseRefusesUnit('Phòng Kế hoạch - Ngân sách', '40001');
    let failed: Awaited<ReturnType<typeof c.post>>;
    try {
      failed = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    } finally {
      await removeTrigger();
    }
    expect(failed.status).toBe(503);
    expect(failed.text).toContain('<h1>Nhập đơn vị từ tệp</h1>');
    expect(failed.text).toContain('Không nhập được, chưa có thay đổi nào được ghi. Vui lòng thử lại.');
    expect(failed.text).not.toContain('test trigger refuses');
    expect(failed.text).not.toContain('data-status="refused"');
    expect({ units: await count(units), audits: await audits('unit.create', 'unit.update', 'unit.move', 'unit.import') }).toEqual(before);
    expect(await count(stagedUploads)).toBe(1);
    const [log] = logLines.filter((l) => l.msg.startsWith('catalog import: the apply failed'));
    expect(log).toMatchObject({ level: 50, err: { cause: { code: '40001' } } });

    expect(confirmation(failed.text)).toEqual(form);
    const done = await c.post(`${UNITS}/xac-nhan`, form, { csrfFrom: UNITS });
    expect(done.status).toBe(200);
    expect(await count(units)).toBe(before.units + 2);
    expect(await importAudits('unit.import')).toBe(1);
  });

  it('a tampered hash, an unknown or another administrator’s staged file is refused, and nothing is written', async () => {
    const c = await admin();
    const form = confirmation((await upload(c, UNITS, csv(UNIT_CSV))).text);
    const before = await count(units);
    const other = `${form.sha256[0] === 'a' ? 'b' : 'a'}${form.sha256.slice(1)}`;
    for (const tampered of [
      { ...form, sha256: other },
      { ...form, sha256: 'not-a-hash' },
      { ...form, tep: '00000000-0000-4000-8000-000000000000' },
      { ...form, tep: 'x' },
      {},
    ]) {
      const res = await c.post(`${UNITS}/xac-nhan`, tampered, { csrfFrom: UNITS });
      expect(res.status).toBe(409);
      expect(res.text).toContain('Tệp đã chạy thử không còn được giữ');
    }
    // The same file's dry run by another province administrator: a real staged import, with its plan, that only its
    // owner may confirm — this administrator is refused, its owner confirms it.
    const sct = (await accountByUsername(t.database, 'admin.sct'))!;
    await setRoles(t.database.db, await actorFor(t.database, 'quantri1'), sct.id, [{ unitId: t.unitIds.tinh!, role: 'admin' }]);
    const owner = await admin('admin.sct');
    const theirs = confirmation((await upload(owner, UNITS, csv(UNIT_CSV))).text);
    expect(theirs.tep).not.toBe(form.tep);
    const foreign = await c.post(`${UNITS}/xac-nhan`, theirs, { csrfFrom: UNITS });
    expect(foreign.status).toBe(409);
    expect(foreign.text).toContain('Tệp đã chạy thử không còn được giữ');
    expect(await count(units)).toBe(before);
    expect(await importAudits('unit.import')).toBe(0);
    const ok = await owner.post(`${UNITS}/xac-nhan`, theirs, { csrfFrom: UNITS });
    expect(ok.status).toBe(200);
    expect(await count(units)).toBe(before + 2);
  });

  it('a refused row is said with its reason, and no confirmation is offered', async () => {
    const c = await admin();
    const res = await upload(c, UNITS, csv(`${UNIT_CSV}\nPhòng Lạ,Không Có Đơn Vị Này,,Phòng ban`));
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/data-status="refused">\s*<td>5<\/td>/);
    expect(res.text).toContain('Không tìm thấy đơn vị cấp trên &quot;Không Có Đơn Vị Này&quot;');
    expect(res.text).not.toContain('Xác nhận nhập');
    expect(await count(stagedUploads)).toBe(0);
  });

  it('an empty, wrong-type, headerless or oversized file is a 400 in Vietnamese, not a server error', async () => {
    const c = await admin();
    const cases: Array<[Uint8Array, string, string]> = [
      [new Uint8Array(0), 'rong.csv', 'Vui lòng chọn tệp cần nhập'],
      [csv('Tên đơn vị,Đơn vị cấp trên,Mã định danh điện tử,Loại đơn vị\n'), 'tieu-de.csv', 'Tệp không có dòng dữ liệu nào'],
      [new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x00, 0xff, 0xfe]), 'anh.pdf', 'CSV phải được lưu với mã hóa UTF-8'],
      [new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]), 'hong.xlsx', 'Không đọc được tệp Excel'],
      [csv('a,b,c\n1,2,3'), 'khac.csv', 'Không tìm thấy dòng tiêu đề'],
      [csv(`${UNIT_CSV}\n${'x'.repeat(5 * 1024 * 1024)}`), 'lon.csv', 'Tệp quá lớn (tối đa 5 MB)'],
    ];
    for (const [bytes, name, message] of cases) {
      const res = await upload(c, UNITS, bytes, name);
      expect(res.status, name).toBe(400);
      expect(res.text, name).toContain(message);
    }
    expect(await count(stagedUploads)).toBe(0);
  });

  it('without the CSRF token the upload and the confirmation are refused', async () => {
    const c = await admin();
    const res = await upload(c, UNITS, csv(UNIT_CSV), 'tep.csv', false);
    expect(res.status).toBe(403);
    const form = confirmation((await upload(c, UNITS, csv(UNIT_CSV))).text);
    const before = await count(units);
    const confirm = await c.post(`${UNITS}/xac-nhan`, form, { csrf: null });
    expect(confirm.status).toBe(403);
    expect(await count(units)).toBe(before);
  });

  it('is not found for a unit administrator or a clerk, and asks an anonymous visitor to log in', async () => {
    for (const username of ['admin.sct', 'admin.dx', sctClerkUsername()]) {
      const c = await admin(username);
      expect((await c.get(UNITS)).status).toBe(404);
      expect((await c.get(`${UNITS}/mau`)).status).toBe(404);
      expect((await upload(c, UNITS, csv(UNIT_CSV), 'tep.csv', '/tiepnhan')).status).toBe(404);
      expect((await c.post(`${UNITS}/xac-nhan`, { tep: 'x', sha256: 'y' }, { csrfFrom: '/tiepnhan' })).status).toBe(404);
      expect((await c.get(CATALOG)).status).toBe(404);
      expect((await upload(c, CATALOG, csv('a'), 'tep.csv', '/tiepnhan')).status).toBe(404);
    }
    // The unit administrator's own unit pages are unchanged by the import routes mounted beside them.
    expect((await (await admin('admin.sct')).get('/tiepnhan/quan-tri/don-vi')).status).toBe(200);
    const anonymous = await new Client(t.app).get(UNITS);
    expect([302, 303]).toContain(anonymous.status);
  });

  it('offers an XLSX template whose headers the import reads', async () => {
    const c = await admin();
    const res = await t.app.request(`http://localhost${UNITS}/mau`, {
      headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain("filename*=UTF-8''m%E1%BA%ABu");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    const header = (wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(['Tên đơn vị', 'Đơn vị cấp trên', 'Mã định danh điện tử', 'Loại đơn vị', 'Tên viết tắt']);
    // Sent back unchanged, the template is an empty sheet.
    const back = await upload(c, UNITS, bytes, 'mau.xlsx');
    expect(back.status).toBe(400);
    expect(back.text).toContain('Tệp không có dòng dữ liệu nào');
  });
});

const CATALOG_HEADER = [
  'Mã thủ tục',
  'Tên thủ tục',
  'Lĩnh vực',
  'Mức độ',
  'Cơ quan thực hiện',
  'Thời hạn giải quyết',
  'Phí, lệ phí',
  'Thành phần hồ sơ',
];

async function xlsx(rows: string[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('TTHC');
  ws.addRow(['DANH SÁCH THỦ TỤC HÀNH CHÍNH']);
  ws.addRow(CATALOG_HEADER);
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

const NEW_ROW = [
  '1.001234.000.00.00.H10',
  'Cấp Giấy phép kinh doanh tạm nhập, tái xuất hàng hóa',
  'Thương mại quốc tế',
  'Toàn trình',
  'Sở Công Thương tỉnh Bình Phước',
  '15 ngày làm việc',
  'Lệ phí: 200.000 đồng/giấy phép',
  '- Đơn đề nghị cấp giấy phép\n- Báo cáo tình hình kinh doanh (nếu có)',
];

describe('Nhập danh mục thủ tục từ tệp', () => {
  it('previews, creates on confirmation, and a changed row later makes a new version', async () => {
    const c = await admin();
    expect((await c.get(CATALOG)).text).toContain('Nhập danh mục thủ tục từ tệp');
    const before = { p: await count(procedures), v: await count(procedureVersions) };
    const preview = await upload(c, CATALOG, await xlsx([NEW_ROW]), 'tthc.xlsx');
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(/data-status="created">\s*<td>3<\/td>/);
    expect(preview.text).toContain('lĩnh vực mới &quot;Thương mại quốc tế&quot;');
    expect(await count(procedures)).toBe(before.p);
    const done = await c.post(`${CATALOG}/xac-nhan`, confirmation(preview.text), { csrfFrom: CATALOG });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã nhập 1 dòng: 1 tạo mới');
    expect(await count(procedures)).toBe(before.p + 1);

    // The same file again: nothing to apply, no confirmation offered.
    const same = await upload(c, CATALOG, await xlsx([NEW_ROW]), 'tthc.xlsx');
    expect(same.text).toContain('Không có thay đổi nào để nhập');
    expect(same.text).not.toContain('Xác nhận nhập');

    // A new version of the national record: 20 days instead of 15.
    const changed = NEW_ROW.map((v, i) => (i === 5 ? '20 ngày làm việc' : v));
    const second = await upload(c, CATALOG, await xlsx([changed]), 'tthc-v2.xlsx');
    expect(second.text).toMatch(/data-status="updated">\s*<td>3<\/td>\s*<td>Cập nhật<\/td>/);
    const form = confirmation(second.text);
    expect((await c.post(`${CATALOG}/xac-nhan`, form, { csrfFrom: CATALOG })).status).toBe(200);
    expect((await c.post(`${CATALOG}/xac-nhan`, form, { csrfFrom: CATALOG })).status).toBe(409);
    const { p, v } = await currentProcedure(t.database, '1.001234.000.00.00.H10');
    expect(v.version).toBe(2);
    expect(v.workingDays).toBe(20);
    const versions = await t.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(procedureVersions)
      .where(and(eq(procedureVersions.procedureId, p.id)));
    expect(versions[0]!.n).toBe(2);
    expect(await importAudits('procedure.import')).toBe(2);
  });

  it('a procedure created meanwhile by another import: the confirmation writes nothing and shows it unchanged', async () => {
    const c = await admin();
    const bytes = await xlsx([NEW_ROW]);
    const form = confirmation((await upload(c, CATALOG, bytes, 'tthc.xlsx')).text);
    const actor = await actorFor(t.database, 'quantri1');
    const sheet = await readTable(bytes, CATALOG_SHEET);
    expect((await importCatalog(t.database.db, actor, sheet, { apply: true, now: new Date() })).applied).toBe(true);
    const before = { p: await count(procedures), v: await count(procedureVersions) };

    const stale = await c.post(`${CATALOG}/xac-nhan`, form, { csrfFrom: CATALOG });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Dữ liệu đã thay đổi kể từ khi chạy thử: không có gì được ghi.');
    expect(stale.text).toMatch(/data-status="unchanged">\s*<td>3<\/td>/);
    expect({ p: await count(procedures), v: await count(procedureVersions) }).toEqual(before);
    expect(await importAudits('procedure.import')).toBe(1);
  });

  it('a procedure a constraint refuses while writing: nothing written (not the row before it, nor its new sector), the row named; confirmable again', async () => {
    const c = await admin();
    const second = [...NEW_ROW];
    second[0] = '1.001235.000.00.00.H10';
    second[1] = 'Cấp lại Giấy phép kinh doanh tạm nhập, tái xuất hàng hóa';
    const form = confirmation((await upload(c, CATALOG, await xlsx([NEW_ROW, second]), 'tthc.xlsx')).text);
    const state = async () => ({
      procedures: await count(procedures),
      versions: await count(procedureVersions),
      sectors: await count(sectors),
      audits: await audits('procedure.create', 'procedure.new_version', 'sector.create', 'procedure.import'),
    });
    const before = await state();
    // Line 3 (a new procedure in a new sector) is written first; line 4 then breaks a constraint of the database.
    await t.database.db.execute(
      sql`ALTER TABLE procedures ADD CONSTRAINT test_import_refuses CHECK (code <> '1.001235.000.00.00.H10') NOT VALID`,
    );
    let failed: Awaited<ReturnType<typeof c.post>>;
    try {
      failed = await c.post(`${CATALOG}/xac-nhan`, form, { csrfFrom: CATALOG });
    } finally {
      await t.database.db.execute(sql`ALTER TABLE procedures DROP CONSTRAINT test_import_refuses`);
    }
    expect(failed.status).toBe(409);
    expect(failed.text).toContain('Không nhập được, chưa có thay đổi nào được ghi.');
    expect(failed.text).toContain(
      'Dòng 4 — 1.001235.000.00.00.H10 &quot;Cấp lại Giấy phép kinh doanh tạm nhập, tái xuất hàng hóa&quot;: Cơ sở dữ liệu từ chối ghi dòng này vì dữ liệu không thỏa một ràng buộc của hệ thống.',
    );
    expect(failed.text).not.toContain('test_import_refuses');
    expect(await state()).toEqual(before);
    expect(await count(stagedUploads)).toBe(1);

    const done = await c.post(`${CATALOG}/xac-nhan`, confirmation(failed.text), { csrfFrom: CATALOG });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Đã nhập 2 dòng: 2 tạo mới');
    expect(await state()).toEqual({
      procedures: before.procedures + 2,
      versions: before.versions + 2,
      sectors: before.sectors + 1,
      audits: before.audits + 4,
    });
  });

  it('the use case itself refuses a unit administrator (the screen is only its front)', async () => {
    const actor = await actorFor(t.database, 'admin.sct');
    const err = await importCatalog(t.database.db, actor, [], { apply: true, now: new Date() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(403);
    expect(await importAudits('procedure.import')).toBe(0);
  });

  it('a calendar-day time limit is refused with its reason; a wrong file is a 400', async () => {
    const c = await admin();
    const res = await upload(c, CATALOG, await xlsx([NEW_ROW.map((v, i) => (i === 5 ? '30 ngày' : v))]), 'tthc.xlsx');
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/data-status="refused">\s*<td>3<\/td>/);
    expect(res.text).toContain('tính theo ngày lịch');
    expect(res.text).not.toContain('Xác nhận nhập');
    const wrong = await upload(c, CATALOG, csv(UNIT_CSV), 'don-vi.csv');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Không tìm thấy dòng tiêu đề có các cột');
  });
});

describe('a staged import and a staged reception scan share staged_uploads, never each other’s use', () => {
  it('an import’s file is not a scan reference, and a scan is not an import to confirm', async () => {
    const actor = await actorFor(t.database, 'quantri1');
    const now = new Date();
    const staged = await stageImport(t.database.db, actor, { name: 'don-vi.csv', bytes: csv(UNIT_CSV) }, 'a'.repeat(64), now);
    const given = { files: new Map(), tooLarge: new Map(), refs: new Map([[0, staged.id]]) };
    const { scans, problems } = await stageScans(t.database.db, actor, given, 10 * 1024 * 1024, now);
    expect(scans.size).toBe(0);
    expect(problems['scan-0']).toBe(STAGED_SCAN_GONE);

    const pdf = new TextEncoder().encode('%PDF-1.4\n%%EOF\n');
    const scan = await stageScans(
      t.database.db,
      actor,
      { files: new Map([[0, { name: 'a.pdf', bytes: pdf }]]), tooLarge: new Map(), refs: new Map() },
      10 * 1024 * 1024,
      now,
    );
    const ref = scan.scans.get(0)!;
    const err = await openStagedImport(t.database.db, actor, { id: ref.ref, sha256: ref.sha256 }, now).catch((e: unknown) => e);
    expect((err as AppError).status).toBe(409);
    // The import itself is still there to confirm, once: its claim takes the row, a second claim finds nothing.
    const opened = await openStagedImport(t.database.db, actor, staged, now);
    expect(opened.sha256).toBe(staged.sha256);
    await t.database.db.transaction((tx) => opened.claim(tx));
    const second = await t.database.db.transaction((tx) => opened.claim(tx)).catch((e: unknown) => e);
    expect((second as AppError).code).toBe('import_gone');
  });
});
