/**
 * Issue 12 §13: the administration screens. Xác thực tài khoản VNEID saves only what the registry verified and
 * answers a repeated request without writing again; Đặt lại mật khẩu, Tạm đình chỉ and a cutoff of today or
 * earlier need their confirmation; a unit administrator's list covers the unit's subtree and no more; every
 * action code the codebase records has a Vietnamese description.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull } from 'drizzle-orm';
import { type buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { REGISTRY_TOKEN, type startTestSimulator, useVneidDemo } from './support/vneid.js';
import { officialFormOf } from './support/official-form.js';
import { accountByUsername, actorFor } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { loadPopulation } from '../sim/state.js';
import { accountIdentities, accounts, auditLog, units } from '../src/db/schema/index.js';
import { verifyOfficialForm } from '../src/accounts/verify-official-form.js';
import { listOfficials } from '../src/accounts/list-officials.js';
import { httpRegistry } from '../src/auth/registry.js';
import { provinceCutoff } from '../src/auth/cutoff.js';
import { subtreeIds } from '../src/org/tree.js';
import { auditActionLabel, describeAudit } from '../src/audit/describe.js';
import { ACTIONS } from '../src/dossiers/transitions.js';
import type { Database } from '../src/db/client.js';

let database: Database;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let app: ReturnType<typeof buildApp>;
const population = loadPopulation();
const personOf = (username: string) => population.find((p) => p.demoUsername === username)!;
const officials = demoOfficials();
const sctOfficial = (verified: boolean) =>
  officials.find(
    (o) => o.username !== 'admin.sct' && o.cccd && o.verified === verified && personOf(o.username).loa === 2 && o.unitKey.startsWith('sct'),
  )!;
const USERS = '/tiepnhan/quan-tri/nguoi-dung';

const t = useVneidDemo();
beforeAll(() => {
  ({ database, sim, app } = t);
});
const registry = () => httpRegistry(sim.env.REGISTRY_URL!, REGISTRY_TOKEN, 2000);

/** The administrator's form of an account as the page fills it, with `over` typed on top. */
const formOf = (username: string, over: Record<string, string> = {}) => officialFormOf(database, username, over);

const auditRows = (action: string, targetId: string) =>
  database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, targetId)));

