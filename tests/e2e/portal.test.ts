/**
 * The citizen's path in a real browser: log in with VNeID on the portal (OTP from the simulator's SMS), find the
 * procedure by a name typed without diacritics, open it, Nộp hồ sơ trực tuyến with two files — one uploaded first to
 * Quản lý tập tin cá nhân and reused —, and see Hồ sơ đã nộp (1) on TRANG CÁ NHÂN; then the same on a 390 px phone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { SimPerson } from '../../sim/population-types.js';
import { ROOT, eventually, isVisible, loginCitizenWithVneid, textOf, urlOf, useE2E } from './support.js';

const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const PERSON = POPULATION.find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1 && p.soDienThoai);
if (!PERSON) throw new Error('the simulator has no citizen with a phone');

const e2e = useE2E();
let page: Page;
beforeAll(() => {
  page = e2e.page;
});

const pdfFile = (name: string, text: string) => ({
  name,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
});

describe('the citizen submits online', { shuffle: false }, () => {
  test('logs in with VNeID on the portal', async () => {
    await loginCitizenWithVneid(page, e2e.simUrl, PERSON);
    await eventually(textOf(page.locator('main'))).toContain('Hồ sơ đã nộp (0)');
  });

  test('keeps a file in Quản lý tập tin cá nhân', async () => {
    await page.getByRole('link', { name: 'Quản lý tập tin cá nhân' }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/tap-tin$/);
    await page.locator('input[type=file]').first().setInputFiles(pdfFile('dang-ky-kinh-doanh.pdf', 'giấy chứng nhận'));
    await page
      .getByRole('button', { name: /Tải lên/ })
      .first()
      .click();
    await eventually(textOf(page.locator('main'))).toContain('dang-ky-kinh-doanh.pdf');
  });

  test('finds the procedure by a name typed without diacritics and submits with two files, one reused', async () => {
    await page.goto('/thu-tuc');
    await page.getByLabel('Tìm thủ tục').fill('giay phep ban le san pham ruou');
    await page.getByLabel('Tìm thủ tục').press('Enter');
    await page.getByRole('link', { name: 'Cấp Giấy phép bán lẻ sản phẩm rượu' }).first().click();
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Nộp hồ sơ trực tuyến' }))).toBe(true);
    await page.getByLabel('Số điện thoại', { exact: true }).fill('0912345678');
    await page.locator('#doc0').setInputFiles(pdfFile('don-de-nghi.pdf', 'đơn'));
    await page.locator('#pick1').selectOption({ label: 'dang-ky-kinh-doanh.pdf' });
    await page.locator('#doc2').setInputFiles(pdfFile('hop-dong-thue.pdf', 'hợp đồng'));
    // Sent without the address (the form offers the one VNeID gave): refused, said at its field, the files kept.
    await page.getByLabel('Địa chỉ liên hệ').fill('');
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(textOf(page.locator('#err-address'))).toContain('Vui lòng nhập địa chỉ liên hệ.');
    const formAddress = /\/ca-nhan\/nop-ho-so\?thutuc=[0-9a-f-]{36}$/;
    // The refusal's history entry is the form's own address, not the post (submit-once.js).
    await eventually(urlOf(page)).toMatch(formAddress);
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 5 đường Thử Nghiệm, phường Tân Phú');
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/ho-so\/[0-9a-f-]{36}\?tb=da-nop$/);
    const dossierUrl = page.url();
    // Back from the new dossier reads the form again (the draft is gone with the submission), instead of Chromium's
    // "Confirm Form Resubmission" page (net::ERR_CACHE_MISS) a refused post left in the history before.
    const back = await page.goBack();
    expect(back?.status()).toBe(200);
    expect(back?.request().method()).toBe('GET');
    await eventually(urlOf(page)).toMatch(formAddress);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Nộp hồ sơ trực tuyến' }))).toBe(true);
    await page.goto(dossierUrl);
    await eventually(textOf(page.locator('#dossier-status'))).toBe('Mới đăng ký');
    await eventually(textOf(page.locator('main'))).toContain('dang-ky-kinh-doanh.pdf');
    await page.goto('/ca-nhan');
    await eventually(textOf(page.locator('main'))).toContain('Hồ sơ đã nộp (1)');
    await eventually(textOf(page.locator('main'))).toContain('Hồ sơ chờ xác nhận (1)');
  });

  test('on a 390 px phone, TRANG CÁ NHÂN and the form fit the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const url of ['/ca-nhan', '/ca-nhan/nop-ho-so', '/thu-tuc']) {
      await page.goto(url);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: e2e.screenshotPath('portal-phone.png'), fullPage: true });
  });
});
