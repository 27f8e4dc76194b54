/**
 * The citizens' half through HTTP: Nộp hồ sơ with the identity from VNeID, two documents (one uploaded, one from
 * Quản lý tập tin cá nhân), drafts kept across refusals, one dossier for a double submit; TRANG CÁ NHÂN's counts; the
 * desk accepts and asks for a supplement; the citizen supplies it; the result returned online lands in their files;
 * they rate it. Beside each use, its abuse: another citizen's dossier, files and forms answer like missing ones.
 */
import fs from 'node:fs';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { Client, TEST_PASSWORD, type App } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { executable } from './support/sample-files.js';
import {
  auditLog,
  citizens,
  dossierComponents,
  dossierDrafts,
  dossierFiles,
  dossiers,
  personalFiles,
  sessions,
} from '../src/db/schema/index.js';
import { LAPSED_DRAFT_GRACE_MS, createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { citizenActor } from '../src/shared/context.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { blobStore, hasBlob } from '../src/storage/index.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { attachResult } from '../src/dossiers/attach-result.js';
import { recordResult } from '../src/dossiers/record-result.js';
import { formatDate, todayInVietnam } from '../src/shared/dates.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { queryRows } from '../src/db/client.js';
import { submitOnline } from '../src/portal/submit-dossier.js';
import type { AppError } from '../src/shared/errors.js';
import { sendSubmission } from './support/portal-citizen.js';

const t = useDemoApp();
const QUOTA = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 100 * 1024 * 1024 };
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

type Person = { id: string; cccd: string; client: Client; csrf?: string };

async function citizen(app: App, cccd: string, fullName: string): Promise<Person> {
  const [row] = await t.database.db
    .insert(citizens)
    .values({
      issuer: 'https://vneid.test',
      subject: crypto.randomUUID(),
      cccd,
      fullName,
      loa: 2,
      dateOfBirth: '1990-04-12',
      gender: 'female',
    })
    .returning({ id: citizens.id });
  const token = await createCitizenSession(t.database.db, row!.id, POLICY, new Date());
  const client = new Client(app);
  client.cookies.set(PORTAL_COOKIE, token);
  return { id: row!.id, cccd, client };
}
const an = () => citizen(t.app, '001190012345', 'Trần Thị Mai Anh');
const binh = () => citizen(t.app, '079088001122', 'Phạm Văn Bình');

