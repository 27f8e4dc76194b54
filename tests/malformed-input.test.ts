/**
 * Malformed input never reaches the database as a server error: ids that are not UUIDs (36 dashes,
 * "not-a-uuid", NUL), out-of-range numbers and NUL bytes in search, lookup and name fields end as a
 * 400 (a query parameter or a form field) or a 404 (an id in the path), with a Vietnamese message.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { dossiers } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { docx } from './support/sample-files.js';

const t = useDemoApp();

const DASHES = '-'.repeat(36);
const UNKNOWN = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
/** Malformed ids, as they appear in a URL. */
const MALFORMED = [DASHES, 'not-a-uuid', '%00', `${UNKNOWN.slice(0, 35)}%00`, 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'];
/** Every id a path is tried with: the malformed ones and a well-formed id nobody has. */
const IDS = [...MALFORMED, UNKNOWN];
const NUL = '\u0000';
/** A letter only Vietnamese text has: the answer is a message for people, in Vietnamese. */
const VIETNAMESE = /[ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹấầẩẫậắằẳẵặếềểễệốồổỗộớờởỡợứừửữự]/i;

type Answer = { status: number; text: string };
type Failure = { what: string; status: number; text: string };

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return { c, csrf: await c.csrf('/tiepnhan') };
}

/** Collects every answer that is not one of the statuses expected, so one run shows them all. */
function checker() {
  const failures: Failure[] = [];
  return {
    failures,
    async expect(what: string, statuses: number[], res: Answer | Promise<Answer>) {
      const r = await res;
      const message = messageOf(r.text);
      if (!statuses.includes(r.status) || !VIETNAMESE.test(message)) failures.push({ what, status: r.status, text: message.slice(0, 160) });
    },
  };
}

/** The message of an error page or a JSON error. */
function messageOf(text: string): string {
  if (text.startsWith('{')) return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  return (
    /role="alert"[^>]*>([^<]*)</.exec(text)?.[1]?.trim() ??
    /<main[\s\S]*/
      .exec(text)?.[0]
      ?.replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .slice(0, 400) ??
    text
  );
}

