/**
 * End to end, as people would (seed 000 §1b): the real server (`node --import tsx src/main.ts`, demo data on a fresh
 * PGlite directory) and Debian's Chromium driven by playwright-core (set-up in support.ts).
 *
 * The processing official of Quản lý Thương mại (sct-qltm) used to share their account. admin.sct splits it (Tách
 * tài khoản dùng chung): a new account for one of the people, who logs in and sets a password of their own. The
 * clerk of Sở Công Thương receives two dossiers of "Cấp Giấy phép bán lẻ sản phẩm rượu" (2.000633) and hands both
 * over to Thẩm định. The processing official delegates (Ủy quyền giải quyết DVC → + Thêm → Xác nhận) to the new
 * account; the delegate finds the dossiers under their own tab, hands one over on the delegator's behalf (recorded
 * as such). While the delegate has the other dossier open, the delegator — at another desk, a second browser
 * context — ends the delegation: the delegate's next request (the form already on screen, the tab, the dossier) is
 * refused. axe-core finds no serious or critical violation on the delegation pages.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  AXE_SCRIPT,
  PASSWORD,
  attrOf,
  countOf,
  demoOfficial,
  eventually,
  expectAccessible,
  field,
  inputValueOf,
  isVisible,
  login,
  loginOfficial,
  logout,
  openDesk,
  openUserMenu,
  receiveDossier,
  openUsersPage,
  rowFor,
  textOf,
  urlOf,
  useE2E,
  type Who,
} from './support.js';

// ---------------------------------------------------------------------------------------------
// Who and what (src/demo/officials.ts, src/demo/units.ts, src/demo/procedures.ts).

/** Văn phòng Sở Công Thương: reception. */
const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
/** Quản lý Thương mại: processing — the account registered in the process, used by several people. */
const SHARED = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
const UNIT = 'Quản lý Thương mại';

/** The person who gets an account of their own: made up for the test. */
const NEW = { username: 'ltnhan.qltm', middleName: 'Lê Thị Ngọc', givenName: 'Hân', gender: 'Nữ', password: 'Rieng-Cua-Han-2026!' };
const NEW_FULL_NAME = `${NEW.middleName} ${NEW.givenName}`;

const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
const REASON = 'Chuyên viên đi công tác, ủy quyền giải quyết hồ sơ trong thời gian vắng mặt.';
/** The two applicants (made up; 070 Bình Phước, then sex/century, year, six digits). */
const APPLICANTS = [
  {
    fullName: 'Phạm Văn Lộc',
    cccd: '070085316204',
    phone: '0978123456',
    address: 'Số 5 đường Hùng Vương, phường Tân Bình, thành phố Đồng Xoài',
  },
  {
    fullName: 'Hoàng Thị Mai',
    cccd: '070192640318',
    phone: '0918765432',
    address: 'Số 40 đường Trần Hưng Đạo, phường Tân Phú, thành phố Đồng Xoài',
  },
];

const e2e = useE2E();
let page: Page;

/** Shared across the steps below (they run in order). */
const dossiers: Array<{ id: string; code: string }> = [];
let temporaryPassword = '';
let delegationId = 0;
/** The delegate's tab of the inbox, as its link gives it. */
let delegatedTabUrl = '';
/** The delegator's own desk: a second browser context, logged in while the delegate works on the first. */
let desk: BrowserContext | null = null;

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});
afterAll(async () => {
  await desk?.close().catch(() => undefined);
});

// ---------------------------------------------------------------------------------------------
// Helpers that act through the page as a person would (shared ones in support.ts).

const mainMenu = (p: Page = page) => p.getByRole('navigation', { name: 'Menu chính' });
const fact = (term: string) => page.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const historyRows = () => page.locator('table#history tbody tr');
const actionForm = (action: string) => page.locator(`form.action-form[data-action="${action}"]`);
/** The dossiers listed in the inbox (an empty list shows one row "Không có hồ sơ."). */
const inboxLinks = () => page.locator('table#inbox tbody tr td:first-child a');
const inboxRow = (code: string) => page.locator('table#inbox tbody tr', { has: page.getByRole('link', { name: code, exact: true }) });
const delegationTabs = () => page.getByRole('navigation', { name: 'Hồ sơ của tôi hoặc được ủy quyền' });
const delegatedTab = () => delegationTabs().getByRole('link', { name: `Được ủy quyền: thay ${SHARED.fullName} (số ${delegationId})` });
const alertOf = (p: Page) => p.getByRole('alert');
const delegationRow = (p: Page, table: string) => p.locator(`table#${table} tbody tr[data-delegation="${delegationId}"]`);