const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`));
const file = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' });

const FORM = '/ca-nhan/nop-ho-so';

/** The submission form as the browser posts it. */
async function submit(
  p: Person,
  procedureId: string,
  fields: Record<string, string>,
  files: Record<string, File> = {},
  key = crypto.randomUUID(),
) {
  const form = new FormData();
  // One token per citizen (as one open page has): fetching a page for each of two simultaneous posts would race.
  p.csrf ??= await p.client.csrf(`${FORM}?thutuc=${procedureId}`);
  form.set('_csrf', p.csrf);
  form.set('procedureId', procedureId);
  form.set('submissionKey', key);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [k, f] of Object.entries(files)) form.set(k, f);
  return sendSubmission(p.client, procedureId, form);
}

const page = async (p: Person, path: string) => {
  const res = await p.client.request('GET', path);
  return { status: res.status, html: res.text };
};
const count = (html: string, label: string) => new RegExp(`${label} \\((\\d+)\\)`).exec(html)?.[1];
const mineOf = (citizenId: string) => t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, citizenId));

async function submitted(p: Person) {
  const proc = await currentProcedure(t.database, '2.000633');
  const picked = await uploadPersonalFile(
    t.database.db,
    citizenActor(p.id, { ip: null, requestId: null }),
    { file: { name: 'dang-ky-doanh-nghiep.pdf', bytes: pdf('giấy chứng nhận') } },
    QUOTA,
    new Date(),
  );
  const res = await submit(
    p,
    proc.p.id,
    { do: 'submit', phone: '0912 345 678', address: 'Số 1 đường Thử, phường Tân Phú', pick1: picked.id },
    { doc0: file(pdf('đơn đề nghị'), 'don-de-nghi.pdf'), doc2: file(pdf('hợp đồng thuê'), 'hop-dong.pdf') },
  );
  expect(res.status).toBe(303);
  const [d] = await mineOf(p.id);
  return { d: d!, proc };
}

describe('Nộp hồ sơ trực tuyến', () => {
  it('submits with the identity from VNeID and two files (one from personal files); TRANG CÁ NHÂN counts it at once', async () => {
    const a = await an();
    const { d } = await submitted(a);
    expect(d).toMatchObject({ status: 'submitted', channel: 2, applicantIdNumber: a.cccd });
    // Its documents are its components, each with its file: the dossier is digitised, as one received at the counter.
    expect(d.digitised).toBe(true);
    const components = await t.database.db.select().from(dossierComponents).where(eq(dossierComponents.dossierId, d.id));
    expect(components.map((c) => [c.documentIndex, c.digitised, !!c.fileId]).sort()).toEqual([
      [0, true, true],
      [1, true, true],
      [2, true, true],
    ]);
    expect(d.applicant).toMatchObject({ fullName: 'Trần Thị Mai Anh', cccd: a.cccd, phone: '0912345678', dateOfBirth: '1990-04-12' });
    const view = await page(a, `/ca-nhan/ho-so/${d.id}`);
    expect(view.html).toContain('Mới đăng ký');
    expect(view.html).toContain('don-de-nghi.pdf');
    expect(view.html).toContain('dang-ky-doanh-nghiep.pdf');
    const home = await page(a, '/ca-nhan');
    expect(count(home.html, 'Hồ sơ đã nộp')).toBe('1');
    expect(count(home.html, 'Hồ sơ chờ xác nhận')).toBe('1');
    expect(count(home.html, 'Hồ sơ chờ thanh toán lệ phí')).toBe('1');
    expect(await t.database.db.select().from(dossierDrafts)).toHaveLength(0);
    // The audit names the citizen by internal id only.
    const [row] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'dossier.submit'));
    expect(row).toMatchObject({ actorKind: 'citizen', actorId: a.id, actorLabel: `citizen:${a.id}` });
    expect(JSON.stringify(row)).not.toContain(a.cccd);
  });

  it('the form says the fee before sending; once submitted, paying it is said as the next step', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633'); // 1.200.000 đồng
    const form = await page(a, `${FORM}?thutuc=${proc.p.id}`);
    expect(form.html).toMatch(/id="le-phi">Lệ phí: <strong>1\.200\.000 đồng<\/strong>, thanh toán trực tuyến sau khi nộp hồ sơ\./);
    const { d } = await submitted(a);
    const done = await page(a, `/ca-nhan/ho-so/${d.id}?tb=da-nop`);
    expect(done.html).toContain('Bước tiếp theo: thanh toán lệ phí 1.200.000 đồng bằng nút “Thanh toán lệ phí trực tuyến” bên dưới.');
    // Without the notice (a later visit) the button alone, no repeated sentence.
    expect((await page(a, `/ca-nhan/ho-so/${d.id}`)).html).not.toContain('Bước tiếp theo');
  });

  it('back on the form after submitting, it says the dossier was sent and where it is, not an empty form alone', async () => {
    const a = await an();
    const { d, proc } = await submitted(a);
    const again = await page(a, `${FORM}?thutuc=${proc.p.id}`);
    expect(again.status).toBe(200);
    expect(again.html).toContain(`Bạn đã nộp hồ sơ thủ tục này lúc`);
    expect(again.html).toContain(`mã hồ sơ ${d.code}`);
    expect(again.html).toContain(`href="/ca-nhan/ho-so/${d.id}"`);
    // Another procedure's form, or another citizen's, says nothing of it.
    const other = await currentProcedure(t.database, '1.001193');
    expect((await page(a, `${FORM}?thutuc=${other.p.id}`)).html).not.toContain('Bạn đã nộp hồ sơ thủ tục này');
    const b = await binh();
    expect((await page(b, `${FORM}?thutuc=${proc.p.id}`)).html).not.toContain('Bạn đã nộp hồ sơ thủ tục này');
  });

  it('Back, then Nộp hồ sơ with the photos the browser put back: no second dossier unless the box says it is meant', async () => {
    const a = await an();
    const { d, proc } = await submitted(a);
    const files = () => ({
      doc0: file(pdf('đơn đề nghị'), 'don-de-nghi.pdf'),
      doc1: file(pdf('giấy chứng nhận'), 'giay-chung-nhan.pdf'),
      doc2: file(pdf('hợp đồng thuê'), 'hop-dong.pdf'),
    });
    const fields = { do: 'submit', phone: '0912345678', address: 'Số 1 đường Thử, phường Tân Phú' };
    // The page reloaded by Back has a new form key: refused, said beside the box, the files kept in the draft.
    const again = await submit(a, proc.p.id, fields, files());
    expect(again.status).toBe(400);
    expect(again.text).toMatch(new RegExp(`id="err-again">Bạn vừa nộp hồ sơ thủ tục này \\(mã hồ sơ ${d.code.replace(/\./g, '\\.')}\\)`));
    expect(again.text).toContain('name="again"');
    expect(await mineOf(a.id)).toHaveLength(1);
    // Ticked: a second dossier, as meant.
    const meant = await submit(a, proc.p.id, { ...fields, again: '1' });
    expect(meant.status).toBe(303);
    expect(await mineOf(a.id)).toHaveLength(2);
  });

  it('the guard asks only about an open dossier sent under another form: a retry of an older form, or after a withdrawal, goes through', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    const files = () => ({ doc0: file(pdf('đơn'), 'don.pdf'), doc1: file(pdf('giấy'), 'giay.pdf'), doc2: file(pdf('hợp đồng'), 'hd.pdf') });
    const fields = { do: 'submit', phone: '0912345678', address: 'Số 1 đường Thử, phường Tân Phú' };
    const first = crypto.randomUUID();
    expect((await submit(a, proc.p.id, fields, files(), first)).status).toBe(303);
    expect((await submit(a, proc.p.id, { ...fields, again: '1' }, files())).status).toBe(303);
    expect(await mineOf(a.id)).toHaveLength(2);
    // The first form sent again (a retry after the newer dossier): its own dossier, no question, nothing new.
    const retry = await submit(a, proc.p.id, fields, files(), first);
    expect(retry.status).toBe(303);
    expect(await mineOf(a.id)).toHaveLength(2);
    // Both withdrawn: a new dossier of the procedure is no duplicate of anything open.
    await t.database.db.update(dossiers).set({ status: 'withdrawn' }).where(eq(dossiers.citizenId, a.id));
    const fresh = await submit(a, proc.p.id, fields, files());
    expect(fresh.status).toBe(303);
    expect(await mineOf(a.id)).toHaveLength(3);
  });

  it('the typed name, CCCD and birth date never replace what VNeID vouches for', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    await submit(
      a,
      proc.p.id,
      { do: 'submit', phone: '0912345678', address: 'Số 1', fullName: 'Kẻ Giả Mạo', cccd: '079088001122' },
      { doc0: file(pdf('a'), 'a.pdf'), doc1: file(pdf('b'), 'b.pdf'), doc2: file(pdf('c'), 'c.pdf') },
    );
    const [d] = await mineOf(a.id);
    expect(d!.applicant.fullName).toBe('Trần Thị Mai Anh');
    expect(d!.applicantIdNumber).toBe(a.cccd);
  });

  it('a double submit of one form makes one dossier', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    const key = crypto.randomUUID();
    const files = () => ({ doc0: file(pdf('a'), 'a.pdf'), doc1: file(pdf('b'), 'b.pdf'), doc2: file(pdf('c'), 'c.pdf') });
    const fields = { do: 'submit', phone: '0912345678', address: 'Số 1' };
    a.csrf = await a.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const [r1, r2] = await Promise.all([submit(a, proc.p.id, fields, files(), key), submit(a, proc.p.id, fields, files(), key)]);
    const errs = (r: { text: string }) => [...r.text.matchAll(/class="field-error"[^>]*>([^<]+)</g)].map((m) => m[1]);
    expect([r1.status, r2.status, errs(r1), errs(r2)]).toEqual([303, 303, [], []]);
    expect(r1.headers.get('location')).toBe(r2.headers.get('location'));
    const r3 = await submit(a, proc.p.id, fields, files(), key);
    expect(r3.headers.get('location')).toBe(r1.headers.get('location'));
    expect(await mineOf(a.id)).toHaveLength(1);
  });

  it.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')(
    'two forms of one draft sent at the same moment (two tabs): one dossier, the other told it was just submitted',
    async () => {
      const a = await an();
      const proc = await currentProcedure(t.database, '2.000633');
      const files = { doc0: file(pdf('a'), 'a.pdf'), doc1: file(pdf('b'), 'b.pdf'), doc2: file(pdf('c'), 'c.pdf') };
      expect((await submit(a, proc.p.id, { do: 'save', phone: '0912345678', address: 'Số 1' }, files)).status).toBe(200);
      const [draft] = await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, a.id));
      expect(Object.keys(draft!.files)).toHaveLength(3);
      const actor = citizenActor(a.id, { ip: null, requestId: null });
      const now = new Date();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      // The draft row held, so that both submissions read the draft and reach its consumption before either commits.
      const held = t.database.db.transaction(async (tx) => {
        await tx.select().from(dossierDrafts).where(eq(dossierDrafts.id, draft!.id)).for('update');
        await gate;
      });
      const both = [crypto.randomUUID(), crypto.randomUUID()].map((key) => submitOnline(t.database.db, actor, proc.p.id, key, now));
      const settled = Promise.allSettled(both);
      for (let i = 0; i < 200; i++) {
        const [w] = await queryRows<{ n: number }>(
          t.database.db,
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (w?.n === 2) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      release();
      await held;
      const outcomes = await settled;
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(refused?.status === 'rejected' && (refused.reason as AppError).code).toBe('draft_submitted');
      expect(await mineOf(a.id)).toHaveLength(1);
    },
  );

  it('a refusal keeps what was typed and the files already given; wrong, empty and oversized files are named', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    const res = await submit(
      a,
      proc.p.id,
      { do: 'submit', phone: '12ab', address: 'Số 9 đường Giữ Lại' },
      {
        doc0: file(pdf('giữ'), 'giu-lai.pdf'),
        doc1: new File([executable() as Uint8Array<ArrayBuffer>], 'virus.pdf', { type: 'application/pdf' }),
        doc2: new File(
          [new Uint8Array(Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(10 * 1024 * 1024)])) as Uint8Array<ArrayBuffer>],
          'lon.pdf',
          { type: 'application/pdf' },
        ),
      },
    );
    expect(res.status).toBe(400);
    const html = res.text;
    expect(html).toContain('Loại tệp không được nhận');
    // Where a GET shows the form again (submit-once.js puts it in the history in place of the post).
    expect(html).toMatch(new RegExp(`<meta name="motcua-address" content="/ca-nhan/nop-ho-so\\?thutuc=${proc.p.id}"\\s*/?>`));
    expect((await page(a, `${FORM}?thutuc=${proc.p.id}`)).html).not.toContain('motcua-address');
    expect(html).toContain('Số 9 đường Giữ Lại');
    expect(html).toContain('giu-lai.pdf');
    expect(await mineOf(a.id)).toHaveLength(0);
    // Corrected later: the kept file is still there; the phone is refused with its message.
    const again = await submit(
      a,
      proc.p.id,
      { do: 'submit', phone: '12ab', address: 'Số 9' },
      { doc1: file(pdf('b'), 'b.pdf'), doc2: file(pdf('c'), 'c.pdf') },
    );
    expect(again.status).toBe(400);
    expect(again.text).toContain('Số điện thoại không đúng định dạng');
    const ok = await submit(a, proc.p.id, { do: 'submit', phone: '0912345678', address: 'Số 9' });
    expect(ok.status).toBe(303);
    const [d] = await mineOf(a.id);
    expect((await page(a, `/ca-nhan/ho-so/${d!.id}`)).html).toContain('giu-lai.pdf');
  });

  it('Nộp hồ sơ with a refused file says every other mistake in the same answer, beside its field', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    const res = await submit(
      a,
      proc.p.id,
      { do: 'submit', phone: '09123', address: 'Số 9 đường Một Lần' },
      { doc0: new File([executable() as Uint8Array<ArrayBuffer>], 'virus.pdf', { type: 'application/pdf' }) },
    );
    expect(res.status).toBe(400);
    // The file's own refusal, not "Vui lòng tải lên" for the document it was meant for…
    expect(res.text).toMatch(/id="err-doc0">Loại tệp không được nhận/);
    // …and, in the same answer, the phone and the documents still missing (one round trip, not three).
    expect(res.text).toMatch(/id="err-phone">Số điện thoại không đúng định dạng/);
    expect(res.text).toMatch(/id="err-doc2">Vui lòng tải lên: /);
    expect(res.text).toContain('Số 9 đường Một Lần');
    expect(await mineOf(a.id)).toHaveLength(0);
  });

  it('a form sent after the session lapsed is kept as the draft; after logging in again it is there but for where messages go', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    a.csrf = await a.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const lapse = (ms: number) =>
      t.database.db
        .update(sessions)
        .set({ lastSeenAt: new Date(Date.now() - ms) })
        .where(eq(sessions.citizenId, a.id));
    await lapse(POLICY.idleMs + 60_000);
    // The lapsed session reads nothing.
    expect((await a.client.request('GET', '/ca-nhan')).status).toBe(303);
    const res = await submit(
      a,
      proc.p.id,
      { do: 'submit', phone: '0912345678', address: 'Số 7 đường Hết Phiên', note: 'Ghi chú lúc hết phiên' },
      { doc0: file(pdf('đơn'), 'don-het-phien.pdf') },
    );
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/dang-nhap?tiep=${encodeURIComponent(`/ca-nhan/nop-ho-so?thutuc=${proc.p.id}&hetphien=1`)}`);
    expect(await mineOf(a.id)).toHaveLength(0);
    // Which agency receives it is chosen logged in, like the contact (the form offers it again).
    const [kept] = await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, a.id));
    expect(kept!.fields.unitId ?? '').toBe('');
    expect(kept!.fields.note).toBe('Ghi chú lúc hết phiên');
    // A lapsed form that cannot be kept (a control character) says so on the login page, never "kept" on the form.
    const unreadable = await submit(a, proc.p.id, { do: 'save', note: 'Ghi chú\u0000lỗi' });
    expect(unreadable.location).toBe(`/dang-nhap?tiep=${encodeURIComponent(`/ca-nhan/nop-ho-so?thutuc=${proc.p.id}`)}&het-phien=1`);
    // Logged in again (a new session), the form shows what was sent.
    a.client.cookies.set(PORTAL_COOKIE, await createCitizenSession(t.database.db, a.id, POLICY, new Date()));
    const back = await page(a, `/ca-nhan/nop-ho-so?thutuc=${proc.p.id}&hetphien=1`);
    expect(back.html).toContain('Phiên đăng nhập đã hết hạn');
    expect(back.html).toContain('Ghi chú lúc hết phiên');
    expect(back.html).toContain('don-het-phien.pdf');
    // The phone, e-mail and address — where the dossier's messages go — are only ever saved logged in (the next person
    // at a shared browser must not plant them); the notice says so.
    expect(back.html).not.toContain('Số 7 đường Hết Phiên');
    expect(back.html).toContain(
      'đơn vị tiếp nhận, số điện thoại, thư điện tử, địa chỉ liên hệ và thông tin người được nộp thay chỉ lưu khi bạn đã đăng nhập',
    );
  });

  it('a session lapsed longer than the grace, or a token never issued, saves nothing', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    a.csrf = await a.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - POLICY.idleMs - LAPSED_DRAFT_GRACE_MS - 60_000) })
      .where(eq(sessions.citizenId, a.id));
    const res = await submit(a, proc.p.id, { do: 'save', phone: '0912345678', address: 'Không lưu' });
    // Nothing was kept: the login page says so (het-phien=1).
    expect(res.location).toBe(`/dang-nhap?tiep=${encodeURIComponent('/ca-nhan/nop-ho-so')}&het-phien=1`);
    a.client.cookies.set(PORTAL_COOKIE, 'khong-phai-token');
    expect((await submit(a, proc.p.id, { do: 'save', address: 'Không lưu' })).status).toBe(303);
    expect(await t.database.db.select().from(dossierDrafts)).toHaveLength(0);
  });

  it('on behalf of someone, the typed number names them but does not put the dossier into their portal', async () => {
    const [a, b] = [await an(), await binh()];
    const proc = await currentProcedure(t.database, '2.000633');
    const res = await submit(
      a,
      proc.p.id,
      { do: 'submit', phone: '0912345678', address: 'Số 1', onBehalf: '1', principalName: 'Phạm Văn Bình', principalCccd: b.cccd },
      { doc0: file(pdf('a'), 'a.pdf'), doc1: file(pdf('b'), 'b.pdf'), doc2: file(pdf('c'), 'c.pdf') },
    );
    expect(res.status).toBe(303);
    const [d] = await mineOf(a.id);
    expect(d!.applicant).toMatchObject({ fullName: 'Phạm Văn Bình', cccd: b.cccd, representative: { fullName: 'Trần Thị Mai Anh' } });
    expect(d!.applicantIdNumber).toBeNull();
    expect(count((await page(b, '/ca-nhan')).html, 'Hồ sơ đã nộp')).toBe('0');
    expect((await page(b, `/ca-nhan/ho-so/${d!.id}`)).status).toBe(404);
  });

  it('a lapsed session only fills what the draft has empty, never the contact or the principal: saved values, files and the principal stay', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    await submit(a, proc.p.id, { do: 'save', phone: '0912345678', address: 'Địa chỉ đã lưu' }, { doc0: file(pdf('gốc'), 'goc.pdf') });
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - POLICY.idleMs - 60_000) })
      .where(eq(sessions.citizenId, a.id));
    await submit(
      a,
      proc.p.id,
      {
        do: 'save',
        phone: '0999999999',
        address: 'Địa chỉ kẻ lạ',
        email: 'moi@demo.motcua.invalid',
        onBehalf: '1',
        principalCccd: '079088001122',
      },
      { doc0: file(pdf('lạ'), 'la.pdf'), doc1: file(pdf('thêm'), 'them.pdf') },
    );
    const [draft] = await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, a.id));
    expect(draft!.fields).toMatchObject({ phone: '0912345678', address: 'Địa chỉ đã lưu' });
    // An empty e-mail is not filled either: messages of the dossier (with its Mã tra cứu) would go to whoever typed it.
    expect(draft!.fields.email ?? '').toBe('');
    expect(draft!.fields.onBehalf ?? '').toBe('');
    expect(draft!.fields.principalCccd ?? '').toBe('');
    expect(draft!.files['0']!.name).toBe('goc.pdf');
    expect(draft!.files['1']!.name).toBe('them.pdf');
  });

  it('another citizen’s personal file cannot be attached', async () => {
    const [a, b] = [await an(), await binh()];
    const proc = await currentProcedure(t.database, '2.000633');
    const theirs = await uploadPersonalFile(
      t.database.db,
      citizenActor(b.id, { ip: null, requestId: null }),
      { file: { name: 'cua-binh.pdf', bytes: pdf('bình') } },
      QUOTA,
      new Date(),
    );
    const res = await submit(a, proc.p.id, { do: 'save', phone: '0912345678', address: 'Số 1', pick0: theirs.id });
    expect(res.status).toBe(400);
    const [draft] = await t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, a.id));
    expect(draft!.files).toEqual({});
  });
});

