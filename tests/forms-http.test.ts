import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { extractText } from 'unpdf';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { procedures, units } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { dossierRegisterPdf } from '../src/dossiers/register.js';
import { documentBuilds } from '../src/shared/slots.js';
import { listAuditEntries } from '../src/audit/list.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

async function pdfText(c: Client, path: string) {
  const res = await t.app.request(`http://localhost${path}`, {
    headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.status !== 200) return { status: res.status, text: '' };
  expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe('%PDF-');
  const { text } = await extractText(bytes, { mergePages: true });
  return { status: res.status, text: (text as string).normalize('NFC').replace(/\s+/g, ' ') };
}

describe('the forms of a dossier', () => {
  it('prints Mẫu 01 at reception, Mẫu 02 after a supplement request, Mẫu 06 with the hand-overs', async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerkActor = await actorFor(t.database, sctClerkUsername());
    const d = await receiveAtCounter(t.database.db, clerkActor, { procedureId: p!.id, channel: '1', fullName: 'Hà Thị Phiếu In' });
    const clerk = new Client(t.app);
    await clerk.login(sctClerkUsername(), TEST_PASSWORD);
    const receipt = await pdfText(clerk, `/tiepnhan/ho-so/${d.id}/mau-01.pdf`);
    expect(receipt.text).toContain('Hà Thị Phiếu In');
    expect(receipt.text).toContain(d.code);
    expect(receipt.text).toContain(d.lookupCode);
    // Opened in the browser to be printed, and saved under the form and the dossier's code: the receipts of several
    // dossiers saved in one folder are not mau-01.pdf, mau-01 (1).pdf….
    expect(d.code).toMatch(/^[A-Z0-9.]+-\d{6}-\d{4}$/);
    const headers = (await clerk.get(`/tiepnhan/ho-so/${d.id}/mau-01.pdf`)).headers;
    expect(headers.get('content-type')).toBe('application/pdf');
    expect(headers.get('content-disposition')).toBe(`inline; filename="mau-01-${d.code}.pdf"; filename*=UTF-8''mau-01-${d.code}.pdf`);
    expect((await pdfText(clerk, `/tiepnhan/ho-so/${d.id}/mau-02.pdf`)).status).toBe(404);
    await actOnDossier(t.database.db, clerkActor, d.id, { action: 'handover' });
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    await actOnDossier(t.database.db, expert, d.id, {
      action: 'request_supplement',
      note: 'Thiếu giấy tờ',
      items: 'Bản sao hợp đồng thuê',
    });
    const supplement = await pdfText(clerk, `/tiepnhan/ho-so/${d.id}/mau-02.pdf`);
    expect(supplement.text).toContain('Bản sao hợp đồng thuê');
    const slip = await pdfText(clerk, `/tiepnhan/ho-so/${d.id}/mau-06.pdf`);
    expect(slip.text).toContain('Thẩm định, xử lý hồ sơ');
    expect((await clerk.get(`/tiepnhan/ho-so/${d.id}/mau-06.pdf`)).headers.get('content-disposition')).toContain(
      `filename="mau-06-${d.code}.pdf"`,
    );
    // Someone unrelated gets nothing.
    const other = new Client(t.app);
    await other.login('admin.snv', TEST_PASSWORD);
    expect((await pdfText(other, `/tiepnhan/ho-so/${d.id}/mau-01.pdf`)).status).toBe(404);
  });
});

