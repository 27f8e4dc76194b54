/**
 * One quota per citizen over what they upload (issue 10): files kept in drafts of Nộp hồ sơ count against the
 * quota of Quản lý tập tin cá nhân, so drafts cannot fill the storage around it. A draft's upload the quota cannot
 * take is refused beside its field in Vietnamese, and nothing else typed is lost; a personal file picked into a draft
 * is counted once.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildApp, type Client, type App } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen, sendSubmission } from './support/portal-citizen.js';
import { dossierDrafts, personalFiles } from '../src/db/schema/index.js';
import { hasBlob } from '../src/storage/index.js';
import { usageOf } from '../src/personal-files/files.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';

const t = useDemoApp();
const FORM = '/ca-nhan/nop-ho-so';

const citizen = (app: App) => loggedInCitizen(t.database.db, app);

/** A PDF of about `kb` kilobytes, different for each text. */
const pdf = (text: string, kb = 0) =>
  new Uint8Array(Buffer.concat([Buffer.from(`%PDF-1.4\n% ${text}\n`), Buffer.alloc(kb * 1024, 0x20), Buffer.from('\n%%EOF\n')]));
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const asFile = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' });

async function saveDraft(c: Client, procedureId: string, fields: Record<string, string>, files: Record<string, File>) {
  const form = new FormData();
  form.set('_csrf', await c.csrf(`${FORM}?thutuc=${procedureId}`));
  form.set('procedureId', procedureId);
  form.set('submissionKey', crypto.randomUUID());
  form.set('do', 'save');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [k, f] of Object.entries(files)) form.set(k, f);
  return sendSubmission(c, procedureId, form);
}

async function personalUpload(c: Client, bytes: Uint8Array, name: string) {
  const form = new FormData();
  form.set('_csrf', await c.csrf('/ca-nhan/tap-tin'));
  form.set('file', asFile(bytes, name));
  return c.request('POST', '/ca-nhan/tap-tin', form, { origin: c.origin });
}

const draftFiles = async (citizenId: string) =>
  (await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, citizenId))).flatMap((d) => Object.keys(d.files));

describe('drafts count against the personal-files quota', () => {
  it('refuses a draft upload past the quota beside its field, keeps what was typed, and the personal files see the same quota', async () => {
    const app = buildApp(t.database, { PERSONAL_FILES_QUOTA_MB: '1', PERSONAL_FILES_QUOTA_FILES: '3' });
    const a = await citizen(app);
    const proc = await currentProcedure(t.database, '2.000633');
    expect(proc.v.documents.length).toBeGreaterThanOrEqual(2);
    const first = pdf('bản nháp 1', 600);
    expect((await saveDraft(a.client, proc.p.id, { phone: '0912345678' }, { doc0: asFile(first, 'mot.pdf') })).status).toBe(200);
    expect(await usageOf(t.database.db, a.id)).toMatchObject({ files: 1, draftFiles: 1 });

    // The second 600 KB file does not fit: refused beside doc1, stopped where the quota ends (not stored), the
    // phone number typed with it kept, the first file still in the draft.
    const second = pdf('bản nháp 2', 600);
    const over = await saveDraft(a.client, proc.p.id, { phone: '0987654321' }, { doc1: asFile(second, 'hai.pdf') });
    expect(over.status).toBe(400);
    expect(over.text.normalize('NFC')).toContain('Không đủ dung lượng lưu trữ: bạn đã dùng');
    expect(over.text).toContain('gồm cả tệp trong hồ sơ nháp');
    expect(over.text).toContain('value="0987654321"');
    expect(await hasBlob(sha(second))).toBe(false);
    expect(await draftFiles(a.id)).toEqual(['0']);

    // Replacing the draft's file is no growth: the old one no longer counts.
    const replaced = pdf('bản nháp 1, bản sửa', 600);
    expect((await saveDraft(a.client, proc.p.id, {}, { doc0: asFile(replaced, 'mot.pdf') })).status).toBe(200);
    expect((await usageOf(t.database.db, a.id)).bytes).toBe(replaced.length);

    // Quản lý tập tin cá nhân counts the draft too: 600 KB more is refused, and the page says where the room went.
    const personal = await personalUpload(a.client, pdf('cá nhân', 600), 'ca-nhan.pdf');
    expect(personal.status).toBe(409);
    expect(personal.text).toContain('Không đủ dung lượng lưu trữ');
    expect((await a.client.get('/ca-nhan/tap-tin')).text).toContain('đang nằm trong hồ sơ nháp');
  });

  it('counts files as well as bytes, across drafts, and a personal file picked into a draft once', async () => {
    const app = buildApp(t.database, { PERSONAL_FILES_QUOTA_MB: '50', PERSONAL_FILES_QUOTA_FILES: '2' });
    const a = await citizen(app);
    const proc = await currentProcedure(t.database, '2.000633');
    expect((await personalUpload(a.client, pdf('đã lưu'), 'da-luu.pdf')).status).toBe(303);
    const [kept] = await t.database.db.select().from(personalFiles).where(eq(personalFiles.citizenId, a.id));
    // Picked into the draft: still one file.
    expect((await saveDraft(a.client, proc.p.id, { pick0: kept!.id }, {})).status).toBe(200);
    expect(await usageOf(t.database.db, a.id)).toMatchObject({ files: 1, draftFiles: 0 });
    expect((await saveDraft(a.client, proc.p.id, {}, { doc1: asFile(pdf('tệp 2'), 'hai.pdf') })).status).toBe(200);
    // The third upload, in another document of the draft: refused by the number of files.
    const third = await saveDraft(a.client, proc.p.id, {}, { doc2: asFile(pdf('tệp 3'), 'ba.pdf') });
    expect(third.status).toBe(400);
    expect(third.text).toContain('Bạn đã lưu đủ 2 tệp');
    expect(await hasBlob(sha(pdf('tệp 3')))).toBe(false);
    expect((await usageOf(t.database.db, a.id)).files).toBe(2);
  });

  it('a supplement answer is its own bound: one file while an official asks for one; a second answer stores nothing', async () => {
    const a = await citizen(t.app);
    const proc = await currentProcedure(t.database, '2.000633');
    const res = await saveDraft(
      a.client,
      proc.p.id,
      { do: 'submit', phone: '0912 345 678', address: 'Số 1 đường Thử, phường Tân Phú' },
      Object.fromEntries(proc.v.documents.map((_, i) => [`doc${i}`, asFile(pdf(`tài liệu ${i}`), `tai-lieu-${i}.pdf`)])),
    );
    expect(res.status).toBe(303);
    const dossierId = /\/ca-nhan\/ho-so\/([0-9a-f-]{36})/.exec(res.location!)![1]!;
    const clerk = await actorFor(t.database, sctClerkUsername());
    await actOnDossier(t.database.db, clerk, dossierId, { action: 'accept' });
    await actOnDossier(t.database.db, clerk, dossierId, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao' });
    const answer = async (bytes: Uint8Array) => {
      const form = new FormData();
      form.set('_csrf', await a.client.csrf(`/ca-nhan/ho-so/${dossierId}`));
      form.set('file', asFile(bytes, 'bo-sung.pdf'));
      return a.client.request('POST', `/ca-nhan/ho-so/${dossierId}/bo-sung`, form, { origin: a.client.origin });
    };
    expect((await answer(pdf('bổ sung'))).status).toBe(303);
    const more = pdf('bổ sung thêm', 600);
    const again = await answer(more);
    expect(again.status).toBe(409);
    expect(again.text).toContain('Hồ sơ không ở trạng thái chờ bổ sung');
    expect(await hasBlob(sha(more))).toBe(false);
  });
});
