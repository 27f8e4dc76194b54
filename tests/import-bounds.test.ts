/**
 * Hostile import files (src/accounts/read-sheet.ts): a zip bomb, a sheet of very many cells or rows, a CSV of
 * 1,000 columns are refused with a 400 — by the XLSX's central directory before anything is inflated, or by the
 * parsing worker's bounds and heap limit — and the server goes on: a normal import works afterwards. A burst of
 * imports waits in a bounded line: past it, a 503 at once rather than every file held in memory.
 */
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readSheet } from '../src/accounts/read-sheet.js';
import type { AppError } from '../src/shared/errors.js';
import { accountByUsername } from './support/fixtures.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { useDemoApp } from './support/fixtures.js';

const t = useDemoApp();

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A minimal XLSX package around one sheet's <sheetData> content, with extra entries if given. */
function xlsx(sheetData: string, extra: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8(
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    '_rels/.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    'xl/workbook.xml': strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    'xl/_rels/workbook.xml.rels': strToU8(
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
    'xl/worksheets/sheet1.xml': strToU8(`<worksheet xmlns="${NS}"><sheetData>${sheetData}</sheetData></worksheet>`),
    ...extra,
  });
}

const str = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const HEADER = `<row r="1">${str('A1', 'Tên tài khoản')}${str('B1', 'Tên')}</row>`;
/** Column letters of a zero-based index (0 → A, 16383 → XFD). */
const col = (i: number): string =>
  i < 26 ? String.fromCharCode(65 + i) : col(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26));

const refusal = (bytes: Uint8Array) =>
  readSheet(bytes).then(
    () => null,
    (e: AppError) => ({ code: e.code, status: e.status, message: e.message }),
  );

