import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { getDocumentProxy } from 'unpdf';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierComponents, dossierFiles, dossiers, roleGrants } from '../src/db/schema/index.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { dossierFormPdf } from '../src/dossiers/dossier-forms.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { procedureForm } from './support/procedure-form.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`));
// 2.000633 (Sở Công Thương): three required documents.
const RETAIL = '2.000633';
// 2.000190 (1.100.000 đồng, 15 days): the third document is optional ("nếu có").
const OPTIONAL_LAST = '2.000190';

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** Posts the reception form as the browser does (multipart), with the scans given by document position. */
async function postReception(
  c: Client,
  fields: Record<string, string>,
  scans: Record<number, { name: string; bytes: Uint8Array; type?: string }> = {},
) {
  const form = new FormData();
  form.set('_csrf', await c.csrf('/tiepnhan/tiep-nhan'));
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [i, f] of Object.entries(scans))
    form.set(`scan-${i}`, new Blob([Buffer.from(f.bytes)], { type: f.type ?? 'application/pdf' }), f.name);
  const res = await c.request('POST', '/tiepnhan/tiep-nhan', form, { origin: c.origin });
  return { status: res.status, location: res.headers.get('location'), text: res.text };
}

async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocumentProxy(bytes);
  const parts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    parts.push(content.items.map((x) => ('str' in x ? x.str : '')).join(' '));
  }
  return parts.join(' ').replace(/\s+/g, ' ');
}

const applicant = { channel: '1', fullName: 'Phan Thị Số Hóa', cccd: '070 085 316 204', phone: '0912 000 111' };

