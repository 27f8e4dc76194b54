/**
 * The clerk's day, end to end (issue 12, "Done when"): the reception clerk of Sở Công Thương receives three dossiers
 * at TIẾP NHẬN HỒ SƠ with the document checklist (documents ticked, originals and copies, scans); hands one to a
 * chosen official of Quản lý Thương mại and another to the department; follows them in Theo dõi as they move. The
 * official has the first one open at another desk while the head of the department hands it on to the director:
 * the official's Chuyển bước tiếp theo is answered with what happened, by whom, when, and the dossier as it is now.
 * The director records the decision (số, ngày ký, trích yếu and the signed file) and approves; the clerk returns it.
 * axe-core on every officials' page visited (no serious or critical violation); the reception form, the dossier page
 * and Theo dõi fit a 390 px phone screen (screenshots under the file's screenshots/).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { extractText } from 'unpdf';
import { formatDate, todayInVietnam } from '../../src/shared/dates.js';
import {
  AXE_SCRIPT,
  countOf,
  demoOfficial,
  eventually,
  expectAccessible,
  field,
  inputValueOf,
  isVisible,
  loginOfficial,
  logout,
  openDesk,
  receiveDirectFrom,
  recordResultOnPage,
  textOf,
  urlOf,
  useE2E,
  type Who,
} from './support.js';

// ---------------------------------------------------------------------------------------------
// Who and what (src/demo/officials.ts, src/demo/units.ts, src/demo/procedures.ts).

/** Văn phòng Sở Công Thương: reception and Trả kết quả. */
const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.givenName === 'Thủy', 'Thủy at sct-vp');
/** Quản lý Thương mại: Thẩm định (the expert) and its head, a leader of the department. */
const EXPERT = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Chuyên viên', 'Chuyên viên at sct-qltm');
const HEAD = demoOfficial((o) => o.unitKey === 'sct-qltm' && o.position === 'Trưởng phòng', 'Trưởng phòng at sct-qltm');
/** Lãnh đạo SCT: Phê duyệt. */
const DIRECTOR = demoOfficial((o) => o.unitKey === 'sct-ld' && o.position === 'Giám đốc', 'Giám đốc at sct-ld');

type DocReceived = { name: string; required: boolean; originals?: number; copies?: number; scan?: string };
type Reception = {
  procedure: string;
  time: string;
  fee: string;
  /** Every document of the procedure, in its order; those with counts are ticked as received. */
  docs: DocReceived[];
  /** Made up (070 Bình Phước, then sex/century, year, six digits). */
  applicant: { fullName: string; cccd: string; phone: string; address: string };
};

