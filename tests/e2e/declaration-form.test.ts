/**
 * TỜ KHAI in the browser: a citizen logged in with VNeID opens Nộp hồ sơ for Đăng ký khai sinh (a demo procedure with
 * a tờ khai), sends it empty (each message next to its field), fills it with the keyboard's controls, submits, and
 * reads the answers on their dossier page. axe-core finds no serious or critical violation on the form, the form with
 * errors and the dossier; at 390 px the form fits the screen.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { SimPerson } from '../../sim/population-types.js';
import { ROOT, errorSummaryFocused, eventually, isVisible, loginCitizenWithVneid, textOf, urlOf, useE2E } from './support.js';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const PERSON = POPULATION.find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1 && p.soDienThoai);
if (!PERSON) throw new Error('the simulator has no citizen with a phone');

const e2e = useE2E();
let page: Page;
beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_PATH });
});

/** axe's serious and critical WCAG 2.1 AA violations on the page as it is now. */
async function audit(label: string): Promise<string[]> {
  await page.waitForLoadState('load');
  const found = await page.evaluate(async () => {
    type Axe = {
      run: (
        ctx: Document,
        opts: object,
      ) => Promise<{ violations: Array<{ id: string; impact?: string | null; nodes: Array<{ target: unknown[] }> }> }>;
    };
    const axe = (window as unknown as { axe?: Axe }).axe;
    if (!axe) throw new Error('axe-core is not on the page');
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? '', targets: v.nodes.map((n) => n.target.map(String).join(' ')) }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} on ${label}: ${v.targets.join(' | ')}`);
}

const pdfFile = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) });

describe('TỜ KHAI on Nộp hồ sơ', { shuffle: false }, () => {
  test('empty, refused field by field, filled, submitted and read back; accessible and 390 px wide', async () => {
    await loginCitizenWithVneid(page, e2e.simUrl, PERSON);
    await page.goto(`/thu-tuc?q=${encodeURIComponent('dang ky khai sinh')}`);
    await page.getByRole('link', { name: 'Đăng ký khai sinh', exact: true }).first().click();
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
    await eventually(isVisible(page.getByRole('group', { name: 'TỜ KHAI', exact: true }))).toBe(true);
    const problems = await audit('the form');

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, 'the form is wider than a 390 px screen').toBeLessThanOrEqual(0);
    await page.screenshot({ path: e2e.screenshotPath('declaration-390.png'), fullPage: true });

    await page.getByLabel('Số điện thoại', { exact: true }).fill('0912345678');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 5 đường Thử Nghiệm, phường Tân Phú');
    await page.locator('#tk_ngay_sinh_tre').fill('31/02/2024');
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(textOf(page.locator('main'))).toContain('Hồ sơ chưa nộp được');
    // The summary, a screen long above the first wrong field on a phone, has the focus: a screen reader announces it.
    await eventually(errorSummaryFocused(page)).toBe(true);
    expect(await textOf(page.locator('#err-tk_ho_ten_tre'))()).toBe('Vui lòng điền: Họ, chữ đệm và tên của trẻ.');
    expect(await textOf(page.locator('#err-tk_ngay_sinh_tre'))()).toContain('dd/mm/yyyy');
    expect(await page.locator('#tk_ngay_sinh_tre').inputValue()).toBe('31/02/2024');
    problems.push(...(await audit('the form with errors')));

    await page.locator('#tk_ho_ten_tre').fill('Nguyễn Minh Khang');
    await page.locator('#tk_ngay_sinh_tre').fill('05/09/2024');
    await page.getByLabel('Giới tính của trẻ').selectOption('Nữ');
    await page.getByLabel('Nơi sinh').selectOption('Tại nhà');
    await page.locator('#tk_ho_ten_me').fill('Trần Thị Mai Anh');
    await page
      .getByRole('group', { name: /Trẻ sinh đôi, sinh ba\?/ })
      .getByLabel('Không')
      .check();
    await page.locator('#tk_ghi_chu').fill('Dòng một\nDòng hai');
    await page.locator('#doc0').setInputFiles(pdfFile('to-khai.pdf'));
    await page.locator('#doc1').setInputFiles(pdfFile('giay-chung-sinh.pdf'));
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/ho-so\/[0-9a-f-]{36}\?tb=da-nop$/);
    const answers = page.locator('#declaration-answers');
    await eventually(isVisible(answers)).toBe(true);
    expect(await answers.locator('dt').allTextContents()).toContain('Ngày sinh của trẻ');
    expect(await answers.locator('dd').allTextContents()).toEqual([
      'Nguyễn Minh Khang',
      '05/09/2024',
      'Nữ',
      'Tại nhà',
      'Trần Thị Mai Anh',
      '—',
      'Không',
      'Dòng mộtDòng hai',
    ]);
    problems.push(...(await audit('the dossier with its tờ khai')));
    expect(problems, `axe found serious or critical violations:\n${problems.join('\n')}`).toEqual([]);
    expect(e2e.browserErrors).toEqual([]);
  });
});