describe('TIẾP NHẬN HỒ SƠ: the checklist and digitisation', () => {
  it('shows the procedure’s documents, fee and time; receives the ticked ones with counts and scans; the receipt lists exactly them', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, OPTIONAL_LAST);
    const form = await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`);
    expect(form.status).toBe(200);
    for (const d of p.v.documents) expect(form.text).toContain(d.name);
    expect(form.text).toContain('(nếu có)');
    expect(form.text).toContain('Thời hạn giải quyết');
    expect(form.text).toContain('Phí, lệ phí');

    const res = await postReception(
      clerk,
      {
        ...applicant,
        procedureId: p.p.id,
        'doc-0': '1',
        'originals-0': '1',
        'copies-0': '0',
        'doc-1': '1',
        'originals-1': '0',
        'copies-1': '2',
      },
      { 0: { name: 'don-de-nghi.pdf', bytes: pdf('đơn') }, 1: { name: 'ban-sao.pdf', bytes: pdf('bản sao') } },
    );
    expect(res.status, res.text).toBe(303);
    const id = /\/ho-so\/([0-9a-f-]{36})/.exec(res.location!)![1]!;
    const [d] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, id));
    expect(d!.digitised).toBe(true);
    expect(d!.applicant.cccd).toBe('070085316204');
    expect(d!.applicant.phone).toBe('0912000111');
    const components = await t.database.db.select().from(dossierComponents).where(eq(dossierComponents.dossierId, id));
    expect(components.map((c) => [c.documentIndex, c.originals, c.copies, c.digitised]).sort()).toEqual([
      [0, 1, 0, true],
      [1, 0, 2, true],
    ]);

    // The dossier page shows the components; a processor of the dossier opens a scan.
    const page = await clerk.get(`/tiepnhan/ho-so/${id}`);
    expect(page.status).toBe(200);
    expect(
      page.text,
      page.text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .slice(0, 1500),
    ).toContain('Thành phần hồ sơ đã nhận');
    expect(page.text).toContain('Đã số hóa');
    expect((await clerk.get(`/tiepnhan/ho-so/${id}/mau-01.pdf`)).status).toBe(200);
    const { pdf: receipt } = await dossierFormPdf(
      t.database.db,
      await actorFor(t.database, sctClerkUsername()),
      id,
      '01',
      'https://motcua.example.vn',
      new Date(),
    );
    const text = await pdfText(new Uint8Array(receipt));
    expect(text).toContain(`${p.v.documents[0]!.name} (01 bản chính)`);
    expect(text).toContain(`${p.v.documents[1]!.name} (02 bản sao)`);
    expect(text).not.toContain(p.v.documents[2]!.name);
    expect(text).toContain('Thời hạn giải quyết');
    expect(text).toContain('Phí, lệ phí: 1.100.000 đồng');
    expect(text).toContain('Thời hạn giải quyết: 15 ngày làm việc');

    const [scan] = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.id, components[0]!.fileId!));
    const expert = await loggedIn(who('sct-qltm', 'Chuyên viên'));
    const download = await expert.request('GET', `/tiepnhan/ho-so/${id}/tep/${scan!.id}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    expect(download.text).toContain('%PDF-1.4');
  });

  it('a required document not ticked is said beside it, and what was typed stays', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    const res = await postReception(clerk, {
      ...applicant,
      procedureId: p.p.id,
      note: 'Nộp thay',
      'doc-0': '1',
      'originals-0': '1',
      'copies-0': '3',
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain(`Chưa nhận đủ thành phần hồ sơ bắt buộc: “${p.v.documents[1]!.name}”`);
    expect(res.text).toContain('id="err-doc-1"');
    expect(res.text).toContain('Thành phần hồ sơ bắt buộc: chưa được đánh dấu đã nhận.');
    expect(res.text).not.toContain('id="err-doc-0"');
    expect(res.text).toContain('value="Phan Thị Số Hóa"');
    expect(res.text).toContain('value="Nộp thay"');
    expect(res.text).toMatch(/name="doc-0" value="1" checked/);
    expect(res.text).toMatch(/name="copies-0"[^>]*value="3"/);
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
    // A ticked document with no count is said too.
    const none = await postReception(clerk, {
      ...applicant,
      procedureId: p.p.id,
      'doc-0': '1',
      'originals-0': '0',
      'copies-0': '0',
      'doc-1': '1',
      'doc-2': '1',
    });
    expect(none.status).toBe(400);
    expect(none.text).toContain('Nhập số bản chính hoặc số bản sao đã nhận.');
  });

  it('an oversized or wrongly typed scan is refused at its field; nothing is received, nothing typed lost', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    const all = { 'doc-0': '1', 'originals-0': '1', 'doc-1': '1', 'copies-1': '1', 'doc-2': '1', 'copies-2': '1' };
    const big = new Uint8Array(10 * 1024 * 1024 + 10);
    big.set(pdf('lớn'));
    const res = await postReception(
      clerk,
      { ...applicant, procedureId: p.p.id, ...all },
      {
        0: { name: 'lon.pdf', bytes: big },
        1: { name: 'virus.exe', bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), type: 'application/octet-stream' },
      },
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="err-scan-0"');
    expect(res.text).toContain('Tệp quét quá lớn');
    expect(res.text).toContain('id="err-scan-1"');
    expect(res.text).toContain('Loại tệp không được nhận');
    expect(res.text).toContain('value="Phan Thị Số Hóa"');
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
    // Without scans the dossier is received, not digitised.
    const ok = await postReception(
      clerk,
      { ...applicant, procedureId: p.p.id, ...all },
      { 2: { name: 'hop-dong.png', bytes: pngBytes(), type: 'image/png' } },
    );
    expect(ok.status, ok.text).toBe(303);
    const [d] = await t.database.db.select().from(dossiers);
    expect(d!.digitised).toBe(false);
    const components = await t.database.db.select().from(dossierComponents).where(eq(dossierComponents.dossierId, d!.id));
    expect(components.filter((c) => c.digitised).map((c) => c.documentIndex)).toEqual([2]);
  });

  it('refuses a forged document id, and a scan opened through another dossier', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    const documents = [0, 1, 2].map((index) => ({ index, originals: 1 }));
    const forged = await receiveDossier(t.database.db, clerk, {
      ...applicant,
      procedureId: p.p.id,
      documents: [...documents, { index: 7, originals: 1 }],
    }).catch((e: AppError) => e);
    expect((forged as AppError).fields?.documents).toContain('không thuộc thủ tục này');
    const a = await receiveDossier(
      t.database.db,
      clerk,
      { ...applicant, procedureId: p.p.id, documents },
      new Date(),
      new Map([[0, { name: 'a.pdf', bytes: pdf('a') }]]),
    );
    const b = await receiveDossier(t.database.db, clerk, { ...applicant, procedureId: p.p.id, documents });
    expect(a.digitised).toBe(false);
    const [scan] = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, a.id));
    const c = await loggedIn(sctClerkUsername());
    expect((await c.request('GET', `/tiepnhan/ho-so/${b.id}/tep/${scan!.id}`)).status).toBe(404);
    expect((await c.request('GET', `/tiepnhan/ho-so/${a.id}/tep/${scan!.id}`)).status).toBe(200);
    // A scan for a document not ticked is said beside it.
    const untick = await receiveDossier(
      t.database.db,
      clerk,
      { ...applicant, procedureId: p.p.id, documents },
      new Date(),
      new Map([[5, { name: 'x.pdf', bytes: pdf('x') }]]),
    ).catch((e: AppError) => e);
    expect((untick as AppError).fields?.['scan-5']).toBeTruthy();
  });

  it('offers only the procedures the clerk may receive; another agency’s procedure is refused; no reception position → 403', async () => {
    const sgd = await loggedIn(who('sgd', 'Chuyên viên'));
    const sct = await currentProcedure(t.database, RETAIL);
    const own = await currentProcedure(t.database, '1.005092');
    const form = await sgd.get('/tiepnhan/tiep-nhan');
    expect(form.text).toContain(own.v.name);
    expect(form.text).not.toContain(sct.v.name);
    expect((await sgd.get(`/tiepnhan/tiep-nhan?procedureId=${sct.p.id}`)).text).not.toContain(sct.v.documents[0]!.name);
    const forged = await postReception(sgd, {
      ...applicant,
      procedureId: sct.p.id,
      'doc-0': '1',
      'originals-0': '1',
      'doc-1': '1',
      'originals-1': '1',
      'doc-2': '1',
      'originals-2': '1',
    });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('Bạn không có quyền tiếp nhận hồ sơ của thủ tục này.');
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);

    const expert = await loggedIn(who('sct-qltm', 'Chuyên viên'));
    const denied = await expert.get('/tiepnhan/tiep-nhan');
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('không được phân quyền tiếp nhận hồ sơ');
  });

  it('normalises a CCCD typed with spaces or dots; a wrong one is still refused', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const p = await currentProcedure(t.database, OPTIONAL_LAST);
    const documents = [
      { index: 0, originals: 1 },
      { index: 1, copies: 1 },
    ];
    const dotted = await receiveDossier(t.database.db, clerk, { ...applicant, cccd: '070.085.316.204', procedureId: p.p.id, documents });
    expect(dotted.applicant.cccd).toBe('070085316204');
    expect(dotted.applicantIdNumber).toBe('070085316204');
    const wrong = await receiveDossier(t.database.db, clerk, { ...applicant, cccd: '070 085 316', procedureId: p.p.id, documents }).catch(
      (e: AppError) => e,
    );
    expect((wrong as AppError).fields?.cccd).toContain('12 chữ số');
  });
});