describe('import files that would exhaust memory', () => {
  it('an XLSX declaring more than 20 MB unzipped, or an entry compressed over 100 times, is refused from its central directory', async () => {
    const huge = xlsx(`${HEADER}<row r="2">${str('A2', 'an.x')}</row>`, { 'zz-junk.xml': new Uint8Array(21 * 1024 * 1024).fill(32) });
    expect(huge.length).toBeLessThan(100_000);
    expect(await refusal(huge)).toEqual({
      code: 'import_too_large',
      status: 400,
      message: expect.stringMatching(/^Tệp quá lớn hoặc không đọc được \(hơn 20 MB sau khi giải nén\)/),
    });
    const dense = xlsx(HEADER, { 'zz-junk.xml': new Uint8Array(4 * 1024 * 1024).fill(32) });
    expect(await refusal(dense)).toMatchObject({ code: 'import_too_large', status: 400 });
  });

  it('a sheet of more than 200,000 cells within the size bounds is refused by the parsing worker', async () => {
    const rows = Array.from({ length: 14 }, (_, r) => {
      const n = r + 2;
      return `<row r="${n}">${Array.from({ length: 16384 }, (_, i) => `<c r="${col(i)}${n}"><v>1</v></c>`).join('')}</row>`;
    });
    const bytes = xlsx(HEADER + rows.join(''));
    expect(bytes.length).toBeLessThan(5 * 1024 * 1024);
    expect(await refusal(bytes)).toMatchObject({ code: 'import_too_large', status: 400, message: expect.stringContaining('Tệp quá lớn') });
  }, 30_000);

  it('a sheet of more rows than an import takes is refused as such while it is read', async () => {
    const rows = Array.from({ length: 6000 }, (_, r) => `<row r="${r + 2}">${str(`A${r + 2}`, `u${r}`)}</row>`);
    expect(await refusal(xlsx(HEADER + rows.join('')))).toMatchObject({ code: 'import_too_many', status: 400 });
  });

  it('a sheet that parses into more than the worker heap ends the worker, not the server', async () => {
    // ~19 MB of cells with varied numbers: under the declared-size and ratio bounds, far over 96 MB once parsed.
    let seed = 1;
    const rows: string[] = [];
    for (let r = 2; r < 5300; r++) {
      const cells: string[] = [];
      for (let i = 0; i < 60; i++) {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        cells.push(`<c r="${col(i)}${r}"><v>${seed % 1000000}</v></c>`);
      }
      rows.push(`<row r="${r}">${cells.join('')}</row>`);
    }
    const bytes = xlsx(HEADER + rows.join(''));
    expect(bytes.length).toBeLessThan(5 * 1024 * 1024);
    expect(await refusal(bytes)).toMatchObject({ code: 'import_too_large', status: 400, message: expect.stringContaining('Tệp quá lớn') });
  }, 60_000);

  it('a CSV record of 1,000 fields is refused, naming its line', async () => {
    const csv = `Tên tài khoản,Tên\nan.x,An\n${','.repeat(999)}\n`;
    expect(await refusal(strToU8(csv))).toEqual({
      code: 'import_csv',
      status: 400,
      message: 'Tệp CSV không đúng định dạng: dòng 3 có hơn 100 cột.',
    });
  });

  it('a burst of imports beyond two parsing and eight waiting is refused at once, and the slots are free again afterwards', async () => {
    const csv = strToU8('Tên tài khoản,Tên\nan.x,An\n');
    // Started in one tick: the first two take the parsing slots and the next eight wait before any worker answers.
    const burst = Array.from({ length: 11 }, () => refusal(csv));
    const outcomes = await Promise.all(burst);
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill(null));
    expect(outcomes[10]).toEqual({
      code: 'import_busy',
      status: 503,
      message: 'Máy chủ đang đọc nhiều tệp nhập cùng lúc. Vui lòng thử lại sau ít phút.',
    });
    // Every slot was given back: ten at once are all read again.
    expect(await Promise.all(Array.from({ length: 10 }, () => refusal(csv)))).toEqual(Array(10).fill(null));
  });

  it("the officials' import answers such files with 400 and its message, and imports a normal file afterwards", async () => {
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const upload = async (bytes: Uint8Array, name: string) => {
      const form = new FormData();
      form.set('_csrf', await c.csrf('/tiepnhan/quan-tri/nguoi-dung/nhap'));
      form.set('file', new File([new Uint8Array(bytes)], name));
      return c.request('POST', '/tiepnhan/quan-tri/nguoi-dung/nhap', form, { origin: c.origin });
    };
    const bomb = await upload(xlsx(HEADER, { 'zz-junk.xml': new Uint8Array(21 * 1024 * 1024).fill(32) }), 'can-bo.xlsx');
    expect(bomb.status).toBe(400);
    expect(bomb.text).toContain('Tệp quá lớn hoặc không đọc được');
    const wide = await upload(strToU8(`Tên tài khoản\n${','.repeat(999)}\n`), 'can-bo.csv');
    expect(wide.status).toBe(400);
    expect(wide.text).toContain('dòng 2 có hơn 100 cột');
    const normal = await upload(
      strToU8('Tên tài khoản;Họ và tên đệm;Tên;Đơn vị/Phòng ban;Giới tính\nbounds.qlcn;Nguyễn Văn;Bền;Quản lý công nghiệp;Nam\n'),
      'can-bo.csv',
    );
    expect(normal.status).toBe(200);
    expect(await accountByUsername(t.database, 'bounds.qlcn')).toBeDefined();
  });

  it("the officials' import tells a busy server by its status, 503, with its message", async () => {
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const csrf = await c.csrf('/tiepnhan/quan-tri/nguoi-dung/nhap');
    // Ten parses of a long sheet started in one tick: two parse, eight wait, for far longer than one upload takes.
    const cells = ',Nguyễn Văn An'.repeat(30);
    const long = strToU8(`Tên tài khoản,Tên${cells}\n${Array.from({ length: 4_900 }, (_, i) => `a${i}.x,An${cells}`).join('\n')}\n`);
    const burst = Array.from({ length: 10 }, () => readSheet(long));
    const form = new FormData();
    form.set('_csrf', csrf);
    form.set('file', new File([strToU8('Tên tài khoản,Tên\nan.x,An\n')], 'can-bo.csv'));
    const busy = await c.request('POST', '/tiepnhan/quan-tri/nguoi-dung/nhap', form, { origin: c.origin });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('60');
    expect(busy.text).toContain('Máy chủ đang đọc nhiều tệp nhập cùng lúc. Vui lòng thử lại sau ít phút.');
    await Promise.all(burst);
  }, 60_000);
});
