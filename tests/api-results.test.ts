/**
 * The result and the files through /api/v1, as the officials' screens do them (tests/result-required.test.ts):
 * record, attach, approve and return with keys of the clerk, the expert and the director; and the abuses — another
 * department's dossier, a key without the role, a wrong step, bad files, a double submit — refused precisely with
 * nothing written. Reception through the API follows the counter's checklist, scans included.
 */
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierEvents, dossierFiles, dossierResults, dossiers } from '../src/db/schema/index.js';
import { issueApiClient } from '../src/api/issue-api-client.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`));
/** Today in Vietnam as yyyy-mm-dd: an API client's form of the ngày ký (the page's is dd/mm/yyyy). */
const todayIso = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());

// biome-ignore lint/suspicious/noExplicitAny: answers of many shapes; tests/api-contract.test.ts checks them against the document
type Json = Record<string, any>;

async function call(method: string, path: string, token: string, body?: BodyInit, type?: string) {
  const res = await t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(type ? { 'content-type': type } : {}) },
    body: body ?? null,
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const isJson = res.headers.get('content-type')?.includes('application/json');
  return { status: res.status, headers: res.headers, bytes, json: (isJson ? JSON.parse(Buffer.from(bytes).toString()) : {}) as Json };
}
const post = (path: string, token: string, body: unknown) => call('POST', path, token, JSON.stringify(body), 'application/json');
const upload = (path: string, token: string, form: FormData) => call('POST', path, token, form);
/** A workflow action as an API client sends it: with `seen`, the latest history row of the dossier it read. */
const act = async (id: string, token: string, body: Record<string, unknown>) =>
  post(`/dossiers/${id}/transitions`, token, { ...body, seen: (await call('GET', `/dossiers/${id}`, token)).json.seen });
const fileForm = (name: string, bytes: Uint8Array, type = 'application/pdf') => {
  const form = new FormData();
  form.set('file', new File([new Uint8Array(bytes)], name, { type }));
  return form;
};

async function keyOf(username: string) {
  const admin = await actorFor(t.database, 'quantri1');
  const account = (await accountByUsername(t.database, username))!;
  return (await issueApiClient(t.database.db, admin, account.id, { name: `Khóa của ${username}` })).token;
}

/** Keys of the Sở Công Thương chain for 2.000633 (clerk → Quản lý Thương mại → Giám đốc) and a dossier received by API. */
async function received() {
  const { p, v } = await currentProcedure(t.database, '2.000633');
  const clerk = await keyOf(sctClerkUsername());
  const expert = await keyOf(who('sct-qltm', 'Chuyên viên'));
  const director = await keyOf(who('sct-ld', 'Giám đốc'));
  const created = await post('/dossiers', clerk, {
    procedureId: p.id,
    channel: 1,
    fullName: 'Lê Văn Kết Quả',
    documents: completeChecklist(v.documents),
  });
  expect(created.status).toBe(201);
  return { id: String(created.json.id), clerk, expert, director, p, v };
}

async function atApproval() {
  const r = await received();
  expect((await act(r.id, r.clerk, { action: 'handover' })).status).toBe(200);
  expect((await act(r.id, r.expert, { action: 'handover' })).status).toBe(200);
  return r;
}

const signed = () => ({ kind: 'document', number: '15/GP-SCT', signedOn: todayIso(), summary: 'Cấp giấy phép bán lẻ sản phẩm rượu' });
const events = async (id: string, action: string) =>
  t.database.db
    .select()
    .from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, id), eq(dossierEvents.action, action)));

