/**
 * Hand-over to a person, end to end (issue 12 items 2 and 8): the clerk of Sở Công Thương receives a dossier and
 * hands it to a chosen official of Quản lý Thương mại; the official finds it under "Giao cho tôi" and opens it;
 * while their page is open, the head of the department (its leader) reassigns the step to the unit from another
 * desk; the official's form, now stale, is answered with what happened and the dossier as it is now. axe-core finds
 * no serious or critical violation on the pages visited.
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import {
  AXE_SCRIPT,
  countOf,
  demoOfficial,
  eventually,
  expectAccessible,
  isVisible,
  loginOfficial,
  logout,
  openDesk,
  receiveDossier,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
const EXPERT = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
const HEAD = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Trưởng phòng', 'Trưởng phòng at sct-qltm');
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

const fact = (p: Page, term: string) =>
  p.locator('dl.facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const actionForm = (p: Page, action: string) => p.locator(`form.action-form[data-action="${action}"]`);

describe('Chuyển bước tiếp theo to a chosen official, Giao cho tôi, Phân công lại, a stale form', { shuffle: false }, () => {
  test('the clerk receives a dossier and hands it to a chosen official of Quản lý Thương mại', async () => {
    await loginOfficial(page, CLERK);
    Object.assign(dossier, await receiveDossier(page, { sector: SECTOR, procedure: PROCEDURE, applicant: APPLICANT }));

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
    await loginOfficial(page, EXPERT);
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
    const [context, other] = await openDesk(e2e, { width: 390, height: 844 });
    desk = context;
    await loginOfficial(other, HEAD);
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
