/**
 * End to end (issue 12 item 11): every officials' page a person reaches from the menus, as the demo officials who
 * see them — the reception clerk, a processing official, a leader, a unit administrator and the province
 * administrator (src/demo/officials.ts) — at a desktop width (1280 px) and a phone's (390 px). On each page axe-core
 * finds no serious or critical violation (WCAG 2.1 AA), nothing is wider than the phone's window, and a radio button
 * keeps its own size (a label beside it, not pushed away). Screenshots of both widths go to the file's screenshots/.
 *
 * The pages are found as a person finds them: from CÁ NHÂN, every link of the page to an officials' page, and
 * theirs in turn (menus, tabs, sub-menus, a dossier of the list, a row's page). A link is visited once per kind of
 * page — the path with its ids replaced, and the query's names with short words kept (the inbox's tabs) — and the
 * crawl asserts it met the screens the issue names. Downloads (PDF, spreadsheets) are not pages and are left out.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  AXE_SCRIPT,
  attrOf,
  axeProblems,
  eventually,
  field,
  isVisible,
  logout,
  textOf,
  urlOf,
  useE2E,
  demoOfficial,
  loginOfficial,
  type Who,
} from './support.js';

/** A demo official and how the problems found name them. */
type Crawler = Who & { label: string };
const official = (pred: Parameters<typeof demoOfficial>[0], label: string): Crawler => ({ ...demoOfficial(pred, label), label });
const CLERK = official((o) => o.unitKey === 'sct-vp' && o.roles.some((r) => r.role === 'reception'), 'reception clerk');
const PROCESSOR = official((o) => o.unitKey === 'sct-qlcn' && o.position === 'Chuyên viên', 'processing official');
const LEADER = official((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc', 'leader');
const UNIT_ADMIN = official((o) => o.username === 'admin.sct', 'unit administrator');
const PROVINCE_ADMIN = official((o) => o.username === 'quantri1', 'province administrator');

const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
/** A made-up applicant (070 Bình Phước, then sex/century, year, six digits). */
const APPLICANT = { fullName: 'Trịnh Văn Khải', cccd: '070088425163', phone: '0967234518', address: 'Số 12 đường Phú Riềng Đỏ, Đồng Xoài' };

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
/**
 * The officials' header at 768 × 1024 and 1024 × 768, at most: measured 86 px with the menu on one row (the
 * province administrator's at 768 px was 222 px before, a clerk's 137 px), about 120 px should the menu wrap once.
 */
const TABLET_HEADER_MAX = 160;
/** More kinds of page than the whole application has today: a bound on the crawl, not a target. */
const MAX_PAGES_PER_OFFICIAL = 80;

const e2e = useE2E();
let page: Page;

/** Pages already checked: an administration page once, any other once per official. */
const checked = new Set<string>();
/** Every kind of page reached, by whom. */
const reached = new Map<string, string>();

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The kind of page a URL shows: ids in the path as :id; the query's names, with a value kept when it is a short word. */
function kindOf(url: URL): string {
  const path = url.pathname.replace(UUID, ':id').replace(/\/\d+(?=\/|$)/g, '/:n');
  const query = [...new Set(url.searchParams.keys())].sort().map((k) => {
    const v = url.searchParams.get(k) ?? '';
    return /^[a-z][a-z-]{0,24}$/.test(v) ? `${k}=${v}` : k;
  });
  return query.length ? `${path}?${query.join('&')}` : path;
}

/** Not a page to check: leaving the officials' site, logging out, a download. */
function skipped(url: URL): boolean {
  if (url.origin !== new URL(e2e.baseUrl).origin || !url.pathname.startsWith('/tiepnhan')) return true;
  if (/\/(dang-xuat|dang-nhap)(\/|$)/.test(url.pathname)) return true;
  return /\.(pdf|xlsx|csv|zip)$/.test(url.pathname) || /\/tep\//.test(url.pathname);
}

/** The officials' links on the page now, as absolute URLs without their fragment. */
async function linksOnPage(): Promise<URL[]> {
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  return hrefs
    .map((h) => {
      const u = new URL(h);
      u.hash = '';
      return u;
    })
    .filter((u) => !skipped(u));
}

/** What is wrong with the page now at the current width: axe, overflow at the phone's width, stretched radios. */
async function problemsHere(label: string, width: number): Promise<string[]> {
  const out = await axeProblems(page, label);
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.scrollingElement?.scrollWidth ?? 0,
    innerWidth: window.innerWidth,
  }));
  if (width < 600 && scrollWidth > innerWidth + 1) out.push(`overflow on ${label}: ${scrollWidth} px wide in a ${innerWidth} px window`);
  const radios = await page
    .locator('input[type="radio"]')
    .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().width)));
  for (const w of radios) if (w > 32) out.push(`stretched radio on ${label}: ${w} px wide`);
  return out;
}

