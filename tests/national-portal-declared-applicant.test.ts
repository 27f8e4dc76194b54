/**
 * The applicant of a dossier pulled from the national portal is its declaration (src/national-portal/declared-applicant.ts):
 * a valid national dossier is registered even when a ChuHoSo field does not fit our counter's rules — an organisation's
 * tax code as SoDinhDanh, a phone written 84…, a name of 151–300 or an address of 301–500 characters (the pull's own
 * schema takes them) — the field left out of (or cut in) the structured applicant and kept whole in the note the
 * reception official reads. The number declared never puts the dossier into a citizen's portal. A dossier that truly
 * cannot be registered is shown to the province's administrators, with the reason.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { asc, eq } from 'drizzle-orm';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { citizens, dossierEvents, dossiers, nationalIntake } from '../src/db/schema/index.js';
import type { NationalPortalClient, SubmittedDossier } from '../src/national-portal/client.js';
import { pullNationalDossiers } from '../src/national-portal/pull.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { procedureForm } from './support/procedure-form.js';
import { citizenActor } from '../src/shared/context.js';
import { requireCitizenDossier } from '../src/portal/citizen-dossiers.js';
import { listMyDossiers } from '../src/portal/my-dossiers.js';

const t = useDemoApp();
const silent = pino({ level: 'silent' });

function fakeClient(items: SubmittedDossier[]): NationalPortalClient {
  return {
    sendStatus: async () => ({ id: 'x' }),
    heldStatuses: async () => ({ items: [], nextCursor: null }),
    submittedDossiers: async (cursor) => (cursor ? { items: [], nextCursor: null } : { items, nextCursor: 'c1' }),
  };
}

const item = (id: string, ChuHoSo: SubmittedDossier['ChuHoSo'], MaTTHC = '2.000633'): SubmittedDossier => ({
  MaHoSoQG: id,
  MaTTHC,
  NgayNop: '20261120090000',
  ChuHoSo,
});

const pull = (items: SubmittedDossier[]) => pullNationalDossiers(t.database.db, fakeClient(items), new Date(), silent);

/** Each national id's intake outcome, its dossier's applicant and bound number, and the note of its submission. */
async function pulled() {
  const rows = await t.database.db
    .select({ i: nationalIntake, d: dossiers, note: dossierEvents.note })
    .from(nationalIntake)
    .leftJoin(dossiers, eq(dossiers.id, nationalIntake.dossierId))
    .leftJoin(dossierEvents, eq(dossierEvents.dossierId, dossiers.id))
    .orderBy(asc(nationalIntake.nationalId));
  return new Map(rows.map((r) => [r.i.nationalId, r]));
}

describe('the pull: the procedure by its code', () => {
  it('finds it whatever the case the national portal wrote its code in', async () => {
    // A province's own procedure (its code ends in the province's letters), kept in capitals by the catalog.
    const { v } = await currentProcedure(t.database, '2.000633');
    const admin = await actorFor(t.database, 'admin.sct');
    await saveProcedure(t.database.db, admin, null, procedureForm('1.001234.000.00.00.H10', v));
    expect(await pull([item('G22.H10-CASE', { HoVaTen: 'Nguyễn Thị Chữ Thường' }, '1.001234.000.00.00.h10')])).toMatchObject({
      registered: 1,
    });
  });
});