/** Three dossiers of three procedures of Sở Công Thương (2.000633, 2.000190, 2.000620). */
const RECEPTIONS: [Reception, Reception, Reception] = [
  {
    procedure: 'Cấp Giấy phép bán lẻ sản phẩm rượu',
    time: '10 ngày làm việc',
    fee: '1.200.000 đồng',
    docs: [
      {
        name: 'Đơn đề nghị cấp Giấy phép bán lẻ sản phẩm rượu',
        required: true,
        originals: 1,
        copies: 0,
        scan: 'don-de-nghi-ban-le-ruou.pdf',
      },
      { name: 'Bản sao Giấy chứng nhận đăng ký doanh nghiệp', required: true, originals: 0, copies: 2, scan: 'gcn-dkdn.pdf' },
      { name: 'Bản sao hợp đồng thuê địa điểm kinh doanh', required: true, originals: 0, copies: 1, scan: 'hop-dong-thue.pdf' },
    ],
    applicant: { fullName: 'Lương Văn Khải', cccd: '070089415263', phone: '0945217836', address: 'Số 8 đường Lê Duẩn, Đồng Xoài' },
  },
  {
    procedure: 'Cấp Giấy phép kinh doanh sản phẩm thuốc lá',
    time: '15 ngày làm việc',
    fee: '1.100.000 đồng',
    docs: [
      { name: 'Đơn đề nghị cấp Giấy phép', required: true, originals: 1, copies: 0, scan: 'don-de-nghi-thuoc-la.pdf' },
      { name: 'Bản sao Giấy chứng nhận đăng ký doanh nghiệp', required: true, originals: 0, copies: 1, scan: 'dkdn-thuoc-la.pdf' },
      // "nếu có": not brought, left unticked.
      { name: 'Hợp đồng mua bán với nhà cung cấp', required: false },
    ],
    applicant: { fullName: 'Tạ Thị Bích Ngọc', cccd: '070191637582', phone: '0983650714', address: 'Số 21 đường Nguyễn Huệ, Đồng Xoài' },
  },
  {
    procedure: 'Cấp sửa đổi, bổ sung Giấy phép bán lẻ sản phẩm rượu',
    time: '7 ngày làm việc',
    fee: '600.000 đồng',
    docs: [
      { name: 'Đơn đề nghị sửa đổi, bổ sung', required: true, originals: 1, copies: 0, scan: 'don-sua-doi.pdf' },
      // Received on paper, not scanned yet: the dossier is not digitised.
      { name: 'Bản sao Giấy phép đã được cấp', required: true, originals: 0, copies: 1 },
    ],
    applicant: { fullName: 'Hồ Minh Triết', cccd: '070201284906', phone: '0912804537', address: 'Số 3 đường Trường Chinh, Đồng Xoài' },
  },
];
const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`) });
const DECISION = { number: '41/GP-SCT', summary: 'Cấp Giấy phép bán lẻ sản phẩm rượu cho hộ kinh doanh Lương Văn Khải' };
const LICENCE = pdf('giay-phep-ban-le-ruou-41.pdf');

const e2e = useE2E();
/** The clerk's page, all day. */
let page: Page;
/** The expert's desk and the leaders' desk (the head, later the director): browser contexts of their own. */
let expertDesk: BrowserContext | null = null;
let leaderDesk: BrowserContext | null = null;
let expertPage: Page;
let leaderPage: Page;
const deskErrors: string[] = [];
/** The three dossiers received, in the order of RECEPTIONS. */
const dossiers: Array<{ id: string; code: string }> = [];

beforeAll(async () => {
  page = e2e.page;
  await e2e.context.addInitScript({ path: AXE_SCRIPT });
});
afterAll(async () => {
  await expertDesk?.close().catch(() => undefined);
  await leaderDesk?.close().catch(() => undefined);
});

async function newDesk(): Promise<[BrowserContext, Page]> {
  const [desk, p] = await openDesk(e2e);
  p.on('pageerror', (err) => deskErrors.push(`${p.url()}: ${err.message}`));
  return [desk, p];
}

// ---------------------------------------------------------------------------------------------
// Reading the pages.

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const fact = (p: Page, term: string) =>
  p.locator('dl.facts dt', { hasText: new RegExp(`^${escapeRe(term)}$`) }).locator('xpath=following-sibling::dd[1]');
const statusOf = (p: Page) => textOf(p.locator('#status'));
const assigneeOf = (p: Page) => textOf(p.locator('#assignee'));
const actionForm = (p: Page, action: string) => p.locator(`form.action-form[data-action="${action}"]`);
const dossierUrl = (i: number) => `${e2e.baseUrl}/tiepnhan/ho-so/${dossiers[i]!.id}`;
const trackingRow = (p: Page, i: number) =>
  p.locator('table#tracking tbody tr', { has: p.getByRole('link', { name: dossiers[i]!.code, exact: true }) });
const cell = (row: Locator, n: number) => textOf(row.locator('td').nth(n));
/** The history rows of one action (its label in the Thao tác column). */
const historyRows = (p: Page, action: string) =>
  p.locator('table#history tbody tr', { has: p.getByRole('cell', { name: action, exact: true }) });
const personLabel = (w: Who) => `${w.fullName} (${w.position})`;
const holderOption = (w: Who) => `${w.fullName} — ${w.position}`;
const countsText = (d: DocReceived) =>
  [d.originals ? `0${d.originals} bản chính` : '', d.copies ? `0${d.copies} bản sao` : ''].filter(Boolean).join(', ');

/** On a 390 px phone screen: nothing wider than the screen, axe again, a screenshot; then back to the desktop size. */
async function checkOnPhone(p: Page, label: string, screenshot: string) {
  const desktop = p.viewportSize() ?? { width: 1366, height: 900 };
  await p.setViewportSize({ width: 390, height: 844 });
  const overflow = await p.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && el.children.length === 0)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}: ${(el.textContent ?? '').trim().slice(0, 40)}`);
    return { scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, wide };
  });
  expect(overflow.scrollWidth, `${label} is wider than a 390 px screen: ${overflow.wide.join(' | ')}`).toBeLessThanOrEqual(
    overflow.innerWidth + 1,
  );
  await expectAccessible(p, `${label} at 390 px`);
  await p.screenshot({ path: e2e.screenshotPath(screenshot), fullPage: true });
  await p.setViewportSize(desktop);
}

