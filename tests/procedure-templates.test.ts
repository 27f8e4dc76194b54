import { describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { docx, executable } from './support/sample-files.js';
import { auditLog, procedureTemplates, procedureVersions } from '../src/db/schema/index.js';
import { MAX_TEMPLATE_BYTES, removeDocumentTemplate, uploadDocumentTemplate } from '../src/procedures/document-templates.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { receiveAtCounter } from './support/reception.js';
import { documentLine, procedureForm } from './support/procedure-form.js';
import { renderPdf } from '../src/dossiers/forms/layout.js';
import { detectFileType } from '../src/shared/file-types.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();

/** 2.000190 (thuốc lá, Sở Công Thương) has no demo template. */
const CODE = '2.000190';

const current = (code = CODE) => currentProcedure(t.database, code);

async function counts() {
  const db = t.database.db;
  const [templates] = await db.select({ n: count() }).from(procedureTemplates);
  const [versions] = await db.select({ n: count() }).from(procedureVersions);
  const [audit] = await db.select({ n: count() }).from(auditLog);
  return { templates: templates!.n, versions: versions!.n, audit: audit!.n };
}

/** The public download, straight from the app (bytes, not text; no cookies). */
async function download(path: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(`http://localhost${path}`, { headers });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const pdf = () =>
  renderPdf({ title: 'Đơn đề nghị' }, (doc) => void doc.text('Đơn đề nghị cấp Giấy phép kinh doanh sản phẩm thuốc lá')).then(
    (b) => new Uint8Array(b),
  );

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** Posts a multipart upload the way the browser form does. */
async function upload(
  c: Client,
  procedureId: string,
  fields: { version: number; document: number },
  file: { name: string; bytes: Uint8Array; type?: string } | null,
) {
  const page = `/tiepnhan/quan-tri/thu-tuc/${procedureId}`;
  const form = new FormData();
  form.set('_csrf', await c.csrf(page));
  form.set('version', String(fields.version));
  form.set('document', String(fields.document));
  if (file) form.set('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type ?? 'application/pdf' }));
  return c.request('POST', `${page}/mau`, form, { origin: c.origin });
}

describe('template files of procedure documents', () => {
  it('an administrator uploads a PDF: a new version refers to it, and anyone downloads the same bytes', async () => {
    const { p, v } = await current();
    const admin = await loggedIn('admin.sct');
    const before = await admin.get(`/tiepnhan/quan-tri/thu-tuc/${p.id}`);
    expect(before.text).toContain('Mẫu đơn, tờ khai');
    expect(before.text).toContain('Chưa có mẫu');
    const bytes = await pdf();
    const res = await upload(admin, p.id, { version: v.version, document: 0 }, { name: 'Đơn đề nghị cấp phép thuốc lá.pdf', bytes });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/tiepnhan/quan-tri/thu-tuc/${p.id}?tb=mau-tai-len`);

    const { v: v2 } = await current();
    expect(v2.version).toBe(v.version + 1);
    const id = v2.documents[0]!.template!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Nothing else changed in the new version.
    expect(v2.documents.slice(1)).toEqual(v.documents.slice(1));
    expect({ ...v2.documents[0], template: undefined }).toEqual({ ...v.documents[0], template: undefined });
    expect(v2.steps).toEqual(v.steps);
    const [audit] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'procedure.template_upload'));
    expect(audit).toMatchObject({ targetId: p.id, actorLabel: 'admin.sct' });
    expect(audit!.data).toMatchObject({ code: CODE, version: v2.version, new: id, fileName: 'Đơn đề nghị cấp phép thuốc lá.pdf' });

    const page = await admin.get(res.location!);
    expect(page.text).toContain('Đã lưu tệp mẫu thành phiên bản mới của thủ tục.');
    expect(page.text).toContain(`href="/tai-mau/${id}"`);
    expect(page.text).toContain('Tải mẫu');

    const got = await download(`/tai-mau/${id}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('content-length')).toBe(String(bytes.length));
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="Don de nghi cap phep thuoc la.pdf"; filename*=UTF-8''${encodeURIComponent('Đơn đề nghị cấp phép thuốc lá.pdf')}`,
    );
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(got.headers.get('set-cookie')).toBeNull();
    const etag = got.headers.get('etag')!;
    expect((await download(`/tai-mau/${id}`, { 'if-none-match': etag })).status).toBe(304);
    expect((await download('/tai-mau/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await download('/tai-mau/khong-phai-ma')).status).toBe(404);
  });

  it('a DOCX is stored by content type; the same file again is the same template', async () => {
    const { p, v } = await current();
    const admin = await actorFor(t.database, 'admin.sct');
    const file = { name: 'Tờ khai.docx', bytes: docx() };
    const v2 = await uploadDocumentTemplate(t.database.db, admin, p.id, { version: v.version, document: 1 }, file);
    const id = v2.documents[1]!.template!;
    const [row] = await t.database.db.select().from(procedureTemplates).where(eq(procedureTemplates.id, id));
    expect(row).toMatchObject({
      fileName: 'Tờ khai.docx',
      mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      size: file.bytes.length,
    });
    // Uploaded again for another document: no second copy.
    const v3 = await uploadDocumentTemplate(t.database.db, admin, p.id, { version: v2.version, document: 0 }, file);
    expect(v3.documents[0]!.template).toBe(id);
    expect((await counts()).templates).toBe(4); // three demo templates and this one
    // The same file for the same document changes nothing.
    const same = await uploadDocumentTemplate(t.database.db, admin, p.id, { version: v3.version, document: 0 }, file).catch(
      (e: AppError) => e,
    );
    expect((same as AppError).code).toBe('template_unchanged');
    // A page out of date (an older version number) is refused rather than changing the wrong document.
    const stale = await uploadDocumentTemplate(t.database.db, admin, p.id, { version: v.version, document: 2 }, file).catch(
      (e: AppError) => e,
    );
    expect((stale as AppError).status).toBe(409);
    expect((stale as AppError).message).toContain('Vui lòng tải lại trang');
    const got = await download(`/tai-mau/${id}`);
    expect(Buffer.from(got.bytes).equals(Buffer.from(file.bytes))).toBe(true);
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''T%E1%BB%9D%20khai.docx`);
  });

  it('refuses a fake PDF, a text file, a file too large or no file, in Vietnamese, writing nothing', async () => {
    const { p, v } = await current();
    const admin = await loggedIn('admin.sct');
    const was = await counts();
    const exe = await upload(admin, p.id, { version: v.version, document: 0 }, { name: 'mau-don.pdf', bytes: executable() });
    expect(exe.status).toBe(415);
    expect(exe.text).toContain(
      'Nội dung tệp không đúng định dạng cho phép. Chỉ nhận Word (.doc, .docx), PDF, Excel (.xls, .xlsx) hoặc OpenDocument (.odt).',
    );
    const text = await upload(
      admin,
      p.id,
      { version: v.version, document: 0 },
      { name: 'to-khai.pdf', bytes: new TextEncoder().encode('Tờ khai đăng ký — không phải PDF') },
    );
    expect(text.status).toBe(415);
    const big = new Uint8Array(MAX_TEMPLATE_BYTES + 1);
    big.set(new TextEncoder().encode('%PDF-1.7\n'));
    const large = await upload(admin, p.id, { version: v.version, document: 0 }, { name: 'lon.pdf', bytes: big });
    expect(large.status).toBe(413);
    expect(large.text).toContain('Tệp quá lớn (tối đa 5 MB).');
    const none = await upload(admin, p.id, { version: v.version, document: 0 }, null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Vui lòng chọn tệp mẫu đơn, tờ khai.');
    const actor = await actorFor(t.database, 'admin.sct');
    const empty = await uploadDocumentTemplate(
      t.database.db,
      actor,
      p.id,
      { version: v.version, document: 0 },
      { name: 'rong.pdf', bytes: new Uint8Array() },
    ).catch((e: AppError) => e);
    expect((empty as AppError).code).toBe('file_missing');
    expect(await counts()).toEqual(was);
    expect((await current()).v.version).toBe(v.version);
  });

  it("an administrator outside the procedure's units is refused", async () => {
    const { p, v } = await current();
    const c = await loggedIn('admin.snv');
    const was = await counts();
    const snv = await actorFor(t.database, 'admin.snv');
    const err = await uploadDocumentTemplate(
      t.database.db,
      snv,
      p.id,
      { version: v.version, document: 0 },
      { name: 'a.pdf', bytes: await pdf() },
    ).catch((e: AppError) => e);
    expect((err as AppError).status).toBe(404);
    expect((await upload(c, p.id, { version: v.version, document: 0 }, { name: 'a.pdf', bytes: await pdf() })).status).toBe(404);
    const removal = await removeDocumentTemplate(t.database.db, snv, (await current('2.000633')).p.id, { version: 1, document: 0 }).catch(
      (e: AppError) => e,
    );
    expect((removal as AppError).status).toBe(404);
    expect(await counts()).toEqual(was);
  });

  it('an older dossier keeps the template of its version after the template is replaced or removed', async () => {
    const { p, v } = await current();
    const admin = await actorFor(t.database, 'admin.sct');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const v2 = await uploadDocumentTemplate(
      t.database.db,
      admin,
      p.id,
      { version: v.version, document: 0 },
      { name: 'Mẫu cũ.pdf', bytes: await pdf() },
    );
    const oldId = v2.documents[0]!.template!;
    const older = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Người Nộp Cũ' });
    const v3 = await uploadDocumentTemplate(
      t.database.db,
      admin,
      p.id,
      { version: v2.version, document: 0 },
      { name: 'Mẫu mới.docx', bytes: docx('Mẫu mới') },
    );
    const newId = v3.documents[0]!.template!;
    expect(newId).not.toBe(oldId);
    const newer = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Người Nộp Mới' });
    expect(older.procedureVersionId).toBe(v2.id);
    expect(newer.procedureVersionId).toBe(v3.id);

    const c = await loggedIn(sctClerkUsername());
    const oldPage = await c.get(`/tiepnhan/ho-so/${older.id}`);
    expect(oldPage.text).toContain(`href="/tai-mau/${oldId}"`);
    expect(oldPage.text).not.toContain(newId);
    const newPage = await c.get(`/tiepnhan/ho-so/${newer.id}`);
    expect(newPage.text).toContain(`href="/tai-mau/${newId}"`);
    expect((await download(`/tai-mau/${oldId}`)).status).toBe(200);

    // Removing it: a new version without the template; the received dossiers keep theirs.
    const v4 = await removeDocumentTemplate(t.database.db, admin, p.id, { version: v3.version, document: 0 });
    expect(v4.documents[0]).not.toHaveProperty('template');
    expect((await c.get(`/tiepnhan/ho-so/${newer.id}`)).text).toContain(`href="/tai-mau/${newId}"`);
    const [removed] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'procedure.template_remove'));
    expect(removed!.data).toMatchObject({ old: newId, new: null });
    const again = await removeDocumentTemplate(t.database.db, admin, p.id, { version: v4.version, document: 0 }).catch((e: AppError) => e);
    expect((again as AppError).code).toBe('template_absent');
  });

  it('editing the procedure form keeps each document’s template by its name', async () => {
    const { p, v } = await current();
    const admin = await actorFor(t.database, 'admin.sct');
    const v2 = await uploadDocumentTemplate(
      t.database.db,
      admin,
      p.id,
      { version: v.version, document: 0 },
      { name: 'Đơn.pdf', bytes: await pdf() },
    );
    const id = v2.documents[0]!.template!;
    // The first document moves down; a new one comes first.
    const form = procedureForm(p.code, v2, { documents: ['Giấy tờ mới', ...v2.documents.map(documentLine)].join('\n') });
    const v3 = await saveProcedure(t.database.db, admin, p.id, form);
    expect(v3.documents[0]).toEqual({ name: 'Giấy tờ mới', required: true, copies: 1 });
    expect(v3.documents[1]).toMatchObject({ name: v2.documents[0]!.name, template: id });
  });

  it('demo procedures come with real templates, shown and downloadable', async () => {
    const { p, v } = await current('1.001193');
    const doc = v.documents.find((d) => d.name === 'Tờ khai đăng ký khai sinh')!;
    const got = await download(`/tai-mau/${doc.template}`);
    expect(got.status).toBe(200);
    expect(detectFileType(got.bytes)?.kind).toBe('pdf');
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('Tờ khai đăng ký khai sinh.pdf')}`);
    const list = (await current('2.001610')).v.documents.find((d) => d.name === 'Danh sách thành viên')!;
    const xlsx = await download(`/tai-mau/${list.template}`);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(detectFileType(xlsx.bytes)?.kind).toBe('xlsx');
    const admin = await loggedIn('quantri1');
    const page = await admin.get(`/tiepnhan/quan-tri/thu-tuc/${p.id}`);
    expect(page.text).toContain(`href="/tai-mau/${doc.template}"`);
    expect(page.text).toContain('Tờ khai đăng ký khai sinh.pdf');
  });
});
