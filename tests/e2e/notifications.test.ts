/**
 * Notifications in a real browser (issue 14, docs/decisions/0023), read where the people they reach would read them:
 * the simulator's SMS outbox (GET /dev/sms?phone=) and the SMTP stand-in's mailbox (GET /dev/mail?to=), the portal's
 * and the officials' Thông báo, the dossier page's "Thông báo đã gửi" and Quản trị → Thông báo.
 *
 * A demo citizen with a phone and an e-mail logs in with VNeID and submits a dossier; the Sở Công Thương clerk accepts
 * it: the citizen gets the "received" SMS and e-mail (code and due date) and the notice on /ca-nhan/thong-bao. The
 * clerk asks for a supplement: SMS and e-mail name what to bring, and the dossier page lists the messages, delivered
 * once the SMS stand-in has reported. An overdue dossier gives the clerk the morning reminder (in-app and e-mail).
 * The SMS stand-in refuses a message: Quản trị → Thông báo shows it failed with the reason; switched back, Gửi lại
 * delivers it.
 *
 * The overdue step needs a dossier whose due date has passed and the 07:30 job (notify.daily_reminders) to run: the
 * server has no clock a test can move, so this file runs the server on a database of its own on the PostgreSQL
 * server at TEST_DATABASE_URL (CI sets it) and, as data set-up, moves one dossier's due date into the past and puts
 * the scheduled job in the queue exactly as pg-boss's cron does (enqueue of the same kind) — the server's worker runs
 * it. Without TEST_DATABASE_URL the file runs on PGlite and that step is skipped.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import pg from 'pg';
import type { SimPerson } from '../../sim/population-types.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { dossiers } from '../../src/db/schema/index.js';
import { enqueue } from '../../src/jobs/queue.js';
import { demoOfficials } from '../../src/demo/officials.js';
import {
  ROOT,
  countOf,
  demoOfficial,
  eventually,
  isVisible,
  loginCitizenWithVneid,
  loginOfficial,
  logout,
  receiveDossier,
  textOf,
  urlOf,
  useE2E,
} from './support.js';

// ---------------------------------------------------------------------------------------------
// Who and what (sim/data/population.json, src/demo/officials.ts, src/demo/procedures.ts).

const POPULATION = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim/data/population.json'), 'utf8')) as SimPerson[];
const PERSON = POPULATION.find(
  (p) => p.role === 'citizen' && p.loaiTaiKhoan === 1 && p.soDienThoai && !p.soDienThoai.endsWith('000') && p.thuDienTu,
);
if (!PERSON?.thuDienTu) throw new Error('the simulator has no citizen with a phone and an e-mail');
const EMAIL = PERSON.thuDienTu.toLowerCase();

const CLERK = demoOfficial((o) => o.unitKey === 'sct-vp' && o.roles.some((r) => r.role === 'reception'), 'a reception clerk at sct-vp');
const CLERK_EMAIL = demoOfficials().find((o) => o.username === CLERK.username)?.email ?? '';
/** Administers Sở Công Thương: its failed messages. */
const ADMIN = demoOfficial((o) => o.username === 'admin.sct', 'the administrator of sct');

const SECTOR = 'Lưu thông hàng hóa trong nước';
const PROCEDURE = 'Cấp Giấy phép bán lẻ sản phẩm rượu';
const AGENCY = 'Sở Công Thương';
const SUPPLEMENT = { reason: 'Hợp đồng thuê đã hết hạn.', items: ['Hợp đồng thuê mới', 'Sơ đồ địa điểm'] };
/** Walk-in applicants of the counter (no account: SMS only). */
const LATE = { fullName: 'Trần Thị Quá Hạn', cccd: '079190000123', phone: '0911222333', address: 'Số 1 đường Thử, phường Tân Phú' };
const REFUSED = { fullName: 'Lê Văn Gửi Lại', cccd: '079190000456', phone: '0911444555', address: 'Số 2 đường Thử, phường Tân Phú' };

