/**
 * End to end: Quản trị → Nhập đơn vị từ tệp as the province administrator uses it — upload, the dry run's report,
 * "Xác nhận nhập" — with axe-core on every state of the page.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { AXE_SCRIPT, PASSWORD, axeProblems, eventually, login, textOf, urlOf, useE2E } from './support.js';

const e2e = useE2E();
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

const SHEET = [
  'Tên đơn vị,Đơn vị cấp trên,Mã định danh điện tử,Loại đơn vị',
  'Phòng Kế hoạch - Ngân sách,Sở Tài chính,,Phòng ban',
  'Sở Tài chính,000.00.00.H10,000.00.20.H10,"Sở, ban, ngành"',
].join('\n');

describe('Nhập đơn vị từ tệp', { shuffle: false }, () => {
  test('a dry run shows each row, and the confirmation writes them', async () => {
    await login(page, 'quantri1', PASSWORD);
    await eventually(urlOf(page)).toMatch(/\/tiepnhan$/);
    await page.goto('/tiepnhan/quan-tri/don-vi');
    await page.getByRole('navigation', { name: 'Quản trị hệ thống' }).getByRole('link', { name: 'Nhập đơn vị từ tệp' }).click();
    await eventually(textOf(page.locator('h1'))).toBe('Nhập đơn vị từ tệp');
    problems.push(...(await axeProblems(page, 'Nhập đơn vị, trang trống')));

    await page.getByLabel('Tệp (.xlsx hoặc .csv UTF-8, tối đa 5 MB)').setInputFiles({
      name: 'don-vi.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(SHEET, 'utf8'),
    });
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    await eventually(textOf(page.locator('#import-preview'))).toContain('Chạy thử, chưa ghi gì: 2 dòng: 2 tạo mới');
    await eventually(textOf(page.locator('#import-rows tr[data-status="created"]').first())).toContain('Phòng Kế hoạch - Ngân sách');
    problems.push(...(await axeProblems(page, 'Nhập đơn vị, chạy thử')));

    await page.getByRole('button', { name: 'Xác nhận nhập' }).click();
    await eventually(textOf(page.locator('#import-result'))).toContain('Đã nhập 2 dòng: 2 tạo mới');
    problems.push(...(await axeProblems(page, 'Nhập đơn vị, đã nhập')));

    await eventually(textOf(page.locator('#import-rows'))).toContain('Sở Tài chính');
    expect(problems).toEqual([]);
  });
});