/** Log in with a password and land on CÁ NHÂN, greeted by name. */
const loginAs = (who: Who, p: Page = page) => loginOfficial(p, who);

/** The last row of the history: who, which action, the status it led to. */
async function lastHistory() {
  const cells = (await historyRows().last().locator('td').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
  return { actor: cells[1], action: cells[2], status: cells[3] };
}

/** Submit one action form of the dossier page and wait for "Đã cập nhật hồ sơ." with one more history row. */
async function act(dossierId: string, action: string, button: string, note: string) {
  const before = await historyRows().count();
  const form = actionForm(action);
  await eventually(countOf(form)).toBe(1);
  await form.getByLabel('Ghi chú').fill(note);
  await form.getByRole('button', { name: button, exact: true }).click();
  await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}?tb=done`);
  await eventually(countOf(historyRows())).toBe(before + 1);
  await eventually(textOf(page.getByRole('status').filter({ hasText: 'Đã cập nhật hồ sơ.' }))).toBe('Đã cập nhật hồ sơ.');
}

/** A datetime-local value ("2026-12-03T08:00", Vietnam time) moved by whole days. */
function plusDays(local: string, days: number) {
  return new Date(Date.parse(`${local}:00Z`) + days * 86_400_000).toISOString().slice(0, 16);
}
/** Now as a datetime-local field in Vietnam (UTC+7 all year) shows it. */
const vietnamNow = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 16);

// ---------------------------------------------------------------------------------------------

// One story: its steps run in order (also under --sequence.shuffle).
describe('Ủy quyền giải quyết DVC in the browser: split, delegate, act on behalf, end', { shuffle: false }, () => {
  test('the shared account holds the processing role of Quản lý Thương mại, nothing else', () => {
    const roles = demoOfficials()
      .find((o) => o.username === SHARED.username)
      ?.roles.map((r) => `${r.role}@${r.unitKey}`);
    expect(roles).toEqual(['processing@sct-qltm']);
  });

  test('admin.sct splits the shared account: a new account of Quản lý Thương mại with a temporary password', async () => {
    await login(page, 'admin.sct', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await openUsersPage(page);
    const tree = page.getByRole('navigation', { name: 'Cây đơn vị' });
    await tree.getByRole('link', { name: 'Sở Công Thương', exact: true }).click();
    await tree.getByRole('link', { name: UNIT, exact: true }).click();
    await eventually(attrOf(tree.getByRole('link', { name: UNIT, exact: true }), 'aria-current')).toBe('true');
    await rowFor(page, SHARED.username).getByRole('link', { name: SHARED.fullName }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
    await eventually(inputValueOf(field(page, 'Tên tài khoản'))).toBe(SHARED.username);

    await page.getByRole('link', { name: 'Tách tài khoản dùng chung', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/quan-tri\/nguoi-dung\/[0-9a-f-]{36}\/tach$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Tách tài khoản dùng chung' }))).toBe(true);
    await eventually(textOf(page.locator('main p').first())).toContain(`Tài khoản ${SHARED.username} (${SHARED.fullName})`);
    // Prefilled with where the shared account works; the person's own data are typed anew.
    await eventually(textOf(field(page, 'Thuộc đơn vị/Phòng ban').locator('option:checked'))).toMatch(new RegExp(`${UNIT}$`));
    await eventually(inputValueOf(field(page, 'Chức vụ'))).toBe(SHARED.position);
    await eventually(inputValueOf(field(page, 'Tên tài khoản'))).toBe('');

    await field(page, 'Tên tài khoản').fill(NEW.username);
    await field(page, 'Họ và tên đệm').fill(NEW.middleName);
    await field(page, 'Tên').fill(NEW.givenName);
    await field(page, 'Giới tính').selectOption({ label: NEW.gender });
    // Roles are not copied: the registered official delegates instead.
    await expect(page.getByRole('checkbox', { name: /^Cấp cùng vai trò của tài khoản/ }).isChecked()).resolves.toBe(false);
    await page.locator('form#official-form').getByRole('button', { name: 'Lưu', exact: true }).click();

    const secret = page.locator('.flash.secret');
    await eventually(textOf(secret)).toContain(`Đã tạo tài khoản ${NEW.username}. Mật khẩu tạm thời:`);
    temporaryPassword = ((await page.getByTestId('temporary-password').textContent()) ?? '').trim();
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(12);

    await page.getByRole('link', { name: 'Xem tài khoản mới', exact: true }).click();
    await eventually(textOf(rowFor(page, NEW.username))).toContain(NEW_FULL_NAME);
    await eventually(textOf(rowFor(page, NEW.username))).toContain('Hoạt động');
    await logout(page);
  });

  test('the new account logs in with the temporary password and must set its own first', async () => {
    await login(page, NEW.username, temporaryPassword);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/doi-mat-khau$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Đổi mật khẩu' }))).toBe(true);
    await page.getByLabel('Mật khẩu tạm thời').fill(temporaryPassword);
    await page.getByLabel('Mật khẩu mới (ít nhất 12 ký tự)').fill(NEW.password);
    await page.getByLabel('Nhập lại mật khẩu mới').fill(NEW.password);
    await page.getByRole('button', { name: 'Lưu', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/doi-mat-khau\?xong=1$/);
    await eventually(textOf(page.getByRole('status').filter({ hasText: 'Đã đổi mật khẩu.' }))).toBe('Đã đổi mật khẩu.');

    // Without a role or a delegation yet, nothing waits for them.
    await mainMenu().getByRole('link', { name: 'HỒ SƠ', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'HỒ SƠ CẦN XỬ LÝ' }))).toBe(true);
    await eventually(countOf(delegationTabs())).toBe(0);
    await eventually(countOf(inboxLinks())).toBe(0);
    await logout(page);
  });

  test('the clerk receives two dossiers of 2.000633 and hands both over to Thẩm định', async () => {
    await loginAs(CLERK);
    for (const applicant of APPLICANTS) {
      const d = await receiveDossier(page, { sector: SECTOR, procedure: PROCEDURE, applicant });
      dossiers.push(d);
      await act(d.id, 'handover', 'Chuyển bước tiếp theo', 'Hồ sơ đủ thành phần, chuyển phòng Quản lý Thương mại.');
      await eventually(textOf(fact('Bước hiện tại'))).toMatch(/^2\/4: Thẩm định, xử lý hồ sơ /);
    }
    expect(new Set(dossiers.map((d) => d.code)).size).toBe(2);
    await logout(page);
  });

  test('the processing official delegates to the new account: Ủy quyền giải quyết DVC → + Thêm → Xác nhận', async () => {
    await loginAs(SHARED);
    const menu = await openUserMenu(page);
    await menu.getByRole('link', { name: 'Ủy quyền giải quyết DVC', exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/uy-quyen`);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'ỦY QUYỀN GIẢI QUYẾT DVC' }))).toBe(true);
    await expectAccessible(page, 'Ủy quyền giải quyết DVC, none yet');

    await page.getByRole('link', { name: '+ Thêm', exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/uy-quyen/them`);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'THÊM ỦY QUYỀN GIẢI QUYẾT DVC' }))).toBe(true);
    await expectAccessible(page, 'Thêm ủy quyền');

    // Prefilled: from now to a week later, in Vietnam time.
    const from = field(page, 'Từ (giờ Việt Nam)');
    const to = field(page, 'Đến (giờ Việt Nam)');
    const start = await from.inputValue();
    expect(Math.abs(Date.parse(`${start}:00Z`) - Date.parse(`${vietnamNow()}:00Z`))).toBeLessThanOrEqual(2 * 60_000);
    await eventually(inputValueOf(to)).toBe(plusDays(start, 7));
    // The choices are the live accounts of Sở Công Thương, the new one among them, not oneself.
    const delegate = field(page, 'Tài khoản nhận ủy quyền');
    const choices = (await delegate.locator('option').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
    expect(choices).toContain(`${NEW_FULL_NAME} (${NEW.username}) – ${SHARED.position} – ${UNIT}`);
    expect(choices.some((s) => s.includes(`(${SHARED.username})`))).toBe(false);

    await delegate.selectOption({ label: `${NEW_FULL_NAME} (${NEW.username}) – ${SHARED.position} – ${UNIT}` });
    await page.getByRole('radio', { name: 'Tất cả thủ tục tôi được giao xử lý' }).check();
    await to.fill(plusDays(start, 1));
    await field(page, 'Lý do').fill(REASON);
    await page.getByRole('button', { name: 'Xác nhận', exact: true }).click();

    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/uy-quyen\?da-them=\d+$/);
    delegationId = Number(new URL(page.url()).searchParams.get('da-them'));
    await eventually(textOf(page.getByRole('status'))).toBe(`Đã tạo ủy quyền số ${delegationId}.`);
    const row = delegationRow(page, 'given');
    await eventually(attrOf(row, 'data-state')).toBe('active');
    await eventually(textOf(row)).toContain(`${NEW_FULL_NAME} (${NEW.username})`);
    await eventually(textOf(row)).toContain('Tất cả thủ tục');
    await eventually(textOf(row)).toContain(REASON);
    await eventually(textOf(row)).toContain('Đang hiệu lực');
    await eventually(isVisible(row.getByRole('button', { name: 'Kết thúc ủy quyền', exact: true }))).toBe(true);
    await expectAccessible(page, 'Ủy quyền giải quyết DVC, one in force');
    await page.screenshot({ path: e2e.screenshotPath('delegation-created.png'), fullPage: true });
    await logout(page);
  });

  test('the delegate finds the dossiers under their own tab and hands one over on the delegator’s behalf', async () => {
    await login(page, NEW.username, NEW.password);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await mainMenu().getByRole('link', { name: 'HỒ SƠ', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'HỒ SƠ CẦN XỬ LÝ' }))).toBe(true);
    // Their own inbox stays empty: the dossiers are the delegator's, under the delegation's tab.
    await eventually(attrOf(delegationTabs().getByRole('link', { name: 'Hồ sơ của tôi', exact: true }), 'aria-current')).toBe('page');
    await eventually(countOf(inboxLinks())).toBe(0);
    // Processing is lent, reception is not: nothing offers them the counter.
    await eventually(countOf(page.getByRole('link', { name: '+ Tiếp nhận hồ sơ' }))).toBe(0);
    await eventually(countOf(mainMenu().getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }))).toBe(0);

    await delegatedTab().click();
    await eventually(urlOf(page)).toMatch(new RegExp(`[?&]uyquyen=${delegationId}(&|$)`));
    delegatedTabUrl = page.url();
    await eventually(attrOf(delegatedTab(), 'aria-current')).toBe('page');
    await eventually(textOf(page.getByRole('heading', { level: 1 }))).toBe(
      `HỒ SƠ CẦN XỬ LÝ — THAY ${SHARED.fullName.toUpperCase()} (ỦY QUYỀN SỐ ${delegationId})`,
    );
    for (const d of dossiers) await eventually(countOf(inboxRow(d.code))).toBe(1);
    await page.screenshot({ path: e2e.screenshotPath('delegation-inbox.png'), fullPage: true });

    const [first] = dossiers;
    if (!first) throw new Error('no dossier received');
    await inboxRow(first.code).getByRole('link', { name: first.code, exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${first.id}`);
    await eventually(textOf(page.locator('.flash-info').filter({ hasText: 'Bạn xử lý hồ sơ này thay' }))).toBe(
      `Bạn xử lý hồ sơ này thay ${SHARED.fullName} theo ủy quyền số ${delegationId}; mỗi thao tác được ghi nhận như vậy.`,
    );
    await act(first.id, 'handover', 'Chuyển bước tiếp theo', 'Đủ điều kiện cấp phép, trình lãnh đạo Sở.');
    await eventually(textOf(fact('Bước hiện tại'))).toMatch(/^3\/4: Phê duyệt /);
    expect(await lastHistory()).toEqual({
      // Named as people (the new account kept the position the split prefilled).
      actor: `${NEW_FULL_NAME} (${SHARED.position}) thay ${SHARED.fullName} (${SHARED.position}) (ủy quyền số ${delegationId})`,
      action: 'Chuyển bước tiếp theo',
      status: 'Đang xử lý',
    });
    // The step is the director's now: nothing more to do here.
    await eventually(countOf(page.locator('form.action-form'))).toBe(0);
  });

  test('while the delegate has the other dossier open, the delegator ends the delegation at their own desk', async () => {
    const second = dossiers[1];
    if (!second) throw new Error('no second dossier');
    await page.goto(delegatedTabUrl);
    await inboxRow(second.code).getByRole('link', { name: second.code, exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${second.id}`);
    await eventually(countOf(actionForm('handover'))).toBe(1);
    await actionForm('handover').getByLabel('Ghi chú').fill('Đủ điều kiện, trình lãnh đạo Sở.');

    const [context, other] = await openDesk(e2e);
    desk = context;
    other.on('pageerror', (err) => e2e.browserErrors.push(`${other.url()}: ${err.message}`));
    await loginAs(SHARED, other);
    const menu = await openUserMenu(other);
    await menu.getByRole('link', { name: 'Ủy quyền giải quyết DVC', exact: true }).click();
    await eventually(urlOf(other)).toBe(`${e2e.baseUrl}/tiepnhan/uy-quyen`);
    await delegationRow(other, 'given').getByRole('button', { name: 'Kết thúc ủy quyền', exact: true }).click();
    await eventually(urlOf(other)).toMatch(new RegExp(`/tiepnhan/uy-quyen\\?da-ket-thuc=${delegationId}$`));
    await eventually(textOf(other.getByRole('status'))).toBe(
      `Đã kết thúc ủy quyền số ${delegationId}. Người nhận không còn xử lý thay từ lúc này.`,
    );
    await eventually(attrOf(delegationRow(other, 'given'), 'data-state')).toBe('ended');
    await eventually(textOf(delegationRow(other, 'given'))).toContain('Đã kết thúc sớm');
    await eventually(countOf(delegationRow(other, 'given').getByRole('button', { name: 'Kết thúc ủy quyền' }))).toBe(0);
    await other.screenshot({ path: e2e.screenshotPath('delegation-ended.png'), fullPage: true });
  });

  test('the delegate can no longer act: the form on screen, the tab and the dossiers are refused', async () => {
    const [first, second] = dossiers;
    if (!first || !second) throw new Error('no dossiers');
    // The form still on the delegate's screen: its next request is refused, and nothing is recorded.
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === `/tiepnhan/ho-so/${second.id}/xu-ly`),
      actionForm('handover').getByRole('button', { name: 'Chuyển bước tiếp theo', exact: true }).click(),
    ]);
    expect(response.status()).toBe(404);
    await eventually(attrOf(alertOf(page), 'data-error-code')).toBe('not_found');
    await eventually(textOf(alertOf(page))).toBe('Hồ sơ không tồn tại hoặc bạn không có quyền xem.');

    // The delegated tab, reloaded: the delegate's own inbox, saying the delegation is over, none of its dossiers.
    const tab = await page.goto(delegatedTabUrl);
    expect(tab?.status()).toBe(200);
    await eventually(textOf(alertOf(page))).toContain(`Ủy quyền số ${delegationId} đã kết thúc, hết hạn`);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'HỒ SƠ CẦN XỬ LÝ' }))).toBe(true);
    await eventually(countOf(inboxLinks())).toBe(0);
    await page.screenshot({ path: e2e.screenshotPath('delegation-tab-gone.png'), fullPage: true });

    // Neither dossier opens any more, and the inbox has no delegation tab.
    for (const d of [second, first]) {
      const res = await page.goto(`/tiepnhan/ho-so/${d.id}`);
      expect(res?.status()).toBe(404);
      await eventually(attrOf(alertOf(page), 'data-error-code')).toBe('not_found');
      await eventually(textOf(page.locator('body'))).not.toContain(d.code);
    }
    await page.goto('/tiepnhan/ho-so');
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'HỒ SƠ CẦN XỬ LÝ' }))).toBe(true);
    await eventually(countOf(delegationTabs())).toBe(0);
    await eventually(countOf(inboxLinks())).toBe(0);

    // The delegate sees the delegation as ended on their own list.
    await page.goto('/tiepnhan/uy-quyen');
    await eventually(attrOf(delegationRow(page, 'received'), 'data-state')).toBe('ended');
    await eventually(countOf(delegationRow(page, 'received').getByRole('button'))).toBe(0);
    await expectAccessible(page, 'Ủy quyền giải quyết DVC, the delegate’s, ended');
  });

  test('the delegator still holds the second dossier; its history names only the clerk', async () => {
    const second = dossiers[1];
    if (!second || !desk) throw new Error('no second dossier or desk');
    const other = desk.pages()[0];
    if (!other) throw new Error('the delegator’s page is gone');
    await other.goto(`/tiepnhan/ho-so/${second.id}`);
    await eventually(textOf(other.getByRole('heading', { level: 1 }))).toBe(`Hồ sơ ${second.code}`);
    await eventually(
      textOf(other.locator('dl.facts dt', { hasText: /^Bước hiện tại$/ }).locator('xpath=following-sibling::dd[1]')),
    ).toMatch(/^2\/4: Thẩm định, xử lý hồ sơ /);
    const actors = await other.locator('table#history tbody tr td:nth-child(2)').allTextContents();
    expect(actors.map((s) => s.trim())).toEqual([`${CLERK.fullName} (${CLERK.position})`, `${CLERK.fullName} (${CLERK.position})`]);
    await eventually(countOf(other.locator('form.action-form[data-action="handover"]'))).toBe(1);
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