describe('after submission', () => {
  it('accept → supplement → the citizen supplies → processed → returned online into personal files → rated', async () => {
    const a = await an();
    const { d } = await submitted(a);
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const db = t.database.db;
    // The reception desk sees the online dossier with the files it came with.
    const desk = new Client(t.app);
    expect((await desk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const deskPage = await desk.get(`/tiepnhan/ho-so/${d.id}`);
    expect(deskPage.text).toContain('Hồ sơ nộp trực tuyến');
    expect(deskPage.text).toContain('don-de-nghi.pdf');
    await actOnDossier(db, clerk, d.id, { action: 'accept' });
    let view = await page(a, `/ca-nhan/ho-so/${d.id}`);
    expect(view.html).toContain('Được tiếp nhận');
    expect(view.html).toContain(d.lookupCode);
    expect(view.html).toContain('Mẫu 01');
    const receipt = await a.client.request('GET', `/ca-nhan/ho-so/${d.id}/mau/01`);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    // Saved, it is named after the form and the dossier, as the desk's copy is (tests/forms-http.test.ts).
    expect(receipt.headers.get('content-disposition')).toBe(
      `attachment; filename="mau-01-${d.code}.pdf"; filename*=UTF-8''mau-01-${d.code}.pdf`,
    );
    await actOnDossier(db, clerk, d.id, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao giấy phép' });
    expect(count((await page(a, '/ca-nhan')).html, 'Hồ sơ chờ bổ sung')).toBe('1');
    view = await page(a, `/ca-nhan/ho-so/${d.id}`);
    expect(view.html).toContain('Bản sao giấy phép');
    const form = new FormData();
    form.set('_csrf', await a.client.csrf(`/ca-nhan/ho-so/${d.id}`));
    form.set('file', file(pdf('bổ sung'), 'bo-sung.pdf'));
    const sup = await a.client.request('POST', `/ca-nhan/ho-so/${d.id}/bo-sung`, form, { origin: a.client.origin });
    expect(sup.status).toBe(303);
    const [resumed] = await db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(resumed).toMatchObject({ status: 'received', clockStoppedAt: null });
    await actOnDossier(db, clerk, d.id, { action: 'handover' });
    await attachResult(db, expert, d.id, { name: 'giay-phep.pdf', bytes: pdf('giấy phép') }, new Date());
    await recordResult(
      db,
      expert,
      d.id,
      { kind: 'document', number: '22/GP-SCT', signedOn: formatDate(todayInVietnam()), summary: 'Cấp giấy phép' },
      new Date(),
    );
    // A result attached during processing is not issued yet: the applicant neither sees nor downloads it.
    const [draftResult] = await db
      .select()
      .from(dossierFiles)
      .where(and(eq(dossierFiles.dossierId, d.id), eq(dossierFiles.kind, 'result')));
    expect((await page(a, `/ca-nhan/ho-so/${d.id}`)).html).not.toContain('giay-phep.pdf');
    expect((await page(a, `/ca-nhan/ho-so/${d.id}`)).html).not.toContain('22/GP-SCT');
    expect((await a.client.request('GET', `/ca-nhan/ho-so/${d.id}/tep/${draftResult!.id}`)).status).toBe(404);
    await actOnDossier(db, expert, d.id, { action: 'handover' });
    await actOnDossier(db, director, d.id, { action: 'approve' });
    await actOnDossier(db, clerk, d.id, { action: 'return_result', returnChannel: '2' });
    const issued = await db
      .select()
      .from(personalFiles)
      .where(and(eq(personalFiles.citizenId, a.id), eq(personalFiles.source, 'issued')));
    expect(issued.map((f) => f.name)).toEqual(['giay-phep.pdf']);
    expect((await a.client.request('GET', `/ca-nhan/ho-so/${d.id}/tep/${draftResult!.id}`)).status).toBe(200);
    // Once returned, the applicant sees the result as recorded: its số, ngày ký, trích yếu.
    const returnedPage = (await page(a, `/ca-nhan/ho-so/${d.id}`)).html;
    expect(returnedPage).toContain('Kết quả giải quyết');
    expect(returnedPage).toContain('22/GP-SCT');
    const rate = await a.client.post(
      `/ca-nhan/ho-so/${d.id}/danh-gia`,
      { score: '5', comment: 'Nhanh' },
      { csrfFrom: `/ca-nhan/ho-so/${d.id}` },
    );
    expect(rate.status).toBe(303);
    const twice = await a.client.post(`/ca-nhan/ho-so/${d.id}/danh-gia`, { score: '1' }, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
    expect(twice.status).toBe(409);
  });

  it('withdraws while the rules allow, not after', async () => {
    const a = await an();
    const { d } = await submitted(a);
    const res = await a.client.post(
      `/ca-nhan/ho-so/${d.id}/rut`,
      { note: 'Nộp nhầm', 'xac-nhan': '1' },
      { csrfFrom: `/ca-nhan/ho-so/${d.id}` },
    );
    expect(res.status).toBe(303);
    expect(count((await page(a, '/ca-nhan')).html, 'Hồ sơ đã hủy')).toBe('1');
    const again = await a.client.post(`/ca-nhan/ho-so/${d.id}/rut`, { 'xac-nhan': '1' }, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
    expect(again.status).toBe(409);
    // A stale page's form sent without the box: no box to say it beside any more, so the page says why at the top.
    const stale = await a.client.post(`/ca-nhan/ho-so/${d.id}/rut`, {}, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
    expect(stale.status).toBe(400);
    expect(stale.text).toContain('Hồ sơ không còn ở trạng thái có thể rút.');
    // The summary does not link to a box that is not on the page any more.
    expect(stale.text).toContain('data-error-summary');
    expect(stale.text).not.toContain('href="#err-confirm"');
  });

  it('a withdrawal without the confirmation box ticked withdraws nothing and says why beside the box, the reason kept', async () => {
    const a = await an();
    const { d } = await submitted(a);
    const res = await a.client.post(`/ca-nhan/ho-so/${d.id}/rut`, { note: 'Nộp nhầm thủ tục' }, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Vui lòng đánh dấu ô xác nhận nếu bạn muốn rút hồ sơ.');
    expect(res.text).toMatch(/<input id="ly-do" name="note" maxlength="2000" value="Nộp nhầm thủ tục"/);
    expect(res.text).toContain('aria-describedby="err-confirm"');
    // The summary at the top (ErrorSummary) links to the message beside the box, and the page's own script focuses it.
    expect(res.text).toMatch(/<div class="flash flash-error" role="alert" tabindex="-1" data-error-summary[^>]*>/);
    expect(res.text).toContain('<a href="#err-confirm">Vui lòng đánh dấu ô xác nhận nếu bạn muốn rút hồ sơ.</a>');
    expect(res.text).toContain('<script type="module" src="/static/submit-once.js"></script>');
    // The answer names the dossier's own address, which the script puts in the history in place of the post: Back
    // or reload then reads the dossier again instead of asking to send the form once more. A GET names none.
    expect(res.text).toMatch(new RegExp(`<meta name="motcua-address" content="/ca-nhan/ho-so/${d.id}"\\s*/?>`));
    expect((await page(a, `/ca-nhan/ho-so/${d.id}`)).html).not.toContain('motcua-address');
    expect(count((await page(a, '/ca-nhan')).html, 'Hồ sơ đã hủy')).toBe('0');
    // A stray value is no confirmation either.
    const stray = await a.client.post(`/ca-nhan/ho-so/${d.id}/rut`, { 'xac-nhan': 'on' }, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
    expect(stray.status).toBe(400);
    expect(count((await page(a, '/ca-nhan')).html, 'Hồ sơ đã hủy')).toBe('0');
  });

  it('another citizen: the dossier, its files, forms, withdrawal, supplement and rating answer as if missing', async () => {
    const [a, b] = [await an(), await binh()];
    const { d } = await submitted(a);
    const [f] = (await page(a, `/ca-nhan/ho-so/${d.id}`)).html.match(/\/tep\/[0-9a-f-]{36}/) ?? [];
    for (const path of [
      `/ca-nhan/ho-so/${d.id}`,
      `/ca-nhan/ho-so/${d.id}${f}`,
      `/ca-nhan/ho-so/${d.id}/mau/01`,
      `/ca-nhan/ho-so/${crypto.randomUUID()}`,
      '/ca-nhan/ho-so/khong-phai-id',
    ]) {
      expect((await b.client.request('GET', path)).status, path).toBe(404);
    }
    expect((await b.client.post(`/ca-nhan/ho-so/${d.id}/rut`, {}, { csrfFrom: '/ca-nhan' })).status).toBe(404);
    // A supplement to another citizen's dossier is refused before anything is stored.
    const form = new FormData();
    form.set('_csrf', await b.client.csrf('/ca-nhan'));
    const blobBytes = pdf(`không được lưu ${crypto.randomUUID()}`);
    form.set('file', file(blobBytes, 'la.pdf'));
    expect((await b.client.request('POST', `/ca-nhan/ho-so/${d.id}/bo-sung`, form, { origin: b.client.origin })).status).toBe(404);
    expect(await hasBlob(crypto.createHash('sha256').update(blobBytes).digest('hex'))).toBe(false);
    expect((await b.client.post(`/ca-nhan/ho-so/${d.id}/danh-gia`, { score: '1' }, { csrfFrom: '/ca-nhan' })).status).toBe(404);
    expect(count((await page(b, '/ca-nhan')).html, 'Hồ sơ đã nộp')).toBe('0');
    const [still] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(still!.status).toBe('submitted');
  });

  it('Hồ sơ đã nộp pages by 20, newest first: Xem tiếp gives the rest, none twice; the counts agree', async () => {
    const a = await citizen(t.app, '001190054321', 'Lê Văn Phúc');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const proc = await currentProcedure(t.database, '2.000633');
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) {
      const d = await receiveAtCounter(t.database.db, clerk, {
        procedureId: proc.p.id,
        channel: '1',
        fullName: 'Lê Văn Phúc',
        cccd: a.cccd,
      });
      ids.push(d.id);
    }
    const listed = (html: string) => [...html.matchAll(/href="\/ca-nhan\/ho-so\/([0-9a-f-]{36})"/g)].map((m) => m[1]!);
    const first = (await page(a, '/ca-nhan/ho-so?loai=da-nop')).html;
    expect(listed(first)).toHaveLength(20);
    const next = /href="(\/ca-nhan\/ho-so\?loai=da-nop&amp;sau=[^"]+)"/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBeTruthy();
    const second = (await page(a, next!)).html;
    expect(listed(second)).toHaveLength(2);
    expect(second).not.toContain('Xem tiếp');
    // Newest first across both pages, each dossier once.
    expect([...listed(first), ...listed(second)]).toEqual([...ids].reverse());
    expect(count((await page(a, '/ca-nhan')).html, 'Hồ sơ đã nộp')).toBe('22');
    // A cursor typed by hand that is not one (an id of dashes, one too long, another shape): the first page, never a 500.
    for (const sau of [
      `1700000000000_${'-'.repeat(36)}`,
      `1700000000000_${ids[0]!.toUpperCase()}x`,
      'x',
      `${'9'.repeat(13)}_${'0'.repeat(36)}`,
    ]) {
      const res = await page(a, `/ca-nhan/ho-so?loai=da-nop&sau=${encodeURIComponent(sau)}`);
      expect(res.status).toBe(200);
      expect(listed(res.html)).toEqual(listed(first));
    }
  });

  it('a dossier received at the counter for the citizen’s proven CCCD is theirs; one for another number is not', async () => {
    const a = await an();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const proc = await currentProcedure(t.database, '2.000633');
    const mine = await receiveAtCounter(t.database.db, clerk, {
      procedureId: proc.p.id,
      channel: '1',
      fullName: 'Trần Thị Mai Anh',
      cccd: a.cccd,
    });
    const other = await receiveAtCounter(t.database.db, clerk, {
      procedureId: proc.p.id,
      channel: '1',
      fullName: 'Trần Thị Mai Anh',
      cccd: '079088001122',
    });
    const home = (await page(a, '/ca-nhan')).html;
    expect(count(home, 'Hồ sơ đã nộp')).toBe('1');
    // Its fee was paid at the counter: nothing to pay online.
    expect(count(home, 'Hồ sơ chờ thanh toán lệ phí')).toBe('0');
    expect((await page(a, `/ca-nhan/ho-so/${mine.id}`)).html).not.toContain('Thanh toán lệ phí trực tuyến');
    expect((await page(a, `/ca-nhan/ho-so/${other.id}`)).status).toBe(404);
  });

  it('one session table, two halves: a citizen’s token is no official’s session, and an official’s is no citizen’s', async () => {
    const a = await an();
    const token = a.client.cookies.get(PORTAL_COOKIE) ?? '';
    const asOfficial = new Client(t.app);
    asOfficial.cookies.set('motcua_sid', token);
    expect((await asOfficial.request('GET', '/tiepnhan/ho-so')).status).toBe(303);
    const desk = new Client(t.app);
    expect((await desk.login(sctClerkUsername(), TEST_PASSWORD)).status).toBe(303);
    const asCitizen = new Client(t.app);
    asCitizen.cookies.set(PORTAL_COOKIE, desk.cookies.get('motcua_sid') ?? '');
    const res = await asCitizen.request('GET', '/ca-nhan');
    expect(res.location).toBe(`/dang-nhap?tiep=${encodeURIComponent('/ca-nhan')}`);
  });

  it('a level-1 VNeID login sees what it submitted, not every dossier naming its CCCD', async () => {
    const a = await an();
    await t.database.db.update(citizens).set({ loa: 1 }).where(eq(citizens.id, a.id));
    const clerk = await actorFor(t.database, sctClerkUsername());
    const proc = await currentProcedure(t.database, '2.000633');
    const counter = await receiveAtCounter(t.database.db, clerk, {
      procedureId: proc.p.id,
      channel: '1',
      fullName: 'Trần Thị Mai Anh',
      cccd: a.cccd,
    });
    expect((await page(a, `/ca-nhan/ho-so/${counter.id}`)).status).toBe(404);
    expect(count((await page(a, '/ca-nhan')).html, 'Hồ sơ đã nộp')).toBe('0');
  });

  it('anyone calling the login callback with an error or an unknown state writes nothing to the audit log', async () => {
    const anon = new Client(t.app);
    await anon.request('GET', '/dang-nhap/vneid/callback?error=x&error_description=CCCD%20012345678901');
    await anon.request('GET', '/dang-nhap/vneid/callback?state=khong-co&code=abc');
    const rows = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'portal.login_failed'));
    expect(rows).toHaveLength(0);
  });

  it('three 4 MB phone photos are one ordinary dossier; a file past 10 MB is said beside its field, the rest kept', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    // A phone photo: JPEG's signature, then 4 MB (each photo different, so three blobs).
    const photo = (n: number, mb: number) => {
      const bytes = new Uint8Array(mb * 1024 * 1024).fill(n);
      bytes.set([0xff, 0xd8, 0xff, 0xe0], 0);
      return new File([bytes], `anh-${n}.jpg`, { type: 'image/jpeg' });
    };
    const post = async (fields: Record<string, string>, files: Record<string, File>) => {
      const form = new FormData();
      a.csrf ??= await a.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
      form.set('_csrf', a.csrf);
      form.set('procedureId', proc.p.id);
      form.set('submissionKey', crypto.randomUUID());
      for (const [k, v] of Object.entries(fields)) form.set(k, v);
      for (const [k, f] of Object.entries(files)) form.set(k, f);
      // As the page's form posts it: the address names the procedure, which sizes the body for its documents.
      return sendSubmission(a.client, proc.p.id, form);
    };
    expect((await a.client.request('GET', `${FORM}?thutuc=${proc.p.id}`)).text).toContain(
      `action="/ca-nhan/nop-ho-so?thutuc=${proc.p.id}"`,
    );
    const address = 'Số 7 đường Ảnh Chụp, phường Tân Phú';
    const tooBig = await post(
      { do: 'submit', phone: '0912 345 678', address },
      { doc0: photo(1, 11), doc2: file(pdf('hợp đồng thuê'), 'hop-dong.pdf') },
    );
    expect(tooBig.status).toBe(400);
    expect(tooBig.text).toMatch(/<span class="field-error" id="err-doc0">Tệp quá lớn \(tối đa 10 MB\)\.<\/span>/);
    expect(tooBig.text).toContain(`value="${address}"`);
    expect(tooBig.text).toContain('Đã có tệp: hop-dong.pdf');
    expect(await mineOf(a.id)).toHaveLength(0);

    // What the body may carry beyond the form's own fields and files is refused before any of it is kept.
    const raw = async (path: string, parts: Array<[string, string | File]>) => {
      const form = new FormData();
      form.set('_csrf', a.csrf!);
      form.set('procedureId', proc.p.id);
      for (const [k, v] of parts) form.append(k, v);
      return a.client.request('POST', path, form, { origin: a.client.origin });
    };
    const sized = `${FORM}?thutuc=${proc.p.id}`;
    const stray = await raw(sized, [['doc99', photo(5, 1)]]);
    expect(stray.status).toBe(400);
    expect(stray.text).toContain('Biểu mẫu gửi lên có tệp không thuộc biểu mẫu này');
    expect(
      (
        await raw(sized, [
          ['doc0', photo(6, 1)],
          ['doc0', photo(7, 1)],
        ])
      ).status,
    ).toBe(400);
    // Text is held in memory while files stream to disk: 640 KB of it in all, whatever the body's limit.
    const chatty = await raw(
      sized,
      Array.from({ length: 11 }, (_, i): [string, string] => [`tk_${i}`, 'x'.repeat(60 * 1024)]),
    );
    expect(chatty.status).toBe(413);
    expect(chatty.text).toContain('Nội dung chữ của biểu mẫu quá dài (tối đa 640 KB)');
    // A malformed part header, then the start of a file part in the same chunk: refused at once, nothing spooled.
    // Before, the file part was spooled after busboy had given up, its stream never ended, and the request waited
    // for good with a file open.
    const boundary = 'ranh-gioi';
    const malformed = `--${boundary}\r\nkhong-co-dau-hai-cham\r\n\r\nv\r\n--${boundary}\r\nContent-Disposition: form-data; name="doc0"; filename="a.pdf"\r\n\r\n%PDF-1.4 một phần`;
    const spooled = () => (fs.existsSync(blobStore().spoolDir) ? fs.readdirSync(blobStore().spoolDir).length : 0);
    const spoolBefore = spooled();
    const broken = await Promise.race([
      a.client.request('POST', sized, malformed, { 'content-type': `multipart/form-data; boundary=${boundary}`, origin: a.client.origin }),
      new Promise<'still waiting after 5 s'>((resolve) => setTimeout(() => resolve('still waiting after 5 s'), 5_000)),
    ]);
    expect(typeof broken === 'string' ? broken : broken.status).toBe(400);
    expect(spooled()).toBe(spoolBefore);
    // The address sizes the body for its procedure: a form of another procedure sent to it is refused.
    const other = await currentProcedure(t.database, '1.001612');
    expect((await raw(`${FORM}?thutuc=${other.p.id}`, [])).status).toBe(400);
    expect(await mineOf(a.id)).toHaveLength(0);

    const res = await post({ do: 'submit', phone: '0912 345 678', address }, { doc0: photo(2, 4), doc1: photo(3, 4), doc2: photo(4, 4) });
    expect(res.status).toBe(303);
    const [d] = await mineOf(a.id);
    const components = await t.database.db.select().from(dossierComponents).where(eq(dossierComponents.dossierId, d!.id));
    expect(
      components
        .filter((c) => c.fileId)
        .map((c) => c.documentIndex)
        .sort(),
    ).toEqual([0, 1, 2]);
  });

  it('an upload route takes a large body only as a streamed multipart form; a malformed one is a 400', async () => {
    const a = await an();
    const proc = await currentProcedure(t.database, '2.000633');
    const csrf = await a.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const big = new URLSearchParams({ _csrf: csrf, procedureId: proc.p.id, note: 'x'.repeat(200 * 1024) });
    const urlencoded = await a.client.request('POST', FORM, big, {
      'content-type': 'application/x-www-form-urlencoded',
      origin: a.client.origin,
    });
    expect(urlencoded.status).toBe(413);
    const noBoundary = await a.client.request('POST', FORM, 'x', { 'content-type': 'multipart/form-data', origin: a.client.origin });
    expect(noBoundary.status).toBe(400);
  });

  it('a form token taken before the portal login is void after it (tokens are bound to the portal session)', async () => {
    const a = await an();
    const token = a.client.cookies.get(PORTAL_COOKIE) ?? '';
    a.client.cookies.delete(PORTAL_COOKIE);
    const before = await a.client.csrf('/tiepnhan/dang-nhap');
    a.client.cookies.set(PORTAL_COOKIE, token);
    const res = await a.client.post('/ca-nhan/ho-so/00000000-0000-4000-8000-000000000000/rut', {}, { csrf: before });
    expect(res.status).toBe(403);
    const after = await a.client.post('/ca-nhan/ho-so/00000000-0000-4000-8000-000000000000/rut', {}, { csrfFrom: '/ca-nhan' });
    expect(after.status).toBe(404);
  });

  it('without a login, the pages send to Đăng nhập and come back', async () => {
    const anon = new Client(t.app);
    const res = await anon.request('GET', '/ca-nhan/ho-so?loai=da-nop');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/dang-nhap?tiep=${encodeURIComponent('/ca-nhan/ho-so?loai=da-nop')}`);
  });
});
