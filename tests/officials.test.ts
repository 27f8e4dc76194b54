import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { eq, sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, useDemoApp } from './support/fixtures.js';
import { accountIdentities, accounts, auditLog } from '../src/db/schema/index.js';
import { createOfficial } from '../src/accounts/create-official.js';
import { updateOfficial } from '../src/accounts/update-official.js';
import { deleteOfficial } from '../src/accounts/delete-official.js';
import { setSuspended } from '../src/accounts/set-suspended.js';
import { readSheet } from '../src/accounts/read-sheet.js';
import { importOfficials } from '../src/accounts/import-officials.js';
import { exportOfficials } from '../src/accounts/export-officials.js';
import { listAuditEntries } from '../src/audit/list.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();

/** A full THÔNG TIN CÁN BỘ + THÔNG TIN XÁC THỰC form, synthetic data. */
function form(over: Record<string, string> = {}) {
  return {
    username: 'hanhpt.qlcn',
    middleName: 'Phạm Thị',
    givenName: 'Hạnh',
    phone: '0271 3 888 999',
    mobile: '+84 912 345 678',
    emails: 'hanh.pt@example.invalid; HANH2@example.invalid',
    unitId: t.unitIds['sct-qlcn']!,
    position: 'Chuyên viên',
    receptionPlace: 'Bộ phận một cửa Sở Công Thương',
    returnAddress: 'Trung tâm Phục vụ hành chính công tỉnh',
    beneficiaryAccount: '1234567890',
    bankCode: 'vcb',
    taxCode: '3800123456',
    cardName: 'Phạm Thị Hạnh',
    dateOfBirth: '14/02/1990',
    gender: 'female',
    cccd: '070190123456',
    issueDate: '20/05/2021',
    issuePlace: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
    address: 'Phường Tân Phú, Đồng Xoài',
    ...over,
  };
}

const fieldsOf = (p: Promise<unknown>) =>
  p.then(
    () => ({}) as Record<string, string>,
    (e: AppError) => e.fields ?? { _: e.message },
  );