// ---------------------------------------------------------------------------------------------
// Steps a person takes.

/** TIẾP NHẬN HỒ SƠ (already open): choose the procedure, see its time and fee, tick what was brought, scan, receive. */
async function receive(r: Reception, opts: { onPhone?: boolean } = {}) {
  await field(page, 'Thủ tục hành chính').selectOption({ label: r.procedure });
  await page.getByRole('button', { name: 'Chọn', exact: true }).click();
  await eventually(textOf(fact(page, 'Thời hạn giải quyết'))).toBe(r.time);
  await eventually(textOf(fact(page, 'Phí, lệ phí'))).toBe(r.fee);
  const checklist = page.getByRole('group', { name: 'THÀNH PHẦN HỒ SƠ' });
  await eventually(countOf(checklist.getByRole('checkbox'))).toBe(r.docs.length);
  await expectAccessible(page, `TIẾP NHẬN HỒ SƠ — ${r.procedure}`);
  if (opts.onPhone) await checkOnPhone(page, 'TIẾP NHẬN HỒ SƠ with the checklist', 'tiep-nhan-390.png');

  for (const d of r.docs) {
    const box = checklist.getByRole('checkbox', { name: `${d.name} (${d.required ? 'bắt buộc' : 'nếu có'})`, exact: true });
    if (d.originals === undefined) {
      expect(await box.isChecked()).toBe(false);
      continue;
    }
    await box.check();
    await checklist.getByLabel(`Số bản chính — ${d.name}`, { exact: true }).fill(String(d.originals));
    await checklist.getByLabel(`Số bản sao — ${d.name}`, { exact: true }).fill(String(d.copies ?? 0));
    if (d.scan) await checklist.getByLabel(`Bản quét (số hóa) — ${d.name}`, { exact: true }).setInputFiles(pdf(d.scan));
  }
  dossiers.push(await receiveDirectFrom(page, r.applicant));

  // The dossier page lists exactly what was received, with the counts and the scans; digitised when each has its scan.
  const received = r.docs.filter((d) => d.originals !== undefined);
  const items = page.locator('#dossier-components li');
  await eventually(countOf(items)).toBe(received.length);
  for (const [i, d] of received.entries()) {
    const scanText = d.scan ? `bản quét: ${d.scan}` : 'chưa số hóa';
    await eventually(textOf(items.nth(i))).toMatch(new RegExp(`^${escapeRe(`${d.name} — ${countsText(d)} — ${scanText}`)}`));
  }
  const digitised = received.every((d) => d.scan);
  await eventually(textOf(page.locator('#so-hoa'))).toMatch(new RegExp(`^Số hóa hồ sơ: ${digitised ? 'Đã số hóa' : 'Chưa số hóa đủ'}`));
  await eventually(textOf(fact(page, 'Người nộp'))).toBe(`${r.applicant.fullName} — ${r.applicant.phone}`);
  await eventually(statusOf(page)).toMatch(/\(mã 2\)$/);
}

/** Chuyển bước tiếp theo on the dossier open on `p`, to the official chosen (or left to the unit). */
async function handOver(p: Page, to: Who | 'unit', note: string) {
  const form = actionForm(p, 'handover');
  await eventually(isVisible(form)).toBe(true);
  const select = form.getByLabel('Người xử lý bước tiếp theo');
  if (to === 'unit') await select.selectOption({ label: 'Để đơn vị phân công' });
  else await select.selectOption({ label: holderOption(to) });
  await form.getByLabel('Ghi chú').fill(note);
  await form.getByRole('button', { name: 'Chuyển bước tiếp theo', exact: true }).click();
}

/** HỒ SƠ → Theo dõi (axe on both lists). */
async function openTracking() {
  await page.goto('/tiepnhan/ho-so');
  await expectAccessible(page, 'the clerk’s inbox');
  await page.getByRole('navigation', { name: 'Danh sách hồ sơ' }).getByRole('link', { name: 'Theo dõi', exact: true }).click();
  await eventually(urlOf(page)).toBe(`${e2e.baseUrl}/tiepnhan/theo-doi`);
  await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'THEO DÕI HỒ SƠ' }))).toBe(true);
}