describe('the result through the API', () => {
  it('records the result, attaches its file, approves and returns; the files download for those who may see the dossier', async () => {
    const { id, clerk, director } = await atApproval();
    // Without a result the approval is refused, naming what is missing (result-guard.ts).
    const early = await act(id, director, { action: 'approve' });
    expect(early.status).toBe(409);
    expect(early.json.error).toMatchObject({ code: 'result_required' });

    const attached = await upload(`/dossiers/${id}/result/files`, director, fileForm('Giấy phép 15.pdf', pdf('giấy phép 15')));
    expect(attached.status, JSON.stringify(attached.json)).toBe(201);
    expect(attached.json).toMatchObject({ kind: 'result', name: 'Giấy phép 15.pdf', size: pdf('giấy phép 15').length });
    const recorded = await post(`/dossiers/${id}/result`, director, signed());
    expect(recorded.status).toBe(200);
    expect(recorded.json).toMatchObject({ kind: 'document', number: '15/GP-SCT', signedOn: todayIso(), approvedAt: null });
    // A double submit changes nothing and writes no second history row.
    const again = await post(`/dossiers/${id}/result`, director, signed());
    expect(again.status).toBe(200);
    expect(again.json).toEqual(recorded.json);
    expect(await events(id, 'record_result')).toHaveLength(1);

    const detail = await call('GET', `/dossiers/${id}`, clerk);
    expect(detail.json.result).toMatchObject({ number: '15/GP-SCT' });
    const file = detail.json.files.find((f: Json) => f.id === attached.json.id);
    expect(file).toMatchObject({ kind: 'result', name: 'Giấy phép 15.pdf' });
    const download = await call('GET', `/dossiers/${id}/files/${file.id}`, clerk);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''Gi%E1%BA%A5y%20ph%C3%A9p%2015.pdf");
    expect(Buffer.from(download.bytes).toString()).toContain('giấy phép 15');

    const approved = await act(id, director, { action: 'approve' });
    expect(approved.status).toBe(200);
    expect(approved.json.status).toBe('done');
    const returned = await act(id, clerk, { action: 'return_result', returnChannel: 1 });
    expect(returned.status, JSON.stringify(returned.json)).toBe(200);
    expect(returned.json.status).toBe('returned');
    const [r] = await t.database.db.select().from(dossierResults).where(eq(dossierResults.dossierId, id));
    expect(r!.approvedAt).not.toBeNull();
  });

  it('"no document" is refused where the procedure results in a document; missing fields are named; nothing is recorded', async () => {
    const { id, director } = await atApproval();
    // 2.000633 results in a licence: "no document" is refused beside kind, and nothing is recorded.
    const refused = await post(`/dossiers/${id}/result`, director, { kind: 'none', noDocumentReason: 'Không cấp' });
    expect(refused.status).toBe(400);
    expect(refused.json.error.fields.kind).toContain('kết quả là văn bản');
    const missing = await post(`/dossiers/${id}/result`, director, { kind: 'document', signedOn: '31/02/2026' });
    expect(missing.status).toBe(400);
    expect(Object.keys(missing.json.error.fields).sort()).toEqual(['number', 'signedOn', 'summary']);
    expect(await t.database.db.select().from(dossierResults).where(eq(dossierResults.dossierId, id))).toEqual([]);
  });

  it('another department’s dossier is absent to its key; a key without the role, or a dossier at another step, is refused', async () => {
    const { id, clerk, director } = await atApproval();
    const snv = await keyOf('admin.snv');
    const attached = await upload(`/dossiers/${id}/result/files`, director, fileForm('gp.pdf', pdf('gp')));
    for (const res of [
      await post(`/dossiers/${id}/result`, snv, signed()),
      await upload(`/dossiers/${id}/result/files`, snv, fileForm('gp.pdf', pdf('khác'))),
      await call('GET', `/dossiers/${id}/files/${attached.json.id}`, snv),
      await call('GET', `/dossiers/${id}`, snv),
    ]) {
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe('not_found');
    }
    // A file id of another dossier is not found through this one.
    const other = await received();
    expect((await call('GET', `/dossiers/${other.id}/files/${attached.json.id}`, other.clerk)).status).toBe(404);

    // The clerk's key: reception only. GET /me says it cannot record a result; trying is as if the dossier were absent.
    const me = await call('GET', '/me', clerk);
    const ops = Object.fromEntries(me.json.operations.map((o: Json) => [o.operationId, o]));
    expect(ops.recordResult).toMatchObject({ allowed: false, note: expect.stringContaining('Cần vai trò') });
    expect(ops.attachResultFile.allowed).toBe(false);
    expect(ops.downloadDossierFile.allowed).toBe(true);
    expect((await call('GET', '/me', director)).json.operations.find((o: Json) => o.operationId === 'recordResult').allowed).toBe(true);
    expect((await post(`/dossiers/${id}/result`, clerk, signed())).status).toBe(404);

    // At reception the clerk holds the dossier, but the result is not recorded there.
    const wrongStep = await post(`/dossiers/${other.id}/result`, other.clerk, signed());
    expect(wrongStep.status).toBe(409);
    expect(wrongStep.json.error.code).toBe('invalid_transition');
    const wrongStepFile = await upload(`/dossiers/${other.id}/result/files`, other.clerk, fileForm('gp.pdf', pdf('sớm')));
    expect(wrongStepFile.status).toBe(409);
    expect(await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, other.id))).toEqual([]);
    expect(await events(id, 'record_result')).toEqual([]);
  });

  it('the same result file sent again (a retry after a lost answer) is the one attached, not a second', async () => {
    const { id, clerk, director } = await atApproval();
    const first = await upload(`/dossiers/${id}/result/files`, director, fileForm('Giấy phép 15.pdf', pdf('giấy phép 15')));
    const retry = await upload(`/dossiers/${id}/result/files`, director, fileForm('Giấy phép 15 (1).pdf', pdf('giấy phép 15')));
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.json.id).toBe(first.json.id);
    const files = (await call('GET', `/dossiers/${id}`, clerk)).json.files.filter((f: Json) => f.kind === 'result');
    expect(files).toHaveLength(1);
    expect(await events(id, 'attach_result')).toHaveLength(1);
    // Another file is another result file.
    expect((await upload(`/dossiers/${id}/result/files`, director, fileForm('Phụ lục.pdf', pdf('phụ lục')))).status).toBe(201);
    expect((await call('GET', `/dossiers/${id}`, clerk)).json.files.filter((f: Json) => f.kind === 'result')).toHaveLength(2);
  });

  it('an empty, oversized, wrongly typed or missing file gets its own 4xx and leaves nothing in the dossier', async () => {
    const { id, director } = await atApproval();
    const empty = await upload(`/dossiers/${id}/result/files`, director, fileForm('rong.pdf', new Uint8Array()));
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatchObject({ code: 'file_empty', fields: { file: expect.stringContaining('“rong.pdf” rỗng') } });
    const big = new Uint8Array(10 * 1024 * 1024 + 16);
    big.set(pdf('lớn'));
    const tooBig = await upload(`/dossiers/${id}/result/files`, director, fileForm('lon.pdf', big));
    expect(tooBig.status).toBe(413);
    expect(tooBig.json.error).toMatchObject({ code: 'file_too_large', fields: { file: expect.stringContaining('10 MB') } });
    const wrong = await upload(`/dossiers/${id}/result/files`, director, fileForm('ket-qua.pdf', new TextEncoder().encode('MZ not a pdf')));
    expect(wrong.status).toBe(415);
    expect(wrong.json.error.code).toBe('file_type_not_allowed');
    const none = await upload(`/dossiers/${id}/result/files`, director, new FormData());
    expect(none.status).toBe(400);
    expect(none.json.error.code).toBe('file_missing');
    const json = await post(`/dossiers/${id}/result/files`, director, { file: 'JVBERi0=' });
    expect(json.status).toBe(400);
    expect(await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, id))).toEqual([]);
    expect(await events(id, 'attach_result')).toEqual([]);
  });
});

