import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { extractText } from 'unpdf';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { procedures } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';

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
    const other = new Client(t.app);
    await other.login('admin.snv', TEST_PASSWORD);
    expect((await pdfText(other, path)).status).toBe(404);
  });
});