function multipart(csrf: string, fields: Record<string, string>, file?: { name: string; bytes: Uint8Array }) {
  const form = new FormData();
  form.set('_csrf', csrf);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (file) form.set('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name));
  return form;
}

async function dossierOfClerk() {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const p = await currentProcedure(t.database, '2.000633');
  return receiveAtCounter(t.database.db, clerk, { procedureId: p.p.id, channel: '1', fullName: 'Lê Văn Thử' });
}

describe('malformed ids in paths answer 404 "không tồn tại", never 500', () => {
  it('administration pages (quantri1)', async () => {
    const { c, csrf } = await loggedIn('quantri1');
    const check = checker();
    const post = (path: string, form: Record<string, string> = {}) => c.post(path, form, { csrf });
    const root = t.unitIds.tinh!;
    for (const id of IDS) {
      const users = `/tiepnhan/quan-tri/nguoi-dung/${id}`;
      await check.expect(`GET ${users}/xoa`, [404], c.get(`${users}/xoa`));
      await check.expect(`GET ${users}/phan-quyen`, [404], c.get(`${users}/phan-quyen`));
      await check.expect(`POST ${users}`, [404], post(users, { middleName: 'Nguyễn', givenName: 'An' }));
      await check.expect(`POST ${users}/xac-thuc-vneid`, [404], post(`${users}/xac-thuc-vneid`, { middleName: 'Nguyễn' }));
      await check.expect(`POST ${users}/khoa-api`, [404], post(`${users}/khoa-api`, { name: 'Khóa thử' }));
      await check.expect(`POST ${users}/tam-dinh-chi`, [404], post(`${users}/tam-dinh-chi`, { value: '1' }));
      await check.expect(`POST ${users}/dat-lai-mat-khau`, [404], post(`${users}/dat-lai-mat-khau`));
      await check.expect(`POST ${users}/xoa`, [404], post(`${users}/xoa`));
      await check.expect(`POST ${users}/phan-quyen`, [404], post(`${users}/phan-quyen`, { newUnit: root, newRole: 'reception' }));

      const unit = `/tiepnhan/quan-tri/don-vi/${id}`;
      await check.expect(`POST ${unit}`, [404], post(unit, { name: 'Phòng thử nghiệm', kind: 'division' }));
      await check.expect(`POST ${unit}/don-vi-con`, [404], post(`${unit}/don-vi-con`, { name: 'Phòng thử nghiệm', kind: 'division' }));
      await check.expect(`POST ${unit}/di-chuyen`, [404], post(`${unit}/di-chuyen`, { parentId: root }));
      await check.expect(`POST ${unit}/sap-nhap`, [404], post(`${unit}/sap-nhap`, { targetId: t.unitIds.sct! }));
      await check.expect(`POST ${unit}/trang-thai`, [404], post(`${unit}/trang-thai`, { active: '0' }));

      const cutover = '/tiepnhan/quan-tri/chuyen-doi-vneid';
      await check.expect(`POST ${cutover}/don-vi/${id}`, [404], post(`${cutover}/don-vi/${id}`, { date: '01/01/2030' }));
      await check.expect(`POST ${cutover}/khan-cap/${id}`, [404], post(`${cutover}/khan-cap/${id}`, { on: '0' }));

      const proc = `/tiepnhan/quan-tri/thu-tuc/${id}`;
      await check.expect(`GET ${proc}`, [404], c.get(proc));
      await check.expect(`POST ${proc}`, [404], post(proc, { name: 'Thủ tục thử nghiệm' }));
      await check.expect(`POST ${proc}/mau/xoa`, [404], post(`${proc}/mau/xoa`, { version: '1', document: '0' }));
      await check.expect(
        `POST ${proc}/mau`,
        [404],
        c.request('POST', `${proc}/mau`, multipart(csrf, { version: '1', document: '0' }, { name: 'to-khai.docx', bytes: docx() }), {
          origin: c.origin,
        }),
      );

      // A well-formed id meets the check that the session was opened with VNeID first (403).
      await check.expect(
        `POST /tiepnhan/chuyen-tai-khoan/${id}`,
        id === UNKNOWN ? [403, 404] : [404],
        post(`/tiepnhan/chuyen-tai-khoan/${id}`),
      );
      await check.expect(`GET /tai-mau/${id}`, [404], c.get(`/tai-mau/${id}`));
    }
    expect(check.failures).toEqual([]);
  });

  it('dossier pages and files (a reception official), and the JSON API', async () => {
    const d = await dossierOfClerk();
    const { c, csrf } = await loggedIn(sctClerkUsername());
    const check = checker();
    const admin = await actorFor(t.database, 'admin.sct');
    const { token } = await issueApiClient(t.database.db, admin, (await accountByUsername(t.database, sctClerkUsername()))!.id, {
      name: 'Phần mềm thử',
    });
    const api = async (method: string, path: string, body?: unknown): Promise<Answer> => {
      const res = await t.app.request(`http://localhost/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : null,
      });
      return { status: res.status, text: await res.text() };
    };
    for (const id of IDS) {
      const dossier = `/tiepnhan/ho-so/${id}`;
      await check.expect(`GET ${dossier}`, [404], c.get(dossier));
      await check.expect(`GET ${dossier}/mau-01.pdf`, [404], c.get(`${dossier}/mau-01.pdf`));
      await check.expect(`GET ${dossier}/tep/${UNKNOWN}`, [404], c.get(`${dossier}/tep/${UNKNOWN}`));
      await check.expect(`GET /tiepnhan/ho-so/<dossier>/tep/${id}`, [404], c.get(`/tiepnhan/ho-so/${d.id}/tep/${id}`));
      await check.expect(`POST ${dossier}/xu-ly`, [404], c.post(`${dossier}/xu-ly`, { action: 'handover' }, { csrf }));
      await check.expect(
        `POST ${dossier}/ket-qua`,
        [404],
        c.request('POST', `${dossier}/ket-qua`, multipart(csrf, {}, { name: 'ket-qua.docx', bytes: docx('Kết quả') }), {
          origin: c.origin,
        }),
      );
      await check.expect(`GET /api/v1/dossiers/${id}`, [404], api('GET', `/dossiers/${id}`));
      await check.expect(
        `POST /api/v1/dossiers/${id}/transitions`,
        [404],
        api('POST', `/dossiers/${id}/transitions`, { action: 'handover', seen: 1 }),
      );
    }
    expect(check.failures).toEqual([]);
    // The well-formed id still works.
    expect((await c.get(`/tiepnhan/ho-so/${d.id}`)).status).toBe(200);
    expect((await api('GET', `/dossiers/${d.id}`)).status).toBe(200);
  });
});

describe('malformed query parameters answer 400 with a Vietnamese message, never 500', () => {
  it('administration lists, the audit log, the calendar, the procedures (quantri1)', async () => {
    const { c } = await loggedIn('quantri1');
    const check = checker();
    const users = '/tiepnhan/quan-tri/nguoi-dung';
    for (const bad of MALFORMED) {
      await check.expect(`GET ${users}?donvi=${bad}`, [400], c.get(`${users}?donvi=${bad}`));
      await check.expect(`GET ${users}?tk=${bad}`, [400], c.get(`${users}?tk=${bad}`));
      await check.expect(`GET ${users}?moi=1&donvi=${bad}`, [400], c.get(`${users}?moi=1&donvi=${bad}`));
      await check.expect(`GET ${users}/xuat?donvi=${bad}`, [400], c.get(`${users}/xuat?donvi=${bad}`));
      await check.expect(`GET /tiepnhan/quan-tri/don-vi?dv=${bad}`, [400], c.get(`/tiepnhan/quan-tri/don-vi?dv=${bad}`));
    }
    // A well-formed id nobody administers is "not found".
    await check.expect(`GET ${users}?donvi=${UNKNOWN}`, [404], c.get(`${users}?donvi=${UNKNOWN}`));
    await check.expect(`GET ${users}?tk=${UNKNOWN}`, [404], c.get(`${users}?tk=${UNKNOWN}`));
    await check.expect(`GET /tiepnhan/quan-tri/don-vi?dv=${UNKNOWN}`, [404], c.get(`/tiepnhan/quan-tri/don-vi?dv=${UNKNOWN}`));
    for (const q of ['%00', `Nguy%E1%BB%85n%00`, 'a'.repeat(101)]) {
      await check.expect(`GET ${users}?q=${q}`, [400], c.get(`${users}?q=${q}`));
      await check.expect(`GET ${users}/xuat?q=${q}`, [400], c.get(`${users}/xuat?q=${q}`));
      await check.expect(`GET /tiepnhan/quan-tri/thu-tuc?q=${q}`, [400], c.get(`/tiepnhan/quan-tri/thu-tuc?q=${q}`));
    }
    for (const n of ['1e20', '99999999999999999999', '-5', '0', '1.5', 'NaN', 'Infinity', 'abc', '%00', '0x10']) {
      await check.expect(`GET /tiepnhan/quan-tri/nhat-ky?truoc=${n}`, [400], c.get(`/tiepnhan/quan-tri/nhat-ky?truoc=${n}`));
      await check.expect(`GET /tiepnhan/quan-tri/lich-lam-viec?nam=${n}`, [400], c.get(`/tiepnhan/quan-tri/lich-lam-viec?nam=${n}`));
    }
    await check.expect('GET /tiepnhan/quan-tri/lich-lam-viec?nam=1999', [400], c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=1999'));
    await check.expect('GET /tiepnhan/quan-tri/chuyen-doi-vneid?ngay=%00', [400], c.get('/tiepnhan/quan-tri/chuyen-doi-vneid?ngay=%00'));
    expect(check.failures).toEqual([]);

    // Well-formed parameters still work.
    expect((await c.get(`${users}?donvi=${t.unitIds.sct}&q=thuy`)).status).toBe(200);
    const admin = await accountByUsername(t.database, 'admin.sct');
    expect((await c.get(`${users}?tk=${admin!.id}`)).text).toContain('admin.sct');
    expect((await c.get(`${users}?donvi=${t.unitIds.sct}&moi=1`)).status).toBe(200);
    expect((await c.get(`${users}?donvi=&q=`)).status).toBe(200);
    expect((await c.get(`/tiepnhan/quan-tri/don-vi?dv=${t.unitIds.sct}&tb=saved`)).text).toContain('Đã lưu đơn vị.');
    expect((await c.get('/tiepnhan/quan-tri/nhat-ky?truoc=1000')).status).toBe(200);
    expect((await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2026')).text).toContain('2027');
    expect((await c.get('/tiepnhan/quan-tri/thu-tuc?q=thu%E1%BB%91c')).status).toBe(200);
    expect((await c.get(`${users}/xuat?dinh-dang=csv&donvi=${t.unitIds.sct}`)).status).toBe(200);
  });

  it('the inbox, the reception form and Mẫu 07 (a reception official)', async () => {
    const { c } = await loggedIn(sctClerkUsername());
    const check = checker();
    for (const bad of MALFORMED) {
      await check.expect(`GET /tiepnhan/ho-so?linhvuc=${bad}`, [400], c.get(`/tiepnhan/ho-so?linhvuc=${bad}`));
      await check.expect(`GET /tiepnhan/ho-so?thutuc=${bad}`, [400], c.get(`/tiepnhan/ho-so?thutuc=${bad}`));
      await check.expect(
        `GET /tiepnhan/so-theo-doi.pdf?donvi=${bad}`,
        [400],
        c.get(`/tiepnhan/so-theo-doi.pdf?donvi=${bad}&tu=01/01/2026&den=31/01/2026`),
      );
      await check.expect(`GET /tiepnhan/tiep-nhan?procedureId=${bad}`, [400], c.get(`/tiepnhan/tiep-nhan?procedureId=${bad}`));
    }
    for (const q of ['%00', 'nhung%00', 'a'.repeat(101)])
      await check.expect(`GET /tiepnhan/ho-so?q=${q}`, [400], c.get(`/tiepnhan/ho-so?q=${q}`));
    await check.expect('GET /tiepnhan/ho-so?after=…%00', [400], c.get(`/tiepnhan/ho-so?after=2026-01-01T00:00:00.000Z|${UNKNOWN}%00`));
    await check.expect('GET /tiepnhan/ho-so?tu=%00', [400], c.get('/tiepnhan/ho-so?tu=%00'));
    await check.expect('GET /tiepnhan/ho-so?tab=khac', [400], c.get('/tiepnhan/ho-so?tab=khac'));
    await check.expect('GET /tiepnhan/tiep-nhan?fullName=%00', [400], c.get('/tiepnhan/tiep-nhan?fullName=%00'));
    expect(check.failures).toEqual([]);

    const p = await currentProcedure(t.database, '2.000633');
    expect(
      (
        await c.get(
          `/tiepnhan/ho-so?tab=cho-xu-ly&linhvuc=${p.v.sectorId}&thutuc=${p.p.id}&han=con-han&tu=01/01/2026&den=31/12/2026&q=nhung`,
        )
      ).status,
    ).toBe(200);
    expect((await c.get('/tiepnhan/ho-so?linhvuc=&thutuc=&han=&tu=&den=&q=')).status).toBe(200);
    expect((await c.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`)).status).toBe(200);
    expect((await c.get(`/tiepnhan/so-theo-doi.pdf?donvi=${t.unitIds.sct}&tu=01/01/2026&den=31/01/2026`)).status).toBe(200);
  });

  it('the public lookup, the API lookup and inbox, the login callback (no account)', async () => {
    const d = await dossierOfClerk();
    const check = checker();
    const anon = new Client(t.app);
    for (const [ma, mtc] of [
      ['%00', 'ABC'],
      [encodeURIComponent(d.code), `${d.lookupCode}%00`],
      ['a'.repeat(61), 'ABC'],
    ]) {
      await check.expect(`GET /tra-cuu?ma=${ma}&matracuu=${mtc}`, [400], anon.get(`/tra-cuu?ma=${ma}&matracuu=${mtc}`));
      await check.expect(`GET /api/v1/lookup?code=${ma}&lookupCode=${mtc}`, [400], anon.get(`/api/v1/lookup?code=${ma}&lookupCode=${mtc}`));
    }
    await check.expect(
      'GET /tiepnhan/dang-nhap/vneid/callback?state=%00',
      [400],
      anon.get('/tiepnhan/dang-nhap/vneid/callback?state=%00&code=x'),
    );
    const admin = await actorFor(t.database, 'admin.sct');
    const { token } = await issueApiClient(t.database.db, admin, (await accountByUsername(t.database, sctClerkUsername()))!.id, {
      name: 'Phần mềm thử',
    });
    for (const q of ['q=%00', 'after=x%00', `sectorId=${DASHES}`, 'limit=1e20', 'limit=1.5']) {
      const res = await t.app.request(`http://localhost/api/v1/dossiers?${q}`, { headers: { authorization: `Bearer ${token}` } });
      await check.expect(`GET /api/v1/dossiers?${q}`, [400], { status: res.status, text: await res.text() });
    }
    expect(check.failures).toEqual([]);

    const found = await anon.get(`/tra-cuu?ma=${encodeURIComponent(d.code)}&matracuu=${d.lookupCode}`);
    expect(found.text).toContain('id="lookup-result"');
    expect((await anon.get('/tra-cuu?ma=000.00.13.H10-261123-9999&matracuu=ABCDEFGHJK')).text).toContain('Không tìm thấy hồ sơ');
    expect((await anon.get(`/api/v1/lookup?code=${encodeURIComponent(d.code)}&lookupCode=${d.lookupCode}`)).status).toBe(200);
  });
});

