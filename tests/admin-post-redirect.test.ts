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
/** The receipt cookie a client holds (one per kind and subject; a test makes one write at a time before reading). */
const receiptOf = (c: Client) => {
  const held = [...c.cookies].filter(([name]) => name.startsWith('motcua_admin_saved_'));
  expect(held).toHaveLength(1);
  return { name: held[0]![0], value: held[0]![1] };
};
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

describe('Thêm mới cán bộ: Post/Redirect/Get', () => {
  it('redirects to the new account, which shows its password and the same-identity notice once; F5 creates nothing', async () => {
    const c = await adminClient();
    const holder = (await accountByUsername(t.database, sctHolder.username))!;
    const posted = await c.post(`${USERS}/moi`, newOfficial('sct-qlcn', 'nguoimoi.sct'), { csrfFrom: `${USERS}?moi=1` });
    expect(posted.status).toBe(303);
    const created = (await accountByUsername(t.database, 'nguoimoi.sct'))!;
    expect(posted.location).toBe(`${USERS}?donvi=${created.unitId}&tk=${created.id}&tb=created`);
    const landing = await c.get(posted.location!);
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('Đã lưu thông tin cán bộ.');
    expect(secretOf(landing.text)).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(landing.headers.get('cache-control')).toBe('no-store');
    expect(sameIdentity(landing.text)).toContain(`>${sctHolder.username}</a>`);
    expect(sameIdentity(landing.text)).toContain(holder.id);
    // F5 on the landing: read again, nothing posted, the password and the notice gone.
    const reloaded = await c.get(posted.location!);
    expect(reloaded.status).toBe(200);
    expect(secretOf(reloaded.text)).toBeUndefined();
    expect(sameIdentity(reloaded.text)).toBeUndefined();
    expect(reloaded.text).toContain('Mật khẩu tạm thời chỉ hiển thị một lần; nếu chưa ghi lại, hãy Đặt lại mật khẩu.');
    expect(await accountsNamed('nguoimoi.sct')).toBe(1);
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    expect(audit.filter((a) => a.action === 'account.create')).toHaveLength(1);
  });

  it('a replayed, moved, altered or forged receipt shows nothing (and is no 500)', async () => {
    const c = await adminClient();
    const posted = await c.post(`${USERS}/moi`, newOfficial('sct-qlcn', 'phatlai.sct'), { csrfFrom: `${USERS}?moi=1` });
    const { name: RECEIPT, value: receipt } = receiptOf(c);
    expect(receipt).toBeTruthy();
    // Sealed: neither the password nor the account's name can be read from the cookie.
    const landing = await c.get(posted.location!);
    const password = secretOf(landing.text)!;
    expect(Buffer.from(receipt, 'base64url').toString('latin1')).not.toContain(password);
    expect(receipt).not.toContain(password);
    // Sent again by another administrator whose scope holds the account (the province administrator): nothing.
    const root = await adminClient('quantri1');
    root.cookies.set(RECEIPT, receipt);
    const other = await root.get(posted.location!);
    expect(secretOf(other.text)).toBeUndefined();
    expect(other.text).not.toContain(password);
    // The same administrator, logged in again (another session): nothing.
    const again = await adminClient();
    again.cookies.set(RECEIPT, receipt);
    expect(secretOf((await again.get(posted.location!)).text)).toBeUndefined();
    // Moved to another kind of landing or another account's, under the cookie name that landing reads (learnt from
    // a real write of that kind and subject): nothing.
    const created = (await accountByUsername(t.database, 'phatlai.sct'))!;
    const holder = (await accountByUsername(t.database, sctHolder.username))!;
    const resetOf = async (id: string) => {
      const url = `${USERS}/${id}/dat-lai-mat-khau`;
      const posted = await c.post(url, { xacnhan: '1' }, { csrfFrom: url });
      expect(posted.status).toBe(303);
      const held = receiptOf(c);
      c.cookies.delete(held.name);
      return { ...held, location: posted.location! };
    };
    const createdReset = await resetOf(created.id);
    const holderReset = await resetOf(holder.id);
    c.cookies.set(createdReset.name, receipt);
    expect(secretOf((await c.get(createdReset.location)).text)).toBeUndefined();
    c.cookies.set(holderReset.name, createdReset.value);
    const moved = await c.get(holderReset.location);
    expect(secretOf(moved.text)).toBeUndefined();
    expect(moved.text).not.toContain('Mật khẩu tạm thời:');
    // The same receipts, each under its own name: each opens once.
    c.cookies.set(holderReset.name, holderReset.value);
    expect(secretOf((await c.get(holderReset.location)).text)).toMatch(/^[A-Za-z0-9]{14}$/);
    // Altered (one byte flipped), truncated, or forged outright — percent-encoded bytes included.
    const bytes = Buffer.from(receipt, 'base64url');
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    for (const forged of [bytes.toString('base64url'), receipt.slice(0, 20), 'AAAA', '%C3%A9%C3%A9.x', `${receipt}%FF`]) {
      c.cookies.set(RECEIPT, forged);
      const page = await c.get(posted.location!);
      expect(page.status).toBe(200);
      expect(secretOf(page.text)).toBeUndefined();
      expect(sameIdentity(page.text)).toBeUndefined();
    }
  });

  it('a refused form stays a page (400 with its errors), and a second post of the same form is refused, not a second account', async () => {
    const c = await adminClient();
    const bad = await c.post(
      `${USERS}/moi`,
      { ...newOfficial('sct-qlcn', 'loi.sct'), cccd: '003190123456' },
      { csrfFrom: `${USERS}?moi=1` },
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Mã tỉnh');
    const form = newOfficial('sct-qlcn', 'hailan.sct');
    expect((await c.post(`${USERS}/moi`, form, { csrfFrom: `${USERS}?moi=1` })).status).toBe(303);
    expect((await c.post(`${USERS}/moi`, form, { csrfFrom: `${USERS}?moi=1` })).status).toBe(409);
    expect(await accountsNamed('hailan.sct')).toBe(1);
  });
});

describe('Đặt lại mật khẩu, Tách tài khoản, Khóa API, Kết thúc mọi phiên: Post/Redirect/Get', () => {
  it('Đặt lại mật khẩu shows the new password once; F5 does not reset it again', async () => {
    const c = await adminClient();
    const target = (await accountByUsername(t.database, sctHolder.username))!;
    const url = `${USERS}/${target.id}/dat-lai-mat-khau`;
    const posted = await c.post(url, { xacnhan: '1' }, { csrfFrom: url });
    expect(posted.status).toBe(303);
    const hash = (await accountByUsername(t.database, sctHolder.username))!.passwordHash;
    expect(secretOf((await c.get(posted.location!)).text)).toMatch(/^[A-Za-z0-9]{14}$/);
    const reloaded = await c.get(posted.location!);
    expect(secretOf(reloaded.text)).toBeUndefined();
    expect(reloaded.text).toContain('Đã đặt lại mật khẩu.');
    expect((await accountByUsername(t.database, sctHolder.username))!.passwordHash).toBe(hash);
  });

  it('two resets landing at once (two tabs) each show their own password', async () => {
    const c = await adminClient();
    const other = officials.find((o) => o.unitKey.startsWith('sct-') && o.username !== 'admin.sct' && o.username !== sctHolder.username)!;
    const [a, b] = [other.username, sctHolder.username];
    const posts = [];
    for (const username of [a, b]) {
      const target = (await accountByUsername(t.database, username))!;
      const url = `${USERS}/${target.id}/dat-lai-mat-khau`;
      const posted = await c.post(url, { xacnhan: '1' }, { csrfFrom: url });
      expect(posted.status).toBe(303);
      posts.push(posted.location!);
    }
    // Both receipts are held before either landing is read, as two tabs posting one after the other would.
    expect([...c.cookies.keys()].filter((k) => k.startsWith('motcua_admin_saved_'))).toHaveLength(2);
    const [first, second] = await Promise.all(posts.map((p) => c.get(p)));
    const shown = [secretOf(first!.text), secretOf(second!.text)];
    expect(shown[0]).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(shown[1]).toMatch(/^[A-Za-z0-9]{14}$/);
    expect(shown[0]).not.toBe(shown[1]);
    // Each is the password now in force for its account.
    for (const [i, username] of [a, b].entries()) {
      const login = await new Client(t.app).login(username, shown[i]!);
      expect(login.status).toBe(303);
    }
  });

  it('a browser holds at most 8 receipts: past that the oldest (and any that does not open) are dropped', async () => {
    const root = await adminClient('quantri1');
    // One that does not open, named as ours: dropped first. One named otherwise under the prefix (a name the cookie
    // writer would refuse): not ours, left alone, and no write fails for it.
    const junk = `motcua_admin_saved_${'A'.repeat(16)}`;
    root.cookies.set(junk, 'AAAA');
    root.cookies.set('motcua_admin_saved_a/b', 'AAAA');
    const targets = officials.filter((o) => o.username !== 'quantri1' && !o.username.startsWith('admin.')).slice(0, 10);
    expect(targets).toHaveLength(10);
    const landings: string[] = [];
    for (const o of targets) {
      const target = (await accountByUsername(t.database, o.username))!;
      const url = `${USERS}/${target.id}/dat-lai-mat-khau`;
      const posted = await root.post(url, { xacnhan: '1' }, { csrfFrom: url });
      expect(posted.status).toBe(303);
      landings.push(posted.location!);
    }
    const held = [...root.cookies.keys()].filter((k) => /^motcua_admin_saved_[A-Za-z0-9_-]{16}$/.test(k));
    expect(held).toHaveLength(8);
    expect(held).not.toContain(junk);
    expect(root.cookies.get('motcua_admin_saved_a/b')).toBe('AAAA');
    // The newest eight still open, each once; the two oldest were dropped.
    for (const landing of landings.slice(2)) expect(secretOf((await root.get(landing)).text), landing).toMatch(/^[A-Za-z0-9]{14}$/);
    for (const landing of landings.slice(0, 2)) expect(secretOf((await root.get(landing)).text), landing).toBeUndefined();
  });

  it('Tách tài khoản: the result page shows the password and the other accounts of the same số định danh, once', async () => {
    const c = await adminClient();
    const shared = (await accountByUsername(
      t.database,
      officials.find((o) => o.unitKey === 'sct-vp' && o.username !== 'admin.sct')!.username,
    ))!;
    const url = `${USERS}/${shared.id}/tach`;
    const posted = await c.post(url, newOfficial('sct-vp', 'tach1.sct'), { csrfFrom: url });
    expect(posted.status).toBe(303);
    const created = (await accountByUsername(t.database, 'tach1.sct'))!;
    expect(posted.location).toBe(`${url}?tk=${created.id}`);
    const landing = await c.get(posted.location!);
    expect(secretOf(landing.text)).toMatch(/^[A-Za-z0-9]{14}$/);
    const said = sameIdentity(landing.text);
    expect(said).toContain('Số định danh này còn có trên 1 tài khoản khác trong phạm vi quản lý của bạn');
    expect(said).toContain(`>${sctHolder.username}</a>`);
    const reloaded = await c.get(posted.location!);
    expect(reloaded.status).toBe(200);
    expect(secretOf(reloaded.text)).toBeUndefined();
    expect(sameIdentity(reloaded.text)).toBeUndefined();
    expect(await accountsNamed('tach1.sct')).toBe(1);
    // Another unit's administrator cannot open the result of an account outside their units.
    const snv = await adminClient('admin.snv');
    expect((await snv.get(posted.location!)).status).toBe(404);
  });

  it('Tách tài khoản by a unit administrator: an account with the number outside their units is not told, not even counted', async () => {
    const snvShared = officials.find((o) => o.unitKey === 'snv-vp' && o.username !== 'admin.snv')!;
    const shared = (await accountByUsername(t.database, snvShared.username))!;
    const holder = (await accountByUsername(t.database, sctHolder.username))!;
    const c = await adminClient('admin.snv');
    const url = `${USERS}/${shared.id}/tach`;
    const posted = await c.post(url, newOfficial('snv-vp', 'tach2.snv'), { csrfFrom: url });
    expect(posted.status).toBe(303);
    const landing = await c.get(posted.location!);
    expect(secretOf(landing.text)).toBeTruthy();
    expect(landing.text).not.toContain('id="same-identity');
    expect(landing.text).not.toContain(sctHolder.username);
    expect(landing.text).not.toContain(holder.id);
    expect(landing.text).not.toContain(await unitName(holder.unitId));
  });

  it('Cấp khóa API shows the key once; F5 issues no second key', async () => {
    const c = await adminClient();
    const target = (await accountByUsername(t.database, sctHolder.username))!;
    const base = `${USERS}/${target.id}/khoa-api`;
    const posted = await c.post(base, { name: 'Phần mềm kho', validDays: '30' }, { csrfFrom: base });
    expect(posted.status).toBe(303);
    const [row] = await t.database.db.select().from(apiClients).where(eq(apiClients.accountId, target.id));
    expect(posted.location).toBe(`${base}?da-cap=${row!.id}`);
    const landing = await c.get(posted.location!);
    expect(landing.text).toMatch(new RegExp(`value="${row!.id}\\.[A-Za-z0-9_-]{43}"`));
    const reloaded = await c.get(posted.location!);
    expect(reloaded.text).not.toMatch(/value="mc_/);
    expect(reloaded.text).toContain('Khóa chỉ hiển thị một lần; nếu chưa sao chép, hãy thu hồi và cấp khóa mới.');
    expect(await t.database.db.select().from(apiClients).where(eq(apiClients.accountId, target.id))).toHaveLength(1);
  });

  it('Kết thúc mọi phiên: the counts once; F5 does not end (and audit) them again', async () => {
    const c = await adminClient();
    const target = (await accountByUsername(t.database, sctHolder.username))!;
    const url = `${USERS}/${target.id}/ket-thuc-phien`;
    const posted = await c.post(url, { xacnhan: '1' }, { csrfFrom: url });
    expect(posted.status).toBe(303);
    expect((await c.get(posted.location!)).text).toContain('Đã kết thúc 0 phiên đăng nhập');
    const reloaded = await c.get(posted.location!);
    expect(reloaded.text).not.toContain('Đã kết thúc');
    expect(reloaded.text).toContain('Tôi xác nhận kết thúc mọi phiên đăng nhập');
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.targetId, target.id));
    expect(audit.filter((a) => a.action === 'account.end_sessions')).toHaveLength(1);
  });
});

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