const pdfFile = (name: string, text: string) => ({
  name,
  mimeType: 'application/pdf',
  buffer: Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`),
});

// ---------------------------------------------------------------------------------------------
// The server: with TEST_DATABASE_URL, its own PostgreSQL database (created before the server starts, dropped after it stopped:
// vitest runs beforeAll hooks in order and afterAll hooks in reverse).

const PG_URL = process.env.TEST_DATABASE_URL;
const DB_NAME = `motcua_e2e_notify_${Date.now()}_${crypto.randomBytes(3).toString('hex')}`;
const serverDbUrl = (() => {
  if (!PG_URL) return null;
  const u = new URL(PG_URL);
  u.pathname = `/${DB_NAME}`;
  return u.toString();
})();
let database: Database | null = null;

async function adminQuery(sql: string) {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  if (PG_URL) await adminQuery(`create database "${DB_NAME}"`);
});
afterAll(async () => {
  await database?.close();
  if (PG_URL) await adminQuery(`drop database if exists "${DB_NAME}" with (force)`);
});

const e2e = useE2E({ env: serverDbUrl ? { DATABASE_URL: serverDbUrl } : {} });

/** The citizen's page (the file's main context); the officials' context and page beside it. */
let page: Page;
let desk: BrowserContext;
let staff: Page;

beforeAll(async () => {
  page = e2e.page;
  const browser = e2e.context.browser();
  if (!browser) throw new Error('the citizen’s context has no browser');
  desk = await browser.newContext({ baseURL: e2e.baseUrl, locale: 'vi-VN', viewport: { width: 1366, height: 900 } });
  desk.setDefaultTimeout(15_000);
  staff = await desk.newPage();
  staff.on('pageerror', (err) => e2e.browserErrors.push(`${staff.url()}: ${err.message}`));
  staff.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      e2e.browserErrors.push(`${staff.url()}: ${msg.text()}`);
  });
});

afterAll(async () => {
  await desk?.close().catch(() => undefined);
});

// ---------------------------------------------------------------------------------------------
// The stand-ins' outboxes, as JSON newest first.

type Sms = { id: string; text: string; source: string; channel: string };
type Mail = { id: string; to: string[]; subject: string | null; text: string };

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}
/** The gateway's messages that reached the phone (OTPs left out), newest first. */
const smsTo = async (phone: string) =>
  (await getJson<Sms[]>(`${e2e.simUrl}/dev/sms?phone=${encodeURIComponent(phone)}`)).filter((m) => m.source === 'gateway');
const mailTo = (address: string) => getJson<Mail[]>(`${e2e.simUrl}/dev/mail?to=${encodeURIComponent(address)}`);

/** The text of the newest SMS to `phone` containing all of `words` ('' until one has arrived). */
const smsWith =
  (phone: string, ...words: string[]) =>
  async () =>
    ((await smsTo(phone)).find((m) => words.every((w) => m.text.includes(w)))?.text ?? '').normalize('NFC');
/** Subject and text of the newest e-mail to `address` whose subject contains `subject` ('' until one has arrived). */
const mailWith = (address: string, subject: string) => async () => {
  const m = (await mailTo(address)).find((x) => (x.subject ?? '').includes(subject));
  return m ? `${m.subject}\n${m.text}`.normalize('NFC') : '';
};

async function setFaults(faults: Record<string, boolean | string>) {
  const res = await fetch(`${e2e.simUrl}/dev/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
    signal: AbortSignal.timeout(2_000),
  });
  expect(res.status).toBe(200);
}

// ---------------------------------------------------------------------------------------------
// The pages.

const portalFact = (term: string) =>
  page.locator('#dossier-facts dt', { hasText: new RegExp(`^${term}$`) }).locator('xpath=following-sibling::dd[1]');
const statusLine = () => staff.locator('#status');
const historyRows = () => staff.locator('table#history tbody tr');
const actionForm = (action: string) => staff.locator(`form.action-form[data-action="${action}"]`);
/** Rows of "Thông báo đã gửi" on the officials' dossier page. */
const sentRows = () => staff.locator('table#dossier-notifications tbody tr');

/** Reload until `read` holds (a page shows what the worker and the stand-ins did since it was drawn). */
const reloaded =
  <T>(p: Page, read: () => Promise<T>) =>
  async () => {
    await p.reload();
    return read();
  };

