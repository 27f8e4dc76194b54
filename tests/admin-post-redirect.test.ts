/**
 * Quản lý người dùng answers its writes with Post/Redirect/Get: a reload (F5) of the page after Thêm mới cán bộ,
 * Tách tài khoản dùng chung, Đặt lại mật khẩu, Cấp khóa API or Kết thúc mọi phiên reads the page again and never
 * posts again. What only the write may show — the temporary password, the key, the other accounts with the same
 * số định danh — rides in the write's sealed, once-read receipt (src/admin/save-receipt.ts); a replayed, moved or
 * forged receipt shows nothing. Nhập từ tệp and Tách tài khoản tell of other accounts with the same số định danh
 * as a save does (src/accounts/same-identity.ts), within the same limits.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { accounts, apiClients, auditLog, units } from '../src/db/schema/index.js';

const t = useDemoApp();
const USERS = '/tiepnhan/quan-tri/nguoi-dung';
const RECEIPT = 'motcua_admin_saved';
const officials = demoOfficials();
/** A Sở Công Thương official whose account carries a số định danh (not the administrator). */
const sctHolder = officials.find((o) => o.unitKey.startsWith('sct-') && o.username !== 'admin.sct' && o.cccd)!;
const dmy = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

async function adminClient(username = 'admin.sct') {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** A new official of `unitKey` carrying `holder`'s card data (a second account of the same person). */
function newOfficial(unitKey: string, username: string, holder = sctHolder) {
  return {
    username,
    middleName: holder.middleName,
    givenName: holder.givenName,
    unitId: t.unitIds[unitKey]!,
    mobile: '0912000888',
    cardName: `${holder.middleName} ${holder.givenName}`,
    dateOfBirth: dmy(holder.dateOfBirth),
    gender: holder.gender,
    cccd: holder.cccd!,
  };
}

const secretOf = (html: string) => /data-testid="temporary-password">([^<]+)</.exec(html)?.[1];
const sameIdentity = (html: string) =>
  /<div class="flash flash-info" role="status" id="same-identity[^"]*">([\s\S]*?)<\/div>/.exec(html)?.[1];
const accountsNamed = async (username: string) =>
  (await t.database.db.select({ id: accounts.id }).from(accounts).where(eq(accounts.usernameLower, username))).length;
const unitName = async (unitId: string) =>
  (await t.database.db.select({ name: units.name }).from(units).where(eq(units.id, unitId)))[0]!.name;

describe('Nhập từ tệp: the report tells of other accounts with the same số định danh, as a save does', () => {
  const HEADER = 'Tên tài khoản;Họ và tên đệm;Tên;Số di động;Giới tính;Ngày sinh;Số CCCD;Họ và tên trên thẻ CCCD';
  const row = (username: string, holder = sctHolder) =>
    [
      username,
      holder.middleName,
      holder.givenName,
      '0912000999',
      holder.gender === 'male' ? 'Nam' : 'Nữ',
      dmy(holder.dateOfBirth),
      holder.cccd,
      `${holder.middleName} ${holder.givenName}`,
    ].join(';');
  async function importCsv(c: Client, unitId: string, lines: string[]) {
    const form = new FormData();
    form.set('_csrf', await c.csrf(`${USERS}/nhap`));
    form.set('unitId', unitId);
    form.set('file', new File([new TextEncoder().encode([HEADER, ...lines].join('\n'))], 'can-bo.csv'));
    return c.request('POST', `${USERS}/nhap`, form, { origin: c.origin });
  }

  it('within scope: each created row names the other accounts, with their units, linked', async () => {
    const holder = (await accountByUsername(t.database, sctHolder.username))!;
    const c = await adminClient();
    const res = await importCsv(c, t.unitIds['sct-qlcn']!, [row('nhap1.sct'), 'nhap2.sct;Lê Văn;Khoa;0912000555;Nam;;;']);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã tạo 2 tài khoản; từ chối 0 dòng.');
    const said = /<div class="flash flash-info" role="status" id="same-identity-2">([\s\S]*?)<\/div>/.exec(res.text)?.[1];
    expect(said).toContain('Số định danh này còn có trên 1 tài khoản khác trong phạm vi quản lý của bạn');
    expect(said).toContain(`<a href="${USERS}?donvi=${holder.unitId}&amp;tk=${holder.id}">${sctHolder.username}</a>`);
    expect(said).toContain('chỉ được cho biết sau khi Xác thực tài khoản VNEID');
    // The row without a number says nothing.
    expect(res.text).not.toContain('id="same-identity-3"');
  });

  it("another unit's administrator learns nothing from the report: no name, no unit, no count", async () => {
    const holder = (await accountByUsername(t.database, sctHolder.username))!;
    const c = await adminClient('admin.snv');
    const res = await importCsv(c, t.unitIds['snv-vp']!, [row('nhap3.snv')]);
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã tạo 1 tài khoản; từ chối 0 dòng.');
    expect(res.text).not.toContain('id="same-identity');
    expect(res.text).not.toContain('Số định danh này còn có');
    expect(res.text).not.toContain(sctHolder.username);
    expect(res.text).not.toContain(holder.id);
    expect(res.text).not.toContain(await unitName(holder.unitId));
    // A second import of the same file (a reload of the report) creates no second account.
    const again = await importCsv(c, t.unitIds['snv-vp']!, [row('nhap3.snv')]);
    expect(again.text).toContain('Đã tạo 0 tài khoản; từ chối 1 dòng.');
    expect(await accountsNamed('nhap3.snv')).toBe(1);
  });
});