describe('the pull: a valid national dossier with an applicant field our counter refuses', () => {
  const LONG_ADDRESS = 'Thôn 1, '.repeat(45).trim(); // 359 characters
  const LONG_NAME = `Hợp tác xã Nông nghiệp Dịch vụ Tổng hợp ${'Bình Minh Phước Long '.repeat(8)}`.trim(); // 206 characters

  it('is registered, the field kept out of the structured applicant and written verbatim in the note', async () => {
    const counts = await pull([
      item('G22.H10-MST', { HoVaTen: 'Công ty TNHH Bình Minh', SoDinhDanh: '3801234567', SoDienThoai: '0912345678' }),
      item('G22.H10-MST13', { HoVaTen: 'Chi nhánh Công ty Bình Minh', SoDinhDanh: '3801234567-001' }),
      item('G22.H10-PHONE', { HoVaTen: 'Trần Thị Điện Thoại', SoDienThoai: '84912345678' }),
      item('G22.H10-PHONEX', { HoVaTen: 'Trần Văn Gọi', SoDienThoai: 'gọi giờ hành chính', Email: 'không có' }),
      item('G22.H10-ADDR', { HoVaTen: 'Lê Văn Địa Chỉ', DiaChi: LONG_ADDRESS }),
      item('G22.H10-NAME', { HoVaTen: LONG_NAME, SoDinhDanh: '070190001234' }),
      item('G22.H10-SHORT', { HoVaTen: 'A' }),
    ]);
    expect(counts).toEqual({ registered: 7, skipped: 0, already: 0 });
    const rows = await pulled();
    expect([...rows.values()].map((r) => r.i.outcome)).toEqual(Array(7).fill('registered'));

    // A tax code is no CCCD: out of the applicant's CCCD, in the note as declared; the valid phone kept.
    const mst = rows.get('G22.H10-MST')!;
    expect(mst.d!.applicant).toMatchObject({ fullName: 'Công ty TNHH Bình Minh', cccd: null, phone: '0912345678' });
    expect(mst.d!.applicantIdNumber).toBeNull();
    expect(mst.note).toContain('mã hồ sơ G22.H10-MST.');
    expect(mst.note).toContain('Số định danh (không phải số CCCD 12 chữ số): “3801234567”');
    expect(rows.get('G22.H10-MST13')!.note).toContain('“3801234567-001”');
    expect(rows.get('G22.H10-MST13')!.d!.applicant.cccd).toBeNull();

    // 84… is the same mobile number: kept, in our national form, nothing in the note.
    const phone = rows.get('G22.H10-PHONE')!;
    expect(phone.d!.applicant.phone).toBe('0912345678');
    expect(phone.note).not.toContain('khai báo');
    const phoneX = rows.get('G22.H10-PHONEX')!;
    expect(phoneX.d!.applicant).toMatchObject({ phone: null, email: null });
    expect(phoneX.note).toContain('Số điện thoại: “gọi giờ hành chính”; Email: “không có”');

    // Too long for the counter's field: kept cut (ending in …) and whole in the note.
    const addr = rows.get('G22.H10-ADDR')!;
    expect(addr.d!.applicant.address!.length).toBeLessThanOrEqual(300);
    expect(addr.d!.applicant.address).toMatch(/^Thôn 1, Thôn 1,.*…$/);
    expect(addr.note).toContain(`Địa chỉ đầy đủ: “${LONG_ADDRESS}”`);
    const name = rows.get('G22.H10-NAME')!;
    expect(name.d!.applicant.fullName.length).toBeLessThanOrEqual(150);
    expect(name.d!.applicant.fullName).toMatch(/^Hợp tác xã Nông nghiệp.*…$/);
    expect(name.d!.applicant.cccd).toBe('070190001234');
    expect(name.note).toContain(`Họ tên đầy đủ: “${LONG_NAME}”`);
    expect(name.d!.applicantFolded).toContain('hop tac xa nong nghiep');

    // Not a name at all: a placeholder the official sees, the declaration in the note.
    const short = rows.get('G22.H10-SHORT')!;
    expect(short.d!.applicant.fullName).toBe('Chưa rõ họ tên');
    expect(short.note).toContain('Họ tên: “A”');

    for (const r of rows.values()) {
      expect(r.note!.length).toBeLessThanOrEqual(1000);
      expect(r.note).toBe(r.note!.normalize('NFC'));
    }
  });

  it('every field at the pull schema’s limits at once: registered, the note within its 1000 characters', async () => {
    const counts = await pull([
      item('G22.H10-MAX', {
        HoVaTen: 'Nguyễn '.repeat(43).trim(),
        SoDinhDanh: '3801234567-001',
        SoDienThoai: '1'.repeat(30),
        Email: `${'a'.repeat(290)}@x`,
        DiaChi: 'Ấp Đông, '.repeat(55).trim(),
      }),
    ]);
    expect(counts.registered).toBe(1);
    const r = (await pulled()).get('G22.H10-MAX')!;
    expect(r.note!.length).toBeLessThanOrEqual(1000);
    expect(r.note).toContain('“3801234567-001”');
  });
});

