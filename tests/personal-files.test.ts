/**
 * Quản lý tập tin cá nhân (/ca-nhan/tap-tin): upload, list, rename, download, delete through HTTP as a logged-in
 * citizen; refusals (empty, too large, wrong type by content, over quota) store nothing; another citizen's file is
 * a 404 like a missing one, also for takePersonalFile; results deposited by agencies are marked and outside the quota;
 * the audit log names citizens and files by internal ids only.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { and, eq, inArray, like } from 'drizzle-orm';
import { buildApp, Client, type App } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { docx, executable } from './support/sample-files.js';
import { auditLog, citizens, personalFiles, sessions, units } from '../src/db/schema/index.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { citizenActor } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';
import { blobStore, hasBlob, putBlob } from '../src/storage/index.js';
import { receiveAtCounter } from './support/reception.js';
import { takePersonalFile } from '../src/personal-files/take-personal-file.js';
import { depositIssuedFile } from '../src/personal-files/deposit-issued-file.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { MAX_PERSONAL_FILE_BYTES } from '../src/personal-files/files.js';

const t = useDemoApp();
const BASE = '/ca-nhan/tap-tin';
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

type Person = { id: string; cccd: string; fullName: string; client: Client };

/** A citizen row and a portal session, as a VNeID login leaves them; the client carries the portal cookie. */
async function citizen(app: App, cccd: string, fullName: string): Promise<Person> {
  const [row] = await t.database.db
    .insert(citizens)
    .values({ issuer: 'https://vneid.test', subject: crypto.randomUUID(), cccd, fullName, loa: 2 })
    .returning({ id: citizens.id });
  const token = await createCitizenSession(t.database.db, row!.id, POLICY, new Date());
  const client = new Client(app);
  client.cookies.set(PORTAL_COOKIE, token);
  return { id: row!.id, cccd, fullName, client };
}

const alice = (app: App = t.app) => citizen(app, '001190012345', 'Nguyễn Thị Hồng Nhung');
const bob = (app: App = t.app) => citizen(app, '079088001122', 'Lê Văn Bình');

/** A small PDF (the detector reads its signature), different for each text. */
const pdf = (text: string, pad = 0) =>
  new Uint8Array(Buffer.concat([Buffer.from(`%PDF-1.4\n% ${text}\n`), Buffer.alloc(pad, 0x20), Buffer.from('\n%%EOF\n')]));
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');

