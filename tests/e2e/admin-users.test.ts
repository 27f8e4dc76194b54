/**
 * End to end, as a person would: the real server (`node --import tsx src/main.ts`, demo data on a
 * fresh PGlite directory) and Debian's Chromium driven by playwright-core (set-up in support.ts).
 *
 * quantri1 logs in through the login page (solving the ALTCHA widget in the browser), creates an
 * official in Sở Công Thương → Quản lý công nghiệp with full identity data, finds them by a search
 * without diacritics, suspends them; then admin.sct logs in and is refused an account of Sở Nội vụ.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  PASSWORD,
  attrOf,
  countOf,
  eventually,
  field as fieldOn,
  isChecked,
  isVisible,
  login as loginOn,
  logout as logoutOn,
  officialsTable,
  openUsersPage as openUsersPageOn,
  rowFor as rowForOn,
  textOf,
  urlOf,
  useE2E,
  inputValueOf,
} from './support.js';

/** The official created through the form: consistent identity data, made up for the test. */
const NEW = {
  username: 'dtthuy.qlcn',
  middleName: 'Đặng Thị Thanh',
  givenName: 'Thủy',
  mobile: '0912345678',
  email: 'dtthuy.qlcn@demo.motcua.invalid',
  position: 'Chuyên viên',
  cardName: 'Đặng Thị Thanh Thủy',
  dateOfBirth: '12/03/1990',
  gender: 'Nữ',
  // 070 Bình Phước; 1 = female born 1900–1999; 90 = 1990; then six made-up digits.
  cccd: '070190482615',
  issueDate: '15/04/2021',
  issuePlace: 'Cục Cảnh sát quản lý hành chính về trật tự xã hội',
};
const NEW_FULL_NAME = `${NEW.middleName} ${NEW.givenName}`;

const e2e = useE2E();
let page: Page;
let baseUrl = '';

/** Shared across the steps below (they run in order, on one page). */
let snvAdminId = '';
let temporaryPassword = '';

beforeAll(() => {
  page = e2e.page;
  baseUrl = e2e.baseUrl;
});

// ---------------------------------------------------------------------------------------------
// Helpers that act through the page as a person would (shared ones in support.ts).

const unitTree = () => page.getByRole('navigation', { name: 'Cây đơn vị' });
const officials = () => officialsTable(page);
const rowFor = (username: string) => rowForOn(page, username);
const field = (label: string) => fieldOn(page, label);
const login = (username: string, password: string, opts: { mustClick?: boolean } = {}) => loginOn(page, username, password, opts);
const logout = () => logoutOn(page);
const openUsersPage = () => openUsersPageOn(page);

async function pickUnit(name: string) {
  await unitTree().getByRole('link', { name, exact: true }).click();
  // A unit with units under it lists them too (Bao gồm đơn vị trực thuộc, on by default).
  await eventually(
    isVisible(page.getByRole('heading', { level: 2, name: new RegExp(`^${name}( và đơn vị trực thuộc)? \\(\\d+\\)$`) })),
  ).toBe(true);
  await eventually(attrOf(unitTree().getByRole('link', { name, exact: true }), 'aria-current')).toBe('true');
}

// ---------------------------------------------------------------------------------------------

