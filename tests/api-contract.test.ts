/**
 * The API says what it returns: the OpenAPI document is valid OpenAPI 3.1, every operation has a success
 * schema, real answers of every operation (each documented status) validate against the document, and a
 * client generated from the document (openapi-typescript) type-checks against the presenters' types.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { completeChecklist } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { procedureVersions, procedures, units } from '../src/db/schema/index.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { resetPassword } from '../src/accounts/reset-password.js';
import { openApiDocument } from '../src/api/openapi.js';

const pdfBytes = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`));

// ajv-formats is CommonJS: under NodeNext its default import is the module object.
const addFormats = addFormatsModule.default;

type Doc = ReturnType<typeof openApiDocument>;
type Method = 'get' | 'post';
type Operation = { operationId: string; responses: Record<string, { content?: Record<string, { schema?: object }> }> };

/** Every operation of the document as [path, method, operation]. */
function operations(doc: Doc): Array<[string, Method, Operation]> {
  const paths: Record<string, Partial<Record<Method, Operation>>> = doc.paths;
  return Object.entries(paths).flatMap(([path, item]) =>
    (['get', 'post'] as const).flatMap((m): Array<[string, Method, Operation]> => {
      const op = item[m];
      return op ? [[path, m, op]] : [];
    }),
  );
}

const pointerPart = (s: string) => s.replaceAll('~', '~0').replaceAll('/', '~1');