/** The smallest PNG the file check recognises (signature and IHDR). */
function pngBytes(): Uint8Array {
  return new Uint8Array([
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0,
  ]);
}

describe('TIẾP NHẬN HỒ SƠ: the same form sent twice', () => {
  const keyOf = (html: string) => /name="submissionKey" value="([0-9a-f-]{36})"/.exec(html)?.[1];
  const full = (procedureId: string) => ({
    ...applicant,
    procedureId,
    'doc-0': '1',
    'originals-0': '1',
    'doc-1': '1',
    'originals-1': '1',
  });

  it('Back, then Tiếp nhận again: one dossier, and the page says so; a new form makes a new one', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, OPTIONAL_LAST);
    const page = await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`);
    const key = keyOf(page.text)!;
    expect(key).toBeDefined();
    const first = await postReception(clerk, { ...full(p.p.id), submissionKey: key });
    expect(first.status, first.text).toBe(303);
    expect(first.location).toMatch(/\?tb=received$/);
    const again = await postReception(clerk, { ...full(p.p.id), submissionKey: key, fullName: 'Phan Thị Số Hóa Lần Hai' });
    expect(again.status).toBe(303);
    expect(again.location).toBe(first.location!.replace('tb=received', 'tb=received-before'));
    expect((await clerk.get(again.location!)).text).toContain('Biểu mẫu này đã được gửi trước đó');
    expect(await t.database.db.select().from(dossiers).where(eq(dossiers.submissionKey, key))).toHaveLength(1);
    // A fresh page has a fresh key: the next dossier is a new one.
    const fresh = keyOf((await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`)).text);
    expect(fresh).not.toBe(key);
    const second = await postReception(clerk, { ...full(p.p.id), submissionKey: fresh! });
    expect(second.location).not.toBe(first.location);
  });

  it('a refused form keeps its key for the next try', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, OPTIONAL_LAST);
    const key = keyOf((await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`)).text)!;
    const refused = await postReception(clerk, { ...full(p.p.id), submissionKey: key, phone: 'abc' });
    expect(refused.status).toBe(400);
    expect(keyOf(refused.text)).toBe(key);
  });

  it("another official's form key is a stale form (400), never their dossier; the same key at once makes one dossier", async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, OPTIONAL_LAST);
    const key = keyOf((await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`)).text)!;
    expect((await postReception(clerk, { ...full(p.p.id), submissionKey: key })).status).toBe(303);
    const colleague = await actorFor(t.database, sctClerkUsername());
    const input = {
      ...applicant,
      procedureId: p.p.id,
      documents: [
        { index: 0, originals: 1, copies: 0 },
        { index: 1, originals: 1, copies: 0 },
      ],
    };
    const other = await actorFor(t.database, 'admin.sct');
    const stale = await receiveDossier(t.database.db, other, input, new Date(), new Map(), {
      submissionKey: key,
    }).catch((e: AppError) => e);
    expect((stale as AppError).code).toBe('stale_form');
    // Two sends of one new key at the same instant: one dossier, both answered with it.
    const twinKey = crypto.randomUUID();
    const [a, b] = await Promise.all(
      [0, 1].map(() => receiveDossier(t.database.db, colleague, input, new Date(), new Map(), { submissionKey: twinKey })),
    );
    expect(a!.id).toBe(b!.id);
    expect([a!.repeated, b!.repeated].filter(Boolean)).toHaveLength(1);
    // Their own form, but a dossier they may no longer see (their roles taken away since): a stale form, no way to it.
    await t.database.db.delete(roleGrants).where(eq(roleGrants.accountId, colleague.accountId));
    const gone = await receiveDossier(t.database.db, colleague, input, new Date(), new Map(), { submissionKey: twinKey }).catch(
      (e: AppError) => e,
    );
    expect((gone as AppError).code).toBe('stale_form');
  });
});