// One story: its steps run in order, on one page (also under --sequence.shuffle).
describe('Quản lý người dùng in the browser', { shuffle: false }, () => {
  test('the login page renders and the province administrator logs in with the CAPTCHA', async () => {
    await page.goto('/tiepnhan/dang-nhap');
    await eventually(() => page.title()).toMatch(/^Đăng nhập hệ thống — Tỉnh Bình Phước$/);
    await eventually(isVisible(page.getByRole('heading', { name: 'HỆ THỐNG MỘT CỬA ĐIỆN TỬ' }))).toBe(true);
    // The widget starts on focus and the username field has autofocus: by now its label may already say it is
    // verifying or verified, so any of its three states shows it rendered (login() below ticks it by hand).
    await eventually(textOf(page.locator('altcha-widget .altcha-checkbox-wrap label'))).toMatch(
      /^(Tôi không phải là người máy|Đang xác minh\.\.\.|Đã xác minh)$/,
    );
    await page.screenshot({ path: e2e.screenshotPath('login.png'), fullPage: true });

    await login('quantri1', PASSWORD, { mustClick: true });
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: /^Xin chào, / }))).toBe(true);
    await eventually(isVisible(page.getByRole('link', { name: 'Quản trị hệ thống → Quản lý người dùng' }))).toBe(true);
  });

  test('quantri1 sees the whole province and reads the id of a Sở Nội vụ account', async () => {
    await openUsersPage();
    await eventually(isVisible(unitTree().getByRole('link', { name: 'Tỉnh Bình Phước', exact: true }))).toBe(true);
    await eventually(isVisible(unitTree().getByRole('link', { name: 'Sở Nội vụ', exact: true }))).toBe(true);
    await pickUnit('Văn phòng Sở Nội vụ');
    const link = rowFor('admin.snv').getByRole('link');
    await eventually(countOf(link)).toBe(1);
    const href = await link.getAttribute('href');
    const tk = new URL(href ?? '', baseUrl).searchParams.get('tk') ?? '';
    expect(tk).toMatch(/^[0-9a-f-]{36}$/);
    snvAdminId = tk;
  });

  test('quantri1 adds an official to Sở Công Thương → Quản lý công nghiệp with full identity data', async () => {
    await pickUnit('Sở Công Thương');
    await pickUnit('Quản lý công nghiệp');
    await page.getByRole('link', { name: 'Thêm mới cán bộ' }).click();
    await eventually(urlOf(page)).toMatch(/[?&]moi=1/);
    const form = page.locator('form#official-form');
    await eventually(isVisible(form.getByRole('group', { name: 'THÔNG TIN CÁN BỘ' }))).toBe(true);
    await eventually(isVisible(form.getByRole('group', { name: 'THÔNG TIN XÁC THỰC' }))).toBe(true);
    // The unit picked in the tree is preselected.
    await eventually(textOf(field('Thuộc đơn vị/Phòng ban').locator('option:checked'))).toMatch(/Quản lý công nghiệp$/);

    await field('Tên tài khoản').fill(NEW.username);
    await field('Họ và tên đệm').fill(NEW.middleName);
    await field('Tên').fill(NEW.givenName);
    await field('Số di động (Để liên hệ và gửi SMS)').fill(NEW.mobile);
    await field('Email (cách nhau dấu ; nếu sử dụng nhiều email)').fill(NEW.email);
    await field('Chức vụ').fill(NEW.position);
    await field('Họ và tên trên thẻ CCCD').fill(NEW.cardName);
    await field('Ngày sinh').fill(NEW.dateOfBirth);
    await field('Giới tính').selectOption({ label: NEW.gender });
    await field('Số CCCD (12 số)').fill(NEW.cccd);
    await field('Ngày cấp').fill(NEW.issueDate);
    await field('Nơi cấp').fill(NEW.issuePlace);
    await form.getByRole('button', { name: 'Lưu', exact: true }).click();

    await eventually(isVisible(page.getByRole('status').filter({ hasText: 'Đã lưu thông tin cán bộ.' }))).toBe(true);
    const secret = page.locator('.flash.secret');
    await eventually(textOf(secret)).toContain(`Mật khẩu tạm thời của tài khoản ${NEW.username}`);
    await eventually(textOf(secret)).toContain('Mật khẩu chỉ hiển thị một lần.');
    temporaryPassword = (await page.getByTestId('temporary-password').textContent())?.trim() ?? '';
    expect(temporaryPassword.length).toBeGreaterThanOrEqual(12);
    await eventually(countOf(page.locator('.field-error'))).toBe(0);

    // Listed in its unit, with the CCCD, active; the form now shows the saved values.
    const row = rowFor(NEW.username);
    await eventually(countOf(row)).toBe(1);
    await eventually(isVisible(row.getByRole('link', { name: NEW_FULL_NAME }))).toBe(true);
    await eventually(textOf(row)).toContain('Quản lý công nghiệp');
    await eventually(textOf(row)).toContain(NEW.cccd);
    await eventually(textOf(row)).toContain('Hoạt động');
    await eventually(inputValueOf(field('Ngày sinh'))).toBe(NEW.dateOfBirth);
    await eventually(textOf(field('Giới tính').locator('option:checked'))).toBe(NEW.gender);
    await eventually(inputValueOf(field('Số CCCD (12 số)'))).toBe(NEW.cccd);
  });

  test('a search without diacritics finds the new official', async () => {
    await pickUnit('Sở Công Thương');
    await page.getByPlaceholder('Tìm kiếm...').fill('thuy');
    await page.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
    await eventually(urlOf(page)).toMatch(/[?&]q=thuy(&|$)/);
    await eventually(textOf(page.getByRole('heading', { level: 2 }))).toContain('kết quả tìm "thuy"');
    // Searching from Sở Công Thương covers its divisions.
    await eventually(countOf(rowFor(NEW.username))).toBe(1);
    await eventually(isVisible(rowFor(NEW.username).getByRole('link', { name: NEW_FULL_NAME }))).toBe(true);
    for (const name of await officials().locator('tbody tr td:first-child').allTextContents()) {
      expect(name).toMatch(/Thủy/);
    }

    // The full name folded (đ → d) finds them too, and only them.
    await page.getByPlaceholder('Tìm kiếm...').fill('dang thi thanh thuy');
    await page.getByRole('search').getByRole('button', { name: 'Tìm' }).click();
    await eventually(urlOf(page)).toMatch(/[?&]q=dang\+thi\+thanh\+thuy(&|$)/);
    await eventually(countOf(officials().locator('tbody tr'))).toBe(1);
    await eventually(countOf(rowFor(NEW.username))).toBe(1);
  });

  test('quantri1 opens the official and suspends them', async () => {
    await rowFor(NEW.username).getByRole('link', { name: NEW_FULL_NAME }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tk=[0-9a-f-]{36}/);
    await eventually(inputValueOf(field('Tên tài khoản'))).toBe(NEW.username);
    await eventually(inputValueOf(field('Tên'))).toBe(NEW.givenName);

    // Tạm đình chỉ asks first (the box to tick), as Xóa does.
    await page.getByRole('link', { name: 'Tạm đình chỉ', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Tạm đình chỉ tài khoản' }))).toBe(true);
    await page.getByRole('checkbox', { name: `Tôi xác nhận tạm đình chỉ tài khoản ${NEW.username}.` }).check();
    await page.getByRole('button', { name: 'Tạm đình chỉ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/[?&]tb=suspended/);
    await eventually(isVisible(page.getByRole('status').filter({ hasText: 'Đã tạm đình chỉ tài khoản.' }))).toBe(true);
    await eventually(textOf(rowFor(NEW.username).locator('.badge'))).toBe('Tạm đình chỉ');
    await eventually(isVisible(page.getByRole('button', { name: 'Bỏ tạm đình chỉ', exact: true }))).toBe(true);
    await eventually(isChecked(page.getByRole('checkbox', { name: 'Tạm đình chỉ' }))).toBe(true);
    await page.screenshot({ path: e2e.screenshotPath('users.png'), fullPage: true });
  });

  test('the suspended official cannot log in', async () => {
    await logout();
    await login(NEW.username, temporaryPassword);
    const refusal = page.locator('p.flash-error[role="alert"]');
    await eventually(textOf(refusal)).toBe('Tài khoản đang bị tạm đình chỉ. Vui lòng liên hệ quản trị đơn vị.');
    await eventually(attrOf(refusal, 'data-error-code')).toBe('account_suspended');
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/dang-nhap$/);
  });

  test('admin.sct logs in, sees only Sở Công Thương, and is refused an account of Sở Nội vụ', async () => {
    expect(snvAdminId).not.toBe('');
    await login('admin.sct', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await openUsersPage();

    const tree = unitTree();
    await eventually(isVisible(tree.getByRole('link', { name: 'Sở Công Thương', exact: true }))).toBe(true);
    await eventually(isVisible(tree.getByRole('link', { name: 'Quản lý công nghiệp', exact: true }))).toBe(true);
    await eventually(textOf(tree)).not.toContain('Sở Nội vụ');
    await eventually(textOf(tree)).not.toContain('Tỉnh Bình Phước');
    // The official created by quantri1 is in admin.sct's scope, and shown as suspended.
    await pickUnit('Quản lý công nghiệp');
    await eventually(textOf(rowFor(NEW.username).locator('.badge'))).toBe('Tạm đình chỉ');

    const res = await page.goto(`/tiepnhan/quan-tri/nguoi-dung?tk=${snvAdminId}`);
    expect(res?.status()).toBe(404);
    await eventually(textOf(page.getByRole('alert'))).toContain('không tồn tại hoặc bạn không có quyền xem');
    await eventually(attrOf(page.getByRole('alert'), 'data-error-code')).toBe('not_found');
    await eventually(textOf(page.locator('body'))).not.toContain('admin.snv');
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