describe('the OpenAPI document describes every answer', () => {
  const t = useDemoApp();

  it('is valid OpenAPI 3.1, and every operation has a success schema', async () => {
    const res = await t.app.request('http://localhost/api/v1/openapi.json');
    const doc = (await res.json()) as Doc;
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    for (const [path, method, op] of operations(doc)) {
      const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
      expect(success.length, `${method} ${path}`).toBeGreaterThan(0);
      for (const [status, r] of [...success, ...Object.entries(op.responses).filter(([s]) => !/^2/.test(s))]) {
        // Every answer is JSON but a file's download, whose content is the file's own type.
        const content = r.content?.['application/json'] ?? r.content?.['*/*'];
        expect(content?.schema, `${method} ${path} ${status}`).toBeTruthy();
      }
    }
  });

  it('real answers of every operation, at every documented status, match the document', async () => {
    const doc = openApiDocument('http://localhost');
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    // OpenAPI's own annotation keyword inside schemas.
    ajv.addKeyword({ keyword: 'example' });
    // The component schemas under $defs of one schema, every pointer into the document (#/components/schemas/…)
    // rewritten onto it.
    const docId = 'https://motcua.test/openapi.json';
    const onto = (schema: object): object =>
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${docId}#/$defs/`)) as object;
    ajv.addSchema(onto({ $id: docId, $defs: doc.components.schemas }));
    const validatorFor = (schema: object) => ajv.compile(onto(schema));

    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = (await accountByUsername(t.database, sctClerkUsername()))!;
    const { token } = await issueApiClient(t.database.db, admin, clerk.id, { name: 'Kiểm tra hợp đồng API' });
    // An account without the reception role of the procedure's agency: receiving is forbidden to it.
    const snv = (await accountByUsername(t.database, 'admin.snv'))!;
    const otherToken = (await issueApiClient(t.database.db, await actorFor(t.database, 'quantri1'), snv.id, { name: 'Sở Nội vụ' })).token;
    const session = new Client(t.app);
    await session.login(sctClerkUsername(), TEST_PASSWORD);
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const [version] = await t.database.db
      .select()
      .from(procedureVersions)
      .where(and(eq(procedureVersions.procedureId, p!.id), eq(procedureVersions.current, true)));
    const missing = randomUUID();
    const badToken = 'mc_x.nope';
    const big = JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'x'.repeat(70_000) });
    const documents = completeChecklist(version!.documents);

    const seen = new Set<string>();
    const check = async (
      operationId: string,
      method: Method,
      path: string,
      opts: {
        token?: string | null;
        body?: string;
        form?: FormData;
        session?: boolean;
        client?: Client;
        headers?: Record<string, string>;
      } = {},
    ) => {
      const headers: Record<string, string> = {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.body ? { 'content-type': 'application/json' } : {}),
        ...opts.headers,
      };
      const sent = opts.form ?? opts.body;
      const browser = opts.session ? session : opts.client;
      const answer = browser
        ? await browser.request(method.toUpperCase(), `/api/v1${path}`, sent, { ...headers, origin: 'http://localhost' })
        : await (async () => {
            const r = await t.app.request(`http://localhost/api/v1${path}`, {
              method: method.toUpperCase(),
              headers,
              body: sent ?? null,
            });
            return { status: r.status, headers: r.headers, text: await r.text() };
          })();
      const found = operations(doc).find(([, , op]) => op.operationId === operationId);
      expect(found, operationId).toBeTruthy();
      const [docPath, docMethod, op] = found!;
      expect(docMethod).toBe(method);
      const status = String(answer.status);
      expect(Object.keys(op.responses), `${operationId} answered ${status}: ${answer.text}`).toContain(status);
      seen.add(`${operationId} ${status}`);
      if (op.responses[status]!.content?.['*/*']) return { downloaded: answer.text };
      expect(answer.headers.get('content-type')).toContain('application/json');
      const schema = op.responses[status]!.content!['application/json']!.schema!;
      const validate = validatorFor(schema);
      const body: unknown = JSON.parse(answer.text);
      const where = `paths/${pointerPart(docPath)}/${method}/responses/${status}`;
      expect(validate(body) ? [] : validate.errors, where).toEqual([]);
      return body as Record<string, unknown>;
    };

    // GET /me
    const me = await check('getMe', 'get', '/me', { token });
    expect(me.account).toMatchObject({ id: clerk.id, username: clerk.username });
    await check('getMe', 'get', '/me', { token: badToken });
    // GET /procedures
    await check('listProcedures', 'get', '/procedures', { token });
    // Public: anonymous callers too; a bad parameter is 400, a bad token still 401.
    await check('listProcedures', 'get', '/procedures?q=giay+phep&limit=2');
    await check('listProcedures', 'get', '/procedures?limit=0');
    await check('listProcedures', 'get', '/procedures', { token: badToken });
    // GET /procedures/{id}
    await check('getProcedure', 'get', `/procedures/${p!.id}`);
    await check('getProcedure', 'get', `/procedures/${missing}`);
    await check('getProcedure', 'get', `/procedures/${p!.id}`, { token: badToken });
    // POST /dossiers
    const created = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Đinh Văn Hợp Đồng', phone: '0912345678', documents }),
    });
    const id = String(created.id);
    // Idempotency-Key: a retry is the same dossier (201); a malformed key is 400; the key with another body is 422.
    const idempotent = JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Đinh Văn Thử Lại', documents });
    const idemKey = { 'idempotency-key': randomUUID() };
    const once = await check('receiveDossier', 'post', '/dossiers', { token, body: idempotent, headers: idemKey });
    const twice = await check('receiveDossier', 'post', '/dossiers', { token, body: idempotent, headers: idemKey });
    expect(twice).toEqual(once);
    const malformed = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: idempotent,
      headers: { 'idempotency-key': 'abc' },
    });
    expect(malformed).toMatchObject({ error: { code: 'invalid_idempotency_key' } });
    const reused = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 3, fullName: 'Đinh Văn Thử Lại', documents }),
      headers: idemKey,
    });
    expect(reused).toMatchObject({ error: { code: 'idempotency_key_reused' } });
    await check('receiveDossier', 'post', '/dossiers', { token, body: JSON.stringify({ procedureId: p!.id, channel: 1 }) });
    await check('receiveDossier', 'post', '/dossiers', {
      token: badToken,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Trần Văn Thử' }),
    });
    // Without any credentials a change is refused before the route: no session, no CSRF token.
    await check('receiveDossier', 'post', '/dossiers', {
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Trần Văn Thử' }),
    });
    await check('receiveDossier', 'post', '/dossiers', {
      token: otherToken,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Trần Văn Thử' }),
    });
    await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: missing, channel: 1, fullName: 'Trần Văn Thử' }),
    });
    await check('receiveDossier', 'post', '/dossiers', { token, body: big });
    // Channel 2 (trực tuyến) is the portals': an official's key is refused with its own code.
    const online = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 2, fullName: 'Trần Văn Trực Tuyến' }),
    });
    expect(online).toMatchObject({ error: { code: 'online_channel_reserved' } });
    // The checklist: a required document missing is 422 too, naming it.
    const incomplete = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Trần Văn Thiếu' }),
    });
    expect(incomplete).toMatchObject({ error: { code: 'required_documents_missing' } });
    // Multipart: the same body in `dossier`, the scans as files.
    const withScan = new FormData();
    withScan.set('dossier', JSON.stringify({ procedureId: p!.id, channel: 3, fullName: 'Đinh Thị Số Hóa', documents }));
    withScan.set('scan-0', new File([pdfBytes('bản quét')], 'don.pdf', { type: 'application/pdf' }));
    await check('receiveDossier', 'post', '/dossiers', { token, form: withScan });
    // GET /dossiers
    const page = await check('listDossiers', 'get', '/dossiers?limit=5', { token });
    expect((page.items as unknown[]).length).toBeGreaterThan(0);
    await check('listDossiers', 'get', '/dossiers?limit=0', { token });
    await check('listDossiers', 'get', '/dossiers');
    // GET /dossiers/{id}
    await check('getDossier', 'get', `/dossiers/${id}`, { token });
    await check('getDossier', 'get', `/dossiers/${id}`);
    await check('getDossier', 'get', `/dossiers/${missing}`, { token });
    // A session whose account must still change its temporary password: 403 password_change_required.
    const deputy = demoOfficials().find((x) => x.unitKey === 'sct-ld' && x.position === 'Phó Giám đốc')!;
    const deputyAccount = (await accountByUsername(t.database, deputy.username))!;
    const { temporaryPassword } = await resetPassword(t.database.db, admin, deputyAccount.id, new Date());
    const temporary = new Client(t.app);
    expect((await temporary.login(deputy.username, temporaryPassword)).status).toBe(303);
    await check('getMe', 'get', '/me', { client: temporary });
    await check('listDossiers', 'get', '/dossiers', { client: temporary });
    await check('getDossier', 'get', `/dossiers/${id}`, { client: temporary });
    // POST /dossiers/{id}/transitions
    // Every action names the latest history row it read (`seen` of GET /dossiers/{id}): a retry is refused, not applied.
    const seenOf = async (dossierId: string, by = token) =>
      Number((await check('getDossier', 'get', `/dossiers/${dossierId}`, { token: by })).seen);
    const act = (body: Record<string, unknown>) => JSON.stringify(body);
    const seenAtId = await seenOf(id);
    await check('actOnDossier', 'post', `/dossiers/${missing}/transitions`, { token, body: act({ action: 'handover', seen: 1 }) });
    await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, { token, body: act({ action: 'nothing', seen: seenAtId }) });
    const unseen = await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, { token, body: act({ action: 'handover' }) });
    expect(unseen).toMatchObject({ error: { code: 'seen_required', fields: { seen: expect.stringContaining('seen') } } });
    await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, { token, body: act({ action: 'accept', seen: seenAtId }) });
    await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, {
      token: badToken,
      body: act({ action: 'handover', seen: seenAtId }),
    });
    await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, {
      session: true,
      body: act({ action: 'handover', seen: seenAtId }),
    });
    await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, { token, body: big });
    await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, { token, body: act({ action: 'handover', seen: seenAtId }) });
    const retried = await check('actOnDossier', 'post', `/dossiers/${id}/transitions`, {
      token,
      body: act({ action: 'handover', seen: seenAtId }),
    });
    expect(retried).toMatchObject({ error: { code: 'dossier_moved' } });
    // The result: a dossier at the approval step of the director (Sở Công Thương: clerk → Quản lý Thương mại → Giám đốc).
    const keyFor = async (unitKey: string, position: string) => {
      const o = demoOfficials().find((x) => x.unitKey === unitKey && x.position === position)!;
      const account = (await accountByUsername(t.database, o.username))!;
      return (await issueApiClient(t.database.db, admin, account.id, { name: `Khóa ${o.username}` })).token;
    };
    const expert = await keyFor('sct-qltm', 'Chuyên viên');
    const director = await keyFor('sct-ld', 'Giám đốc');
    const toApprove = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Lê Văn Kết Quả', documents }),
    });
    const rid = String(toApprove.id);
    await check('actOnDossier', 'post', `/dossiers/${rid}/transitions`, {
      token,
      body: act({ action: 'handover', seen: await seenOf(rid) }),
    });
    await check('actOnDossier', 'post', `/dossiers/${rid}/transitions`, {
      token: expert,
      body: act({ action: 'handover', seen: await seenOf(rid, expert) }),
    });
    const signedOn = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    const result = JSON.stringify({ kind: 'document', number: '15/GP-SCT', signedOn, summary: 'Cấp giấy phép bán lẻ sản phẩm rượu' });
    // POST /dossiers/{id}/result
    await check('recordResult', 'post', `/dossiers/${rid}/result`, { token: director, body: result });
    await check('recordResult', 'post', `/dossiers/${rid}/result`, { token: director, body: JSON.stringify({ kind: 'maybe' }) });
    await check('recordResult', 'post', `/dossiers/${rid}/result`, { token: badToken, body: result });
    await check('recordResult', 'post', `/dossiers/${rid}/result`, { session: true, body: result });
    await check('recordResult', 'post', `/dossiers/${missing}/result`, { token: director, body: result });
    // At reception (the created dossier has moved on; a new one waits at the clerk's step): not where a result is recorded.
    const atReception = await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Lê Văn Sớm', documents }),
    });
    await check('recordResult', 'post', `/dossiers/${String(atReception.id)}/result`, { token, body: result });
    await check('recordResult', 'post', `/dossiers/${rid}/result`, { token: director, body: big });
    // POST /dossiers/{id}/result/files
    const fileForm = (name: string, bytes: Uint8Array, type = 'application/pdf') => {
      const f = new FormData();
      f.set('file', new File([new Uint8Array(bytes)], name, { type }));
      return f;
    };
    const attached = await check('attachResultFile', 'post', `/dossiers/${rid}/result/files`, {
      token: director,
      form: fileForm('giay-phep.pdf', pdfBytes('giấy phép')),
    });
    await check('attachResultFile', 'post', `/dossiers/${rid}/result/files`, { token: director, form: new FormData() });
    await check('attachResultFile', 'post', `/dossiers/${rid}/result/files`, { token: badToken, form: fileForm('a.pdf', pdfBytes('a')) });
    await check('attachResultFile', 'post', `/dossiers/${rid}/result/files`, { session: true, form: fileForm('a.pdf', pdfBytes('a')) });
    await check('attachResultFile', 'post', `/dossiers/${missing}/result/files`, {
      token: director,
      form: fileForm('a.pdf', pdfBytes('a')),
    });
    await check('attachResultFile', 'post', `/dossiers/${String(atReception.id)}/result/files`, {
      token,
      form: fileForm('a.pdf', pdfBytes('a')),
    });
    const tooBig = new Uint8Array(10 * 1024 * 1024 + 16);
    tooBig.set(pdfBytes('lớn'));
    await check('attachResultFile', 'post', `/dossiers/${rid}/result/files`, { token: director, form: fileForm('lon.pdf', tooBig) });
    await check('attachResultFile', 'post', `/dossiers/${rid}/result/files`, {
      token: director,
      form: fileForm('x.pdf', new TextEncoder().encode('MZ'), 'application/octet-stream'),
    });
    // GET /dossiers/{id}/files/{fileId}; the dossier lists its result and files.
    const withResult = await check('getDossier', 'get', `/dossiers/${rid}`, { token: director });
    expect(withResult.result).toMatchObject({ number: '15/GP-SCT' });
    const downloaded = await check('downloadDossierFile', 'get', `/dossiers/${rid}/files/${String(attached.id)}`, { token });
    expect(downloaded.downloaded).toContain('giấy phép');
    await check('downloadDossierFile', 'get', `/dossiers/${rid}/files/${String(attached.id)}`, { token: badToken });
    await check('downloadDossierFile', 'get', `/dossiers/${id}/files/${String(attached.id)}`, { token });

    // GET /lookup (public); the dossier now has history and a status past reception.
    const detail = await check('getDossier', 'get', `/dossiers/${id}`, { token });
    expect(detail.history).toHaveLength(2);
    // The check bites: a wrong type or a missing field is refused.
    const detailSchema = validatorFor({ $ref: '#/components/schemas/DossierDetail' });
    expect(detailSchema({ ...detail, statusCode: '4' })).toBe(false);
    expect(detailSchema({ ...detail, history: undefined })).toBe(false);
    const lookupCode = String(created.lookupCode);
    await check('lookupDossier', 'get', `/lookup?code=${encodeURIComponent(String(created.code))}&lookupCode=${lookupCode}`);
    await check('lookupDossier', 'get', `/lookup?code=${'X'.repeat(61)}&lookupCode=${lookupCode}`);
    await check('lookupDossier', 'get', `/lookup?code=NOPE&lookupCode=${lookupCode}`);

    // An agency without its electronic code cannot give dossier codes: reception is refused (409).
    await t.database.db.update(units).set({ agencyCode: null }).where(eq(units.id, version!.unitIds[0]!));
    await check('receiveDossier', 'post', '/dossiers', {
      token,
      body: JSON.stringify({ procedureId: p!.id, channel: 1, fullName: 'Đinh Văn Hợp Đồng', documents }),
    });

    // Every documented status of every operation was answered and matched.
    const documented = operations(doc).flatMap(([, , op]) =>
      Object.keys(op.responses)
        .filter((s) => s !== 'default')
        .map((s) => `${op.operationId} ${s}`),
    );
    expect([...seen].sort()).toEqual(documented.sort());
  });
});