describe("officials' accounts", () => {
  it('creates an official with full identity data, normalised', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const nfd = 'Phạm Thị Hạnh'.normalize('NFD');
    const { account, temporaryPassword } = await createOfficial(
      t.database.db,
      admin,
      form({ cardName: nfd, middleName: 'Phạm Thị'.normalize('NFD') }),
      new Date(),
    );
    expect(temporaryPassword).toHaveLength(14);
    expect(account).toMatchObject({
      mobile: '0912345678',
      phone: '02713888999',
      emails: 'hanh.pt@example.invalid; hanh2@example.invalid',
      bankCode: 'VCB',
      mustChangePassword: true,
      middleName: 'Phạm Thị'.normalize('NFC'),
    });
    const [person] = await t.database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, account.id));
    expect(person).toMatchObject({
      fullName: 'Phạm Thị Hạnh'.normalize('NFC'),
      cccd: '070190123456',
      dateOfBirth: '1990-02-14',
      gender: 'female',
      issueDate: '2021-05-20',
    });
    expect(person!.fullName!.normalize('NFC')).toBe(person!.fullName);
  });

  it('explains each CCCD problem in Vietnamese', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const make = (o: Record<string, string>) => fieldsOf(createOfficial(t.database.db, admin, form(o), new Date()));
    expect((await make({ cccd: '07019012345' })).cccd).toContain('12 chữ số');
    expect((await make({ cccd: '07019012345a' })).cccd).toBeTruthy();
    expect((await make({ cccd: '003190123456' })).cccd).toContain('003');
    // 4th digit 0 = male born 1900s, but the form says female.
    expect((await make({ cccd: '070090123456' })).cccd).toContain('Chữ số thứ 4');
    // Born 2001 needs 2/3 as 4th digit.
    expect((await make({ dateOfBirth: '14/02/2001' })).cccd).toContain('Chữ số thứ 4');
    expect((await make({ cccd: '070191123456' })).cccd).toContain('năm sinh');
    expect((await make({ dateOfBirth: '31/02/1990' })).dateOfBirth).toContain('dd/mm/yyyy');
    expect((await make({ mobile: '12345' })).mobile).toContain('số di động');
    expect((await make({ emails: 'a@b.vn; khong-phai-email' })).emails).toContain('khong-phai-email');
    expect((await make({ gender: '' })).gender).toContain('giới tính');
    expect((await make({ issueDate: '01/01/1980' })).issueDate).toContain('sau ngày sinh');
    expect((await make({ username: 'có dấu' })).username).toBeTruthy();
    // "Today" is the app's clock (deps.now), not the machine's: on 2021-05-19 an issue date of 2021-05-20 is refused.
    const onDay = (o: Record<string, string>, day: string) =>
      fieldsOf(createOfficial(t.database.db, admin, form(o), new Date(`${day}T12:00:00+07:00`)));
    expect((await onDay({}, '2021-05-19')).issueDate).toContain('sau ngày hôm nay');
    expect((await onDay({ issueDate: '', issuePlace: '' }, '1990-02-13')).dateOfBirth).toContain('Ngày sinh không hợp lệ');
    const none = await t.database.db.select().from(accounts).where(eq(accounts.usernameLower, 'hanhpt.qlcn'));
    expect(none).toHaveLength(0);
  });

  it('typed identity data stay with their account: the same CCCD on several accounts, none touching another', async () => {
    const admin = await actorFor(t.database, 'quantri1');
    const a = await createOfficial(t.database.db, admin, form(), new Date());
    const b = await createOfficial(
      t.database.db,
      admin,
      form({ username: 'hanhpt.snv', unitId: t.unitIds['snv-vp']!, cardName: 'PHẠM THỊ HẠNH' }),
      new Date(),
    );
    // A claim is no membership: neither account belongs to a person until that person accepts it by VNeID.
    expect(a.account.personId).toBeNull();
    expect(b.account.personId).toBeNull();
    const other = await createOfficial(
      t.database.db,
      admin,
      form({ username: 'khac', cardName: 'Lê Thị Khác', issuePlace: 'Nơi khác' }),
      new Date(),
    );
    const claims = await t.database.db.select().from(accountIdentities);
    const of = (id: string) => claims.find((c) => c.accountId === id)!;
    expect(of(a.account.id).fullName).toBe('Phạm Thị Hạnh');
    expect(of(b.account.id).fullName).toBe('PHẠM THỊ HẠNH');
    expect(of(other.account.id)).toMatchObject({ fullName: 'Lê Thị Khác', issuePlace: 'Nơi khác' });
  });

  it('changing identity data clears a previous verification, and the audit row holds old and new values', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const { account } = await createOfficial(t.database.db, admin, form(), new Date());
    await t.database.db.update(accountIdentities).set({ verifiedAt: new Date() }).where(eq(accountIdentities.accountId, account.id));
    await updateOfficial(
      t.database.db,
      admin,
      account.id,
      form({ issuePlace: 'Công an tỉnh Bình Phước', position: 'Phó Trưởng phòng' }),
      new Date(),
    );
    let [p] = await t.database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, account.id));
    expect(p!.verifiedAt).not.toBeNull();
    await updateOfficial(t.database.db, admin, account.id, form({ issueDate: '21/05/2021' }), new Date());
    [p] = await t.database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, account.id));
    expect(p!.verifiedAt).toBeNull();
    const updates = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'account.update'));
    expect(updates[0]!.data).toMatchObject({ old: { position: 'Chuyên viên' }, new: { position: 'Phó Trưởng phòng' } });
  });

  it('Xóa cán bộ is soft: history stays, the name can be used again only by a new account', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const { account } = await createOfficial(t.database.db, admin, form(), new Date());
    await deleteOfficial(t.database.db, admin, account.id, new Date());
    const [gone] = await t.database.db.select().from(accounts).where(eq(accounts.id, account.id));
    expect(gone!.deletedAt).not.toBeNull();
    expect(gone!.passwordHash).toBeNull();
    const again = await createOfficial(t.database.db, admin, form(), new Date());
    expect(again.account.id).not.toBe(account.id);
    const dup = await fieldsOf(createOfficial(t.database.db, admin, form(), new Date()));
    expect(dup.username).toContain('đã được sử dụng');
    const history = await t.database.db.select().from(auditLog).where(eq(auditLog.targetId, account.id));
    expect(history.map((h) => h.action)).toEqual(['account.create', 'account.delete']);
  });

  it('over HTTP: Thêm mới cán bộ shows the temporary password once, and errors next to the fields', async () => {
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const csrfFrom = `/tiepnhan/quan-tri/nguoi-dung?donvi=${t.unitIds['sct-qlcn']}&moi=1`;
    const bad = await c.post('/tiepnhan/quan-tri/nguoi-dung/moi', form({ cccd: '003190123456' }), { csrfFrom });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Mã tỉnh');
    expect(bad.text).toContain('value="Phạm Thị"');
    // The refusal names where a GET shows the new account's form again (post-answer.ts): its unit, nothing typed.
    expect(bad.text).toContain(
      `<meta name="motcua-address" content="/tiepnhan/quan-tri/nguoi-dung?donvi=${t.unitIds['sct-qlcn']}&amp;moi=1"`,
    );
    expect((await c.get(csrfFrom)).text).not.toContain('motcua-address');
    const ok = await c.post('/tiepnhan/quan-tri/nguoi-dung/moi', form(), { csrfFrom });
    expect(ok.status).toBe(303);
    const landing = await c.get(ok.location!);
    expect(landing.text).toContain('Đã lưu thông tin cán bộ.');
    expect(landing.text).toMatch(/data-testid="temporary-password">[A-Za-z0-9]{14}</);
    const found = await c.get('/tiepnhan/quan-tri/nguoi-dung?q=hanh');
    expect(found.text).toContain('hanhpt.qlcn');
  });

  it('a Lưu from a page opened before a change made meanwhile (a suspension) is refused and writes nothing', async () => {
    const sctAdmin = await actorFor(t.database, 'admin.sct');
    const province = await actorFor(t.database, 'quantri1');
    const { account } = await createOfficial(t.database.db, sctAdmin, form({ username: 'stale.target' }), new Date());
    const c = new Client(t.app);
    expect((await c.login('admin.sct', TEST_PASSWORD)).status).toBe(303);
    const pageAddress = `/tiepnhan/quan-tri/nguoi-dung?donvi=${account.unitId}&tk=${account.id}`;
    const page = (await c.get(pageAddress)).text;
    const seen = /<input type="hidden" name="seen" value="(\d+)"/.exec(page)?.[1];
    expect(seen).toBe(String(account.updatedAt.getTime()));
    // Another administrator suspends the account for cause while the page stays open.
    await setSuspended(t.database.db, province, account.id, true, new Date(Date.now() + 1000));
    // The page's form, unchanged but for the position; "Tạm đình chỉ" unticked, as the page showed it.
    const posted = { ...form({ username: 'stale.target' }), position: 'Phó phòng', seen: seen! };
    const stale = await c.post(`/tiepnhan/quan-tri/nguoi-dung/${account.id}`, posted, { csrfFrom: pageAddress });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain('Tài khoản vừa được thay đổi');
    expect(stale.text).toContain('value="Phó phòng"');
    const after = (await accountByUsername(t.database, 'stale.target'))!;
    expect(after).toMatchObject({ suspended: true, position: account.position });
    // From the page read again, the same save goes through, and keeps the suspension the page now shows.
    const fresh = (await c.get(pageAddress)).text;
    const seenNow = /<input type="hidden" name="seen" value="(\d+)"/.exec(fresh)?.[1];
    expect(seenNow).toBe(String(after.updatedAt.getTime()));
    const saved = await c.post(
      `/tiepnhan/quan-tri/nguoi-dung/${account.id}`,
      { ...posted, seen: seenNow!, suspended: 'on' },
      { csrfFrom: pageAddress },
    );
    expect(saved.status).toBe(303);
    expect(await accountByUsername(t.database, 'stale.target')).toMatchObject({ suspended: true, position: 'Phó phòng' });
    // A hand-made value is a form out of date, not a 500.
    const forged = await c.post(`/tiepnhan/quan-tri/nguoi-dung/${account.id}`, { ...posted, seen: 'x' }, { csrfFrom: pageAddress });
    expect(forged.status).toBe(400);
  });

  it.skipIf(process.env.MOTCUA_TEST_DB !== 'postgres')(
    'two Lưu of one page at the same instant: the second waits for the first and is refused, nothing of it written',
    async () => {
      const sctAdmin = await actorFor(t.database, 'admin.sct');
      const province = await actorFor(t.database, 'quantri1');
      const { account } = await createOfficial(t.database.db, sctAdmin, form({ username: 'race.target' }), new Date());
      const seen = String(account.updatedAt.getTime());
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const holding = new Promise<void>((r) => (locked = r));
      // The first save, held open after its write: the account row stays locked until it commits.
      const first = t.database.db.transaction(async (tx) => {
        const before = (await tx.select().from(accounts).where(eq(accounts.id, account.id)).for('update'))[0]!;
        await tx
          .update(accounts)
          .set({ suspended: true, updatedAt: new Date(before.updatedAt.getTime() + 1000) })
          .where(eq(accounts.id, account.id));
        locked();
        await gate;
      });
      await holding;
      // The second, from the same page (the same `seen`), unticks nothing new but would write the page's values back.
      const second = updateOfficial(
        t.database.db,
        province,
        account.id,
        { ...form({ username: 'race.target' }), position: 'Phó phòng', seen },
        new Date(),
      ).then(
        () => null,
        (e: AppError) => e.code,
      );
      let waiting = false;
      for (let i = 0; i < 200 && !waiting; i++) {
        const [w] = await queryRows<{ n: number }>(
          t.database.db,
          sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        waiting = w?.n === 1;
        if (!waiting) await new Promise((r) => setTimeout(r, 50));
      }
      release();
      await first;
      expect(waiting).toBe(true);
      expect(await second).toBe('account_changed_meanwhile');
      expect(await accountByUsername(t.database, 'race.target')).toMatchObject({ suspended: true, position: account.position });
    },
  );

  it('imports a CSV with a per-row report of what was refused and why', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const csv = [
      'Tên tài khoản;Họ và tên đệm;Tên;Số di động;Đơn vị/Phòng ban;Giới tính;Ngày sinh;Số CCCD;Họ và tên trên thẻ CCCD',
      'an.qlcn;Nguyễn Văn;An;0912000111;Quản lý công nghiệp;Nam;02/03/1985;070085000111;Nguyễn Văn An',
      'binh.qlcn;Trần Thị;Bình;0912000222;Quản lý công nghiệp;Nữ;02/03/1985;070085000222;Trần Thị Bình',
      'chi.snv;Lê Thị;Chi;0912000333;Sở Nội vụ;Nữ;;;',
      'an.qlcn;Nguyễn Văn;An;;;Nam;;;',
      'dung.qltm;Hồ Văn;Dũng;;Quản lý Thương mại;Nam;;;',
    ].join('\n');
    const rows = await readSheet(new TextEncoder().encode(csv));
    const { results, created, refused } = await importOfficials(t.database.db, admin, rows, null, new Date());
    expect(created).toBe(2);
    expect(refused).toBe(3);
    const byLine = Object.fromEntries(results.map((r) => [r.line, r]));
    expect(byLine[3]).toMatchObject({ ok: false, reasons: [expect.stringContaining('Chữ số thứ 4')] });
    expect(byLine[4]).toMatchObject({ ok: false, reasons: [expect.stringContaining('Không tìm thấy đơn vị "Sở Nội vụ"')] });
    expect(byLine[5]).toMatchObject({ ok: false });
    expect(byLine[6]).toMatchObject({ ok: true });
    expect(await accountByUsername(t.database, 'binh.qlcn')).toBeUndefined();
  });

  it('imports XLSX, and exports what it imported', async () => {
    const admin = await actorFor(t.database, 'admin.sct');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Cán bộ');
    ws.addRow(['Tên tài khoản', 'Họ và tên đệm', 'Tên', 'Giới tính', 'Ngày sinh', 'Số CCCD', 'Họ và tên trên thẻ CCCD', 'Tạm đình chỉ']);
    ws.addRow(['xuan.qlnl', 'Đỗ Thị', 'Xuân', 'Nữ', new Date(Date.UTC(1992, 6, 9)), '075192000444', 'Đỗ Thị Xuân', 'x']);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const rows = await readSheet(bytes);
    const { created } = await importOfficials(t.database.db, admin, rows, t.unitIds['sct-qlnl']!, new Date());
    expect(created).toBe(1);
    const acc = (await accountByUsername(t.database, 'xuan.qlnl'))!;
    expect(acc.suspended).toBe(true);
    const { body, count } = await exportOfficials(t.database.db, admin, { unitId: t.unitIds['sct-qlnl'], format: 'xlsx' });
    expect(count).toBeGreaterThan(0);
    const back = await readSheet(body);
    const row = back.find((r) => r.values.username === 'xuan.qlnl')!;
    expect(row.values).toMatchObject({ givenName: 'Xuân', dateOfBirth: '09/07/1992', cccd: '075192000444', gender: 'Nữ', suspended: 'x' });
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode((await exportOfficials(t.database.db, admin, { format: 'csv' })).body);
    expect(csv.startsWith('\uFEFF"Tên tài khoản"')).toBe(true);
    expect(csv).not.toContain('admin.snv');
  });

  it('an export of all the officials one administers is in Nhật ký hệ thống of their own scope and the province, not of another unit', async () => {
    const db = t.database.db;
    const [sct, province, snv, dx] = await Promise.all(
      ['admin.sct', 'quantri1', 'admin.snv', 'admin.dx'].map((u) => actorFor(t.database, u)),
    );
    const exportsSeenBy = async (who: typeof sct) =>
      (await listAuditEntries(db, who!, { action: 'account.export' }, 100)).filter((e) => e.actorId === sct!.accountId);
    // No unit chosen: the whole of what admin.sct administers (Sở Công Thương), filed under it.
    const { count } = await exportOfficials(db, sct!, { format: 'csv' });
    expect(count).toBeGreaterThan(0);
    for (const who of [sct, province]) {
      const seen = await exportsSeenBy(who);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ unitId: t.unitIds.sct, data: { count, units: [t.unitIds.sct] } });
    }
    for (const who of [snv, dx]) expect(await exportsSeenBy(who)).toEqual([]);
    // A unit chosen: filed under it, so seen above it the same way.
    await exportOfficials(db, sct!, { unitId: t.unitIds['sct-qlnl'], format: 'xlsx' });
    for (const who of [sct, province])
      expect((await exportsSeenBy(who)).map((e) => e.unitId)).toEqual([t.unitIds['sct-qlnl'], t.unitIds.sct]);
    expect(await exportsSeenBy(snv)).toEqual([]);
    // The province administrator's own export of everything: filed under the province, seen by no unit administrator.
    await exportOfficials(db, province!, { format: 'csv' });
    const provinceRows = (await listAuditEntries(db, province!, { action: 'account.export' }, 100)).filter(
      (e) => e.actorId === province!.accountId,
    );
    expect(provinceRows.map((e) => e.unitId)).toEqual([t.unitIds.tinh]);
    expect((await listAuditEntries(db, sct!, { action: 'account.export' }, 100)).map((e) => e.actorId)).not.toContain(province!.accountId);
  });

  it('refuses files that are neither CSV nor XLSX, with a clear message', async () => {
    const bin = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]);
    const err = await readSheet(bin).catch((e: AppError) => e);
    expect((err as AppError).message).toMatch(/UTF-8|CSV/);
    const noHeader = await readSheet(new TextEncoder().encode('a,b,c\n1,2,3')).catch((e: AppError) => e);
    expect((noHeader as AppError).message).toContain('Tên tài khoản');
  });
});
