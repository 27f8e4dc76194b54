/**
 * Dữ liệu của tôi: a citizen sees, and downloads as a ZIP, everything the system holds about them — identity, sessions,
 * dossiers (theirs by the one rule) with applicant data, the history they may see and their files, drafts, payments,
 * ratings, personal files, their audit rows. Beside it, the abuse: nothing of another citizen (another CCCD, a twin
 * with the same name and birth date, a level-1 login naming the same CCCD), no official's name, no secret; anonymous
 * visitors go to Đăng nhập; the export is bounded (size, rate) and audited.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { unzipSync, strFromU8 } from 'fflate';
import { Client, type App } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { auditLog, citizens, dossierFiles, dossiers, notifications, sessions } from '../src/db/schema/index.js';
import { receiveDossier } from '../src/dossiers/receive-dossier.js';
import { createCitizenSession } from '../src/auth/sessions.js';
import { PORTAL_COOKIE } from '../src/portal/citizen-context.js';
import { citizenActor, systemActor } from '../src/shared/context.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { deletePersonalFile } from '../src/personal-files/delete-personal-file.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { attachResult } from '../src/dossiers/attach-result.js';
import { recordResult } from '../src/dossiers/record-result.js';
import { formatDate, todayInVietnam } from '../src/shared/dates.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { EXPORT_ACTION, EXPORT_LIMIT, exportMyData } from '../src/portal/my-data-export.js';
import type { MyData } from '../src/portal/my-data.js';
import { AppError } from '../src/shared/errors.js';
import { mapClaims } from '../src/auth/oidc/claims.js';
import { loginCitizen } from '../src/portal/login-citizen.js';
import { sendSubmission } from './support/portal-citizen.js';

const t = useDemoApp();
const QUOTA = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 100 * 1024 * 1024 };
const POLICY = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };
const PAGE = '/ca-nhan/du-lieu';
const EXPORT = '/ca-nhan/du-lieu/tai-xuong';
const official = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!;

type Person = { id: string; cccd: string; client: Client; token: string };

async function citizen(app: App, cccd: string, fullName: string, loa = 2): Promise<Person> {
  const [row] = await t.database.db
    .insert(citizens)
    .values({
      issuer: 'https://vneid.test',
      subject: crypto.randomUUID(),
      cccd,
      fullName,
      loa,
      dateOfBirth: '1990-04-12',
      gender: 'female',
    })
    .returning({ id: citizens.id });
  const token = await createCitizenSession(t.database.db, row!.id, POLICY, new Date());
  const client = new Client(app);
  client.cookies.set(PORTAL_COOKIE, token);
  return { id: row!.id, cccd, client, token };
}

const pdf = (text: string) => new Uint8Array(Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`));
const file = (bytes: Uint8Array, name: string) => new File([bytes as Uint8Array<ArrayBuffer>], name, { type: 'application/pdf' });
const actorOf = (p: Person) => citizenActor(p.id, { ip: null, requestId: null });

/** Nộp hồ sơ over HTTP with two files, one of them reused from Quản lý tập tin cá nhân. */
async function submitOnline(p: Person, tag: string) {
  const proc = await currentProcedure(t.database, '2.000633');
  const picked = await uploadPersonalFile(
    t.database.db,
    actorOf(p),
    { file: { name: `giay-to-${tag}.pdf`, bytes: pdf(`giấy tờ ${tag}`) } },
    QUOTA,
    new Date(),
  );
  const form = new FormData();
  form.set('_csrf', await p.client.csrf(`/ca-nhan/nop-ho-so?thutuc=${proc.p.id}`));
  form.set('procedureId', proc.p.id);
  form.set('submissionKey', crypto.randomUUID());
  form.set('do', 'submit');
  form.set('phone', '0912 345 678');
  form.set('address', `Số 1 đường ${tag}`);
  form.set('pick1', picked.id);
  form.set('doc0', file(pdf(`đơn đề nghị ${tag}`), `don-de-nghi-${tag}.pdf`));
  form.set('doc2', file(pdf(`hợp đồng ${tag}`), `hop-dong-${tag}.pdf`));
  const res = await sendSubmission(p.client, proc.p.id, form);
  expect(res.status).toBe(303);
  const [d] = await t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, p.id));
  return { d: d!, proc };
}

