/**
 * The upload budget (personal-files/upload-budget.ts, docs/decisions/0020): what one citizen's requests may store in
 * file storage over a rolling 24 hours, kept or not. The attacker review's churn — upload, delete, upload again, each
 * time a new blob while the quota reads nearly empty — stops at the budget with a Vietnamese message and stores
 * nothing more; so do draft replacements and supplements; the budget frees after 24 hours; parallel uploads pass it by
 * no more than what is in flight; a citizen's ordinary use does not notice it.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { pino } from 'pino';
import { buildApp, type Client, type App } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { logInAgain, loggedInCitizen, sendSubmission } from './support/portal-citizen.js';
import { citizenUploadVolume, dossierDrafts, dossiers, personalFiles } from '../src/db/schema/index.js';
import { citizenActor } from '../src/shared/context.js';
import { blobStore, hasBlob } from '../src/storage/index.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { UPLOAD_BUDGET_REFUSAL, UPLOAD_WINDOW_MS, uploadedBytesWithin } from '../src/personal-files/upload-budget.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { jobHandlers } from '../src/jobs/handlers.js';

const t = useDemoApp();
const BASE = '/ca-nhan/tap-tin';
const FORM = '/ca-nhan/nop-ho-so';
const MB = 1024 * 1024;

/** The application's one clock (deps.now), moved by the test. */
function testClock() {
  let at = new Date();
  return { now: () => at, advance: (ms: number) => (at = new Date(at.getTime() + ms)) };
}

const citizen = (app: App) => loggedInCitizen(t.database.db, app);

/** A PDF of about `kb` kilobytes, different every time. */
const pdf = (text: string, kb = 0) =>
  new Uint8Array(
    Buffer.concat([Buffer.from(`%PDF-1.4\n% ${text} ${crypto.randomUUID()}\n`), Buffer.alloc(kb * 1024, 0x20), Buffer.from('\n%%EOF\n')]),
  );
const sha = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const asFile = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' });

/** How many blobs the file store holds (this test file's own store: tests/support/storage.ts). */
async function blobCount(): Promise<number> {
  let n = 0;
  for await (const blob of blobStore().list()) if (blob.sha256) n++;
  return n;
}

/** Nothing stays in the spool: a refused upload left no part file behind. */
const spooled = () => (fs.existsSync(blobStore().spoolDir) ? fs.readdirSync(blobStore().spoolDir) : []).map((f) => path.basename(f));

async function upload(c: Client, bytes: Uint8Array, name: string, displayName?: string) {
  const form = new FormData();
  form.set('_csrf', await c.csrf(BASE));
  form.set('file', asFile(bytes, name));
  if (displayName) form.set('displayName', displayName);
  return c.request('POST', BASE, form, { origin: c.origin });
}

async function deleteFile(c: Client, citizenId: string, name: string) {
  const [row] = await t.database.db
    .select()
    .from(personalFiles)
    .where(and(eq(personalFiles.citizenId, citizenId), eq(personalFiles.name, name), isNull(personalFiles.deletedAt)));
  return c.post(`${BASE}/${row!.id}/xoa`, {}, { csrfFrom: BASE });
}

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

const recorded = async (citizenId: string) =>
  (await t.database.db.select().from(citizenUploadVolume).where(eq(citizenUploadVolume.citizenId, citizenId))).reduce(
    (sum, r) => sum + r.bytes,
    0,
  );

