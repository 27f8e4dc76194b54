/**
 * Hand-over to a person, end to end (issue 12 items 2 and 8): the clerk of Sở Công Thương receives a dossier and
 * hands it to a chosen official of Quản lý Thương mại; the official finds it under "Giao cho tôi" and opens it;
 * while their page is open, the head of the department (its leader) reassigns the step to the unit from another
 * desk; the official's form, now stale, is answered with what happened and the dossier as it is now. axe-core finds
 * no serious or critical violation on the pages visited.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  AXE_SCRIPT,
  PASSWORD,
  axeProblems,
  chooseProcedureAndTickAll,
  countOf,
  eventually,
  field,
  isVisible,
  login,
  logout,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

type Who = { username: string; fullName: string; position: string };
function official(pred: (o: ReturnType<typeof demoOfficials>[number]) => boolean, what: string): Who {
  const o = demoOfficials().find(pred);
  if (!o) throw new Error(`demo data changed: no ${what}`);
  return { username: o.username, fullName: `${o.middleName} ${o.givenName}`, position: o.position };
}
const CLERK = official((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
const EXPERT = official((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
const HEAD = official((o) => o.unitKey === 'sct-qltm' && o.position === 'Trưởng phòng', 'Trưởng phòng at sct-qltm');
const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
/** The applicant (made up). */
const APPLICANT = { fullName: 'Đặng Văn Tường', cccd: '070086214573', phone: '0967345120', address: 'Số 12 đường Phú Riềng Đỏ, Đồng Xoài' };

const e2e = useE2E();
let page: Page;
let desk: BrowserContext | null = null;
const dossier = { id: '', code: '' };

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});
afterAll(async () => {
  await desk?.close().catch(() => undefined);
});

const mainMenu = (p: Page = page) => p.getByRole('navigation', { name: 'Menu chính' });
const fact = (p: Page, term: string) =>
  p.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const actionForm = (p: Page, action: string) => p.locator(`form.action-form[data-action="${action}"]`);

async function loginAs(who: Who, p: Page = page) {
  await login(p, who.username, PASSWORD);
  await eventually(urlOf(p)).toMatch(/\/tiepnhan$/);
}

async function expectAccessible(p: Page, label: string) {
  const problems = await axeProblems(p, label);
  expect(problems, `axe found serious or critical violations:\n${problems.join('\n')}`).toEqual([]);
}

describe('Chuyển bước tiếp theo to a chosen official, Giao cho tôi, Phân công lại, a stale form', { shuffle: false }, () => {
  test('the clerk receives a dossier and hands it to a chosen official of Quản lý Thương mại', async () => {
    await loginAs(CLERK);
    await mainMenu().getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }).click();
    await page.getByLabel('Lĩnh vực dịch vụ công').selectOption({ label: SECTOR });
    await page.getByRole('button', { name: 'Chọn', exact: true }).click();
    await chooseProcedureAndTickAll(page, PROCEDURE);
    await page.getByRole('radio', { name: 'Trực tiếp' }).check();
    await field(page, 'Họ tên').fill(APPLICANT.fullName);
    await field(page, 'Số CMND/CCCD').fill(APPLICANT.cccd);
    await field(page, 'Số điện thoại').fill(APPLICANT.phone);
    await field(page, 'Địa chỉ').fill(APPLICANT.address);
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so\/[0-9a-f-]{36}\?tb=received$/);
    dossier.id = /\/ho-so\/([0-9a-f-]{36})\?/.exec(page.url())?.[1] ?? '';
    dossier.code = ((await textOf(page.getByRole('heading', { level: 1 }))()) ?? '').replace(/^Hồ sơ /, '');

    // The expected action comes first, the others are folded.
    await eventually(isVisible(actionForm(page, 'handover'))).toBe(true);
    await eventually(isVisible(actionForm(page, 'refuse'))).toBe(false);
    await eventually(textOf(page.locator('details.more-actions > summary'))).toMatch(/^Thao tác khác \(\d+\)$/);
    await expectAccessible(page, 'dossier page at reception');
    const form = actionForm(page, 'handover');
    await form.getByLabel('Người xử lý bước tiếp theo').selectOption({ label: `${EXPERT.fullName} — ${EXPERT.position}` });
    await form.getByRole('button', { name: 'Chuyển bước tiếp theo', exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossier.id}?tb=done`);
    await eventually(textOf(fact(page, 'Người xử lý'))).toBe(`Giao cho ${EXPERT.fullName} (${EXPERT.position})`);
    await logout(page);
  });

  test('the official sees it under Giao cho tôi and opens it', async () => {
    await loginAs(EXPERT);
    await page.goto('/tiepnhan/ho-so');
    const mine = page.getByRole('region', { name: 'Giao cho tôi (1)' });
    await eventually(isVisible(mine)).toBe(true);
    await eventually(textOf(page.locator('table#inbox tbody tr', { hasText: dossier.code }).locator('.badge.assigned'))).toBe(
      'Giao cho tôi',
    );
    await expectAccessible(page, 'inbox with Giao cho tôi');
    await mine.getByRole('link', { name: dossier.code, exact: true }).click();
    await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossier.id}`);
    await eventually(textOf(fact(page, 'Người xử lý'))).toBe(`Giao cho ${EXPERT.fullName} (${EXPERT.position}) Giao cho tôi`);
    await page.locator('details.more-actions > summary').click();
    await expectAccessible(page, 'dossier page, other actions open');
  });

  test('the head reassigns it to the unit from another desk; the official’s open form is told what happened', async () => {
    const browser = e2e.context.browser();
    if (!browser) throw new Error('no browser');
    desk = await browser.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN', viewport: { width: 390, height: 844 } });
    await desk.addInitScript({ path: AXE_SCRIPT });
    const other = await desk.newPage();
    await loginAs(HEAD, other);
    await other.goto(`/tiepnhan/ho-so/${dossier.id}`);
    await other.getByLabel('Người xử lý bước hiện tại').selectOption({ label: 'Để đơn vị phân công' });
    await other.getByRole('button', { name: 'Phân công lại', exact: true }).click();
    await eventually(urlOf(other)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossier.id}?tb=assigned`);
    await eventually(textOf(fact(other, 'Người xử lý'))).toBe('Đơn vị phân công');
    await expectAccessible(other, 'dossier page of the leader at 390 px');

    // The official's page still shows the assignment; their Từ chối is answered with what happened.
    const refuse = actionForm(page, 'refuse');
    await refuse.getByLabel('Lý do / nội dung').fill('Thiếu hợp đồng thuê địa điểm.');
    await refuse.getByRole('button', { name: 'Từ chối giải quyết', exact: true }).click();
    const alert = page.getByRole('alert');
    await eventually(textOf(alert)).toContain(`Hồ sơ đã được ${HEAD.fullName} (${HEAD.position}) xử lý “Phân công xử lý”`);
    await eventually(textOf(alert)).toContain('Đang xử lý (mã 4), bước 2/4');
    await eventually(textOf(fact(page, 'Người xử lý'))).toBe('Đơn vị phân công');
    await eventually(countOf(page.locator('table#history tbody tr', { hasText: 'Từ chối giải quyết' }))).toBe(0);
    await expectAccessible(page, 'dossier page after a stale form');
  });
});