/** The export as the browser gets it: status, headers and the raw bytes. */
async function download(p: Person) {
  const csrf = await p.client.csrf(PAGE);
  const cookie = [...p.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await t.app.request(
    `http://localhost${EXPORT}`,
    {
      method: 'POST',
      body: new URLSearchParams({ _csrf: csrf }),
      headers: { cookie, origin: p.client.origin, 'content-type': 'application/x-www-form-urlencoded' },
    },
    { incoming: { socket: { remoteAddress: '192.0.2.10' } } },
  );
  return { status: res.status, headers: res.headers, bytes: new Uint8Array(await res.arrayBuffer()) };
}

function opened(bytes: Uint8Array) {
  const entries = unzipSync(bytes);
  const json = entries['data.json'];
  if (!json) throw new Error('no data.json in the ZIP');
  return { entries, data: JSON.parse(strFromU8(json)) as MyData & { missingFiles: string[] }, text: strFromU8(json) };
}

/** A's whole story: online dossier accepted, handed over inside the agency, result returned online, paid, rated; a counter dossier naming A's CCCD; a draft; a deleted personal file. */
async function richCitizen() {
  const db = t.database.db;
  const a = await citizen(t.app, '001190012345', 'Trần Thị Mai Anh');
  const { d, proc } = await submitOnline(a, 'an');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const expert = await actorFor(t.database, official('sct-qltm', 'Chuyên viên').username);
  const director = await actorFor(t.database, official('sct-ld', 'Giám đốc').username);
  // Pay the fee: the order goes to the platform (pending until it confirms).
  const pay = await a.client.post(`/ca-nhan/ho-so/${d.id}/thanh-toan`, {}, { csrfFrom: `/ca-nhan/ho-so/${d.id}` });
  expect(pay.status).toBe(303);
  await actOnDossier(db, clerk, d.id, { action: 'accept' });
  await actOnDossier(db, clerk, d.id, { action: 'handover' });
  await attachResult(db, expert, d.id, { name: 'giay-phep-an.pdf', bytes: pdf('giấy phép của An') }, new Date());
  await recordResult(
    db,
    expert,
    d.id,
    { kind: 'document', number: '21/GP-SCT', signedOn: formatDate(todayInVietnam()), summary: 'Cấp giấy phép' },
    new Date(),
  );
  await actOnDossier(db, expert, d.id, { action: 'handover' });
  await actOnDossier(db, director, d.id, { action: 'approve' });
  await actOnDossier(db, clerk, d.id, { action: 'return_result', returnChannel: '2' });
  const rated = await a.client.post(
    `/ca-nhan/ho-so/${d.id}/danh-gia`,
    { score: '4', comment: 'Nhanh gọn' },
    { csrfFrom: `/ca-nhan/ho-so/${d.id}` },
  );
  expect(rated.status).toBe(303);
  const counter = await receiveAtCounter(db, clerk, { procedureId: proc.p.id, channel: '1', fullName: 'Trần Thị Mai Anh', cccd: a.cccd });
  // A draft: the form saved, not submitted.
  const draft = new FormData();
  draft.set('_csrf', await a.client.csrf(`/ca-nhan/nop-ho-so?thutuc=${proc.p.id}`));
  draft.set('procedureId', proc.p.id);
  draft.set('submissionKey', crypto.randomUUID());
  draft.set('do', 'save');
  draft.set('address', 'Nháp: số 9 đường Nháp');
  draft.set('doc0', file(pdf('bản nháp'), 'ban-nhap-an.pdf'));
  const saved = await sendSubmission(a.client, proc.p.id, draft);
  expect(saved.status).toBeLessThan(400);
  const gone = await uploadPersonalFile(db, actorOf(a), { file: { name: 'da-xoa-an.pdf', bytes: pdf('đã xóa') } }, QUOTA, new Date());
  await deletePersonalFile(db, actorOf(a), gone.id, new Date());
  return { a, d, counter, expert, director };
}

describe('the claims kept from VNeID', () => {
  it('keeps claims with a NUL or a lone surrogate (jsonb refuses both) mended, instead of failing the login', async () => {
    const claims = {
      sub: 'citizen-hostile-claims',
      HoVaTen: 'Lê Thị\u0000 Thu',
      DiaChi: 'Số 1 \ud800 đường',
      'Khóa\u0000': ['a\udc00', { sâu: 'b\u0000c' }],
    };
    const id = mapClaims('dvcqg', claims, ['LoA1', 'LoA2']);
    const meta = { ip: '192.0.2.9', requestId: null, userAgent: null };
    const policy = { idleMs: 1_800_000, absoluteMs: 3_600_000 };
    const { citizen } = await loginCitizen(t.database.db, policy, 'https://vneid.example', id, claims, meta, new Date());
    const [row] = await t.database.db.select().from(citizens).where(eq(citizens.id, citizen.id));
    expect(row?.fullName).toBe('Lê Thị Thu');
    expect(row?.lastClaims).toEqual({
      sub: 'citizen-hostile-claims',
      HoVaTen: 'Lê Thị Thu',
      DiaChi: 'Số 1 \ufffd đường',
      Khóa: ['a\ufffd', { sâu: 'bc' }],
    });
  });
});

describe('Dữ liệu của tôi', () => {
  it('TRANG CÁ NHÂN links to it; it lists each kind of data the system holds about the citizen', async () => {
    const { a, d, counter } = await richCitizen();
    // The tờ khai as answered online (written as Nộp hồ sơ stores it; this procedure has none).
    await t.database.db
      .update(dossiers)
      .set({ declaration: [{ key: 'ngay_sinh_tre', label: 'Ngày sinh của trẻ', type: 'date', value: '2026-01-02' }] })
      .where(eq(dossiers.id, d.id));
    expect((await a.client.get('/ca-nhan')).text).toContain(`href="${PAGE}"`);
    const res = await a.client.get(PAGE);
    expect(res.status).toBe(200);
    const html = res.text;
    for (const heading of [
      'Thông tin định danh (từ VNeID)',
      'Phiên đăng nhập (1)',
      'Hồ sơ (2)',
      'Hồ sơ đang soạn (1)',
      'Thanh toán lệ phí (1)',
      'Đánh giá (1)',
      'Tập tin cá nhân (',
      'Nhật ký thao tác của bạn',
    ]) {
      expect(html).toContain(heading);
    }
    expect(html).toContain('001190012345');
    expect(html).toContain(d.code);
    expect(html).toContain(counter.code);
    expect(html).toContain('Hồ sơ đứng tên số định danh của bạn');
    // Applicant data, the history the applicant may see, every kind of file.
    expect(html).toContain('Số 1 đường an');
    expect(html).toMatch(/Ngày sinh của trẻ<\/dt><dd>02\/01\/2026/);
    expect(html).toContain('Được tiếp nhận');
    for (const name of [
      'don-de-nghi-an.pdf',
      'hop-dong-an.pdf',
      'giay-to-an.pdf',
      'giay-phep-an.pdf',
      'ban-nhap-an.pdf',
      'da-xoa-an.pdf',
    ]) {
      expect(html).toContain(name);
    }
    expect(html).toContain('đã xóa lúc');
    expect(html).toContain('Nhanh gọn');
    expect(html).toContain('Đang chờ thanh toán');
    expect(html).toContain('Nộp hồ sơ');
    expect(html).toContain('Tải xuống toàn bộ dữ liệu');
  });

  it('the ZIP opens: data.json with the citizen’s dossiers and data (ISO dates), and the bytes of their files; the export is audited', async () => {
    const { a, d, counter } = await richCitizen();
    const res = await download(a);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="du-lieu-cua-toi-\d{4}-\d{2}-\d{2}\.zip"/);
    expect(Number(res.headers.get('content-length'))).toBe(res.bytes.length);
    const { entries, data } = opened(res.bytes);
    expect(data.format).toBe('motcua/du-lieu-cua-toi/1');
    expect(data.identity).toMatchObject({ id: a.id, cccd: a.cccd, fullName: 'Trần Thị Mai Anh', dateOfBirth: '1990-04-12', loa: 2 });
    expect(String(data.readAt)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(data.dossiers.map((x) => x.code).sort()).toEqual([d.code, counter.code].sort());
    const online = data.dossiers.find((x) => x.id === d.id)!;
    expect(online).toMatchObject({ submittedByMe: true, status: 'returned', lookupCode: d.lookupCode });
    expect(online.applicant).toMatchObject({ fullName: 'Trần Thị Mai Anh', cccd: a.cccd, phone: '0912345678' });
    expect(online.history.map((h) => h.action)).toEqual(expect.arrayContaining(['submit', 'accept', 'approve', 'return_result']));
    expect(String(online.history[0]!.at)).toMatch(/Z$/);
    // Each file's bytes are in the archive where data.json says, equal to what is stored.
    expect(online.files.map((f) => f.kind).sort()).toEqual(['result', 'submitted', 'submitted', 'submitted']);
    const stored = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, d.id));
    for (const f of online.files) {
      const bytes = entries[f.path!];
      expect(bytes, f.path!).toBeDefined();
      const row = stored.find((s) => s.id === f.id)!;
      expect(crypto.createHash('sha256').update(bytes!).digest('hex')).toBe(row.sha256);
    }
    const result = online.files.find((f) => f.kind === 'result')!;
    expect(Buffer.from(entries[result.path!]!).toString()).toContain('giấy phép của An');
    expect(data.drafts).toHaveLength(1);
    expect(Buffer.from(entries[data.drafts[0]!.files[0]!.path!]!).toString()).toContain('bản nháp');
    // What the citizen typed, not the form key saveDraft keeps beside it.
    expect(Object.keys(data.drafts[0]!.fields)).not.toContain('savedByForm');
    const live = data.personalFiles.filter((f) => !f.deletedAt);
    expect(live.map((f) => f.name).sort()).toEqual(['giay-phep-an.pdf', 'giay-to-an.pdf']);
    for (const f of live) expect(entries[f.path!]!.length).toBe(f.size);
    expect(data.personalFiles.find((f) => f.name === 'da-xoa-an.pdf')).toMatchObject({ path: null });
    expect(data.payments).toEqual([expect.objectContaining({ dossierCode: d.code, status: 'pending' })]);
    expect(data.ratings).toEqual([expect.objectContaining({ dossierCode: d.code, score: 4, comment: 'Nhanh gọn' })]);
    expect(data.sessions).toEqual([expect.objectContaining({ method: 'vneid' })]);
    expect(data.activity.map((x) => x.action)).toEqual(expect.arrayContaining(['dossier.submit', 'personal_file.upload', 'dossier.rate']));
    expect(data.missingFiles).toEqual([]);
    expect(entries['doc-toi.txt']).toBeDefined();
    const [audit] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, EXPORT_ACTION));
    expect(audit).toMatchObject({ actorKind: 'citizen', actorId: a.id, targetId: a.id });
    expect(audit!.data).toMatchObject({ dossiers: 2, files: data.personalFiles.length + 5 - 1 });
    // The next export lists the first one among the citizen's activity.
    expect(opened((await download(a)).bytes).data.activity.map((x) => x.action)).toContain(EXPORT_ACTION);
  });

  it('nothing of another citizen: another CCCD, a twin with the same name and birth date, a level-1 login naming the same CCCD', async () => {
    const { a, d, counter } = await richCitizen();
    const b = await citizen(t.app, '079088001122', 'Phạm Văn Bình');
    const { d: bd } = await submitOnline(b, 'binh');
    const twin = await citizen(t.app, '001190099999', 'Trần Thị Mai Anh');
    const weak = await citizen(t.app, a.cccd, 'Trần Thị Mai Anh', 1);
    const aPage = (await a.client.get(PAGE)).text;
    const aZip = opened((await download(a)).bytes);
    for (const leak of [bd.code, 'don-de-nghi-binh.pdf', 'giay-to-binh.pdf', 'Phạm Văn Bình', b.cccd, 'đường binh']) {
      expect(aPage).not.toContain(leak);
      expect(aZip.text).not.toContain(leak);
    }
    expect(Object.keys(aZip.entries).some((p) => p.includes('binh'))).toBe(false);
    for (const other of [b, twin, weak]) {
      const page = (await other.client.get(PAGE)).text;
      const zip = opened((await download(other)).bytes);
      for (const leak of [d.code, counter.code, 'don-de-nghi-an.pdf', 'giay-phep-an.pdf', 'giay-to-an.pdf', 'Nhanh gọn', 'đường an']) {
        expect(page).not.toContain(leak);
        expect(zip.text).not.toContain(leak);
      }
      expect(Object.keys(zip.entries).some((p) => p.includes('-an.pdf'))).toBe(false);
    }
    expect(opened((await download(twin)).bytes).data.dossiers).toEqual([]);
    expect(opened((await download(weak)).bytes).data.dossiers).toEqual([]);
  });

  it('an organisation’s other member opens its dossier but does not see a member’s own in-app notices (a review’s case)', async () => {
    const member = async (name: string) => {
      const [row] = await t.database.db
        .insert(citizens)
        .values({
          issuer: 'https://vneid.test',
          subject: crypto.randomUUID(),
          accountType: 2,
          taxCode: '0301234567',
          businessName: 'Công ty TNHH Thử',
          cccd: null,
          fullName: name,
          loa: 2,
        })
        .returning({ id: citizens.id });
      const client = new Client(t.app);
      client.cookies.set(
        PORTAL_COOKIE,
        await createCitizenSession(t.database.db, row!.id, { idleMs: 1_800_000, absoluteMs: 3_600_000 }, new Date()),
      );
      return { id: row!.id, client };
    };
    const one = await member('Nhân viên Một');
    const two = await member('Nhân viên Hai');
    const { p } = await currentProcedure(t.database, '2.000633');
    const d = await receiveDossier(t.database.db, systemActor('national-portal:test'), {
      procedureId: p.id,
      channel: '2',
      fullName: 'Người Nộp Thử',
    });
    // As Nộp hồ sơ writes it for the first member: the organisation's proven tax code.
    await t.database.db
      .update(dossiers)
      .set({ citizenId: one.id, applicantIdNumber: '0301234567', applicantIdKind: 'tax_code' })
      .where(eq(dossiers.id, d.id));
    const notice = (citizenId: string | null, body: string) =>
      t.database.db
        .insert(notifications)
        .values({
          event: 'dossier.received',
          channel: 'inapp',
          recipientKind: 'applicant',
          citizenId,
          dossierId: d.id,
          state: 'delivered',
          body,
        })
        .returning({ id: notifications.id });
    const [own] = await notice(one.id, 'Thông báo riêng của Nhân viên Một');
    // A message to the dossier's applicant naming no portal account (an SMS to the typed phone): the dossier's, listed.
    await notice(null, 'Thông báo gửi người nộp hồ sơ');
    expect((await two.client.get(`/ca-nhan/ho-so/${d.id}`)).status).toBe(200);
    expect((await two.client.get(`/ca-nhan/thong-bao/${own!.id}`)).status).toBe(404);
    const page = await two.client.get('/ca-nhan/du-lieu');
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('Thông báo riêng của Nhân viên Một');
    expect(page.text).toContain('Thông báo gửi người nộp hồ sơ');
    expect((await one.client.get('/ca-nhan/du-lieu')).text).toContain('Thông báo riêng của Nhân viên Một');
  });

  it('no official’s name from hand-overs, no token hash, no payment signing material, no audit chain', async () => {
    const { a, expert, director } = await richCitizen();
    const page = (await a.client.get(PAGE)).text;
    const zip = opened((await download(a)).bytes).text;
    const [session] = await t.database.db.select().from(sessions).where(eq(sessions.citizenId, a.id));
    const people = [official('sct-qltm', 'Chuyên viên'), official('sct-ld', 'Giám đốc')];
    for (const secret of [
      session!.idHash,
      a.token,
      expert.label,
      director.label,
      ...people.map((o) => `${o.middleName} ${o.givenName}`),
      ...people.map((o) => o.email),
      'merchantCode',
      'signature',
      'rowHash',
      'prevHash',
      'Chuyển bước tiếp theo',
    ]) {
      expect(page).not.toContain(secret);
      expect(zip).not.toContain(secret);
    }
  });

  it('an anonymous visitor is sent to Đăng nhập; a post without the form token is refused; nothing is exported', async () => {
    const anon = new Client(t.app);
    const res = await anon.get(PAGE);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/dang-nhap?tiep=${encodeURIComponent(PAGE)}`);
    const csrf = await anon.csrf();
    const post = await anon.post(EXPORT, {}, { csrf });
    expect(post.status).toBe(303);
    expect(post.location).toMatch(/^\/dang-nhap/);
    const a = await citizen(t.app, '001190012345', 'Trần Thị Mai Anh');
    expect((await a.client.post(EXPORT, {}, { csrf: null })).status).toBe(403);
    expect(await t.database.db.select().from(auditLog).where(eq(auditLog.action, EXPORT_ACTION))).toEqual([]);
  });

  it('bounded: over the size cap or too often, a clear message and no archive (the refused size cap writes no audit row)', async () => {
    const a = await citizen(t.app, '001190012345', 'Trần Thị Mai Anh');
    await submitOnline(a, 'an');
    const [row] = await t.database.db.select().from(citizens).where(eq(citizens.id, a.id));
    const big = exportMyData(t.database.db, actorOf(a), row!, new Date(), 10);
    await expect(big).rejects.toThrow(AppError);
    await expect(big).rejects.toMatchObject({ code: 'export_too_large', status: 413 });
    await expect(big).rejects.toThrow(/vượt quá giới hạn/);
    const exports = () =>
      t.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, EXPORT_ACTION), eq(auditLog.actorId, a.id)));
    expect(await exports()).toEqual([]);
    for (let i = 0; i < EXPORT_LIMIT.count; i++) expect((await download(a)).status).toBe(200);
    const refused = await download(a);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Buffer.from(refused.bytes).toString()).toContain(`Bạn đã tải xuống dữ liệu ${EXPORT_LIMIT.count} lần trong một giờ qua`);
    expect(await exports()).toHaveLength(EXPORT_LIMIT.count);
    // Another citizen's limit is their own.
    const b = await citizen(t.app, '079088001122', 'Phạm Văn Bình');
    expect((await download(b)).status).toBe(200);
  });
});