/**
 * From where the official is now, every kind of officials' page reachable by links (breadth first), each checked at
 * both widths unless someone checked it already; all problems returned together.
 */
async function crawl(who: Crawler): Promise<string[]> {
  const problems: string[] = [];
  const queue: URL[] = [new URL(page.url())];
  const seen = new Set<string>([kindOf(queue[0]!)]);
  let visited = 0;
  while (queue.length && visited < MAX_PAGES_PER_OFFICIAL) {
    const url = queue.shift()!;
    const kind = kindOf(url);
    // Downloads answer without a page: ask first, as the browser's context (its session cookie).
    const head = await e2e.context.request.get(url.href, { maxRedirects: 0 });
    if (!(head.headers()['content-type'] ?? '').startsWith('text/html') || head.status() >= 300) continue;
    visited++;
    const response = await page.goto(url.href);
    if (!response || response.status() >= 400) {
      problems.push(`${kind} answered ${response?.status()} to the ${who.label}`);
      continue;
    }
    if (!reached.has(kind)) reached.set(kind, who.label);
    // Administration looks the same to every administrator; the other pages show each official their own work.
    const key = kind.startsWith('/tiepnhan/quan-tri') ? kind : `${who.username} ${kind}`;
    if (!checked.has(key)) {
      checked.add(key);
      const label = `${kind} (${who.label})`;
      for (const w of WIDTHS) {
        await page.setViewportSize({ width: w.width, height: w.height });
        problems.push(...(await problemsHere(label, w.width)));
        const file = `${who.username}-${kind.replace(/[^a-z0-9]+/gi, '_')}-${w.width}.png`;
        await page.screenshot({ path: e2e.screenshotPath(file), fullPage: true });
      }
      await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
    }
    for (const next of await linksOnPage()) {
      const k = kindOf(next);
      if (seen.has(k)) continue;
      seen.add(k);
      queue.push(next);
    }
  }
  return problems;
}

async function crawlAs(who: Crawler) {
  await loginOfficial(page, who);
  const problems = await crawl(who);
  await page.goto('/tiepnhan');
  await logout(page);
  expect(problems, `problems on the officials' pages:\n${problems.join('\n')}`).toEqual([]);
}

const LONG = 900_000;