describe('NUL bytes in names and other typed text answer 400 with the field named, never 500', () => {
  it('unit, official, procedure, API key and break-glass forms (quantri1)', async () => {
    const { c, csrf } = await loggedIn('quantri1');
    const check = checker();
    const post = (path: string, form: Record<string, string>) => c.post(path, form, { csrf });
    const root = t.unitIds.tinh!;
    const sct = t.unitIds.sct!;
    await check.expect(
      'POST don-vi-con name NUL',
      [400],
      post(`/tiepnhan/quan-tri/don-vi/${root}/don-vi-con`, { name: `Phòng${NUL} thử nghiệm`, kind: 'division' }),
    );
    await check.expect(
      'POST don-vi name NUL',
      [400],
      post(`/tiepnhan/quan-tri/don-vi/${sct}`, { name: `Sở Công Thương${NUL}`, kind: 'department' }),
    );
    await check.expect(
      'POST don-vi sap-nhap targetId malformed',
      [400, 404],
      post(`/tiepnhan/quan-tri/don-vi/${t.unitIds['sct-tt']}/sap-nhap`, { targetId: DASHES }),
    );
    await check.expect(
      'POST don-vi di-chuyen parentId malformed',
      [400, 404],
      post(`/tiepnhan/quan-tri/don-vi/${t.unitIds['sct-tt']}/di-chuyen`, { parentId: `x${NUL}` }),
    );
    const official = {
      username: 'thu.nul',
      middleName: `Nguyễn${NUL} Văn`,
      givenName: 'Thử',
      gender: 'male',
      unitId: t.unitIds['sct-vp']!,
    };
    await check.expect('POST nguoi-dung/moi middleName NUL', [400], post('/tiepnhan/quan-tri/nguoi-dung/moi', official));
    await check.expect(
      'POST nguoi-dung/moi unitId malformed',
      [400],
      post('/tiepnhan/quan-tri/nguoi-dung/moi', { ...official, middleName: 'Nguyễn Văn', unitId: DASHES }),
    );
    await check.expect(
      'POST nguoi-dung/moi position NUL',
      [400],
      post('/tiepnhan/quan-tri/nguoi-dung/moi', { ...official, middleName: 'Nguyễn Văn', position: `Chuyên${NUL}viên` }),
    );
    const clerk = await accountByUsername(t.database, sctClerkUsername());
    await check.expect(
      'POST khoa-api name NUL',
      [400],
      post(`/tiepnhan/quan-tri/nguoi-dung/${clerk!.id}/khoa-api`, { name: `Khóa${NUL}` }),
    );
    await check.expect(
      'POST phan-quyen grant malformed',
      [400, 404],
      post(`/tiepnhan/quan-tri/nguoi-dung/${clerk!.id}/phan-quyen`, { grant: `${DASHES}:reception` }),
    );
    await check.expect(
      'POST khan-cap username NUL',
      [400],
      post('/tiepnhan/quan-tri/chuyen-doi-vneid/khan-cap', { username: `quantri1${NUL}` }),
    );
    const p = await currentProcedure(t.database, '2.000633');
    await check.expect(
      'POST thu-tuc name NUL',
      [400],
      post(`/tiepnhan/quan-tri/thu-tuc/${p.p.id}`, {
        code: p.p.code,
        name: `Thủ tục${NUL} thử nghiệm`,
        sectorId: p.v.sectorId,
        unitId: p.v.unitIds[0]!,
        limitKind: 'days',
        limit: '10',
        fee: '0',
        onlineLevel: 'mot_phan',
        documents: `Đơn đề nghị${NUL}`,
      }),
    );
    await check.expect(
      'POST nhap unitId malformed',
      [400, 404],
      c.request(
        'POST',
        '/tiepnhan/quan-tri/nguoi-dung/nhap',
        multipart(csrf, { unitId: DASHES }, { name: 'can-bo.csv', bytes: new TextEncoder().encode('x') }),
        { origin: c.origin },
      ),
    );
    expect(check.failures).toEqual([]);
    // The refused names wrote nothing.
    expect((await c.get(`/tiepnhan/quan-tri/don-vi?dv=${root}`)).text).not.toContain('thử nghiệm');
  });

  it('the reception form, a workflow note and the login form (a reception official)', async () => {
    const d = await dossierOfClerk();
    const { c, csrf } = await loggedIn(sctClerkUsername());
    const check = checker();
    const p = await currentProcedure(t.database, '2.000633');
    const reception = { procedureId: p.p.id, channel: '1', fullName: 'Võ Thị Nhung' };
    const typed: Array<[string, string]> = [
      ['fullName', `Võ Thị${NUL} Nhung`],
      ['address', `Đồng${NUL} Xoài`],
      ['note', NUL],
      ['procedureId', DASHES],
      ['cccd', `07008500${NUL}999`],
    ];
    for (const [field, value] of typed) {
      await check.expect(`POST tiep-nhan ${field}`, [400], c.post('/tiepnhan/tiep-nhan', { ...reception, [field]: value }, { csrf }));
    }
    await check.expect(
      'POST xu-ly note NUL',
      [400],
      c.post(`/tiepnhan/ho-so/${d.id}/xu-ly`, { action: 'refuse', note: `Thiếu${NUL} giấy tờ` }, { csrf }),
    );
    await check.expect(
      'POST xu-ly items NUL',
      [400],
      c.post(`/tiepnhan/ho-so/${d.id}/xu-ly`, { action: 'request_supplement', note: 'Bổ sung', items: `Bản sao${NUL}` }, { csrf }),
    );
    const anon = new Client(t.app);
    await check.expect('POST dang-nhap username NUL', [400, 401], anon.login(`quantri1${NUL}`, TEST_PASSWORD));
    expect(check.failures).toEqual([]);
    expect(await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id))).toMatchObject([{ status: 'received' }]);
  });
});