describe('Mẫu 07 — Sổ theo dõi hồ sơ', () => {
  it('lists the agency’s dossiers of the period for its officials, and nobody else', async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerkActor = await actorFor(t.database, sctClerkUsername());
    const now = new Date();
    const d = await receiveAtCounter(t.database.db, clerkActor, { procedureId: p!.id, channel: '3', fullName: 'Mai Văn Sổ' }, now);
    const day = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(now);
    const clerk = new Client(t.app);
    await clerk.login(sctClerkUsername(), TEST_PASSWORD);
    const path = `/tiepnhan/so-theo-doi.pdf?donvi=${d.agencyUnitId}&tu=${day}&den=${day}`;
    const reg = await pdfText(clerk, path);
    expect(reg.status).toBe(200);
    expect(reg.text).toContain(d.code);
    expect(reg.text).toContain('Mai Văn Sổ');
    // Named by the agency's electronic code and the period, opened in the viewer.
    const [agency] = await t.database.db.select().from(units).where(eq(units.id, d.agencyUnitId));
    const dotted = day.replaceAll('/', '.');
    const name = `so-theo-doi-ho-so-${agency!.agencyCode}-${dotted}-${dotted}.pdf`;
    expect(agency!.agencyCode).toMatch(/^[\d.A-Z]+$/);
    expect((await clerk.get(path)).headers.get('content-disposition')).toBe(`inline; filename="${name}"; filename*=UTF-8''${name}`);
    const other = new Client(t.app);
    await other.login('admin.snv', TEST_PASSWORD);
    expect((await pdfText(other, path)).status).toBe(404);
  });

  const messageAt = (html: string, name: string) => new RegExp(`id="err-${name}">([^<]*)<`).exec(html)?.[1] ?? null;
  const boxValue = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? null;
  const today = () => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());

  it('refuses a period over 366 days on the form, at đến ngày, the values kept', async () => {
    const clerk = new Client(t.app);
    await clerk.login(sctClerkUsername(), TEST_PASSWORD);
    const res = await clerk.get(`/tiepnhan/so-theo-doi.pdf?donvi=${t.unitIds.sct}&tu=01/01/2025&den=31/12/2026`);
    expect(res.status).toBe(400);
    expect(messageAt(res.text, 'den')).toBe('Mỗi lần lập sổ theo dõi cho tối đa 366 ngày. Vui lòng chọn khoảng thời gian ngắn hơn.');
    expect(boxValue(res.text, 'tu')).toBe('01/01/2025');
    expect(boxValue(res.text, 'den')).toBe('31/12/2026');
    // A leap year whole is one register.
    expect((await clerk.get(`/tiepnhan/so-theo-doi.pdf?donvi=${t.unitIds.sct}&tu=01/01/2024&den=31/12/2024`)).status).toBe(200);
  });

  it('refuses a period with more dossiers than one register lists, never cut short, and audits nothing then', async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerkActor = await actorFor(t.database, sctClerkUsername());
    const a = await receiveAtCounter(t.database.db, clerkActor, { procedureId: p!.id, channel: '3', fullName: 'Sổ Dài Một' });
    await receiveAtCounter(t.database.db, clerkActor, { procedureId: p!.id, channel: '3', fullName: 'Sổ Dài Hai' });
    const admin = await actorFor(t.database, 'admin.sct');
    const downloads = async () => (await listAuditEntries(t.database.db, admin!, { action: 'dossier_register.download' }, 100)).length;
    const before = await downloads();
    const from = new Date(Date.now() - 86_400_000);
    const to = new Date(Date.now() + 86_400_000);
    const refused = await dossierRegisterPdf(t.database.db, clerkActor, a.agencyUnitId, from, to, 1).catch((e: AppError) => e);
    expect(refused).toMatchObject({ code: 'register_too_large', status: 400 });
    expect((refused as AppError).fields?.to).toMatch(
      /^Khoảng thời gian đã chọn có \d+ hồ sơ, quá 1 hồ sơ của một lần lập sổ\. Vui lòng chọn khoảng thời gian ngắn hơn/,
    );
    expect(await downloads()).toBe(before);
  });

  it('audits each download once, under the agency, for its administrators to see', async () => {
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerkActor = await actorFor(t.database, sctClerkUsername());
    const d = await receiveAtCounter(t.database.db, clerkActor, { procedureId: p!.id, channel: '3', fullName: 'Lê Văn Nhật Ký' });
    const admin = await actorFor(t.database, 'admin.sct');
    const other = await actorFor(t.database, 'admin.snv');
    const seenBy = async (who: typeof admin) =>
      (await listAuditEntries(t.database.db, who!, { action: 'dossier_register.download' }, 100)).filter(
        (e) => e.actorId === clerkActor!.accountId,
      );
    const before = (await seenBy(admin)).length;
    const clerk = new Client(t.app);
    await clerk.login(sctClerkUsername(), TEST_PASSWORD);
    const reg = await pdfText(clerk, `/tiepnhan/so-theo-doi.pdf?donvi=${d.agencyUnitId}&tu=${today()}&den=${today()}`);
    expect(reg.text).toContain('Lê Văn Nhật Ký');
    const rows = await seenBy(admin);
    expect(rows).toHaveLength(before + 1);
    const iso = today().split('/').reverse().join('-');
    expect(rows[0]).toMatchObject({
      unitId: d.agencyUnitId,
      targetType: 'unit',
      targetId: d.agencyUnitId,
      data: { periodFrom: iso, periodTo: iso, dossiers: Number(/Tổng số: (\d+) hồ sơ/.exec(reg.text)![1]) },
    });
    expect(await seenBy(other)).toEqual([]);
  });

  it('builds at most two registers at once in a process: a third is told to come back (503, Retry-After)', async () => {
    const clerk = new Client(t.app);
    await clerk.login(sctClerkUsername(), TEST_PASSWORD);
    const path = `/tiepnhan/so-theo-doi.pdf?donvi=${t.unitIds.sct}&tu=${today()}&den=${today()}`;
    const held = [documentBuilds.take(), documentBuilds.take()];
    try {
      expect(held.every(Boolean)).toBe(true);
      const busy = await clerk.get(path);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('10');
      expect(busy.text).toContain('Hệ thống đang bận lập tài liệu khác. Vui lòng thử lại sau 10 giây.');
    } finally {
      for (const release of held) release?.();
    }
    expect((await clerk.get(path)).status).toBe(200);
  });
});