describe("Writes on the administrator's own account, which end the administrator's own session", () => {
  it('Đặt lại mật khẩu of their own account shows the new password (no landing could: the session is gone), and a reload resets nothing', async () => {
    const c = await adminClient();
    const me = (await accountByUsername(t.database, 'admin.sct'))!;
    const url = `${USERS}/${me.id}/dat-lai-mat-khau`;
    const posted = await c.post(url, { xacnhan: '1' }, { csrfFrom: url });
    expect(posted.status).toBe(200);
    const password = secretOf(posted.text);
    expect(password).toMatch(/^[A-Za-z0-9]{14}$/);
    const hash = (await accountByUsername(t.database, 'admin.sct'))!.passwordHash;
    // The administrator is not locked out: the password shown logs in.
    const back = new Client(t.app);
    expect((await back.login('admin.sct', password!)).status).toBe(303);
    // F5 re-posts the form: its CSRF token was bound to the ended session, so nothing is reset again.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(posted.text)![1]!;
    const again = await c.post(url, { xacnhan: '1' }, { csrf });
    expect(again.status).not.toBe(200);
    expect((await accountByUsername(t.database, 'admin.sct'))!.passwordHash).toBe(hash);
  });

  it('Kết thúc mọi phiên of their own account shows the counts, not the question again after the next login', async () => {
    const c = await adminClient();
    const me = (await accountByUsername(t.database, 'admin.sct'))!;
    const url = `${USERS}/${me.id}/ket-thuc-phien`;
    const posted = await c.post(url, { xacnhan: '1' }, { csrfFrom: url });
    expect(posted.status).toBe(200);
    expect(posted.text).toContain('Đã kết thúc 1 phiên đăng nhập');
    const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.targetId, me.id));
    expect(audit.filter((a) => a.action === 'account.end_sessions')).toHaveLength(1);
  });
});