describe('a number field takes a number or its digits, never an array or an object read as one (shared/validate.ts numberField)', () => {
  it('the reception channel, the checklist counts, the return channel and the history row seen', async () => {
    const { ReceiveInput } = await import('../src/dossiers/receive-dossier.js');
    const { ChecklistItem } = await import('../src/dossiers/reception-checklist.js');
    const { TransitionInput } = await import('../src/dossiers/act-on-dossier.js');
    const channel = ReceiveInput.shape.channel;
    // The use: a JSON number, or the digits a form sends (spaces around ignored).
    for (const v of [1, '1', ' 3 ', 2, '2']) expect(channel.safeParse(v).success, JSON.stringify(v)).toBe(true);
    expect(ChecklistItem.parse({ index: '0', originals: '2', copies: '' })).toEqual({ index: 0, originals: 2, copies: 0 });
    expect(TransitionInput.parse({ action: 'return_result', returnChannel: '3', seen: 7 })).toMatchObject({ returnChannel: 3, seen: 7 });
    // The abuse: what z.coerce.number() read as a number ([2] → 2, true → 1, [] / null / '' → 0) is refused at its field.
    for (const v of [[2], ['2'], [], {}, { valueOf: 2 }, true, null, '', '0x2', '2e0', 'Infinity']) {
      const r = channel.safeParse(v);
      expect(r.success, JSON.stringify(v)).toBe(false);
      expect(r.error?.issues[0]?.message).toContain('hình thức tiếp nhận');
    }
    for (const v of [[1], true, { n: 1 }]) {
      expect(ChecklistItem.safeParse({ index: v }).success, JSON.stringify(v)).toBe(false);
      expect(ChecklistItem.safeParse({ index: 0, originals: v }).success, JSON.stringify(v)).toBe(false);
      const moved = TransitionInput.safeParse({ action: 'return_result', returnChannel: v, seen: v });
      expect(moved.error?.issues.map((i) => i.path[0]).sort(), JSON.stringify(v)).toEqual(['returnChannel', 'seen']);
    }
  });
});