/** The officials' "Thông báo đã gửi" as sorted lines "event | channel | state | reason" (the gateway's refusal as "từ chối"). */
const sentLines = async () =>
  sentRows()
    .evaluateAll((rows) =>
      rows.map((r) => {
        const cells = [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim());
        return [cells[1], cells[2], cells[4], cells[6]].join(' | ');
      }),
    )
    .then((lines) => lines.map((l) => l.replace(/\| [^|]*từ chối[^|]*$/, '| từ chối')).sort());

async function act(
  dossierId: string,
  action: string,
  button: string,
  fill: (form: ReturnType<typeof actionForm>) => Promise<void> = async () => undefined,
) {
  const before = await historyRows().count();
  const form = actionForm(action);
  await eventually(countOf(form)).toBe(1);
  if (!(await form.isVisible())) await staff.locator('details.more-actions > summary').click();
  await fill(form);
  await form.getByRole('button', { name: button, exact: true }).click();
  await eventually(urlOf(staff)).toBe(`${e2e.baseUrl}/tiepnhan/ho-so/${dossierId}?tb=done`);
  await eventually(countOf(historyRows())).toBe(before + 1);
}

/** Shared across the steps (they run in order). */
let dossierId = '';
let dossierCode = '';
/** dd/mm/yyyy of "Hẹn trả kết quả". */
let dueDate = '';
let late = { id: '', code: '' };
let refused = { id: '', code: '' };