/** Posts the upload form the way the browser does (multipart, with the page's _csrf). */
async function upload(c: Client, file: { name: string; bytes: Uint8Array } | null, displayName?: string) {
  const form = new FormData();
  form.set('_csrf', await c.csrf(BASE));
  if (file) form.set('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: 'application/pdf' }));
  else form.set('file', new File([], '', { type: 'application/octet-stream' }));
  if (displayName !== undefined) form.set('displayName', displayName);
  return c.request('POST', BASE, form, { origin: c.origin });
}

/** A download with the client's cookies, as bytes. */
async function download(app: App, c: Client, path: string) {
  const res = await app.request(`http://localhost${path}`, {
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

const filesOf = (citizenId: string) => t.database.db.select().from(personalFiles).where(eq(personalFiles.citizenId, citizenId));
const spooled = () => fs.readdirSync(blobStore().spoolDir).filter((f) => f.endsWith('.part'));

/** A dossier received at the counter (for a result to be issued from). */
async function dossier() {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const p = await currentProcedure(t.database, '2.000190');
  const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p.p.id, channel: '1', fullName: 'Người Nộp Thử' });
  const [unit] = await t.database.db.select().from(units).where(eq(units.id, d.agencyUnitId));
  return { id: d.id, unitId: d.agencyUnitId, unitName: unit!.name };
}

async function personalAudit() {
  return t.database.db.select().from(auditLog).where(like(auditLog.action, 'personal_file.%'));
}

describe('Quản lý tập tin cá nhân', () => {
  it('a citizen with no file reads that nothing is used (0 KB, not 1 KB)', async () => {
    const a = await citizen(t.app, '001190054321', 'Võ Thị Chưa Có Tệp');
    const res = await a.client.request('GET', BASE);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã dùng 0 KB trên 50 MB · 0/200 tệp');
  });

  it('uploads, lists, renames, downloads the same bytes and deletes (softly: the blob stays for dossiers)', async () => {
    const a = await alice();
    const bytes = pdf('Giấy khai sinh của Nhung');
    // The browser may send the name decomposed (NFD): it is kept composed.
    const res = await upload(a.client, { name: 'Giấy khai sinh.pdf'.normalize('NFD'), bytes });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${BASE}?tb=tai-len`);
    const [row] = await filesOf(a.id);
    expect(row).toMatchObject({
      name: 'Giấy khai sinh.pdf',
      mime: 'application/pdf',
      size: bytes.length,
      sha256: sha(bytes),
      source: 'upload',
    });
    expect(row!.deletedAt).toBeNull();

    const list = await a.client.get(`${BASE}?tb=tai-len`);
    expect(list.status).toBe(200);
    expect(list.text).toContain('Đã tải lên tệp.');
    expect(list.text).toContain('Giấy khai sinh.pdf');
    expect(list.text).toContain('PDF');
    expect(list.text).toContain('Tải lên từ máy của bạn');
    expect(list.text).toContain('trên 50 MB · 1/200 tệp');
    expect(list.text).toContain('enctype="multipart/form-data"');
    expect(list.text).toContain('<label for="file">');

    const got = await download(t.app, a.client, `${BASE}/${row!.id}/tai-ve`);
    expect(got.status).toBe(200);
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(got.headers.get('content-type')).toBe('application/pdf');
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    expect(got.headers.get('content-disposition')).toContain(`filename*=UTF-8''${encodeURIComponent('Giấy khai sinh.pdf')}`);
    expect(got.headers.get('cache-control')).toContain('no-store');

    // Rename: the extension follows the content, whatever is typed; a blank name is refused with its message.
    const renamePage = await a.client.get(`${BASE}/${row!.id}/doi-ten`);
    expect(renamePage.status).toBe(200);
    const blank = await a.client.post(`${BASE}/${row!.id}/doi-ten`, { name: '   ' }, { csrfFrom: BASE });
    expect(blank.status).toBe(400);
    expect(blank.text).toContain('Vui lòng nhập tên tệp.');
    // The same summary as every refused form of the portal, linking to the message beside the field.
    expect(blank.text).toContain('data-error-summary');
    expect(blank.text).toContain('<a href="#err-name">Vui lòng nhập tên tệp.</a>');
    const renamed = await a.client.post(`${BASE}/${row!.id}/doi-ten`, { name: 'Bản sao khai sinh.exe' }, { csrfFrom: BASE });
    expect(renamed.status).toBe(303);
    expect((await filesOf(a.id))[0]!.name).toBe('Bản sao khai sinh.exe.pdf');
    expect((await a.client.get(`${BASE}?tb=doi-ten`)).text).toContain('Bản sao khai sinh.exe.pdf');

    // Delete: without the form's token nothing happens; with it the file leaves the list, not the storage.
    expect((await a.client.post(`${BASE}/${row!.id}/xoa`, {}, { csrf: null })).status).toBe(403);
    expect((await filesOf(a.id))[0]!.deletedAt).toBeNull();
    expect((await a.client.get(`${BASE}/${row!.id}/xoa`)).text).toContain('Bạn có chắc muốn xóa tệp');
    const del = await a.client.post(`${BASE}/${row!.id}/xoa`, {}, { csrfFrom: BASE });
    expect(del.status).toBe(303);
    expect(del.location).toBe(`${BASE}?tb=xoa`);
    const after = await a.client.get(BASE);
    expect(after.text).not.toContain('Bản sao khai sinh');
    expect(after.text).toContain('Bạn chưa có tệp nào.');
    expect(after.text).toContain('0/200 tệp');
    expect((await filesOf(a.id))[0]!.deletedAt).not.toBeNull();
    expect(await hasBlob(sha(bytes))).toBe(true);
    expect((await download(t.app, a.client, `${BASE}/${row!.id}/tai-ve`)).status).toBe(404);
    expect((await a.client.post(`${BASE}/${row!.id}/xoa`, {}, { csrfFrom: BASE })).status).toBe(404);

    const audit = await personalAudit();
    expect(audit.map((e) => e.action).sort()).toEqual(['personal_file.delete', 'personal_file.rename', 'personal_file.upload']);
    for (const e of audit) {
      expect(e.actorLabel).toBe(`citizen:${a.id}`);
      expect(e.targetId).toBe(row!.id);
    }
  });

  it('an upload sent after the session ended goes to Đăng nhập, which says the file was not kept and comes back to the files page', async () => {
    const a = await alice();
    const form = new FormData();
    form.set('_csrf', await a.client.csrf(BASE));
    form.set('file', new File([pdf('muon')], 'muon.pdf', { type: 'application/pdf' }));
    await t.database.db.delete(sessions).where(eq(sessions.citizenId, a.id));
    const late = await a.client.request('POST', BASE, form, { origin: a.client.origin, referer: `${a.client.origin}${BASE}` });
    expect(late.status).toBe(303);
    expect(late.location).toBe(`/dang-nhap?tiep=${encodeURIComponent(BASE)}&het-phien=1`);
    const login = await a.client.get(late.location!);
    expect(login.text).toContain('Phiên đăng nhập đã hết hạn nên nội dung vừa gửi (kể cả tệp đã chọn) chưa được lưu.');
    expect(login.text).toContain(`/dang-nhap/vneid?tiep=${encodeURIComponent(BASE)}`);
    expect(await filesOf(a.id)).toEqual([]);
    // A page of another site, or of the officials' area, is no way back: TRANG CÁ NHÂN.
    for (const referer of ['https://evil.example/ca-nhan/tap-tin', `${a.client.origin}/tiepnhan/ho-so`]) {
      const res = await a.client.request('POST', BASE, form, { origin: a.client.origin, referer });
      expect(res.location).toBe(`/dang-nhap?tiep=${encodeURIComponent('/ca-nhan')}&het-phien=1`);
    }
  });

  it('refuses an empty file, a file too large and a program named .pdf, with the message and nothing stored', async () => {
    const a = await alice();
    const cases = [
      { name: 'rong.pdf', bytes: new Uint8Array(0), status: 400, message: 'không có nội dung' },
      { name: 'chuong-trinh.pdf', bytes: executable(), status: 415, message: 'Chỉ nhận tệp PDF, ảnh (PNG, JPEG)' },
      { name: 'qua-lon.pdf', bytes: pdf('lớn', MAX_PERSONAL_FILE_BYTES), status: 413, message: 'Tệp quá lớn: mỗi tệp tối đa 10 MB' },
    ];
    for (const f of cases) {
      const res = await upload(a.client, f, 'Tên tôi đã gõ');
      expect(res.status, f.name).toBe(f.status);
      expect(res.text).toContain(f.message);
      // The page again, with what was typed.
      expect(res.text).toContain('value="Tên tôi đã gõ"');
      expect(res.text).toContain('aria-invalid="true"');
      expect(await hasBlob(sha(f.bytes))).toBe(false);
    }
    const none = await upload(a.client, null);
    expect(none.status).toBe(400);
    expect(none.text).toContain('Vui lòng chọn tệp cần tải lên.');
    expect(none.text).toContain('<a href="#err-file">Vui lòng chọn tệp cần tải lên.</a>');
    expect(await filesOf(a.id)).toHaveLength(0);
    expect(await personalAudit()).toHaveLength(0);
    expect(spooled()).toEqual([]);
    // A control character in the typed name is refused, not stored.
    const control = await upload(a.client, { name: 'a.pdf', bytes: pdf('điều khiển') }, 'Tên\u0007lạ');
    expect(control.status).toBe(400);
    expect(control.text).toContain('ký tự điều khiển');
    expect(await filesOf(a.id)).toHaveLength(0);
  });

  it('keeps each citizen within the quota: bytes and files; issued results do not count; deleting frees room', async () => {
    const app = buildApp(t.database, { PERSONAL_FILES_QUOTA_MB: '1', PERSONAL_FILES_QUOTA_FILES: '3' });
    const a = await alice(app);
    const big = pdf('sáu trăm KB', 600 * 1024);
    expect((await upload(a.client, { name: 'lon-1.pdf', bytes: big })).status).toBe(303);
    const secondBig = pdf('sáu trăm KB nữa', 600 * 1024);
    const over = await upload(a.client, { name: 'lon-2.pdf', bytes: secondBig });
    expect(over.status).toBe(409);
    expect(over.text).toContain('Không đủ dung lượng lưu trữ');
    // Cut off where the quota ends: not stored.
    expect(await hasBlob(sha(secondBig))).toBe(false);

    // A result issued by an agency lands outside the quota.
    const d = await dossier();
    const result = await putBlob(pdf('Giấy phép kinh doanh sản phẩm thuốc lá', 700 * 1024), { maxBytes: MAX_PERSONAL_FILE_BYTES });
    await t.database.db.transaction((tx) =>
      depositIssuedFile(tx, {
        citizenId: a.id,
        sha256: result.sha256,
        name: 'Giấy phép.pdf',
        mime: 'application/pdf',
        size: result.size,
        unitId: d.unitId,
        dossierId: d.id,
      }),
    );
    expect((await upload(a.client, { name: 'nho-1.pdf', bytes: pdf('nhỏ 1') })).status).toBe(303);
    expect((await upload(a.client, { name: 'nho-2.pdf', bytes: pdf('nhỏ 2') })).status).toBe(303);
    const page = await a.client.get(BASE);
    expect(page.text).toContain('3/3 tệp');
    const fourth = await upload(a.client, { name: 'nho-3.pdf', bytes: pdf('nhỏ 3') });
    expect(fourth.status).toBe(409);
    expect(fourth.text).toContain('Bạn đã lưu đủ 3 tệp');
    expect(await hasBlob(sha(pdf('nhỏ 3')))).toBe(false);

    const [first] = (await filesOf(a.id)).filter((f) => f.name === 'lon-1.pdf');
    expect((await a.client.post(`${BASE}/${first!.id}/xoa`, {}, { csrfFrom: BASE })).status).toBe(303);
    expect((await upload(a.client, { name: 'lon-2.pdf', bytes: secondBig })).status).toBe(303);
  });

  it('checks the quota again inside the transaction: two uploads at once cannot both take the last room', async () => {
    const a = await alice();
    const actor = citizenActor(a.id, { ip: null, requestId: null });
    const quota = { quotaBytes: 1024 * 1024, quotaFiles: 10, uploadDailyBytes: 2 * 1024 * 1024 };
    const files = [pdf('cùng lúc 1', 600 * 1024), pdf('cùng lúc 2', 600 * 1024)];
    const results = await Promise.allSettled(
      files.map((bytes, i) => uploadPersonalFile(t.database.db, actor, { file: { name: `f${i}.pdf`, bytes } }, quota, new Date())),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused && (refused.reason as AppError).code).toBe('quota_exceeded');
    expect(await filesOf(a.id)).toHaveLength(1);
  });

  it("another citizen's file is a 404 everywhere, like a missing one, and takePersonalFile refuses it the same way", async () => {
    const a = await alice();
    const b = await bob();
    expect((await upload(a.client, { name: 'Hộ chiếu.pdf', bytes: pdf('hộ chiếu') })).status).toBe(303);
    const [file] = await filesOf(a.id);
    const id = file!.id;

    expect((await b.client.get(BASE)).text).not.toContain('Hộ chiếu');
    expect((await download(t.app, b.client, `${BASE}/${id}/tai-ve`)).status).toBe(404);
    expect((await b.client.get(`${BASE}/${id}/doi-ten`)).status).toBe(404);
    expect((await b.client.get(`${BASE}/${id}/xoa`)).status).toBe(404);
    const rename = await b.client.post(`${BASE}/${id}/doi-ten`, { name: 'của tôi' }, { csrfFrom: BASE });
    expect(rename.status).toBe(404);
    const del = await b.client.post(`${BASE}/${id}/xoa`, {}, { csrfFrom: BASE });
    expect(del.status).toBe(404);
    // The same answer as an id nobody has, and as no id at all.
    const missing = await b.client.post(`${BASE}/${crypto.randomUUID()}/xoa`, {}, { csrfFrom: BASE });
    expect(del.text).toBe(missing.text);
    expect((await b.client.get(`${BASE}/not-an-id/tai-ve`)).status).toBe(404);
    expect((await b.client.get(`${BASE}/${'-'.repeat(36)}/doi-ten`)).status).toBe(404);
    const [still] = await filesOf(a.id);
    expect(still).toMatchObject({ name: 'Hộ chiếu.pdf', deletedAt: null });

    const taken = await t.database.db.transaction((tx) => takePersonalFile(tx, a.id, id));
    expect(taken).toEqual({ sha256: file!.sha256, name: 'Hộ chiếu.pdf', mime: 'application/pdf', size: file!.size });
    const refusal = async (citizenId: string, fileId: string) => {
      try {
        await t.database.db.transaction((tx) => takePersonalFile(tx, citizenId, fileId));
      } catch (err) {
        return err;
      }
      return null;
    };
    const byB = await refusal(b.id, id);
    const none = await refusal(b.id, crypto.randomUUID());
    expect(byB).toBeInstanceOf(AppError);
    expect(byB).toMatchObject({ code: 'not_found', status: 404 });
    expect((byB as AppError).message).toBe((none as AppError).message);
    expect(await refusal(a.id, 'x')).toMatchObject({ code: 'not_found' });

    // Anonymous: the list and the upload go to Đăng nhập; nothing stored.
    const anon = new Client(t.app);
    const list = await anon.get(BASE);
    expect(list.status).toBe(303);
    expect(list.location).toBe(`/dang-nhap?tiep=${encodeURIComponent(BASE)}`);
    const form = new FormData();
    form.set('_csrf', await anon.csrf());
    form.set('file', new File([pdf('vô danh')], 'x.pdf'));
    expect((await anon.request('POST', BASE, form, { origin: anon.origin })).status).toBe(303);
    expect(await hasBlob(sha(pdf('vô danh')))).toBe(false);
    expect((await download(t.app, anon, `${BASE}/${id}/tai-ve`)).status).toBe(303);

    // Deleted: no longer taken.
    expect((await a.client.post(`${BASE}/${id}/xoa`, {}, { csrfFrom: BASE })).status).toBe(303);
    expect(await refusal(a.id, id)).toMatchObject({ code: 'not_found' });
  });

  it('a result deposited by an agency appears marked as issued, keeps its mark when renamed, and can be deleted', async () => {
    const a = await alice();
    const d = await dossier();
    const bytes = docx('Giấy phép kinh doanh sản phẩm thuốc lá');
    const blob = await putBlob(bytes, { maxBytes: MAX_PERSONAL_FILE_BYTES });
    const input = {
      citizenId: a.id,
      sha256: blob.sha256,
      name: 'Giấy phép kinh doanh.docx',
      mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      size: blob.size,
      unitId: d.unitId,
      dossierId: d.id,
    };
    const id = await t.database.db.transaction((tx) => depositIssuedFile(tx, input));
    // Delivered again (a retried delivery): the same file.
    expect(await t.database.db.transaction((tx) => depositIssuedFile(tx, input))).toBe(id);
    expect(await filesOf(a.id)).toHaveLength(1);

    const page = await a.client.get(BASE);
    expect(page.text).toContain('Giấy phép kinh doanh.docx');
    expect(page.text).toContain(`Do cơ quan cấp: ${d.unitName}`);
    expect(page.text).toContain('Word');
    expect(page.text).toContain('0/200 tệp');

    expect((await a.client.post(`${BASE}/${id}/doi-ten`, { name: 'Của tôi' }, { csrfFrom: BASE })).status).toBe(303);
    const [row] = await filesOf(a.id);
    expect(row).toMatchObject({ name: 'Của tôi.docx', source: 'issued', issuedByUnitId: d.unitId, dossierId: d.id });
    expect((await a.client.get(BASE)).text).toContain(`Do cơ quan cấp: ${d.unitName}`);
    const got = await download(t.app, a.client, `${BASE}/${id}/tai-ve`);
    expect(Buffer.from(got.bytes).equals(Buffer.from(bytes))).toBe(true);

    expect((await a.client.post(`${BASE}/${id}/xoa`, {}, { csrfFrom: BASE })).status).toBe(303);
    expect((await a.client.get(BASE)).text).toContain('Bạn chưa có tệp nào.');
  });

  it('writes no CCCD, name or file name of a citizen into the audit log', async () => {
    const a = await alice();
    const secretName = 'Sổ hộ khẩu Nguyễn Thị Hồng Nhung.pdf';
    expect((await upload(a.client, { name: secretName, bytes: pdf('sổ hộ khẩu') }, secretName)).status).toBe(303);
    const [file] = await filesOf(a.id);
    await a.client.post(`${BASE}/${file!.id}/doi-ten`, { name: 'Hộ khẩu mới' }, { csrfFrom: BASE });
    await a.client.post(`${BASE}/${file!.id}/xoa`, {}, { csrfFrom: BASE });
    const rows = await t.database.db
      .select()
      .from(auditLog)
      .where(and(like(auditLog.action, 'personal_file.%'), inArray(auditLog.targetId, [file!.id])));
    expect(rows).toHaveLength(3);
    const text = JSON.stringify(rows).normalize('NFC');
    for (const secret of [a.cccd, a.fullName, 'Sổ hộ khẩu', 'Hộ khẩu mới', 'Nhung']) expect(text).not.toContain(secret);
  });
});