describe('reception through the API follows the counter’s checklist', () => {
  it('refuses a dossier without its required documents with 422 naming them, and receives nothing', async () => {
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const clerk = await keyOf(sctClerkUsername());
    const required = v.documents.filter((d) => d.required);
    expect(required.length).toBeGreaterThan(1);
    const bare = await post('/dossiers', clerk, { procedureId: p.id, channel: 1, fullName: 'Trần Văn Thiếu' });
    expect(bare.status).toBe(422);
    expect(bare.json.error.code).toBe('required_documents_missing');
    for (const d of required) expect(bare.json.error.message).toContain(`“${d.name}”`);
    const partial = await post('/dossiers', clerk, {
      procedureId: p.id,
      channel: 3,
      fullName: 'Trần Văn Thiếu',
      documents: completeChecklist(v.documents).slice(1),
    });
    expect(partial.status).toBe(422);
    expect(partial.json.error.message).toBe(`Chưa nhận đủ thành phần hồ sơ bắt buộc: “${v.documents[0]!.name}”.`);
    expect(partial.json.error.fields).toEqual({ 'doc-0': expect.any(String) });
    const uncounted = await post('/dossiers', clerk, {
      procedureId: p.id,
      channel: 1,
      fullName: 'Trần Văn Thiếu',
      documents: completeChecklist(v.documents).map((d) => ({ ...d, originals: 0 })),
    });
    expect(uncounted.status).toBe(400);
    expect(await t.database.db.select().from(dossiers)).toEqual([]);
  });

  it('takes the scans as multipart parts: a digitised dossier, each scan downloadable; a bad scan is said beside it', async () => {
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const clerk = await keyOf(sctClerkUsername());
    const documents = v.documents.map((_, index) => ({ index, copies: 1 }));
    const form = (
      scans: Record<number, File>,
      dossier = JSON.stringify({ procedureId: p.id, channel: 1, fullName: 'Vũ Thị Số Hóa', documents }),
    ) => {
      const f = new FormData();
      f.set('dossier', dossier);
      for (const [i, file] of Object.entries(scans)) f.set(`scan-${i}`, file);
      return f;
    };
    const scan = (i: number) => new File([pdf(`bản quét ${i}`)], `ban-quet-${i}.pdf`, { type: 'application/pdf' });

    const badJson = await upload('/dossiers', clerk, form({ 0: scan(0) }, '{"procedureId":'));
    expect(badJson.status).toBe(400);
    expect(badJson.json.error).toMatchObject({ code: 'invalid_json', fields: { dossier: expect.any(String) } });
    // A scan past RECEPTION_SCAN_MAX_MB (10 MB here) is discarded while it streams and named beside its part.
    const big = new Uint8Array(10 * 1024 * 1024 + 16);
    big.set(pdf('lớn'));
    const refused = await upload(
      '/dossiers',
      clerk,
      form({
        0: new File([big], 'ban-quet-lon.pdf', { type: 'application/pdf' }),
        1: new File([new TextEncoder().encode('MZ')], 'virus.exe', { type: 'application/octet-stream' }),
        2: scan(2),
      }),
    );
    expect(refused.status).toBe(400);
    expect(refused.json.error.fields['scan-0']).toContain('Tệp quét quá lớn: “ban-quet-lon.pdf”');
    expect(refused.json.error.fields['scan-1']).toContain('Loại tệp không được nhận');
    expect(await t.database.db.select().from(dossiers)).toEqual([]);

    const all = Object.fromEntries(v.documents.map((_, i) => [i, scan(i)]));
    const created = await upload('/dossiers', clerk, form(all));
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const [d] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, created.json.id));
    expect(d!.digitised).toBe(true);
    const detail = await call('GET', `/dossiers/${d!.id}`, clerk);
    const scans = detail.json.files.filter((f: Json) => f.kind === 'scan');
    expect(scans.map((f: Json) => f.documentLabel)).toEqual(v.documents.map((doc) => doc.name));
    const first = await call('GET', `/dossiers/${d!.id}/files/${scans[0].id}`, clerk);
    expect(Buffer.from(first.bytes).toString()).toContain('bản quét 0');
  });
});