describe('notifications reach the citizen and the officials, and a failure is seen and resent', { shuffle: false }, () => {
  test('a demo citizen with a phone and an e-mail logs in with VNeID and submits a dossier, giving both', async () => {
    await loginCitizenWithVneid(page, e2e.simUrl, PERSON);
    await page.goto('/thu-tuc');
    await page.getByLabel('Tìm thủ tục').fill(PROCEDURE);
    await page.getByLabel('Tìm thủ tục').press('Enter');
    await page.getByRole('link', { name: PROCEDURE, exact: true }).first().click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: PROCEDURE }))).toBe(true);
    await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).click();
    await eventually(isVisible(page.getByRole('heading', { level: 1, name: 'Nộp hồ sơ trực tuyến' }))).toBe(true);
    await page.getByLabel('Số điện thoại', { exact: true }).fill(PERSON.soDienThoai);
    await page.getByLabel('Thư điện tử', { exact: true }).fill(EMAIL);
    await page.getByLabel('Địa chỉ liên hệ').fill('Số 5 đường Thử Nghiệm, phường Tân Phú');
    for (const i of [0, 1, 2]) await page.locator(`#doc${i}`).setInputFiles(pdfFile(`giay-to-${i + 1}.pdf`, `giấy tờ ${i + 1}`));
    await page.getByRole('button', { name: 'Nộp hồ sơ', exact: true }).click();
    await eventually(urlOf(page)).toMatch(/\/ca-nhan\/ho-so\/[0-9a-f-]{36}\?tb=da-nop$/);
    dossierId = /\/ho-so\/([0-9a-f-]{36})\?/.exec(page.url())?.[1] ?? '';
    await eventually(textOf(portalFact('Mã hồ sơ'))).toMatch(/^\S+-\d{6}-\d{4}$/);
    dossierCode = await textOf(portalFact('Mã hồ sơ'))();
  });

  test('the clerk accepts it: the citizen gets the "received" SMS and e-mail (code, due date) and the notice on the portal', async () => {
    await loginOfficial(staff, CLERK);
    await staff.goto(`/tiepnhan/ho-so/${dossierId}`);
    await eventually(textOf(staff.getByRole('heading', { level: 1 }))).toBe(`Hồ sơ ${dossierCode}`);
    await act(dossierId, 'accept', 'Tiếp nhận hồ sơ trực tuyến');
    await eventually(textOf(statusLine())).toBe('Được tiếp nhận (mã 2)');

    await page.goto(`/ca-nhan/ho-so/${dossierId}`);
    await eventually(textOf(portalFact('Hẹn trả kết quả'))).toMatch(/^\d\d\/\d\d\/\d{4}/);
    dueDate = (await textOf(portalFact('Hẹn trả kết quả'))()).slice(0, 10);

    await eventually(smsWith(PERSON.soDienThoai, dossierCode, dueDate)).toContain(`Hồ sơ ${dossierCode} đã được ${AGENCY} tiếp nhận`);
    const mail = mailWith(EMAIL, `Hồ sơ ${dossierCode} đã được tiếp nhận`);
    await eventually(mail).toContain(`Ngày hẹn trả kết quả: ${dueDate}`);
    expect(await mail()).toContain(PROCEDURE);

    await page.goto('/ca-nhan/thong-bao');
    const notice = page.locator('ul.notice-list li', { hasText: 'Hồ sơ đã được tiếp nhận' });
    await eventually(countOf(notice)).toBe(1);
    await eventually(textOf(notice)).toContain(`Hồ sơ ${dossierCode}`);
    await notice.getByRole('link', { name: 'Hồ sơ đã được tiếp nhận' }).click();
    await eventually(textOf(page.locator('article.notice-view'))).toContain(`hẹn trả kết quả ngày ${dueDate}`);
  });

  test('the clerk asks for a supplement: SMS and e-mail name what to bring; the dossier page lists the messages, delivered', async () => {
    await act(dossierId, 'request_supplement', 'Yêu cầu bổ sung hồ sơ', async (f) => {
      await f.getByLabel('Lý do / nội dung').fill(SUPPLEMENT.reason);
      await f.getByLabel('Giấy tờ cần bổ sung (mỗi dòng một mục)').fill(SUPPLEMENT.items.join('\n'));
    });
    await eventually(textOf(statusLine())).toMatch(/^Yêu cầu bổ sung giấy tờ \(mã 5\)/);

    await eventually(smsWith(PERSON.soDienThoai, dossierCode, 'cần bổ sung')).toContain(SUPPLEMENT.items[0]);
    const mail = mailWith(EMAIL, `Đề nghị bổ sung hồ sơ ${dossierCode}`);
    await eventually(mail).not.toBe('');
    for (const item of [...SUPPLEMENT.items, SUPPLEMENT.reason]) expect(await mail()).toContain(item);

    // Every message about the dossier, each delivered: the SMS once the stand-in's report came back.
    const want = [
      'Yêu cầu bổ sung hồ sơ | Thông báo trên hệ thống | Đã nhận | ',
      'Yêu cầu bổ sung hồ sơ | Tin nhắn SMS | Đã nhận | ',
      'Yêu cầu bổ sung hồ sơ | Thư điện tử | Đã nhận | ',
      'Hồ sơ đã được tiếp nhận | Thông báo trên hệ thống | Đã nhận | ',
      'Hồ sơ đã được tiếp nhận | Tin nhắn SMS | Đã nhận | ',
      'Hồ sơ đã được tiếp nhận | Thư điện tử | Đã nhận | ',
    ];
    await eventually(
      reloaded(staff, async () => (await sentLines()).filter((l) => !l.startsWith('Đề nghị nộp phí'))),
      30_000,
    ).toEqual([...want].sort());
    // Addresses half hidden: the phone's last four digits, the e-mail's domain.
    await eventually(textOf(staff.locator('table#dossier-notifications'))).toContain(
      `${PERSON.soDienThoai.slice(0, 2)}••••${PERSON.soDienThoai.slice(-4)}`,
    );
    await eventually(textOf(staff.locator('table#dossier-notifications'))).toContain(`${EMAIL[0]}•••${EMAIL.slice(EMAIL.indexOf('@'))}`);

    await page.goto('/ca-nhan/thong-bao');
    await eventually(countOf(page.locator('ul.notice-list li', { hasText: 'Hồ sơ cần bổ sung' }))).toBe(1);
  });

  test.skipIf(!PG_URL)('an overdue dossier gives the clerk the morning reminder, in-app and by e-mail', async () => {
    late = await receiveDossier(staff, { sector: SECTOR, procedure: PROCEDURE, applicant: LATE });
    // Data set-up (see the header): due three days ago, and the 07:30 job put in the queue as its schedule does.
    database = await openDatabase({ url: serverDbUrl ?? '', poolSize: 2 });
    const past = new Date(Date.now() - 3 * 86_400_000);
    await database.db.transaction(async (tx) => {
      await tx.update(dossiers).set({ dueAt: past, stepDueAt: past }).where(eq(dossiers.id, late.id));
      await enqueue(tx, 'notify.daily_reminders', {});
    });

    await eventually(mailWith(CLERK_EMAIL, `Hồ sơ ${late.code} đã quá hạn`), 30_000).toContain(PROCEDURE);
    await staff.goto('/tiepnhan/thong-bao');
    const notice = staff.locator('ul.notice-list li', { hasText: late.code });
    await eventually(reloaded(staff, () => countOf(notice)())).toBe(1);
    await eventually(textOf(notice)).toContain('Hồ sơ quá hạn');
    await notice.getByRole('link', { name: 'Hồ sơ quá hạn' }).click();
    await eventually(textOf(staff.locator('article.notice-view'))).toMatch(new RegExp(`Hồ sơ ${late.code} đã quá hạn \\d+ ngày làm việc`));
  });

  test('the SMS gateway refuses a message: Quản trị → Thông báo shows it failed with the reason', async () => {
    await setFaults({ smsReject: true });
    refused = await receiveDossier(staff, { sector: SECTOR, procedure: PROCEDURE, applicant: REFUSED });
    await eventually(
      reloaded(staff, async () => (await sentLines()).filter((l) => l.startsWith('Hồ sơ đã được tiếp nhận | Tin nhắn SMS'))),
      30_000,
    ).toEqual(['Hồ sơ đã được tiếp nhận | Tin nhắn SMS | Gửi không thành công | từ chối']);
    await logout(staff);

    await loginOfficial(staff, ADMIN);
    await staff.getByRole('navigation', { name: 'Menu chính' }).getByRole('link', { name: 'QUẢN TRỊ HỆ THỐNG' }).click();
    await staff.getByRole('navigation', { name: 'Quản trị hệ thống' }).getByRole('link', { name: 'Thông báo', exact: true }).click();
    await eventually(urlOf(staff)).toMatch(/\/tiepnhan\/quan-tri\/thong-bao$/);
    await eventually(isVisible(staff.getByRole('heading', { level: 1, name: 'THÔNG BÁO GỬI KHÔNG THÀNH CÔNG' }))).toBe(true);
    const row = staff.locator('table#failed-notifications tbody tr', { hasText: refused.code });
    await eventually(countOf(row)).toBe(1);
    await eventually(textOf(row)).toContain('Tin nhắn SMS');
    await eventually(textOf(row)).toContain('Gửi không thành công');
    await eventually(textOf(row)).toContain('từ chối');
    expect(await smsWith(REFUSED.phone, refused.code)()).toBe('');
  });

  test('switched back, Gửi lại: the message is delivered', async () => {
    await setFaults({ smsReject: false });
    const row = staff.locator('table#failed-notifications tbody tr', { hasText: refused.code });
    await row.getByRole('button', { name: 'Gửi lại', exact: true }).click();
    await eventually(urlOf(staff)).toMatch(/\/tiepnhan\/quan-tri\/thong-bao\?da-gui-lai=1$/);
    await eventually(textOf(staff.locator('.flash-ok'))).toBe('Đã đưa thông báo vào hàng đợi để gửi lại.');
    await eventually(textOf(row)).toContain('Đã gửi lại');
    await eventually(countOf(row.getByRole('button', { name: 'Gửi lại' }))).toBe(0);

    await eventually(smsWith(REFUSED.phone, refused.code), 30_000).toContain(`Hồ sơ ${refused.code} đã được ${AGENCY} tiếp nhận`);
    await logout(staff);
    await loginOfficial(staff, CLERK);
    await staff.goto(`/tiepnhan/ho-so/${refused.id}`);
    await eventually(
      reloaded(staff, async () => (await sentLines()).filter((l) => l.startsWith('Hồ sơ đã được tiếp nhận | Tin nhắn SMS'))),
      30_000,
    ).toEqual(
      [
        'Hồ sơ đã được tiếp nhận | Tin nhắn SMS | Đã nhận | ',
        'Hồ sơ đã được tiếp nhận | Tin nhắn SMS | Gửi không thành công | từ chối',
      ].sort(),
    );
  });

  test('the browsers reported no script error and no Content-Security-Policy violation', () => {
    expect(e2e.browserErrors).toEqual([]);
  });
});
