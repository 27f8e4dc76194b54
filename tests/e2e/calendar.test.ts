/**
 * End to end (issue 12 §15): Lịch làm việc as the province administrator uses it. The current year (2026) is the
 * announced schedule; next year is "Chưa xác nhận" with a reminder, confirmed from its prefilled form; a yearly
 * holiday (24/11) is one entry. axe-core on every state of the page, and 390 px.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { AXE_SCRIPT, PASSWORD, axeProblems, eventually, isVisible, login, textOf, urlOf, useE2E } from './support.js';

const e2e = useE2E();
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

async function fitsAt390(label: string) {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, `${label} is wider than a 390 px screen`).toBeLessThanOrEqual(0);
  await page.screenshot({ path: e2e.screenshotPath(`${label.replace(/\W+/g, '-')}-390.png`), fullPage: true });
  if (size) await page.setViewportSize(size);
}

describe('Lịch làm việc', { shuffle: false }, () => {
  test('2026 is the announced schedule: the swapped Friday 2/1 off and Saturday 10/1 worked', async () => {
    await login(page, 'quantri1', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await page.goto('/tiepnhan/quan-tri/lich-lam-viec?nam=2026');
    await eventually(textOf(page.locator('#year-status'))).toContain('Theo thông báo của Chính phủ');
    const day = (date: string) =>
      textOf(page.locator('table#statutory tr').filter({ has: page.locator('td:nth-child(2)').getByText(date, { exact: true }) }));
    await eventually(day('02/01/2026')).toBe('Thứ Sáu02/01/2026Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)');
    await eventually(day('10/01/2026')).toBe('Thứ Bảy10/01/2026Ngày làm việc: Làm bù cho ngày nghỉ hoán đổi 02/01/2026');
    await eventually(day('20/02/2026')).toBe('Thứ Sáu20/02/2026Tết Nguyên Đán (mùng 4)');
    expect(await page.locator('#xac-nhan').count()).toBe(0);
    problems.push(...(await axeProblems(page, 'Lịch làm việc 2026')));
    await fitsAt390('Lich lam viec 2026');
  });

  test('next year is provisional until confirmed from its prefilled form', async () => {
    const next = new Date().getUTCFullYear() + 1;
    await page.goto(`/tiepnhan/quan-tri/lich-lam-viec?nam=${next}`);
    await eventually(textOf(page.locator('#year-status'))).toContain('Chưa xác nhận');
    problems.push(...(await axeProblems(page, `Lịch làm việc ${next}, chưa xác nhận`)));
    await fitsAt390(`Lich lam viec ${next} chua xac nhan`);
    await page.getByLabel('Ngày nghỉ (thứ Hai – thứ Sáu)').fill('30/02/2027 Tết');
    await page.getByRole('button', { name: `Xác nhận lịch năm ${next}` }).click();
    await eventually(textOf(page.locator('#err-daysOff'))).toContain('không hợp lệ');
    problems.push(...(await axeProblems(page, 'Xác nhận lịch, lỗi')));
    await page.goto(`/tiepnhan/quan-tri/lich-lam-viec?nam=${next}`);
    await page.getByRole('button', { name: `Xác nhận lịch năm ${next}` }).click();
    await eventually(textOf(page.locator('main'))).toContain(`Đã xác nhận lịch làm việc năm ${next}`);
    await eventually(textOf(page.locator('#year-status'))).toContain('Đã xác nhận');
  });

  test('a yearly holiday is one entry', async () => {
    await page.getByLabel('Ngày, tháng (dd/mm)').fill('24/11');
    await page.getByLabel('Tên ngày lễ').fill('Ngày Văn hóa Việt Nam');
    await page.getByLabel('Nghỉ từ năm').fill('2026');
    await page.getByRole('button', { name: 'Thêm ngày nghỉ lễ hằng năm' }).click();
    await eventually(isVisible(page.getByText('Đã lưu ngày nghỉ lễ hằng năm: Ngày Văn hóa Việt Nam từ năm 2026'))).toBe(true);
    await eventually(textOf(page.locator('table#recurring tr').filter({ hasText: '24/11' }))).toBe('24/11Ngày Văn hóa Việt Namtừ năm 2026');
    problems.push(...(await axeProblems(page, 'Lịch làm việc, ngày lễ hằng năm')));
    expect(problems).toEqual([]);
  });
});