describe('TIẾP NHẬN HỒ SƠ: a page of an older version of the procedure', () => {
  it('is refused, not read against the new list by position: nothing received, the new list shown unticked with the reason', async () => {
    const clerk = new Client(t.app);
    expect((await clerk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const p = await currentProcedure(t.database, '2.000190');
    const page = await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.p.id}`);
    const shownVersion = /name="procedureVersion" value="(\d+)"/.exec(page.text)?.[1];
    expect(shownVersion).toBe(String(p.v.version));
    const csrf = await clerk.csrf('/tiepnhan/tiep-nhan');
    // Meanwhile the administrator replaces the first document by another.
    const admin = await actorFor(t.database, 'admin.sct');
    const renamed = 'Giấy chứng nhận đủ điều kiện an toàn thực phẩm (mới)';
    await saveProcedure(
      t.database.db,
      admin,
      p.p.id,
      procedureForm(p.p.code, p.v, {}, (docs) => [{ ...docs[0]!, name: renamed }, ...docs.slice(1)]),
    );
    const form = new FormData();
    form.set('_csrf', csrf);
    const ticked = { 'doc-0': '1', 'originals-0': '1', 'doc-1': '1', 'originals-1': '1' };
    for (const [k, v] of Object.entries({
      channel: '1',
      fullName: 'Phan Thị Cũ',
      procedureId: p.p.id,
      procedureVersion: shownVersion!,
      ...ticked,
    }))
      form.set(k, v);
    const res = await clerk.request('POST', `/tiepnhan/tiep-nhan?procedureId=${p.p.id}`, form, { origin: clerk.origin });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Thủ tục vừa được cập nhật sau khi trang được mở');
    expect(res.text).toContain(renamed);
    expect(res.text).not.toMatch(/name="doc-0" value="1" checked/);
    expect(res.text).toContain(`name="procedureVersion" value="${p.v.version + 1}"`);
    expect(await t.database.db.select().from(dossiers).where(eq(dossiers.procedureId, p.p.id))).toHaveLength(0);
    // Through the API: the version named is checked the same way.
    const clerkActor = await actorFor(t.database, sctClerkUsername());
    const documents = [{ index: 0, originals: 1, copies: 0 }];
    const stale = await receiveDossier(t.database.db, clerkActor, {
      ...applicant,
      procedureId: p.p.id,
      procedureVersion: p.v.version,
      documents,
    }).catch((e: AppError) => e);
    expect((stale as AppError).code).toBe('procedure_changed');
    expect((stale as AppError).status).toBe(409);
  });
});
