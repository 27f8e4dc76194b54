/**
 * TIẾP NHẬN HỒ SƠ keeps the scans chosen across a refused form (dossiers/staged-scans.ts) and sizes its body for the
 * checklist (RECEPTION_SCAN_MAX_MB per scan × documents, under RECEPTION_UPLOAD_MAX_MB): the use, and the abuse —
 * another official's, a forged or an expired reference, a file too large, empty or of the wrong type.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD, buildApp, type App } from './support/app.js';
import { currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierComponents, dossierFiles, dossiers, stagedUploads } from '../src/db/schema/index.js';
import { purgeStagedScans } from '../src/dossiers/staged-scans.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
// 2.000633 (Sở Công Thương): three required documents.
const RETAIL = '2.000633';
const MB = 1024 * 1024;
const GONE = 'Bản quét đã chọn trước đó không còn được giữ (quá hạn hoặc không hợp lệ). Vui lòng chọn lại tệp.';

/** A PDF the file check recognises, padded to `size` bytes. */
function pdf(text: string, size = 0): Uint8Array {
  const head = Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);
  const out = new Uint8Array(Math.max(size, head.length));
  out.set(head);
  return out;
}

async function loggedIn(username: string, app: App = t.app) {
  const c = new Client(app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

type Scan = { name: string; bytes: Uint8Array; type?: string };

/** Posts the reception form as the browser does: multipart, to the address naming the procedure. */
async function post(c: Client, procedureId: string, fields: Record<string, string>, scans: Record<number, Scan> = {}) {
  const form = new FormData();
  form.set('_csrf', await c.csrf('/tiepnhan/tiep-nhan'));
  form.set('procedureId', procedureId);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  for (const [i, f] of Object.entries(scans))
    form.set(`scan-${i}`, new Blob([Buffer.from(f.bytes)], { type: f.type ?? 'application/pdf' }), f.name);
  return c.request('POST', `/tiepnhan/tiep-nhan?procedureId=${procedureId}`, form, { origin: c.origin });
}

/** The staged references the re-rendered form carries, by document position. */
function keptRefs(html: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const m of html.matchAll(/name="staged-(\d+)" value="([^"]+)"/g)) out[Number(m[1])] = m[2]!;
  return out;
}

const applicant = { channel: '1', fullName: 'Phan Thị Giữ Tệp', cccd: '070085316205', phone: '0912000112' };
const ticked = (...docs: number[]) =>
  Object.fromEntries(
    docs.flatMap((i) => [
      [`doc-${i}`, '1'],
      [`originals-${i}`, '1'],
    ]),
  );

describe('TIẾP NHẬN HỒ SƠ: scans kept across a refused form', () => {
  it('a refused form keeps the scans (named, removable, replaceable); the resubmit uses them and consumes them', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    // The third required document is not ticked: refused, both scans kept.
    const refused = await post(
      clerk,
      p.p.id,
      { ...applicant, ...ticked(0, 1) },
      { 0: { name: 'đơn đề nghị.pdf', bytes: pdf('đơn') }, 1: { name: 'bản-sao.pdf', bytes: pdf('bản sao') } },
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.text).toContain('id="err-doc-2"');
    expect(refused.text).toContain('Đã có bản quét: <strong>đơn đề nghị.pdf</strong>');
    expect(refused.text).toContain('Đã có bản quét: <strong>bản-sao.pdf</strong>');
    expect(refused.text).toContain('name="remove-scan-1"');
    expect(refused.text).not.toContain('vui lòng chọn lại các bản quét');
    const refs = keptRefs(refused.text);
    expect(Object.keys(refs)).toEqual(['0', '1']);
    const clerkRows = await t.database.db.select().from(stagedUploads);
    expect(clerkRows.map((r) => r.id).sort()).toEqual([refs[0], refs[1]].sort());
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);

    // Refused again: scan 1 removed, scan 0 replaced by a new file; the page shows exactly that.
    const again = await post(
      clerk,
      p.p.id,
      { ...applicant, ...ticked(0, 1), 'staged-0': refs[0]!, 'staged-1': refs[1]!, 'remove-scan-1': '1' },
      { 0: { name: 'don-moi.pdf', bytes: pdf('đơn mới') } },
    );
    expect(again.text).toContain('Đã có bản quét: <strong>don-moi.pdf</strong>');
    expect(again.text).not.toContain('bản-sao.pdf');
    const refs2 = keptRefs(again.text);
    expect(Object.keys(refs2)).toEqual(['0']);
    expect(refs2[0]).not.toBe(refs[0]);

    // The resubmit with every document ticked and only a third scan chosen: the dossier has all the kept ones.
    const ok = await post(
      clerk,
      p.p.id,
      { ...applicant, ...ticked(0, 1, 2), 'staged-0': refs2[0]!, 'staged-1': refs[1]! },
      { 2: { name: 'hop-dong.pdf', bytes: pdf('hợp đồng') } },
    );
    expect(ok.status, ok.text.slice(0, 400)).toBe(303);
    const id = /\/ho-so\/([0-9a-f-]{36})/.exec(ok.location!)![1]!;
    const [d] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, id));
    expect(d!.digitised).toBe(true);
    const files = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, id));
    expect(files.map((f) => f.name).sort()).toEqual(['bản-sao.pdf', 'don-moi.pdf', 'hop-dong.pdf']);
    const components = await t.database.db.select().from(dossierComponents).where(eq(dossierComponents.dossierId, id));
    expect(components.every((c) => c.digitised)).toBe(true);
    // The references used are consumed: one staged scan serves one dossier.
    const left = (await t.database.db.select().from(stagedUploads)).map((r) => r.id);
    expect(left).not.toContain(refs2[0]);
    expect(left).not.toContain(refs[1]);
    const reuse = await post(clerk, p.p.id, { ...applicant, ...ticked(0, 1, 2), 'staged-0': refs2[0]! });
    expect(reuse.status).toBe(400);
    expect(reuse.text).toContain(GONE);
    expect(await t.database.db.select().from(dossiers)).toHaveLength(1);
  });

  it('another official’s reference and a forged one are refused alike, beside the field; nothing is received', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    const refused = await post(clerk, p.p.id, { ...applicant, ...ticked(0) }, { 0: { name: 'cua-toi.pdf', bytes: pdf('của tôi') } });
    const mine = keptRefs(refused.text)[0]!;
    // A reception official of another agency, on their own procedure, with the clerk's reference.
    const other = await loggedIn(who('sgd', 'Chuyên viên'));
    const own = await currentProcedure(t.database, '1.005092');
    const all = ticked(...own.v.documents.map((_, i) => i));
    for (const ref of [mine, '7b0f3c1e-9a55-4c57-8f0e-2d9b8e6f1a42', 'not-a-reference']) {
      const res = await post(other, own.p.id, { ...applicant, ...all, 'staged-0': ref });
      expect(res.status, ref).toBe(400);
      expect(res.text).toContain('id="err-scan-0"');
      expect(res.text).toContain(GONE);
      // Its name is never shown to the other official.
      expect(res.text).not.toContain('cua-toi.pdf');
      expect(keptRefs(res.text)).toEqual({});
    }
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
    // The owner still has it.
    expect((await t.database.db.select().from(stagedUploads).where(eq(stagedUploads.id, mine))).length).toBe(1);
  });

  it('an expired reference is refused as absent, and the job removes expired staged scans only', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    const first = await post(clerk, p.p.id, { ...applicant, ...ticked(0) }, { 0: { name: 'cu.pdf', bytes: pdf('cũ') } });
    const old = keptRefs(first.text)[0]!;
    const second = await post(clerk, p.p.id, { ...applicant, ...ticked(0) }, { 1: { name: 'moi.pdf', bytes: pdf('mới') } });
    const fresh = keptRefs(second.text)[1]!;
    // The first one's time runs out (a staged scan lives STAGED_SCAN_HOURS).
    const [row] = await t.database.db.select().from(stagedUploads).where(eq(stagedUploads.id, fresh));
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(12 * 3600_000);
    await t.database.db
      .update(stagedUploads)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(stagedUploads.id, old));
    const res = await post(clerk, p.p.id, { ...applicant, ...ticked(0, 1, 2), 'staged-0': old, 'staged-1': fresh });
    expect(res.status).toBe(400);
    expect(res.text).toContain(GONE);
    expect(keptRefs(res.text)).toEqual({ 1: fresh });
    expect(await purgeStagedScans(t.database.db, new Date())).toBe(1);
    expect((await t.database.db.select().from(stagedUploads)).map((r) => r.id)).toEqual([fresh]);
  });

  it('an empty or wrongly typed scan is named beside its field; the good one chosen with it is kept', async () => {
    const clerk = await loggedIn(sctClerkUsername());
    const p = await currentProcedure(t.database, RETAIL);
    const res = await post(
      clerk,
      p.p.id,
      { ...applicant, ...ticked(0, 1, 2) },
      {
        0: { name: 'trong.pdf', bytes: new Uint8Array(0) },
        1: { name: 'virus.exe', bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), type: 'application/octet-stream' },
        2: { name: 'tot.pdf', bytes: pdf('tốt') },
      },
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('Tệp quét rỗng (0 byte): “trong.pdf”');
    expect(res.text).toContain('Loại tệp không được nhận: “virus.exe”');
    expect(keptRefs(res.text)).toEqual({ 2: expect.any(String) });
    expect(await t.database.db.select().from(dossiers)).toHaveLength(0);
  });
});