// One story: its steps run in order (also under --sequence.shuffle).
describe("Officials' pages: axe, 1280 px and 390 px, for every role", { shuffle: false }, () => {
  test('the login page: one background to the bottom of a tall window, accessible at both widths', async () => {
    await page.goto('/tiepnhan/dang-nhap');
    const problems: string[] = [];
    for (const w of [...WIDTHS, { name: 'tall', width: 1280, height: 2400 }]) {
      await page.setViewportSize({ width: w.width, height: w.height });
      problems.push(...(await problemsHere('/tiepnhan/dang-nhap', w.width)));
      // The body fills the window and its background is painted once, fixed to the window (no bands).
      const look = await page.evaluate(() => {
        const s = getComputedStyle(document.body);
        return {
          height: document.body.getBoundingClientRect().height,
          window: innerHeight,
          repeat: s.backgroundRepeat,
          attachment: s.backgroundAttachment,
        };
      });
      expect(look.height).toBeGreaterThanOrEqual(look.window);
      expect(look).toMatchObject({ repeat: 'no-repeat', attachment: 'fixed' });
      await page.screenshot({ path: e2e.screenshotPath(`login-${w.width}x${w.height}.png`) });
    }
    await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
    expect(problems, problems.join('\n')).toEqual([]);
  });

  test('on a tablet the header leaves the screen to the page, and its account menu still opens by keyboard', async () => {
    // The clerk at TIẾP NHẬN HỒ SƠ and the province administrator, whose main menu is the longest.
    for (const [who, path] of [
      [CLERK, '/tiepnhan/tiep-nhan'],
      [PROVINCE_ADMIN, '/tiepnhan/quan-tri/nguoi-dung'],
    ] as const) {
      await loginOfficial(page, who);
      await page.goto(path);
      for (const [width, height] of [
        [768, 1024],
        [1024, 768],
      ] as const) {
        await page.setViewportSize({ width, height });
        // It was 309 px of 1024 at 768 px: name, main menu and account menu each on rows of their own.
        const header = (await page.locator('header.top').boundingBox())?.height ?? Number.POSITIVE_INFINITY;
        expect(header, `${who.label} on ${path} at ${width}×${height}`).toBeLessThanOrEqual(TABLET_HEADER_MAX);
        await page.screenshot({ path: e2e.screenshotPath(`header-${who.username}-${width}x${height}.png`) });
      }
      // The account menu's summary, cut short on the screen, still reads the whole name and opens from the keyboard.
      const summary = page.locator('details.usermenu > summary');
      expect(await textOf(summary)()).toContain(who.fullName);
      await summary.focus();
      await page.keyboard.press('Enter');
      await eventually(attrOf(page.locator('details.usermenu'), 'open')).not.toBeNull();
      await eventually(isVisible(page.locator('details.usermenu').getByRole('link', { name: 'Thông tin tài khoản' }))).toBe(true);
      await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
      await logout(page);
    }
  });

  test('on a phone every link and button of the header, its account menu and the administration menu is at least 44 px tall', async () => {
    // The province administrator: the longest main menu, the account menu and QUẢN TRỊ HỆ THỐNG's sub-menu.
    await loginOfficial(page, PROVINCE_ADMIN);
    await page.goto('/tiepnhan/quan-tri/nguoi-dung');
    for (const [width, height] of [
      [375, 812],
      [360, 640],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.locator('details.usermenu > summary').click();
      await eventually(attrOf(page.locator('details.usermenu'), 'open')).not.toBeNull();
      const short = await page.locator('header.top a, header.top button, header.top summary, nav.adminnav a').evaluateAll((els) =>
        els
          .map((e) => ({ text: (e.textContent ?? '').trim().slice(0, 40), box: e.getBoundingClientRect() }))
          .filter((t) => t.box.width > 0 && t.box.height > 0)
          .filter((t) => t.box.height < 44)
          .map((t) => `${t.text}: ${Math.round(t.box.height)} px`),
      );
      expect(short, `tap targets under 44 px at ${width}×${height}`).toEqual([]);
      // Taller, not broken: the words sit in the middle of the target, and an unread count keeps its space after
      // "Thông báo" (a flex box drops the space between them).
      const askew = await page.locator('header.top a, header.top button, nav.adminnav a').evaluateAll((els) =>
        els.flatMap((e) => {
          const box = e.getBoundingClientRect();
          const text = [...e.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim());
          if (!text || box.height === 0) return [];
          const range = document.createRange();
          range.selectNodeContents(text);
          const words = range.getBoundingClientRect();
          const { borderTopWidth, borderBottomWidth } = getComputedStyle(e);
          // Within the borders: the current page's link is underlined by a bottom border.
          const off = Math.abs(
            words.top - box.top - Number.parseFloat(borderTopWidth) - (box.bottom - Number.parseFloat(borderBottomWidth) - words.bottom),
          );
          const badge = e.querySelector('.unread-count');
          range.setStart(text, 0);
          range.setEnd(text, (text.textContent ?? '').trimEnd().length);
          const apart = badge ? badge.getBoundingClientRect().left - range.getBoundingClientRect().right : 99;
          return off > 3 || apart < 3
            ? [`${(e.textContent ?? '').trim().slice(0, 30)}: ${Math.round(off)} px off centre, ${Math.round(apart)} px apart`]
            : [];
        }),
      );
      expect(askew, `askew targets at ${width}×${height}`).toEqual([]);
      // Seen, too: the account menu's buttons (Đăng xuất) are not the colour of the menu they sit on.
      const unseen = await page
        .locator('details.usermenu li a, details.usermenu li button')
        .evaluateAll((els) =>
          els
            .filter((e) => getComputedStyle(e).color === getComputedStyle(e.closest('ul')!).backgroundColor)
            .map((e) => (e.textContent ?? '').trim()),
        );
      expect(unseen, `invisible menu items at ${width}×${height}`).toEqual([]);
      await page.screenshot({ path: e2e.screenshotPath(`header-targets-${width}x${height}.png`) });
      await page.locator('details.usermenu > summary').click();
    }
    await page.setViewportSize({ width: WIDTHS[0].width, height: WIDTHS[0].height });
    await logout(page);
  });

  test('the reception clerk receives a dossier (so that a dossier page exists), then every page they reach', {
    timeout: LONG,
  }, async () => {
    await loginOfficial(page, CLERK);
    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);
    await page.getByLabel('Lĩnh vực dịch vụ công').selectOption({ label: SECTOR });
    await field(page, 'Thủ tục hành chính').selectOption({ label: PROCEDURE });
    await page.getByRole('button', { name: 'Chọn', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/tiep-nhan\?.*procedureId=/);
    // THÀNH PHẦN HỒ SƠ: the documents the procedure requires are received.
    const required = page.locator('label.check', { hasText: '(bắt buộc)' }).locator('input[type="checkbox"]');
    for (const box of await required.all()) await box.check();
    await page.getByRole('radio', { name: 'Trực tiếp' }).check();
    await field(page, 'Họ tên').fill(APPLICANT.fullName);
    await field(page, 'Số CMND/CCCD').fill(APPLICANT.cccd);
    await field(page, 'Số điện thoại').fill(APPLICANT.phone);
    await field(page, 'Địa chỉ').fill(APPLICANT.address);
    await page.getByRole('button', { name: 'Tiếp nhận', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/tiepnhan\/ho-so\/[0-9a-f-]{36}\?tb=received$/);
    await page.goto('/tiepnhan');
    const problems = await crawl(CLERK);
    await logout(page);
    expect(problems, `problems on the officials' pages:\n${problems.join('\n')}`).toEqual([]);
  });

  test('the processing official', { timeout: LONG }, () => crawlAs(PROCESSOR));
  test('the leader', { timeout: LONG }, () => crawlAs(LEADER));
  test('the unit administrator', { timeout: LONG }, () => crawlAs(UNIT_ADMIN));
  test('the province administrator', { timeout: LONG }, () => crawlAs(PROVINCE_ADMIN));

  test('the crawl met every screen the menus offer', () => {
    const kinds = [...reached.keys()].map((k) => k.split('?')[0]);
    for (const path of [
      '/tiepnhan',
      '/tiepnhan/ho-so',
      '/tiepnhan/ho-so/:id',
      '/tiepnhan/tiep-nhan',
      '/tiepnhan/tai-khoan',
      '/tiepnhan/doi-mat-khau',
      '/tiepnhan/uy-quyen',
      '/tiepnhan/uy-quyen/them',
      '/tiepnhan/ho-tro',
      '/tiepnhan/quan-tri/nguoi-dung',
      '/tiepnhan/quan-tri/don-vi',
      '/tiepnhan/quan-tri/thu-tuc',
      '/tiepnhan/quan-tri/lich-lam-viec',
      '/tiepnhan/quan-tri/nhat-ky',
      '/tiepnhan/quan-tri/hang-doi',
      '/tiepnhan/quan-tri/chuyen-doi-vneid',
      '/tiepnhan/quan-tri/uy-quyen',
    ])
      expect(kinds, `no page ${path} among:\n${[...reached.keys()].join('\n')}`).toContain(path);
    // The inbox's tabs: more than one of them was visited.
    expect([...reached.keys()].filter((k) => k.startsWith('/tiepnhan/ho-so?')).length).toBeGreaterThan(1);
  });
});