describe('a client generated from the document', () => {
  // The document does not depend on the database: checked once, on the PGlite run.
  it.skipIf(process.env.MOTCUA_TEST_DB === 'postgres')(
    'type-checks against the presenters (openapi-typescript, then the TypeScript compiler)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'motcua-api-client-'));
      try {
        await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
        await writeFile(join(dir, 'api.ts'), astToString(await openapiTS(JSON.stringify(openApiDocument('http://localhost')))));
        const src = (p: string) => JSON.stringify(resolve('src', p));
        // Answers of each operation, as the generated types name them, against the presenters' types both ways:
        // what the server sends is what a client expects, field for field.
        await writeFile(
          join(dir, 'client.ts'),
          `import type { components, paths } from './api.js';
import type { Dossier, DossierDetail, DossierFile, DossierResult, InboxPage, LookupResult } from ${src('dossiers/presenters.js')};
import type { Procedure } from ${src('procedures/presenters.js')};
import type { ErrorBody } from ${src('web/error-body.js')};
import type { Me } from ${src('api/presenters.js')};

type Json<R> = R extends { content: { 'application/json': infer T } } ? T : never;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const same = <A, B>(ok: Same<A, B>) => ok;

same<Json<paths['/procedures']['get']['responses'][200]>, Procedure[]>(true);
same<Json<paths['/procedures/{id}']['get']['responses'][200]>, Procedure>(true);
same<Json<paths['/dossiers']['get']['responses'][200]>, InboxPage>(true);
same<Json<paths['/dossiers']['post']['responses'][201]>, Dossier>(true);
same<Json<paths['/dossiers/{id}']['get']['responses'][200]>, DossierDetail>(true);
same<Json<paths['/dossiers/{id}/transitions']['post']['responses'][200]>, Dossier>(true);
same<Json<paths['/lookup']['get']['responses'][200]>, LookupResult>(true);
same<Json<paths['/dossiers/{id}/result']['post']['responses'][200]>, DossierResult>(true);
same<Json<paths['/dossiers/{id}/result/files']['post']['responses'][201]>, DossierFile>(true);
same<components['schemas']['Error'], ErrorBody>(true);
same<Json<paths['/me']['get']['responses'][200]>, Me>(true);

/** The tiny client: typed by the document alone. */
export async function dossierStatus(base: string, id: string): Promise<string> {
  const res = await fetch(\`\${base}/dossiers/\${id}\`);
  if (!res.ok) {
    const { error } = (await res.json()) as components['schemas']['Error'];
    return \`\${error.code}: \${error.message}\`;
  }
  const d = (await res.json()) as Json<paths['/dossiers/{id}']['get']['responses'][200]>;
  const last = d.history.at(-1);
  return \`\${d.code} \${d.statusLabel} (\${d.statusCode}) \${last ? last.at : ''} \${d.allowedActions.join(', ')}\`;
}
`,
        );
        const config = ts.getParsedCommandLineOfConfigFile(
          resolve('tsconfig.json'),
          {},
          { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
        );
        const program = ts.createProgram([join(dir, 'client.ts')], { ...config!.options, noEmit: true });
        // The generated types and the client only: the project's own files are `npm run typecheck`'s.
        const problems = program
          .getSourceFiles()
          .filter((f) => f.fileName.startsWith(dir))
          .flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])
          .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
        expect(problems).toEqual([]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
