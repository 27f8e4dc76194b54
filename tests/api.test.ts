import { describe, expect, it } from 'vitest';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { resetPassword } from '../src/accounts/reset-password.js';

const t = useDemoApp();

async function api(method: string, path: string, token: string | null, body?: unknown) {
  const res = await t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read answers of many shapes; tests/api-contract.test.ts checks the shapes
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

describe('JSON API /api/v1', () => {
  it('publishes an OpenAPI document with the request schemas', async () => {
    const { status, json } = await api('GET', '/openapi.json', null);
    expect(status).toBe(200);
    expect(json.openapi).toBe('3.1.0');
    expect(Object.keys(json.paths)).toEqual(
      expect.arrayContaining(['/procedures', '/dossiers', '/dossiers/{id}', '/dossiers/{id}/transitions', '/lookup']),
    );
    expect(json.paths['/dossiers'].post.requestBody.content['application/json'].schema.required).toEqual([
      'procedureId',
      'channel',
      'fullName',
    ]);
    const params = Object.fromEntries(
      json.paths['/dossiers'].get.parameters.map((p: { name: string; schema: object }) => [p.name, p.schema]),
    );
    expect(params.sectorId).toMatchObject({ type: 'string', format: 'uuid' });
    expect(params.dueState.enum).toEqual(['con-han', 'sap-den-han', 'qua-han', 'tam-dung']);
    // What each value means is documented, paused dossiers included.
    expect(params.dueState.description).toContain('tam-dung: hồ sơ tạm dừng tính hạn');
  });

  it('an API client acts exactly as its account: receives, lists, moves; and nothing more', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { token } = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Phần mềm một cửa cũ' });
    // The catalog is public (tests/catalog.test.ts); a bad token is still refused.
    expect((await api('GET', '/procedures', null)).status).toBe(200);
    expect((await api('GET', '/procedures', 'mc_x.nope')).status).toBe(401);
    const procs = await api('GET', '/procedures', token);
    expect(procs.json.length).toBeGreaterThanOrEqual(20);
    // Demo templates are downloadable from the address the API gives.
    const withTemplate = procs.json
      .flatMap((p: { documents: Array<{ templateUrl: string | null }> }) => p.documents)
      .find((d: { templateUrl: string | null }) => d.templateUrl);
    const download = await t.app.request(withTemplate.templateUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const documents = completeChecklist(v.documents);
    const created = await api('POST', '/dossiers', token, { procedureId: p.id, channel: 1, fullName: 'Đinh Văn Api', documents });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'received', statusCode: 2 });
    const bad = await api('POST', '/dossiers', token, { procedureId: p.id, channel: 3, documents });
    expect(bad.status).toBe(400);
    expect(bad.json.error.fields.fullName).toBeTruthy();
    const list = await api('GET', '/dossiers?q=dinh van', token);
    expect(list.json.items.map((i: { code: string }) => i.code)).toContain(created.json.code);
    // The API's summary carries the applicant's whole record (the page's statement reads only the name).
    expect(list.json.items.find((i: { code: string }) => i.code === created.json.code).applicant).toMatchObject({
      fullName: 'Đinh Văn Api',
    });
    const filtered = await api('GET', `/dossiers?procedureId=${p.id}&from=2000-01-01T00:00:00%2B07:00&limit=1`, token);
    expect(filtered.json.items).toHaveLength(1);
    // Malformed filters are named, not a server error.
    const wrong = await api('GET', '/dossiers?sectorId=abc&dueState=soon&limit=0&from=yesterday', token);
    expect(wrong.status).toBe(400);
    expect(Object.keys(wrong.json.error.fields).sort()).toEqual(['dueState', 'from', 'limit', 'sectorId']);
    expect(wrong.json.error.fields.sectorId).toContain('UUID');
    const seenOf = async () => (await api('GET', `/dossiers/${created.json.id}`, token)).json.seen as number;
    const moved = await api('POST', `/dossiers/${created.json.id}/transitions`, token, { action: 'handover', seen: await seenOf() });
    expect(moved.json).toMatchObject({ status: 'processing', statusCode: 4 });
    // Now at another unit's step: the clerk's key cannot act there.
    const again = await api('POST', `/dossiers/${created.json.id}/transitions`, token, { action: 'handover', seen: await seenOf() });
    expect(again.status).toBe(404);
    const lookup = await api('GET', `/lookup?code=${encodeURIComponent(created.json.code)}&lookupCode=${created.json.lookupCode}`, null);
    expect(lookup.json.statusCode).toBe(4);
    // Another department's key sees nothing of it.
    const snvKey = (
      await issueApiClient(t.database.db, await actorFor(t.database, 'quantri1'), (await accountByUsername(t.database, 'admin.snv'))!.id, {
        name: 'Hệ thống Sở Nội vụ',
      })
    ).token;
    expect((await api('GET', `/dossiers/${created.json.id}`, snvKey)).status).toBe(404);
  });

  it('with a browser session, changes need the CSRF header', async () => {
    const c = new Client(t.app);
    await c.login(sctClerkUsername(), TEST_PASSWORD);
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const body = JSON.stringify({ procedureId: p.id, channel: 1, fullName: 'Người Nộp Phiên', documents: completeChecklist(v.documents) });
    const without = await c.request('POST', '/api/v1/dossiers', body, { 'content-type': 'application/json', origin: 'http://localhost' });
    expect(without.status).toBe(403);
    const token = await c.csrf('/tiepnhan');
    const withHeader = await c.request('POST', '/api/v1/dossiers', body, {
      'content-type': 'application/json',
      origin: 'http://localhost',
      'x-csrf-token': token,
    });
    expect(withHeader.status).toBe(201);
  });

  it('with a temporary password, the session cookie calls nothing until it is changed; an API key of the account still works', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { temporaryPassword } = await resetPassword(t.database.db, admin, clerk.id, new Date());
    const { token: key } = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Phần mềm một cửa cũ' });
    const c = new Client(t.app);
    expect((await c.login(clerk.username, temporaryPassword)).status).toBe(303);
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const body = JSON.stringify({ procedureId: p.id, channel: 1, fullName: 'Người Nộp Tạm', documents: completeChecklist(v.documents) });
    const token = await c.csrf('/tiepnhan/doi-mat-khau');
    const post = () =>
      c.request('POST', '/api/v1/dossiers', body, {
        'content-type': 'application/json',
        origin: 'http://localhost',
        'x-csrf-token': token,
      });
    const required = { error: { code: 'password_change_required' } };
    const me = await c.get('/api/v1/me');
    expect(me.status).toBe(403);
    expect(JSON.parse(me.text)).toMatchObject(required);
    expect((await c.get('/api/v1/dossiers')).status).toBe(403);
    const refused = await post();
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject(required);
    // A multipart upload is refused at its gate, as an anonymous one is.
    const form = new FormData();
    form.set('dossier', body);
    const upload = await c.request('POST', '/api/v1/dossiers', form, { origin: 'http://localhost', 'x-csrf-token': token });
    expect(upload.status).toBe(403);
    expect(JSON.parse(upload.text)).toMatchObject(required);
    // The public catalog stays public.
    expect((await c.get('/api/v1/procedures')).status).toBe(200);
    // A key is a credential of its own: not held up by the password the person must change.
    expect((await api('GET', '/me', key)).status).toBe(200);
    // Changed: the same cookie works.
    const newPassword = 'mot-mat-khau-moi-rat-dai';
    const changed = await c.post(
      '/tiepnhan/doi-mat-khau',
      { current: temporaryPassword, next: newPassword, confirm: newPassword },
      { csrfFrom: '/tiepnhan/doi-mat-khau' },
    );
    expect(changed.status).toBe(303);
    expect((await c.get('/api/v1/me')).status).toBe(200);
    const after = await c.csrf('/tiepnhan');
    const created = await c.request('POST', '/api/v1/dossiers', body, {
      'content-type': 'application/json',
      origin: 'http://localhost',
      'x-csrf-token': after,
    });
    expect(created.status).toBe(201);
  });

  it('an instant PostgreSQL cannot hold is a 400 naming its parameter, never a 500; a normal period still filters', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { token } = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Phần mềm một cửa cũ' });
    // Year 0000; year 1 at +14:00 (year 0 in UTC); 9999 at -05:00 (10000 in UTC): zod's z.iso.datetime took all three.
    const refused: Array<[string, string]> = [
      ['from', '0000-01-01T00:00:00Z'],
      ['from', '0001-01-01T00:00:00+14:00'],
      ['to', '9999-12-31T23:00:00-05:00'],
      ['to', '1899-12-31T23:59:59Z'],
      ['from', '3000-01-01T00:00:00Z'],
    ];
    for (const [name, value] of refused) {
      const res = await api('GET', `/dossiers?${name}=${encodeURIComponent(value)}`, token);
      expect([res.status, res.json.error.code, Object.keys(res.json.error.fields)], value).toEqual([400, 'invalid_query', [name]]);
      expect(res.json.error.message).toContain(`"${name}"`);
      expect(res.json.error.fields[name]).toContain('1900–2999');
    }
    // The bounds themselves, in Vietnam time, are read.
    const wide = await api(
      'GET',
      `/dossiers?from=${encodeURIComponent('1900-01-01T07:00:00+07:00')}&to=${encodeURIComponent('2999-12-31T23:59:59Z')}`,
      token,
    );
    expect(wide.status).toBe(200);
    const { p, v } = await currentProcedure(t.database, '2.000633');
    const created = await api('POST', '/dossiers', token, {
      procedureId: p.id,
      channel: 1,
      fullName: 'Lê Thị Khoảng',
      documents: completeChecklist(v.documents),
    });
    expect(created.status).toBe(201);
    const at = Date.parse(created.json.receivedAt);
    const period = async (from: number, to: number) => {
      const q = `procedureId=${p.id}&from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
      const res = await api('GET', `/dossiers?${q}`, token);
      expect(res.status).toBe(200);
      return res.json.items.map((i: { code: string }) => i.code);
    };
    expect(await period(at - 60_000, at + 60_000)).toContain(created.json.code);
    expect(await period(at + 1, at + 60_000)).not.toContain(created.json.code);
    expect(await period(at - 60_000, at)).not.toContain(created.json.code);
  });
});
