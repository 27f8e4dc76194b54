/**
 * WCAG 2.1 AA on the citizens' portal: axe-core (tags wcag2a, wcag2aa, wcag21a, wcag21aa) runs in the browser on
 * every portal page, anonymous and logged in with VNeID, and no serious or critical violation may remain; the
 * submission form is used with the keyboard alone — Tab from the top reaches every field and Nộp hồ sơ in document
 * order, each with a visible focus style.
 *
 * axe is added to every document of the context as an init script: the pages' strict CSP (script-src 'self')
 * refuses an injected <script>, an init script runs before the page's own and is not subject to it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { SimPerson } from '../../sim/population-types.js';
import { ROOT, attrOf, errorSummaryFocused, eventually, isVisible, loginCitizenWithVneid, textOf, urlOf, useE2E } from './support.js';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING = new Set(['serious', 'critical']);

const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const PERSON = POPULATION.find((p) => p.role === 'citizen' && p.loaiTaiKhoan === 1 && p.soDienThoai);
if (!PERSON) throw new Error('the simulator has no citizen with a phone');
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
/** A dossier that is not hers (nobody's): the portal answers 404, as for another citizen's. */
const NOT_HERS = '/ca-nhan/ho-so/00000000-0000-4000-8000-000000000001';

const e2e = useE2E();
let page: Page;
beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_PATH });
});

type Found = { id: string; impact: string; help: string; targets: string[] };

/** axe on the page as it is now: the serious and critical violations, one line each (rule, page, selectors). */
async function audit(label: string): Promise<string[]> {
  await page.waitForLoadState('load');
  const found = await page.evaluate(async (tags) => {
    type AxeNode = { target: unknown[] };
    type AxeResult = { id: string; impact?: string | null; help: string; nodes: AxeNode[] };
    type Axe = { run: (ctx: Document, opts: object) => Promise<{ violations: AxeResult[] }> };
    const axe = (window as unknown as { axe?: Axe }).axe;
    if (!axe) throw new Error('axe-core is not on the page');
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? '',
      help: v.help,
      targets: v.nodes.map((n) => n.target.map(String).join(' ')),
    }));
  }, TAGS);
  const where = `${label} (${new URL(page.url()).pathname}${new URL(page.url()).search})`;
  return (found as Found[])
    .filter((v) => BLOCKING.has(v.impact))
    .map((v) => `${v.id} [${v.impact}] on ${where}: ${v.help} — ${v.targets.slice(0, 8).join(' | ')}`);
}

/** Open each address and audit it; every problem of every page is reported at once. */
async function auditPages(pages: Array<[label: string, url: string]>) {
  const problems: string[] = [];
  for (const [label, url] of pages) {
    await page.goto(url);
    problems.push(...(await audit(label)));
  }
  return problems;
}

const report = (problems: string[]) => expect(problems, `axe found serious or critical violations:\n${problems.join('\n')}`).toEqual([]);

const pdfFile = (name: string, text: string) => ({
  name,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
});

/** The procedure's page on the catalog, found by its name. */
async function procedurePath(): Promise<string> {
  await page.goto(`/thu-tuc?q=${encodeURIComponent('giay phep ban le san pham ruou')}`);
  const href = await page.getByRole('link', { name: PROCEDURE, exact: true }).first().getAttribute('href');
  expect(href).toMatch(/^\/thu-tuc\/[0-9a-f-]{36}$/);
  return href ?? '';
}

/** The public pages, as anyone sees them (the header differs for a logged-in citizen). */
const publicPages = (procedure: string): Array<[string, string]> => [
  ['Trang chủ', '/'],
  ['Tra cứu hồ sơ', '/tra-cuu'],
  ['Tra cứu hồ sơ, không tìm thấy', '/tra-cuu?ma=000.00.13.H10-261123-9999&matracuu=KHONGCO'],
  ['Danh sách thủ tục', '/thu-tuc'],
  ['Tìm thủ tục', `/thu-tuc?q=${encodeURIComponent('giay phep')}`],
  ['Tìm thủ tục, không có kết quả', `/thu-tuc?q=${encodeURIComponent('khong co thu tuc nay')}`],
  ['Danh sách thủ tục, tham số sai', '/thu-tuc?sectorId=khong-hop-le&onlineLevel=x'],
  ['Một thủ tục', procedure],
  ['Trang không tồn tại (404)', '/trang-khong-ton-tai'],
];

