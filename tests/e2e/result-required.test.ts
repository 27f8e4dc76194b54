/**
 * Kết quả giải quyết in the browser (issue 12, items 1 and 10): the director cannot approve a dossier whose result is
 * not recorded — the message is at the result section's field; an empty file is refused next to the file input,
 * naming it; with the signed licence attached and its số, ngày ký, trích yếu recorded, Phê duyệt goes through, the
 * result is frozen, and the clerk returns it. axe-core on the dossier page with its messages.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  AXE_SCRIPT,
  PASSWORD,
  attrOf,
  axeProblems,
  chooseProcedureAndTickAll,
  countOf,
  eventually,
  field,
  isVisible,
  login,
  logout,
  recordResultOnPage,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

const username = (pred: (o: ReturnType<typeof demoOfficials>[number]) => boolean) => demoOfficials().find(pred)!.username;
const CLERK = username((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy');
const EXPERT = username((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên');
const DIRECTOR = username((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc');
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
const LICENCE = { name: 'giay-phep-ban-le-ruou.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% giấy phép\n%%EOF\n') };

const e2e = useE2E();
let page: Page;
let dossierUrl = '';
const problems: string[] = [];

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

const statusLine = () => page.locator('#status');
const actionForm = (action: string) => page.locator(`form.action-form[data-action="${action}"]`);
const section = () => page.locator('#result-section');

async function openDossier() {
  await page.goto(dossierUrl);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: /^Hồ sơ / }))).toBe(true);
}

/** Submit an action form and wait for the page that answers it. */
async function submitAction(action: string, button: string, fill: (f: Locator) => Promise<void> = async () => undefined) {
  const form = actionForm(action);
  await eventually(countOf(form)).toBe(1);
  await fill(form);
  await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: button, exact: true }).click()]);
}

async function audit(label: string) {
  problems.push(...(await axeProblems(page, label)));
}

describe('a dossier is approved and returned with its result', { shuffle: false }, () => {
  test('the clerk receives a dossier and hands it over; the expert hands it to the director', async () => {
    await login(page, CLERK, PASSWORD);
    await page.goto(`${e2e.baseUrl}/tiepnhan/tiep-nhan`);
    await chooseProcedureAndTickAll(page, PROCEDURE);
    await page.getByRole('radio', { name: 'Trực tiếp' }).check();
    await field(page, 'Họ tên').fill('Đoàn Thị Kết Quả');
    await field(page, 'Số điện thoại').fill('0912345670');
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so\/[0-9a-f-]{36}\?tb=received$/);
    dossierUrl = page.url().replace(/\?.*$/, '');
    // Kết quả of the procedure is stated from the start; only the processing and approval steps record it.
    await eventually(textOf(section())).toContain('Kết quả của thủ tục: Giấy phép bán lẻ sản phẩm rượu');
    await eventually(countOf(page.locator('form#record-result'))).toBe(0);
    await submitAction('handover', 'Chuyển bước tiếp theo');
    await eventually(textOf(statusLine())).toBe('Đang xử lý (mã 4)');
    await logout(page);
    await login(page, EXPERT, PASSWORD);
    await openDossier();
    await submitAction('handover', 'Chuyển bước tiếp theo');
    await eventually(countOf(actionForm('handover'))).toBe(0);
    await logout(page);
  });

  test('Phê duyệt without a recorded result is refused, the message at the result section', async () => {
    await login(page, DIRECTOR, PASSWORD);
    await openDossier();
    await submitAction('approve', 'Phê duyệt');
    await eventually(textOf(page.getByRole('alert'))).toContain('Chưa ghi nhận kết quả giải quyết');
    await eventually(textOf(section().locator('#err-result'))).toMatch(/^Chưa ghi nhận kết quả giải quyết \(Giấy phép bán lẻ/);
    await eventually(textOf(statusLine())).toBe('Đang xử lý (mã 4)');
    await audit('the dossier page refusing Phê duyệt');
  });

  test('an empty file is refused next to the file input, naming it', async () => {
    const input = page.getByLabel(/^Đính kèm kết quả/);
    await input.setInputFiles({ name: 'ban-ky-rong.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(0) });
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Đính kèm', exact: true }).click()]);
    const message = section().locator('#err-file');
    await eventually(textOf(message)).toBe('Tệp “ban-ky-rong.pdf” rỗng (0 byte). Vui lòng chọn lại tệp.');
    await eventually(attrOf(page.getByLabel(/^Đính kèm kết quả/), 'aria-invalid')).toBe('true');
    await eventually(attrOf(page.getByLabel(/^Đính kèm kết quả/), 'aria-describedby')).toBe('err-file');
    // Shown right under the input, inside the same form; not repeated below the action boxes.
    const sameForm = await message.evaluate((el) => el.closest('form')?.querySelector('input[type=file]')?.id ?? null);
    expect(sameForm).toBe('result-file');
    await eventually(countOf(page.locator('.field-error'))).toBe(1);
    await audit('the dossier page refusing an empty file');
  });

  test('with the licence attached and recorded, Phê duyệt goes through and the result is frozen', async () => {
    await recordResultOnPage(page, { number: '27/GP-SCT', summary: 'Cấp Giấy phép bán lẻ sản phẩm rượu', file: LICENCE });
    await eventually(textOf(page.locator('#result-record'))).toContain('chờ phê duyệt');
    await submitAction('approve', 'Phê duyệt', (f) => f.getByLabel('Ghi chú').fill('Đồng ý cấp phép.'));
    await eventually(textOf(statusLine())).toBe('Đã xử lý xong (mã 9)');
    await eventually(textOf(page.locator('#result-record'))).toContain('Đã phê duyệt lúc');
    await eventually(countOf(page.locator('form#record-result'))).toBe(0);
    await audit('the dossier page after Phê duyệt');
    await logout(page);
  });

  test('the clerk returns the approved result', async () => {
    await login(page, CLERK, PASSWORD);
    await openDossier();
    await eventually(textOf(page.locator('#result-record'))).toContain('27/GP-SCT');
    await submitAction('return_result', 'Trả kết quả', async (f) => {
      await f.getByLabel('Hình thức trả kết quả').selectOption('1');
    });
    await eventually(textOf(statusLine())).toBe('Đã trả kết quả (mã 10)');
    await eventually(countOf(page.locator('#result-files').getByRole('link', { name: LICENCE.name, exact: true }))).toBe(1);
    await audit('the returned dossier');
    await logout(page);
  });

  test('axe found no serious or critical problem on the pages visited', () => {
    expect(problems).toEqual([]);
  });

  test('the browser reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