describe('the number declared on the national portal (abuse)', () => {
  const CCCD = '001190054321';

  it('never puts the pulled dossier into the portal of the citizen whose VNeID proves that number', async () => {
    const [citizen] = await t.database.db
      .insert(citizens)
      .values({
        issuer: 'https://vneid.test',
        subject: crypto.randomUUID(),
        loa: 2,
        accountType: 1,
        cccd: CCCD,
        fullName: 'Đỗ Thị Nạn Nhân',
        dateOfBirth: '1990-01-01',
        gender: 'female' as const,
      })
      .returning({ id: citizens.id });
    const actor = citizenActor(citizen!.id, { ip: null, requestId: null });

    // Someone else's dossier on the national portal, naming the citizen's number (and nothing proving it is theirs).
    await pull([item('G22.H10-CLAIM', { HoVaTen: 'Đỗ Thị Nạn Nhân', SoDinhDanh: CCCD, SoDienThoai: '0987654321' })]);
    const d = (await pulled()).get('G22.H10-CLAIM')!.d!;
    // It names the number (the official sees and searches it) but is not bound by it.
    expect(d.applicant.cccd).toBe(CCCD);
    expect(d.applicantIdNumber).toBeNull();
    expect(d.citizenId).toBeNull();
    const listed = (await listMyDossiers(t.database.db, actor, 'da-nop', null)).rows.map((r) => r.id);
    expect(listed).not.toContain(d.id);
    await expect(requireCitizenDossier(t.database.db, actor, d.id)).rejects.toMatchObject({ status: 404 });

    // The existing rule, with its proof, stands: a dossier received at the counter (the card seen there) naming the number.
    const proc = await currentProcedure(t.database, '2.000633');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const counter = await receiveAtCounter(t.database.db, clerk, {
      procedureId: proc.p.id,
      channel: '1',
      fullName: 'Đỗ Thị Nạn Nhân',
      cccd: CCCD,
    });
    const after = (await listMyDossiers(t.database.db, actor, 'da-nop', null)).rows.map((r) => r.id);
    expect(after).toContain(counter.id);
    expect(after).not.toContain(d.id);
  });
});

describe('Quản trị → Hồ sơ từ Cổng DVC quốc gia', () => {
  const PAGE = '/tiepnhan/quan-tri/cong-dvc-quoc-gia';

  it('shows a province administrator the dossiers the pull skipped, with the reason in Vietnamese', async () => {
    await pull([
      item('G22.H10-UNKNOWN', { HoVaTen: 'Lê Văn Hùng' }, '9.999999'),
      item('G22.H10-OK', { HoVaTen: 'Trần Thị Mai', SoDinhDanh: '3801234567' }),
    ]);
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const res = await c.get(PAGE);
    expect(res.status).toBe(200);
    expect(res.text).toContain('HỒ SƠ TỪ CỔNG DVC QUỐC GIA CHƯA TIẾP NHẬN ĐƯỢC');
    expect(res.text).toContain('Số hồ sơ chưa tiếp nhận được: <strong>1</strong>');
    expect(res.text).toContain('G22.H10-UNKNOWN');
    expect(res.text).toContain('Thủ tục 9.999999 không có trong danh mục thủ tục của tỉnh.');
    // A registered one is in the reception queue, not here.
    expect(res.text).not.toContain('G22.H10-OK');
  });

  it('is not there for a unit administrator or an official', async () => {
    await pull([item('G22.H10-UNKNOWN', { HoVaTen: 'Lê Văn Hùng' }, '9.999999')]);
    for (const username of ['admin.sct', sctClerkUsername()]) {
      const c = new Client(t.app);
      await c.login(username, TEST_PASSWORD);
      const res = await c.get(PAGE);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('G22.H10-UNKNOWN');
    }
  });
});