// ---------------------------------------------------------------------------------------------

describe('the clerk’s day: receive, hand on, follow, a stale form, return the approved result', { shuffle: false }, () => {
  test('the clerk receives a dossier with every document, its counts and scans (the form on a phone too)', async () => {
    await loginOfficial(page, CLERK);
    await expectAccessible(page, 'the officials’ home page');
    await page.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'TIẾP NHẬN HỒ SƠ', exact: true }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);
    await receive(RECEPTIONS[0], { onPhone: true });
    await expectAccessible(page, 'the dossier page after reception');
    await checkOnPhone(page, 'the dossier page after reception', 'ho-so-tiep-nhan-390.png');
  });

  test('two more: one without the optional document, one with a document not yet scanned', async () => {
    for (const r of [RECEPTIONS[1], RECEPTIONS[2]]) {
      await page.goto('/tiepnhan/tiep-nhan');
      await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'TIẾP NHẬN HỒ SƠ' }))).toBe(true);
      await receive(r);
      await expectAccessible(page, `the dossier page of ${r.procedure}`);
    }
    expect(new Set(dossiers.map((d) => d.code)).size).toBe(3);
  });

  test('each Giấy tiếp nhận (Mẫu 01) lists exactly the documents received, with the fee and the processing time', async () => {
    for (const [i, r] of RECEPTIONS.entries()) {
      const res = await page.request.get(`${dossierUrl(i)}/mau-01.pdf`);
      expect(res.status()).toBe(200);
      const { text } = await extractText(new Uint8Array(await res.body()), { mergePages: true });
      const flat = text.replace(/\s+/g, ' ');
      for (const d of r.docs) {
        if (d.originals === undefined) expect(flat).not.toContain(d.name);
        else expect(flat).toContain(`${d.name} (${countsText(d)})`);
      }
      expect(flat).toContain(`Thời hạn giải quyết: ${r.time}`);
      expect(flat).toContain(`Phí, lệ phí: ${r.fee}`);
      expect(flat).toContain(r.applicant.cccd);
    }
  });

  test('the first goes to the expert the clerk chooses, the second to the department', async () => {
    await page.goto(dossierUrl(0));
    // Chuyển bước tiếp theo is the action the step expects: first, the others folded.
    await eventually(isVisible(actionForm(page, 'handover'))).toBe(true);
    await eventually(textOf(page.locator('details.more-actions > summary'))).toMatch(/^Thao tác khác \(\d+\)$/);
    await handOver(page, EXPERT, 'Đủ thành phần, giao chuyên viên thẩm định.');
    await eventually(urlOf(page)).toBe(`${dossierUrl(0)}?tb=done`);
    await eventually(assigneeOf(page)).toBe(`Giao cho ${personLabel(EXPERT)}`);
    await eventually(textOf(fact(page, 'Bước hiện tại'))).toMatch(/^2\/4: /);
    await expectAccessible(page, 'the dossier page handed to a person');
    await checkOnPhone(page, 'the dossier page handed to a person', 'ho-so-giao-390.png');

    await page.goto(dossierUrl(1));
    await eventually(inputValueOf(actionForm(page, 'handover').getByLabel('Người xử lý bước tiếp theo'))).toBe('');
    await handOver(page, 'unit', 'Đủ thành phần, chuyển phòng Quản lý Thương mại.');
    await eventually(urlOf(page)).toBe(`${dossierUrl(1)}?tb=done`);
    await eventually(assigneeOf(page)).toBe('Đơn vị phân công');
    await expectAccessible(page, 'the dossier page handed to the department');
  });

  test('Theo dõi: two at Quản lý Thương mại, the third still at the counter (on a phone too)', async () => {
    await openTracking();
    for (const i of [0, 1]) await eventually(cell(trackingRow(page, i), 6)).toContain('Quản lý Thương mại — Cán bộ xử lý');
    await eventually(cell(trackingRow(page, 2), 6)).toContain('Văn phòng Sở Công Thương — Cán bộ tiếp nhận');
    // Who holds it: the expert chosen for the first, the department's pool for the second.
    await eventually(cell(trackingRow(page, 0), 6)).toMatch(new RegExp(`Giao cho: ${EXPERT.fullName}$`));
    await eventually(cell(trackingRow(page, 1), 6)).not.toContain('Giao cho');
    for (const [i, r] of RECEPTIONS.entries()) {
      await eventually(cell(trackingRow(page, i), 1)).toBe(r.procedure);
      await eventually(cell(trackingRow(page, i), 2)).toBe(r.applicant.fullName);
    }
    await expectAccessible(page, 'Theo dõi');
    await checkOnPhone(page, 'Theo dõi', 'theo-doi-390.png');
    await page.getByRole('navigation', { name: 'Danh sách hồ sơ' }).getByRole('link', { name: 'Hồ sơ đã tiếp nhận', exact: true }).click();
    for (const i of [0, 1, 2]) await eventually(countOf(trackingRow(page, i))).toBe(1);
    await expectAccessible(page, 'Hồ sơ đã tiếp nhận');
  });

  test('the expert opens it from Giao cho tôi; meanwhile the head hands it to the director from another desk', async () => {
    [expertDesk, expertPage] = await newDesk();
    await loginOfficial(expertPage, EXPERT);
    await expertPage.goto('/tiepnhan/ho-so');
    const mine = expertPage.getByRole('region', { name: /^Giao cho tôi \(\d+\)$/ });
    await eventually(isVisible(mine)).toBe(true);
    await expectAccessible(expertPage, 'the expert’s inbox');
    await mine.getByRole('link', { name: dossiers[0]!.code, exact: true }).click();
    await eventually(urlOf(expertPage)).toBe(dossierUrl(0));
    await eventually(assigneeOf(expertPage)).toBe(`Giao cho ${personLabel(EXPERT)} Giao cho tôi`);
    await expectAccessible(expertPage, 'the dossier page of the expert');

    [leaderDesk, leaderPage] = await newDesk();
    await loginOfficial(leaderPage, HEAD);
    await leaderPage.goto(dossierUrl(0));
    // The approval step's leader is proposed; the head names the director.
    await handOver(leaderPage, DIRECTOR, 'Đủ điều kiện cấp phép, trình Giám đốc Sở.');
    await eventually(urlOf(leaderPage)).toBe(`${dossierUrl(0)}?tb=done`);
    await eventually(assigneeOf(leaderPage)).toBe(`Giao cho ${personLabel(DIRECTOR)}`);
    await expectAccessible(leaderPage, 'the dossier page of the head');
    await logout(leaderPage);
    await expectAccessible(leaderPage, 'the login page after Đăng xuất');
  });

  test('the expert’s Chuyển bước tiếp theo, on the page opened before, says what happened, by whom, when, and where it is now', async () => {
    // The expert's page still shows the dossier at Thẩm định, assigned to them.
    await eventually(textOf(fact(expertPage, 'Bước hiện tại'))).toMatch(/^2\/4: /);
    await handOver(expertPage, 'unit', 'Đã thẩm định xong.');
    const alert = expertPage.getByRole('alert');
    await eventually(textOf(alert)).toContain(`Hồ sơ đã được ${personLabel(HEAD)} chuyển sang bước 3/4: Phê duyệt lúc `);
    await eventually(textOf(alert)).toContain('Hiện tại: Đang xử lý (mã 4), bước 3/4: Phê duyệt.');
    await eventually(textOf(alert)).toContain('Thao tác của bạn chưa được thực hiện');
    // When: the minute of the head's row in the history shown below.
    const headRow = historyRows(expertPage, 'Chuyển bước tiếp theo').filter({ hasText: HEAD.fullName });
    await eventually(countOf(headRow)).toBe(1);
    const at = (await cell(headRow, 0)()).slice(0, 16);
    expect(at).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    await eventually(textOf(alert)).toContain(`lúc ${at}, sau khi bạn mở trang`);
    // The page shows the dossier as it is now, and the expert's hand-over did not happen.
    await eventually(textOf(fact(expertPage, 'Bước hiện tại'))).toMatch(/^3\/4: Phê duyệt/);
    await eventually(assigneeOf(expertPage)).toBe(`Giao cho ${personLabel(DIRECTOR)}`);
    await eventually(countOf(historyRows(expertPage, 'Chuyển bước tiếp theo'))).toBe(2);
    await eventually(countOf(expertPage.locator('table#history tbody tr', { hasText: 'Đã thẩm định xong.' }))).toBe(0);
    await eventually(countOf(actionForm(expertPage, 'handover'))).toBe(0);
    await expectAccessible(expertPage, 'the dossier page answering a stale form');
  });

  test('Theo dõi follows the first to Lãnh đạo SCT; the second is still at Quản lý Thương mại', async () => {
    await openTracking();
    await eventually(cell(trackingRow(page, 0), 6)).toContain('Lãnh đạo SCT — Lãnh đạo (phê duyệt)');
    await eventually(cell(trackingRow(page, 0), 6)).toMatch(new RegExp(`Giao cho: ${DIRECTOR.fullName}$`));
    await eventually(cell(trackingRow(page, 1), 6)).toContain('Quản lý Thương mại — Cán bộ xử lý');
    await expectAccessible(page, 'Theo dõi after the hand-over');
  });

  test('the director records the decision with its signed file and approves', async () => {
    await loginOfficial(leaderPage, DIRECTOR);
    await leaderPage.goto('/tiepnhan/ho-so');
    const mine = leaderPage.getByRole('region', { name: /^Giao cho tôi \(\d+\)$/ });
    await eventually(isVisible(mine)).toBe(true);
    await expectAccessible(leaderPage, 'the director’s inbox');
    await mine.getByRole('link', { name: dossiers[0]!.code, exact: true }).click();
    await eventually(urlOf(leaderPage)).toBe(dossierUrl(0));
    await recordResultOnPage(leaderPage, { ...DECISION, file: LICENCE });
    const record = textOf(leaderPage.locator('#result-record'));
    await eventually(record).toContain(DECISION.summary);
    await eventually(record).toContain(formatDate(todayInVietnam()));
    await eventually(record).toContain('chờ phê duyệt');
    await expectAccessible(leaderPage, 'the dossier page with the recorded result');
    const approve = actionForm(leaderPage, 'approve');
    await eventually(isVisible(approve)).toBe(true);
    await approve.getByLabel('Ghi chú').fill('Đồng ý cấp phép.');
    await approve.getByRole('button', { name: 'Phê duyệt', exact: true }).click();
    await eventually(statusOf(leaderPage)).toBe('Đã xử lý xong (mã 9)');
    await eventually(record).toContain('Đã phê duyệt lúc');
    await expectAccessible(leaderPage, 'the approved dossier page');
    await logout(leaderPage);
    await expectAccessible(leaderPage, 'the login page after Đăng xuất');
  });

  test('the clerk finds it in Theo dõi back at the counter and returns the approved result with its decision', async () => {
    await openTracking();
    const row = trackingRow(page, 0);
    await eventually(cell(row, 6)).toContain('Văn phòng Sở Công Thương — Văn thư / trả kết quả');
    await row.getByRole('link', { name: dossiers[0]!.code, exact: true }).click();
    await eventually(urlOf(page)).toBe(dossierUrl(0));
    const record = textOf(page.locator('#result-record'));
    await eventually(record).toContain(DECISION.number);
    await eventually(record).toContain(DECISION.summary);
    await eventually(countOf(page.locator('#result-files').getByRole('link', { name: LICENCE.name, exact: true }))).toBe(1);
    const giveBack = actionForm(page, 'return_result');
    await eventually(isVisible(giveBack)).toBe(true);
    await expectAccessible(page, 'the dossier page before Trả kết quả');
    await giveBack.getByLabel('Hình thức trả kết quả').selectOption({ label: 'Trực tiếp' });
    await giveBack.getByRole('button', { name: 'Trả kết quả', exact: true }).click();
    await eventually(statusOf(page)).toBe('Đã trả kết quả (mã 10)');
    await eventually(countOf(historyRows(page, 'Trả kết quả'))).toBe(1);
    await expectAccessible(page, 'the returned dossier page');
    await checkOnPhone(page, 'the returned dossier page', 'ho-so-da-tra-390.png');

    await openTracking();
    await eventually(cell(trackingRow(page, 0), 5)).toBe('Đã trả kết quả');
    await eventually(cell(trackingRow(page, 0), 6)).toBe('Đã kết thúc');
    await eventually(cell(trackingRow(page, 1), 6)).toContain('Quản lý Thương mại — Cán bộ xử lý');
    await expectAccessible(page, 'Theo dõi at the end of the day');
    await checkOnPhone(page, 'Theo dõi at the end of the day', 'theo-doi-cuoi-ngay-390.png');
  });

  test('the browsers reported no script error and no Content-Security-Policy violation', () => {
    expect([...e2e.browserErrors, ...deskErrors]).toEqual([]);
  });
});