async function adminClient(username = 'admin.sct') {
  const c = new Client(app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

describe('Xác thực tài khoản VNEID checks the form and saves only what was verified', () => {
  it('a mismatch saves nothing — neither the card data nor the rest of the form — and does not ask to save first', async () => {
    const o = sctOfficial(true);
    const { acc, claim, form } = await formOf(o.username, { cardName: 'Tên Khác Hẳn', mobile: '0912000999' });
    const c = await adminClient();
    const res = await c.post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư: Họ và tên trên thẻ CCCD');
    expect(res.text).toContain('Chưa lưu thay đổi nào');
    expect(res.text).not.toMatch(/Lưu trước|bấm Lưu/);
    // The form keeps what was typed, to correct it; the stored data are untouched and still verified.
    expect(res.text).toContain('value="Tên Khác Hẳn"');
    const [after] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
    expect(after).toEqual(claim);
    expect(after!.verifiedAt).not.toBeNull();
    expect((await accountByUsername(database, o.username))!.mobile).toBe(acc.mobile);
    expect(await auditRows('account.update', acc.id)).toHaveLength(0);
    const [row] = await auditRows('identity.verify', acc.id);
    expect(row!.data).toMatchObject({ result: 'mismatch', saved: false, cccd: claim!.cccd });
  });

  it('a number the registry does not know saves nothing either', async () => {
    const o = sctOfficial(false);
    const { acc, claim, form } = await formOf(o.username, {
      cccd: `${o.cccd!.slice(0, 6)}${o.cccd!.slice(6) === '999999' ? '999998' : '999999'}`,
    });
    const res = await (await adminClient()).post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Số CCCD không có trong Cơ sở dữ liệu quốc gia về dân cư');
    const [after] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
    expect(after).toEqual(claim);
  });

  it('a match saves the form with its verification and redirects to a fresh read that shows it verified', async () => {
    const o = sctOfficial(false);
    const { acc, form } = await formOf(o.username, { mobile: '0912000888' });
    const c = await adminClient();
    const res = await c.post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${USERS}?donvi=${acc.unitId}&tk=${acc.id}&tb=verified`);
    const page = await c.get(res.location!);
    expect(page.text).toContain('Thông tin số CCCD chính xác');
    expect(page.text).toContain('Đã xác thực VNeID lúc');
    expect(page.text).toContain('value="0912000888"');
    // Saved from the top or from the end of the form, a screen and more below.
    const shown = page.text.split('id="official-form"')[1]!.split('</form>')[0]!;
    expect(shown.match(/<button type="submit" class="primary">/g)).toHaveLength(2);
    expect(shown.trimEnd()).toMatch(/Lưu thông tin<\/button><\/div>(<p class="muted">[^<]*<\/p>)?$/);
    const [claim] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, acc.id));
    expect(claim).toMatchObject({ verifiedByAdmin: true });
    expect(claim!.verifiedAt).not.toBeNull();
    expect((await accountByUsername(database, o.username))!.mobile).toBe('0912000888');
  });

  it('a double click: two requests at once verify once, write one audit row and answer the same', async () => {
    const o = sctOfficial(false);
    const { acc, form } = await formOf(o.username);
    const admin = await actorFor(database, 'admin.sct');
    const [a, b] = await Promise.all([
      verifyOfficialForm(database.db, registry(), admin, acc.id, form, new Date()),
      verifyOfficialForm(database.db, registry(), admin, acc.id, form, new Date()),
    ]);
    expect(a).toEqual(b);
    expect(a.verified).toBe(true);
    expect(await auditRows('identity.verify', acc.id)).toHaveLength(1);
    // And over HTTP, one after the other: the second finds the work done and writes nothing.
    const c = await adminClient();
    const again = await c.post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS });
    expect(again.status).toBe(303);
    expect(await auditRows('identity.verify', acc.id)).toHaveLength(1);
    expect(await auditRows('account.update', acc.id)).toHaveLength(0);
  });

  it("another subtree's account is not found, and the form cannot move an account out of scope", async () => {
    const snv = officials.find((o) => o.unitKey.startsWith('snv') && o.cccd && personOf(o.username).loa === 2)!;
    const { acc, form } = await formOf(snv.username);
    const c = await adminClient();
    expect((await c.post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS })).status).toBe(404);
    const own = await formOf(sctOfficial(false).username, { unitId: acc.unitId });
    expect((await c.post(`${USERS}/${own.acc.id}/xac-thuc-vneid`, own.form, { csrfFrom: USERS })).status).toBe(404);
    const [after] = await database.db.select().from(accountIdentities).where(eq(accountIdentities.accountId, own.acc.id));
    expect(after).toEqual(own.claim);
    expect(await auditRows('identity.verify', own.acc.id)).toHaveLength(0);
  });
});

describe('after a save, the other accounts carrying the same số định danh are told — names only within scope', () => {
  /** The card data of another account, typed onto a form. */
  const cardFields = (claim: Record<string, string>) => ({
    cardName: claim.cardName!,
    dateOfBirth: claim.dateOfBirth!,
    gender: claim.gender!,
    cccd: claim.cccd!,
    issueDate: claim.issueDate!,
    issuePlace: claim.issuePlace!,
  });
  const notice = (html: string) => /<div class="flash flash-info" role="status" id="same-identity">([\s\S]*?)<\/div>/.exec(html)?.[1];
  /** A unit's name as the page prints it (escaped). */
  const unitName = async (unitId: string) =>
    (await database.db.select({ name: units.name }).from(units).where(eq(units.id, unitId)))[0]!.name
      .replaceAll('&', '&amp;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&#39;');

  it('within scope: creating or editing an account names the others, with their units, linked', async () => {
    const other = sctOfficial(true);
    const { acc: otherAcc, form: otherForm } = await formOf(other.username);
    const otherUnit = await unitName(otherAcc.unitId);
    const c = await adminClient();
    const created = await c.post(
      `${USERS}/moi`,
      { ...otherForm, username: 'taikhoan2.sct', mobile: '0912000777', emails: '' },
      { csrfFrom: `${USERS}?donvi=${otherAcc.unitId}&moi=1` },
    );
    expect(created.status).toBe(303);
    const said = notice((await c.get(created.location!)).text);
    expect(said).toContain('Số định danh này còn có trên 1 tài khoản khác trong phạm vi quản lý của bạn');
    expect(said).toContain(`<a href="${USERS}?donvi=${otherAcc.unitId}&amp;tk=${otherAcc.id}">${other.username}</a> (${otherUnit})`);
    // The claim typed is not verified: whatever lies outside the administrator's units is not told yet.
    expect(said).toContain('chỉ được cho biết sau khi Xác thực tài khoản VNEID');
    // Editing: the page the save redirects to says it, once.
    const target = sctOfficial(false);
    const { acc, form } = await formOf(target.username, cardFields(otherForm));
    const saved = await c.post(`${USERS}/${acc.id}`, form, { csrfFrom: USERS });
    expect(saved.status).toBe(303);
    const page = await c.get(saved.location!);
    expect(notice(page.text)).toContain('Số định danh này còn có trên 2 tài khoản khác trong phạm vi quản lý của bạn');
    expect(notice(page.text)).toContain('taikhoan2.sct');
    expect(notice(page.text)).toContain(`>${other.username}</a>`);
    expect(notice(await c.get(saved.location!).then((r) => r.text))).toBeUndefined();
  });

  it('outside scope: only a count, only for a verified claim, and no name or unit of the other account in the page', async () => {
    const stranger = officials.find((o) => o.unitKey.startsWith('snv') && o.username !== 'admin.snv' && o.cccd)!;
    const { acc: strangerAcc, form: strangerForm } = await formOf(stranger.username);
    const strangerUnit = await unitName(strangerAcc.unitId);
    const target = sctOfficial(false);
    const { acc, form } = await formOf(target.username, cardFields(strangerForm));
    const c = await adminClient();
    const leaks = (html: string) => {
      expect(html).not.toContain(stranger.username);
      expect(html).not.toContain(strangerUnit);
      expect(html).not.toContain(strangerAcc.id);
    };
    // Lưu of a typed, unverified number: nothing is said of accounts elsewhere (else any number could be probed).
    const saved = await c.post(`${USERS}/${acc.id}`, form, { csrfFrom: USERS });
    const afterSave = await c.get(saved.location!);
    expect(afterSave.text).toContain('Đã lưu thông tin cán bộ.');
    expect(notice(afterSave.text)).toBeUndefined();
    leaks(afterSave.text);
    // Verified against the registry: the count, nothing more.
    const verified = await c.post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS });
    expect(verified.location).toBe(`${USERS}?donvi=${acc.unitId}&tk=${acc.id}&tb=verified`);
    const page = await c.get(verified.location!);
    expect(notice(page.text)).toContain('Số định danh này còn có trên 1 tài khoản khác, ở đơn vị ngoài phạm vi quản lý của bạn.');
    leaks(page.text);
    // The province administrator, whose scope holds both, is told whom.
    const root = await adminClient('quantri1');
    const again = await root.post(`${USERS}/${acc.id}`, (await formOf(target.username)).form, { csrfFrom: USERS });
    const rootPage = await root.get(again.location!);
    expect(notice(rootPage.text)).toContain(`>${stranger.username}</a> (${strangerUnit})`);
    expect(notice(rootPage.text)).toContain('còn có trên 1 tài khoản khác:');
  });

  it('none: a number no other account carries says nothing, and an address typed by hand tells nothing', async () => {
    const target = sctOfficial(false);
    const { acc, form } = await formOf(target.username);
    const c = await adminClient();
    const saved = await c.post(`${USERS}/${acc.id}`, form, { csrfFrom: USERS });
    // The cookie this save's landing reads (one per kind and subject).
    const receiptName = [...c.cookies.keys()].find((k) => k.startsWith('motcua_admin_saved_'))!;
    expect(receiptName).toBeTruthy();
    const page = await c.get(saved.location!);
    expect(page.text).toContain('Đã lưu thông tin cán bộ.');
    expect(page.text).not.toContain('id="same-identity"');
    // Another account of the unit now carries a number of the unit: without a save, ?tb=saved says nothing of it.
    const other = sctOfficial(true);
    const { acc: otherAcc, form: otherForm } = await formOf(other.username, cardFields(form));
    expect((await c.post(`${USERS}/${otherAcc.id}`, otherForm, { csrfFrom: USERS })).status).toBe(303);
    const typed = await c.get(`${USERS}?donvi=${acc.unitId}&tk=${acc.id}&tb=saved`);
    expect(typed.text).not.toContain('id="same-identity"');
    // A forged receipt whose signature has the right number of characters but not of bytes (percent-decoded "é"):
    // refused like any other forgery, not a 500.
    c.cookies.set(receiptName, `${acc.id}.${acc.id}.9999999999999.${'a'.repeat(42)}%C3%A9`);
    const forged = await c.get(`${USERS}?donvi=${acc.unitId}&tk=${acc.id}&tb=saved`);
    expect(forged.status).toBe(200);
    expect(forged.text).not.toContain('id="same-identity"');
  });
});

describe('confirmation before Đặt lại mật khẩu, Tạm đình chỉ and a cutoff of today or earlier', () => {
  it('Đặt lại mật khẩu: the page asks; a post without the ticked box is refused and changes nothing', async () => {
    const o = sctOfficial(true);
    const before = (await accountByUsername(database, o.username))!;
    const c = await adminClient();
    const ask = await c.get(`${USERS}/${before.id}/dat-lai-mat-khau`);
    expect(ask.status).toBe(200);
    expect(ask.text).toContain(`Tôi xác nhận đặt lại mật khẩu của tài khoản ${o.username}.`);
    const refused = await c.post(`${USERS}/${before.id}/dat-lai-mat-khau`, {}, { csrfFrom: USERS });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Vui lòng đánh dấu ô &quot;Tôi xác nhận…&quot;');
    expect((await accountByUsername(database, o.username))!.passwordHash).toBe(before.passwordHash);
    expect(await auditRows('account.password_reset', before.id)).toHaveLength(0);
    const done = await c.post(`${USERS}/${before.id}/dat-lai-mat-khau`, { xacnhan: '1' }, { csrfFrom: USERS });
    expect(done.status).toBe(303);
    expect((await c.get(done.location!)).text).toContain('Mật khẩu tạm thời của tài khoản');
    expect((await accountByUsername(database, o.username))!.passwordHash).not.toBe(before.passwordHash);
  });

  it('Tạm đình chỉ: refused without the box (another subtree stays not found); Bỏ tạm đình chỉ acts at once', async () => {
    const o = sctOfficial(true);
    const acc = (await accountByUsername(database, o.username))!;
    const c = await adminClient();
    expect((await c.get(`${USERS}/${acc.id}/tam-dinh-chi`)).text).toContain(`Tôi xác nhận tạm đình chỉ tài khoản ${o.username}.`);
    const refused = await c.post(`${USERS}/${acc.id}/tam-dinh-chi`, { value: '1' }, { csrfFrom: USERS });
    expect(refused.status).toBe(400);
    expect((await accountByUsername(database, o.username))!.suspended).toBe(false);
    expect(await auditRows('account.suspend', acc.id)).toHaveLength(0);
    const other = (await accountByUsername(database, 'admin.snv'))!;
    expect((await c.post(`${USERS}/${other.id}/tam-dinh-chi`, { value: '1', xacnhan: '1' }, { csrfFrom: USERS })).status).toBe(404);
    expect((await c.post(`${USERS}/${acc.id}/tam-dinh-chi`, { value: '1', xacnhan: '1' }, { csrfFrom: USERS })).status).toBe(303);
    expect((await accountByUsername(database, o.username))!.suspended).toBe(true);
    expect((await c.post(`${USERS}/${acc.id}/tam-dinh-chi`, { value: '0' }, { csrfFrom: USERS })).status).toBe(303);
    expect((await accountByUsername(database, o.username))!.suspended).toBe(false);
  });

  it('a cutoff date already reached asks first; a later date is set at once', async () => {
    const CUTOVER = '/tiepnhan/quan-tri/chuyen-doi-vneid';
    const c = await adminClient('quantri1');
    const refused = await c.post(`${CUTOVER}/ngay-tinh`, { date: '01/01/2020' }, { csrfFrom: CUTOVER });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('Tôi xác nhận áp dụng ngày 01/01/2020 cho toàn tỉnh.');
    expect(await provinceCutoff(database.db)).toBeNull();
    const sct = (await database.db.select().from(units).where(eq(units.name, 'Sở Công Thương')))[0]!;
    const unitRefused = await c.post(`${CUTOVER}/don-vi/${sct.id}`, { date: '01/01/2020' }, { csrfFrom: CUTOVER });
    expect(unitRefused.status).toBe(400);
    expect((await database.db.select().from(units).where(eq(units.id, sct.id)))[0]!.passwordCutoff).toBeNull();
    expect((await c.post(`${CUTOVER}/don-vi/${sct.id}`, { date: '01/01/2035' }, { csrfFrom: CUTOVER })).status).toBe(200);
    expect((await database.db.select().from(units).where(eq(units.id, sct.id)))[0]!.passwordCutoff).toBe('2035-01-01');
    expect((await c.post(`${CUTOVER}/ngay-tinh`, { date: '01/01/2020', xacnhan: '1' }, { csrfFrom: CUTOVER })).status).toBe(200);
    expect(await provinceCutoff(database.db)).toBe('2020-01-01');
    // Confirmed, it applies at once — to this administrator's own password session too: the next page is Đăng nhập.
    const next = await c.get(CUTOVER);
    expect(next.status).toBe(303);
    expect(next.headers.get('location')).toContain('het-mat-khau=1');
  });
});

describe('the list covers the unit and the units under it', () => {
  const rowsOn = (html: string) => (html.split('id="officials"')[1] ?? '').match(/<td><a\s+href="[^"]*tk=/g)?.length ?? 0;
  const totalOn = (html: string) => Number(/id="officials-total">(\d+)</.exec(html)?.[1]);

  it('a unit administrator lands on their unit with its subtree; counts agree with the list; nothing outside leaks', async () => {
    const c = await adminClient();
    const page = await c.get(USERS);
    expect(page.text).toContain('Sở Công Thương và đơn vị trực thuộc');
    const sct = (await database.db.select().from(units).where(eq(units.name, 'Sở Công Thương')))[0]!;
    const ids = await subtreeIds(database.db, [sct.id]);
    const inSubtree = (await database.db.select().from(accounts).where(isNull(accounts.deletedAt))).filter((a) => ids.includes(a.unitId));
    expect(inSubtree.length).toBeGreaterThan(3);
    expect(totalOn(page.text)).toBe(inSubtree.length);
    expect(rowsOn(page.text)).toBe(inSubtree.length);
    expect(page.text).not.toContain('admin.snv');
    // Only the unit's own members, on request: none sit directly at the Sở.
    const direct = await c.get(`${USERS}?donvi=${sct.id}&con=0`);
    expect(totalOn(direct.text)).toBe(0);
    expect(direct.text).toContain('Chưa có cán bộ trong đơn vị này.');
    // Another subtree's unit, with or without the toggle, is not found.
    const snv = (await database.db.select().from(units).where(eq(units.name, 'Sở Nội vụ')))[0]!;
    expect((await c.get(`${USERS}?donvi=${snv.id}&con=1`)).status).toBe(404);
    const admin = await actorFor(database, 'admin.sct');
    const listed = await listOfficials(database.db, admin, { unitId: sct.id, subtree: true });
    expect(listed.total).toBe(inSubtree.length);
    expect(listed.rows.every((r) => ids.includes(r.unitId))).toBe(true);
  });
});

describe('Nhật ký hệ thống in Vietnamese', () => {
  /** Every action code a use case records: the literals of the files that write audit rows, and dossier.<action>. */
  function recordedActionCodes(): string[] {
    const codes = new Set<string>(ACTIONS.map((a) => `dossier.${a}`));
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const file of walk(path.resolve(__dirname, '../src'))) {
      if (!/\.tsx?$/.test(file) || file.endsWith('.test.ts') || file.includes(`${path.sep}audit${path.sep}`)) continue;
      const text = fs.readFileSync(file, 'utf8');
      if (!/record(Account)?Audit\(/.test(text)) continue;
      for (const line of text.split('\n')) {
        // Job kinds, paths and notification events (notify's `event:`) are not audit codes.
        if (/enqueue\(|path:|event:/.test(line)) continue;
        for (const m of line.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) codes.add(m[1]!);
      }
    }
    return [...codes].sort();
  }

  it('every action code recorded in the codebase has a Vietnamese description', () => {
    const codes = recordedActionCodes();
    expect(codes).toContain('identity.verify');
    expect(codes).toContain('account.update');
    expect(codes.length).toBeGreaterThan(50);
    expect(codes.filter((code) => !auditActionLabel(code))).toEqual([]);
  });

  it('a row reads as a sentence with its data named; the raw JSON is folded for the auditor; filters by action', async () => {
    const o = sctOfficial(true);
    const { acc, form } = await formOf(o.username, { cardName: 'Tên Khác Hẳn' });
    const c = await adminClient();
    await c.post(`${USERS}/${acc.id}/xac-thuc-vneid`, form, { csrfFrom: USERS });
    const page = await c.get('/tiepnhan/quan-tri/nhat-ky?thaotac=identity.verify');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<option value="identity.verify" selected="">Xác thực tài khoản VNEID</option>');
    expect(page.text).toContain('chưa khớp với Cơ sở dữ liệu quốc gia về dân cư; không lưu thay đổi nào');
    expect(page.text).toContain('Trường chưa khớp: Họ và tên trên thẻ CCCD');
    expect(page.text).toMatch(/<details><summary>Dữ liệu gốc \(dành cho kiểm toán\)<\/summary>/);
    // Only that action is listed.
    expect(page.text.match(/data-action="([^"]+)"/g)?.every((m) => m === 'data-action="identity.verify"')).toBe(true);
    expect((await c.get('/tiepnhan/quan-tri/nhat-ky?thaotac=khong.co')).status).toBe(400);
    expect(
      describeAudit({
        action: 'account.suspend',
        actorLabel: 'a',
        targetType: 'account',
        targetId: 'x',
        data: { old: { suspended: false }, new: { suspended: true } },
      }).details,
    ).toEqual([{ field: 'Tạm đình chỉ', text: 'Không → Có' }]);
    // What a unit administrator reads most: receptions and logins, every field and code in Vietnamese.
    const receive = describeAudit({
      action: 'dossier.receive',
      actorLabel: 'tranglt.dx',
      targetType: 'dossier',
      targetId: '74730267-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      data: { code: '000.31.30.H10-261205-0002', procedure: 'Đăng ký khai sinh', version: 1, channel: 1, components: 2, digitised: true },
    });
    expect(receive.sentence).toBe('tranglt.dx: Tiếp nhận hồ sơ — Hồ sơ 74730267…');
    expect(receive.details).toEqual([
      { field: 'Mã hồ sơ', text: '000.31.30.H10-261205-0002' },
      { field: 'Thủ tục', text: 'Đăng ký khai sinh' },
      { field: 'Phiên bản thủ tục', text: '1' },
      { field: 'Hình thức', text: 'Trực tiếp' },
      { field: 'Số thành phần hồ sơ', text: '2' },
      { field: 'Đã số hóa', text: 'Có' },
    ]);
    const refused = describeAudit({
      action: 'auth.login_failed',
      actorLabel: 'a',
      targetType: 'account',
      targetId: 'x',
      data: { method: 'password', reason: 'suspended' },
    });
    expect(refused.details).toEqual([
      { field: 'Cách đăng nhập', text: 'mật khẩu' },
      { field: 'Lý do', text: 'Tài khoản đang bị tạm đình chỉ' },
    ]);
    expect(
      describeAudit({ action: 'auth.login', actorLabel: 'a', targetType: null, targetId: null, data: { method: 'vneid', loa: 2 } }).details,
    ).toEqual([
      { field: 'Cách đăng nhập', text: 'VNeID' },
      { field: 'Mức định danh', text: 'Mức 2' },
    ]);
    expect(page.text).not.toContain('npm run');
  });

  it('the cutover centre and the log are in the administration sub-menu', async () => {
    const page = await (await adminClient()).get(USERS);
    const nav = page.text.split('<nav class="adminnav"')[1]?.split('</nav>')[0] ?? '';
    expect(nav).toContain('href="/tiepnhan/quan-tri/chuyen-doi-vneid"');
    expect(nav).toContain('href="/tiepnhan/quan-tri/nhat-ky"');
    // Not for an official who does not administer.
    const clerk = officials.find((o) => o.unitKey === 'sct-vp' && o.roles.length > 0)!;
    const cc = new Client(app);
    await cc.login(clerk.username, TEST_PASSWORD);
    expect((await cc.get('/tiepnhan')).text).not.toContain('class="adminnav"');
  });
});