let procedure = '';
let dossierPath = '';

describe('the portal meets WCAG 2.1 AA (axe-core)', { shuffle: false }, () => {
  test('anonymous: home, Đăng nhập, Tra cứu, the catalog, a procedure, the 404 page', async () => {
    procedure = await procedurePath();
    report(
      await auditPages([
        ...publicPages(procedure),
        ['Đăng nhập', '/dang-nhap'],
        // A cancelled VNeID login: the callback sends the browser on to the clean error page (/dang-nhap/loi).
        ['Đăng nhập không thành công', '/dang-nhap/vneid/callback?error=access_denied&state=x'],
      ]),
    );
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/dang-nhap/loi');
  });

  test('logged in with VNeID: TRANG CÁ NHÂN and the public pages', async () => {
    await loginCitizenWithVneid(page, e2e.simUrl, PERSON);
    report(await auditPages([['Trang cá nhân', '/ca-nhan'], ['Hồ sơ không phải của mình (404)', NOT_HERS], ...publicPages(procedure)]));
  });

  test('Quản lý tập tin cá nhân: empty, with a file, its rename and delete pages', async () => {
    const problems = await auditPages([['Tập tin cá nhân, trống', '/ca-nhan/tap-tin']]);
    await page.locator('input[type=file]#file').setInputFiles(pdfFile('giay-chung-nhan.pdf', 'giấy chứng nhận'));
    await page.getByRole('button', { name: 'Tải lên', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/tap-tin\?tb=tai-len$/);
    problems.push(...(await audit('Tập tin cá nhân, có tệp')));
    const rename = await page.getByRole('link', { name: 'Đổi tên giay-chung-nhan.pdf' }).getAttribute('href');
    const remove = await page.getByRole('link', { name: 'Xóa giay-chung-nhan.pdf' }).getAttribute('href');
    expect(rename).toMatch(/\/doi-ten$/);
    expect(remove).toMatch(/\/xoa$/);
    problems.push(
      ...(await auditPages([
        ['Đổi tên tệp', rename ?? ''],
        ['Xóa tệp', remove ?? ''],
      ])),
    );
    report(problems);
  });

  test('Nộp hồ sơ: the choice, the form, the form with errors; then the dossier and Hồ sơ đã nộp', async () => {
    const problems = await auditPages([
      ['Nộp hồ sơ, chọn thủ tục', '/ca-nhan/nop-ho-so'],
      ['Nộp hồ sơ, đơn vị không có thủ tục', '/ca-nhan/nop-ho-so?donvi=00000000-0000-0000-0000-000000000000'],
    ]);
    await page.goto(procedure);
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Nộp hồ sơ trực tuyến' }))).toBe(true);
    problems.push(...(await audit('Nộp hồ sơ, biểu mẫu')));

    // Submitted empty: the form again with its messages.
    await page.getByLabel('Số điện thoại', { exact: true }).fill('');
    await page.getByLabel('Địa chỉ liên hệ').fill('');
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(textOf(page.locator('main'))).toContain('Hồ sơ chưa nộp được');
    problems.push(...(await audit('Nộp hồ sơ, biểu mẫu có lỗi')));

    await page.getByLabel('Số điện thoại', { exact: true }).fill('0912345678');
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 5 đường Thử Nghiệm, phường Tân Phú');
    await page.locator('#doc0').setInputFiles(pdfFile('don-de-nghi.pdf', 'đơn'));
    await page.locator('#pick1').selectOption({ label: 'giay-chung-nhan.pdf' });
    await page.locator('#doc2').setInputFiles(pdfFile('hop-dong-thue.pdf', 'hợp đồng'));
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/ho-so\/[0-9a-f-]{36}\?tb=da-nop$/);
    dossierPath = new URL(page.url()).pathname;
    problems.push(...(await audit('Hồ sơ vừa nộp')));
    problems.push(
      ...(await auditPages([
        ['Hồ sơ', dossierPath],
        ['Hồ sơ đã nộp', '/ca-nhan/ho-so?loai=da-nop'],
        ['Trang cá nhân, có hồ sơ', '/ca-nhan'],
        ['Dữ liệu của tôi', '/ca-nhan/du-lieu'],
      ])),
    );
    report(problems);
  });

  test('Thanh toán lệ phí: the return page after cancelling on the payment platform', async () => {
    await page.goto(dossierPath);
    // The page's form posts to /ca-nhan/ho-so/<id>/thanh-toan, which answers 303 to the payment platform; the
    // strict CSP's form-action 'self' stops Chromium from following a form's redirect to another origin, so the
    // same post is made with the browser's cookies and the browser is sent to where it answers.
    const pay = page.locator(`form[action="${dossierPath}/thanh-toan"]`);
    await eventually(isVisible(pay.getByRole('button', { name: 'Thanh toán lệ phí trực tuyến' }))).toBe(true);
    const csrf = await pay.locator('input[name="_csrf"]').inputValue();
    const started = await page.request.post(`${dossierPath}/thanh-toan`, {
      form: { _csrf: csrf },
      headers: { Origin: e2e.baseUrl },
      maxRedirects: 0,
    });
    expect(started.status()).toBe(303);
    const platform = started.headers().location ?? '';
    expect(platform.startsWith(`${e2e.simUrl}/sim-payment/pay?`)).toBe(true);
    await page.goto(platform);
    await page.getByRole('button', { name: 'Hủy giao dịch' }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/thanh-toan\/[0-9a-f-]{36}\/ket-qua/);
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Thanh toán chưa hoàn tất' }))).toBe(true);
    report(await audit('Kết quả thanh toán'));
  });

  test('the submission form with the keyboard: Tab reaches every field and Nộp hồ sơ in order, focus visible', async () => {
    await page.goto(`${procedure}`);
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
    const form = page.locator('form[action^="/ca-nhan/nop-ho-so?"][method="post"]');
    await form.waitFor();
    // The form's controls a keyboard must reach, in document order.
    const expected = await form.evaluate((f) =>
      [...f.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea')]
        .filter(
          (el) =>
            !(el instanceof HTMLInputElement && el.type === 'hidden') &&
            !el.hasAttribute('disabled') &&
            el.tabIndex >= 0 &&
            // Shown: Nộp thay's fields appear only once its box is ticked.
            el.getClientRects().length > 0,
        )
        .map((el, i) => {
          el.dataset.kbd = String(i);
          return el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}: ${el.textContent?.trim() || el.getAttribute('name')}`;
        }),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(expected.at(-1)).toBe('button: Nộp hồ sơ');

    // From the top of the page: focus nothing, then Tab until Nộp hồ sơ has the focus.
    await page.evaluate(() => {
      (document.activeElement as HTMLElement | null)?.blur();
      window.scrollTo(0, 0);
    });
    const reached: string[] = [];
    const unstyled: string[] = [];
    const order: string[] = [];
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const el = document.activeElement;
        if (!(el instanceof HTMLElement) || el === document.body) return null;
        const s = getComputedStyle(el);
        const outline = s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) >= 2;
        const shadow = s.boxShadow !== 'none';
        return {
          kbd: el.dataset.kbd ?? null,
          name: el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}: ${el.textContent?.trim() || el.getAttribute('name')}`,
          visible: (outline || shadow) && el.matches(':focus-visible'),
        };
      });
      if (!focused) continue;
      order.push(focused.name);
      if (!focused.visible) unstyled.push(focused.name);
      if (focused.kbd !== null) reached.push(focused.name);
      if (focused.name === 'button: Nộp hồ sơ') break;
    }
    expect(order[0], 'the first Tab stop').toBe('a: Bỏ qua đến nội dung chính');
    expect(reached, 'the form controls in the order Tab reached them').toEqual(expected);
    expect(unstyled, 'focused without a visible focus style').toEqual([]);
    await page.screenshot({ path: e2e.screenshotPath('a11y-focus-submit.png') });
  });

  test('on a 390 px phone the audited pages fit the screen and stay clean', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const pages: Array<[string, string]> = [
      ['Trang cá nhân (390 px)', '/ca-nhan'],
      ['Danh sách thủ tục (390 px)', '/thu-tuc'],
      ['Nộp hồ sơ, chọn thủ tục (390 px)', '/ca-nhan/nop-ho-so'],
      ['Hồ sơ (390 px)', dossierPath],
      ['Tập tin cá nhân (390 px)', '/ca-nhan/tap-tin'],
      ['Dữ liệu của tôi (390 px)', '/ca-nhan/du-lieu'],
      ['Trang không tồn tại (390 px)', '/trang-khong-ton-tai'],
      ['Nộp hồ sơ, biểu mẫu (390 px)', `/ca-nhan/nop-ho-so?thutuc=${procedure.split('/').at(-1)}`],
    ];
    const problems: string[] = [];
    for (const [label, url] of pages) {
      await page.goto(url);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) problems.push(`${label}: ${overflow}px wider than the screen`);
      problems.push(...(await audit(label)));
    }
    await page.screenshot({ path: e2e.screenshotPath('a11y-phone-submission-form.png'), fullPage: true });
    report(problems);
    expect(e2e.browserErrors).toEqual([]);
  });

  test('on a touch phone (360 px): finger-sized targets, nothing wider than the screen, a withdrawal only when confirmed', async () => {
    const browser = e2e.context.browser();
    if (!browser) throw new Error('the context has no browser');
    const phone = await browser.newContext({
      baseURL: e2e.baseUrl,
      locale: 'vi-VN',
      viewport: { width: 360, height: 740 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await phone.addCookies(await e2e.context.cookies());
    const p = await phone.newPage();
    try {
      const problems: string[] = [];
      for (const url of [
        '/ca-nhan',
        '/ca-nhan/ho-so?loai=da-nop',
        '/ca-nhan/thong-bao/cai-dat',
        '/ca-nhan/nop-ho-so',
        `/ca-nhan/nop-ho-so?thutuc=${procedure.split('/').at(-1)}`,
        dossierPath,
        NOT_HERS,
      ]) {
        await p.goto(url);
        const found = await p.evaluate(() => {
          const out: string[] = [];
          const over = document.documentElement.scrollWidth - document.documentElement.clientWidth;
          if (over > 0) out.push(`${over}px wider than the screen`);
          const shown = (el: HTMLElement) => el.getClientRects().length > 0;
          for (const a of document.querySelectorAll<HTMLElement>('main li > a:first-child, main p > a:only-child')) {
            const h = a.getBoundingClientRect().height;
            if (shown(a) && h < 40) out.push(`the link "${a.textContent?.trim()}" is ${h.toFixed(0)}px tall`);
          }
          // Fields, lists and buttons a fingertip (44 px) tall: they were 40–41 px.
          const controls =
            'main input:not([type=checkbox]):not([type=radio]):not([type=hidden]), main select, main button:not(.linklike), main a.button';
          for (const el of document.querySelectorAll<HTMLElement>(controls)) {
            const h = el.getBoundingClientRect().height;
            if (shown(el) && h < 44)
              out.push(
                `${el.tagName.toLowerCase()} "${(el.getAttribute('name') ?? el.textContent ?? '').trim()}" is ${h.toFixed(0)}px tall`,
              );
          }
          for (const box of document.querySelectorAll<HTMLInputElement>('main input[type=checkbox], main input[type=radio]')) {
            if (!shown(box)) continue;
            const r = box.getBoundingClientRect();
            if (r.width < 20 || r.height < 20) out.push(`${box.name} is ${r.width.toFixed(0)}×${r.height.toFixed(0)}px`);
            const row = box.closest('label')?.getBoundingClientRect().height ?? 0;
            if (row < 40) out.push(`the label of ${box.name} is ${row.toFixed(0)}px tall`);
          }
          return out;
        });
        problems.push(...found.map((f) => `${url}: ${f}`));
      }
      expect(problems, problems.join('\n')).toEqual([]);
      // The header leaves the screen to the page: it was 269 px of 740 with the menu in one column.
      await p.goto('/ca-nhan');
      const header = (await p.locator('header.top').boundingBox())?.height ?? Number.POSITIVE_INFINITY;
      expect(header).toBeLessThanOrEqual(200);

      // A refusal keeps the portal around it: her header, menu and name, a way home; no code to read on a 404.
      expect((await p.goto(NOT_HERS))?.status()).toBe(404);
      await eventually(attrOf(p.getByRole('alert'), 'data-error-code')).toBe('not_found');
      expect(await isVisible(p.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'TRANG CÁ NHÂN' }))()).toBe(true);
      expect(await isVisible(p.getByRole('button', { name: `Đăng xuất (${PERSON.hoVaTen})` }))()).toBe(true);
      expect(await p.getByRole('link', { name: 'Về trang chủ' }).getAttribute('href')).toBe('/ca-nhan');
      expect(await textOf(p.locator('main'))()).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-|Mã tham chiếu|cung cấp mã/i);
      await p.screenshot({ path: e2e.screenshotPath('phone-error-404.png'), fullPage: true });

      // Nộp thay's seven fields take a screen: shown only once the citizen says they submit for someone else.
      await p.goto(`/ca-nhan/nop-ho-so?thutuc=${procedure.split('/').at(-1)}`);
      expect(await p.locator('#principalName').isVisible()).toBe(false);
      await p.getByText('Tôi nộp hồ sơ thay cho người khác').tap();
      await eventually(isVisible(p.locator('#principalName'))).toBe(true);

      // Rút hồ sơ cannot be undone: a tap on the button alone withdraws nothing and says why beside the box.
      await p.goto(dossierPath);
      const status = await textOf(p.locator('#dossier-status'))();
      await p.locator('#ly-do').fill('Nộp nhầm');
      await p.getByRole('button', { name: 'Rút hồ sơ', exact: true }).click();
      await eventually(textOf(p.locator('#err-confirm'))).toBe('Vui lòng đánh dấu ô xác nhận nếu bạn muốn rút hồ sơ.');
      // The summary at the top, which links to the box, has the focus: announced, and on the phone's screen.
      await eventually(errorSummaryFocused(p)).toBe(true);
      expect(await p.locator('[data-error-summary] a[href="#err-confirm"]').count()).toBe(1);
      expect(await textOf(p.locator('#dossier-status'))()).toBe(status);
      expect(await p.locator('#ly-do').inputValue()).toBe('Nộp nhầm');
      await p.screenshot({ path: e2e.screenshotPath('phone-withdraw-unconfirmed.png'), fullPage: true });

      // Nộp hồ sơ on a slow connection: a second tap while the photos are on their way sends nothing more (each tap
      // restarted the whole upload) and the page says it is sending.
      await p.goto(`/ca-nhan/nop-ho-so?thutuc=${procedure.split('/').at(-1)}`);
      const posts: string[] = [];
      p.on('request', (r) => {
        if (r.method() === 'POST') posts.push(r.url());
      });
      // The post is held (a slow connection) until the second tap has been tried.
      let release = () => {};
      const held = new Promise<void>((r) => {
        release = r;
      });
      await p.route(
        (url) => url.pathname === '/ca-nhan/nop-ho-so',
        async (route) => {
          if (route.request().method() === 'POST') await held;
          await route.continue();
        },
      );
      await p.locator('#doc0').setInputFiles(pdfFile('don-de-nghi.pdf', 'đơn'));
      const send = p.getByRole('button', { name: 'Nộp hồ sơ', exact: true });
      await send.scrollIntoViewIfNeeded();
      const box = await send.boundingBox();
      if (!box) throw new Error('Nộp hồ sơ is not on the screen');
      // "Đang gửi…" waits hidden until the form is sent.
      expect(await p.getByText('Đang gửi hồ sơ và các tệp, vui lòng chờ').isVisible()).toBe(false);
      // While the post is held the page cannot be read (Chromium holds its renderer), but it can be tapped again.
      await p.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
      await new Promise((r) => setTimeout(r, 300));
      await p.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
      await new Promise((r) => setTimeout(r, 300));
      release();
      await eventually(textOf(p.locator('main'))).toContain('Hồ sơ chưa nộp được');
      expect(posts).toHaveLength(1);
      // Back on the form (a refusal here: the draft lacks documents), its buttons work again.
      expect(await p.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).isDisabled()).toBe(false);
    } finally {
      await phone.close();
    }
  });
});