describe('TIẾP NHẬN HỒ SƠ: the body sized for the checklist', () => {
  const sized = () => buildApp(t.database, { RECEPTION_SCAN_MAX_MB: '1', RECEPTION_UPLOAD_MAX_MB: '50' });

  it('takes a scan of up to the per-file limit for each document together; one too large is named beside its field', async () => {
    const app = sized();
    const clerk = await loggedIn(sctClerkUsername(), app);
    const p = await currentProcedure(t.database, RETAIL);
    // Three scans just under 1 MB: more than one file's worth, received together.
    const near = (n: string) => ({ name: `${n}.pdf`, bytes: pdf(n, MB - 4096) });
    const ok = await post(clerk, p.p.id, { ...applicant, ...ticked(0, 1, 2) }, { 0: near('a'), 1: near('b'), 2: near('c') });
    expect(ok.status, ok.text.slice(0, 300)).toBe(303);

    const res = await post(
      clerk,
      p.p.id,
      { ...applicant, ...ticked(0, 1, 2) },
      { 0: { name: 'lớn quá.pdf', bytes: pdf('lớn', MB + 10) }, 1: near('b') },
    );
    expect(res.status).toBe(400);
    expect(res.text).toContain('id="err-scan-0"');
    expect(res.text).toContain('Tệp quét quá lớn: “lớn quá.pdf” (tối đa 1 MB mỗi tệp)');
    expect(res.text).not.toContain('id="err-scan-1"');
    expect(keptRefs(res.text)).toEqual({ 1: expect.any(String) });
    expect(res.text).toContain('value="Phan Thị Giữ Tệp"');
  });

  it('a body past the procedure’s size (scans × documents) is refused with 413 before it is stored', async () => {
    const app = sized();
    const clerk = await loggedIn(sctClerkUsername(), app);
    const p = await currentProcedure(t.database, RETAIL);
    const over = (n: string) => ({ name: `${n}.pdf`, bytes: pdf(n, MB + MB / 4) });
    const res = await post(clerk, p.p.id, { ...applicant, ...ticked(0, 1, 2) }, { 0: over('a'), 1: over('b'), 2: over('c') });
    // Three documents of at most 1 MB and the fields: about 3 MB, far under the 50 MB ceiling.
    expect(res.status).toBe(413);
    expect(res.text).toContain('(tối đa 3 MB)');
    expect(await t.database.db.select().from(stagedUploads)).toHaveLength(0);
  });
});