describe('the upload budget over 24 hours', () => {
  it("stops the reviewer's churn (upload 900 KB, delete, again) at the budget with the message, storing nothing more; frees after 24 h", async () => {
    const clock = testClock();
    // The review's settings: quota 1 MB / 1 file; the budget is twice the quota by default.
    const app = buildApp(t.database, { PERSONAL_FILES_QUOTA_MB: '1', PERSONAL_FILES_QUOTA_FILES: '1' }, { now: clock.now });
    const a = await citizen(app);
    const before = await blobCount();
    const answers: number[] = [];
    let last = '';
    for (let round = 1; round <= 15; round++) {
      const bytes = pdf(`vòng ${round}`, 900);
      const res = await upload(a.client, bytes, `vong-${round}.pdf`, `Vòng ${round}`);
      answers.push(res.status);
      if (res.status === 303) expect((await deleteFile(a.client, a.id, `Vòng ${round}.pdf`)).status).toBe(303);
      else {
        last = res.text.normalize('NFC');
        expect(await hasBlob(sha(bytes))).toBe(false);
      }
      clock.advance(60_000);
    }
    // Two rounds fit in 2 MB; every later one is refused on the page, with the name typed still in its field.
    expect(answers).toEqual([303, 303, ...Array<number>(13).fill(429)]);
    expect(last).toContain(UPLOAD_BUDGET_REFUSAL);
    expect(last).toContain('value="Vòng 15"');
    expect(last).toContain('Trong 24 giờ qua bạn đã tải lên 1,8 MB trên 2 MB');
    expect(await blobCount()).toBe(before + 2);
    expect(spooled().filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(await recorded(a.id)).toBeLessThanOrEqual(2 * MB);

    // Still within 24 hours of the first upload (logged in again: a session lasts an hour): refused.
    clock.advance(UPLOAD_WINDOW_MS - 16 * 60_000);
    await logInAgain(t.database.db, a, clock.now());
    expect((await upload(a.client, pdf('gần hết ngày', 900), 'gan-het-ngay.pdf')).status).toBe(429);
    // Past 24 hours since the first upload: its bytes no longer count, one more 900 KB fits.
    clock.advance(60_000);
    expect((await upload(a.client, pdf('ngày hôm sau', 900), 'ngay-hom-sau.pdf')).status).toBe(303);
    expect(await blobCount()).toBe(before + 3);
  });

  it('forgets uploads past the window in the hourly job, and keeps the ones inside it', async () => {
    const clock = testClock();
    const app = buildApp(t.database, {}, { now: clock.now });
    const a = await citizen(app);
    expect((await upload(a.client, pdf('hôm qua'), 'hom-qua.pdf')).status).toBe(303);
    clock.advance(UPLOAD_WINDOW_MS - 60_000);
    await logInAgain(t.database.db, a, clock.now());
    expect((await upload(a.client, pdf('hôm nay'), 'hom-nay.pdf')).status).toBe(303);
    clock.advance(60_000);
    const handlers = jobHandlers({
      db: t.database.db,
      logger: pino({ level: 'silent' }),
      sessionPolicy: { idleMs: 60_000, absoluteMs: 60_000 },
      now: clock.now,
    });
    // A part a dead process left in the spool folder (storage/spool.ts): swept by the same job once no request is that old.
    const spoolDir = blobStore().spoolDir;
    await fs.promises.mkdir(spoolDir, { recursive: true });
    const left = path.join(spoolDir, `${crypto.randomUUID()}.upload`);
    await fs.promises.writeFile(left, 'nửa tệp');
    const longAgo = new Date(clock.now().getTime() - 7 * 3_600_000);
    await fs.promises.utimes(left, longAgo, longAgo);
    await handlers['uploads.staged_purge']({}, { id: 'test', retryCount: 0 });
    expect(fs.existsSync(left)).toBe(false);
    const rows = await t.database.db.select().from(citizenUploadVolume).where(eq(citizenUploadVolume.citizenId, a.id));
    expect(rows).toHaveLength(1);
    expect(await uploadedBytesWithin(t.database.db, a.id, clock.now())).toBe(rows[0]!.bytes);
  });

  it('lets parallel uploads pass the budget by no more than the uploads in flight, and keeps no more than the budget', async () => {
    const a = await citizen(t.app);
    const actor = citizenActor(a.id, { ip: null, requestId: null });
    const limits = { quotaBytes: 50 * MB, quotaFiles: 200, uploadDailyBytes: MB };
    const now = new Date();
    const files = Array.from({ length: 6 }, (_, i) => pdf(`cùng lúc ${i}`, 300));
    const before = await blobCount();
    const results = await Promise.allSettled(
      files.map((bytes, i) => uploadPersonalFile(t.database.db, actor, { file: { name: `f${i}.pdf`, bytes } }, limits, now)),
    );
    const kept = results.filter((r) => r.status === 'fulfilled').length;
    expect(kept).toBeGreaterThanOrEqual(1);
    expect(kept).toBeLessThanOrEqual(3);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'upload_budget_exceeded' });
    const size = files[0]!.length;
    const live = await t.database.db
      .select()
      .from(personalFiles)
      .where(and(eq(personalFiles.citizenId, a.id), isNull(personalFiles.deletedAt)));
    expect(live.reduce((s, f) => s + f.size, 0)).toBeLessThanOrEqual(MB);
    // Stored (and counted): the budget, and at most the other uploads that were in flight with the last one in.
    const stored = await recorded(a.id);
    expect(stored).toBeLessThanOrEqual(MB + (files.length - 1) * size);
    expect(await blobCount()).toBe(before + stored / size);
    // Once spent, the next upload is refused before anything is stored.
    const next = pdf('sau đó', 300);
    await expect(uploadPersonalFile(t.database.db, actor, { file: { name: 'sau.pdf', bytes: next } }, limits, now)).rejects.toMatchObject({
      code: 'upload_budget_exceeded',
      status: 429,
    });
    expect(await hasBlob(sha(next))).toBe(false);
  });

  it("counts a draft's replaced documents: replacing doc0 again and again stops at the budget, what was typed kept", async () => {
    const app = buildApp(t.database, { PERSONAL_FILES_QUOTA_MB: '1', PERSONAL_FILES_QUOTA_FILES: '3' });
    const a = await citizen(app);
    const proc = await currentProcedure(t.database, '2.000633');
    const before = await blobCount();
    // Each replacement frees the quota (the draft keeps one file), but every one was stored.
    for (let i = 1; i <= 3; i++) {
      const res = await saveDraft(a.client, proc.p.id, { phone: '0912345678' }, { doc0: asFile(pdf(`bản ${i}`, 600), `ban-${i}.pdf`) });
      expect(res.status).toBe(200);
    }
    expect(await blobCount()).toBe(before + 3);
    const fourth = pdf('bản 4', 600);
    const refused = await saveDraft(
      a.client,
      proc.p.id,
      { phone: '0987654321', address: 'Số 5 đường Thử' },
      { doc0: asFile(fourth, 'ban-4.pdf') },
    );
    expect(refused.status).toBe(400);
    const page = refused.text.normalize('NFC');
    expect(page).toContain(UPLOAD_BUDGET_REFUSAL);
    expect(page).toContain('id="err-doc0"');
    expect(page).toContain('value="0987654321"');
    expect(page).toContain('value="Số 5 đường Thử"');
    expect(page).toContain('ban-3.pdf');
    expect(await hasBlob(sha(fourth))).toBe(false);
    expect(await blobCount()).toBe(before + 3);
    const [draft] = await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, a.id));
    expect(draft!.files['0']!.name).toBe('ban-3.pdf');
    expect(draft!.fields.phone).toBe('0987654321');
  });

  it('counts supplement files: an accepted one spends the budget, a refused one stores nothing and keeps the note', async () => {
    const app = buildApp(t.database, { PERSONAL_UPLOAD_DAILY_MB: '1' });
    const a = await citizen(app);
    const proc = await currentProcedure(t.database, '2.000633');
    const submitted = await saveDraft(
      a.client,
      proc.p.id,
      { do: 'submit', phone: '0912 345 678', address: 'Số 1 đường Thử, phường Tân Phú' },
      Object.fromEntries(proc.v.documents.map((_, i) => [`doc${i}`, asFile(pdf(`tài liệu ${i}`), `tai-lieu-${i}.pdf`)])),
    );
    expect(submitted.status).toBe(303);
    const [dossier] = await t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, a.id));
    const clerk = await actorFor(t.database, sctClerkUsername());
    await actOnDossier(t.database.db, clerk, dossier!.id, { action: 'accept' });
    const ask = () =>
      actOnDossier(t.database.db, clerk, dossier!.id, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao' });
    const answer = async (bytes: Uint8Array, note: string) => {
      const form = new FormData();
      form.set('_csrf', await a.client.csrf(`/ca-nhan/ho-so/${dossier!.id}`));
      form.set('file', asFile(bytes, 'bo-sung.pdf'));
      form.set('note', note);
      return a.client.request('POST', `/ca-nhan/ho-so/${dossier!.id}/bo-sung`, form, { origin: a.client.origin });
    };
    await ask();
    const first = pdf('bổ sung', 700);
    const spentBefore = await recorded(a.id);
    expect((await answer(first, 'Bản sao lần 1')).status).toBe(303);
    expect((await recorded(a.id)) - spentBefore).toBe(first.length);
    // The supplement spent the budget: a personal upload of 400 KB no longer fits.
    const personal = await upload(a.client, pdf('cá nhân', 400), 'ca-nhan.pdf');
    expect(personal.status).toBe(429);
    expect(personal.text.normalize('NFC')).toContain(UPLOAD_BUDGET_REFUSAL);

    await ask();
    const second = pdf('bổ sung lần 2', 400);
    const before = await blobCount();
    const refused = await answer(second, 'Bản sao có chứng thực');
    expect(refused.status).toBe(429);
    expect(refused.text.normalize('NFC')).toContain(UPLOAD_BUDGET_REFUSAL);
    expect(refused.text.normalize('NFC')).toContain('Bản sao có chứng thực</textarea>');
    expect(await hasBlob(sha(second))).toBe(false);
    expect(await blobCount()).toBe(before);
    // Still waiting for the supplement: the citizen can send it when the budget frees.
    const [still] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, dossier!.id));
    expect(still!.status).toBe('supplement');
  });

  it("does not get in a citizen's way: upload, delete, upload again and a draft within the budget all go through", async () => {
    const a = await citizen(t.app);
    const page = await a.client.get(BASE);
    expect(page.text.normalize('NFC')).toContain('Trong 24 giờ qua bạn đã tải lên 0 KB trên 100 MB');
    const first = pdf('CCCD mặt trước', 500);
    expect((await upload(a.client, first, 'cccd.pdf')).status).toBe(303);
    expect((await deleteFile(a.client, a.id, 'cccd.pdf')).status).toBe(303);
    expect((await upload(a.client, pdf('CCCD bản rõ hơn', 500), 'cccd.pdf')).status).toBe(303);
    const proc = await currentProcedure(t.database, '2.000633');
    expect((await saveDraft(a.client, proc.p.id, {}, { doc0: asFile(pdf('đơn', 300), 'don.pdf') })).status).toBe(200);
    expect(await uploadedBytesWithin(t.database.db, a.id, new Date())).toBeGreaterThan(1300 * 1024);
    expect((await a.client.get(BASE)).text.normalize('NFC')).toContain('Trong 24 giờ qua bạn đã tải lên 1,3 MB trên 100 MB');
  });

  it('is the one way a citizen upload reaches storage: nothing on the portal calls putBlob but the budget', () => {
    const roots = ['src/portal', 'src/personal-files'];
    const callers: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.tsx?$/.test(e.name) && /\bputBlob\b/.test(fs.readFileSync(p, 'utf8'))) callers.push(p);
      }
    };
    for (const r of roots) walk(r);
    expect(callers).toEqual([path.join('src/personal-files', 'upload-budget.ts')]);
  });
});
