/**
 * An official's upload reaches file storage only once the right to make it is decided (officials have no upload
 * budget, src/personal-files/upload-budget.ts): a result file (API and page) and a procedure's template. A caller
 * without the right gets the same refusal as ever and leaves no blob behind (a stored, unreferenced file would hold
 * the disk for weeks and count against the storage clean-up's circuit breaker, src/storage/gc.ts).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierFiles } from '../src/db/schema/index.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import { hasBlob } from '../src/storage/index.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
/** Sở Nội vụ's head of department: processes and approves, but at another department than the dossier's. */
const otherUnit = () => who('snv-tcbc', 'Trưởng phòng');
const director = () => who('sct-ld', 'Giám đốc');
const RANDOM_ID = '7d1f6f9e-3c2b-4a8e-9f10-2b6c4d5e6f70';

/** A PDF no other test stores: its SHA-256 tells whether this upload reached storage. */
function uniquePdf() {
  const bytes = new TextEncoder().encode(`%PDF-1.4\n% ${crypto.randomUUID()}\n%%EOF\n`);
  return { bytes, sha256: crypto.createHash('sha256').update(bytes).digest('hex') };
}
const pdfFile = (bytes: Uint8Array, name = 'giay-phep.pdf') => new File([new Uint8Array(bytes)], name, { type: 'application/pdf' });

/** A dossier of 2.000633 (Sở Công Thương: clerk → Quản lý Thương mại → Giám đốc), at reception or at approval. */
async function dossierAt(step: 'reception' | 'approval') {
  const { p } = await currentProcedure(t.database, '2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p.id, channel: '1', fullName: 'Lê Văn Kết' });
  if (step === 'approval') {
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
    await actOnDossier(t.database.db, await actorFor(t.database, who('sct-qltm', 'Chuyên viên')), d.id, { action: 'handover' });
  }
  return d.id;
}

async function keyOf(username: string) {
  const admin = await actorFor(t.database, 'quantri1');
  const account = (await accountByUsername(t.database, username))!;
  return (await issueApiClient(t.database.db, admin, account.id, { name: `Khóa của ${username}` })).token;
}

async function apiAttach(token: string, dossierId: string, bytes: Uint8Array) {
  const form = new FormData();
  form.set('file', pdfFile(bytes));
  const res = await t.app.request(`http://localhost/api/v1/dossiers/${dossierId}/result/files`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  return { status: res.status, json: (await res.json()) as { error?: { code: string; message: string } } };
}

async function loggedIn(username: string) {
  const c = new Client(t.app);
  expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
  return c;
}

/** Posts the page's result form (Đính kèm kết quả) as the browser does. */
async function pageAttach(c: Client, dossierId: string, bytes: Uint8Array) {
  const form = new FormData();
  form.set('_csrf', await c.csrf('/tiepnhan'));
  form.set('file', pdfFile(bytes));
  return c.request('POST', `/tiepnhan/ho-so/${dossierId}/ket-qua`, form, { origin: c.origin });
}

const resultFiles = (dossierId: string) => t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, dossierId));

describe('a result file is stored only for an official who may attach it', () => {
  it('through the API: an admin-only key, another unit’s official and an unknown dossier get 404 and store nothing', async () => {
    const id = await dossierAt('approval');
    const refused = [
      [await keyOf('admin.snv'), id],
      [await keyOf(otherUnit()), id],
      [await keyOf(director()), RANDOM_ID],
    ] as const;
    for (const [token, dossierId] of refused) {
      const file = uniquePdf();
      const res = await apiAttach(token, dossierId, file.bytes);
      expect(res.status).toBe(404);
      expect(res.json.error).toMatchObject({ code: 'not_found', message: expect.stringContaining('Hồ sơ không tồn tại') });
      expect(await hasBlob(file.sha256)).toBe(false);
    }
    expect(await resultFiles(id)).toEqual([]);

    // The dossier's director attaches: stored and referenced.
    const file = uniquePdf();
    expect((await apiAttach(await keyOf(director()), id, file.bytes)).status).toBe(201);
    expect(await hasBlob(file.sha256)).toBe(true);
    expect((await resultFiles(id)).map((f) => f.sha256)).toEqual([file.sha256]);
  });

  it('through the API: the official holding the dossier at a step without result files gets 409 and stores nothing', async () => {
    const id = await dossierAt('reception');
    const file = uniquePdf();
    const res = await apiAttach(await keyOf(sctClerkUsername()), id, file.bytes);
    expect(res.status).toBe(409);
    expect(res.json.error?.code).toBe('invalid_transition');
    expect(await hasBlob(file.sha256)).toBe(false);
  });

  it('on the page: an admin-only account, another unit’s official and an unknown dossier get 404 and store nothing', async () => {
    const id = await dossierAt('approval');
    const refused = [
      [await loggedIn('admin.snv'), id],
      [await loggedIn(otherUnit()), id],
      [await loggedIn(director()), RANDOM_ID],
    ] as const;
    for (const [c, dossierId] of refused) {
      const file = uniquePdf();
      const res = await pageAttach(c, dossierId, file.bytes);
      expect(res.status).toBe(404);
      expect(res.text).toContain('Hồ sơ không tồn tại');
      expect(await hasBlob(file.sha256)).toBe(false);
    }
    expect(await resultFiles(id)).toEqual([]);

    const file = uniquePdf();
    const res = await pageAttach(await loggedIn(director()), id, file.bytes);
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/tiepnhan/ho-so/${id}?tb=attached`);
    expect(await hasBlob(file.sha256)).toBe(true);
  });
});

describe('a procedure’s template is stored only for an administrator of the procedure', () => {
  async function uploadTemplate(c: Client, procedureId: string, version: number, bytes: Uint8Array) {
    const form = new FormData();
    form.set('_csrf', await c.csrf('/tiepnhan'));
    form.set('version', String(version));
    form.set('document', '0');
    form.set('file', pdfFile(bytes, 'Đơn đề nghị.pdf'));
    return c.request('POST', `/tiepnhan/quan-tri/thu-tuc/${procedureId}/mau`, form, { origin: c.origin });
  }

  it('another department’s administrator gets 404 and stores nothing; the procedure’s administrator uploads', async () => {
    // 2.000190 (thuốc lá): Sở Công Thương's.
    const { p, v } = await currentProcedure(t.database, '2.000190');
    const refused = uniquePdf();
    const res = await uploadTemplate(await loggedIn('admin.snv'), p.id, v.version, refused.bytes);
    expect(res.status).toBe(404);
    expect(await hasBlob(refused.sha256)).toBe(false);

    const file = uniquePdf();
    const ok = await uploadTemplate(await loggedIn('admin.sct'), p.id, v.version, file.bytes);
    expect(ok.status).toBe(303);
    expect(await hasBlob(file.sha256)).toBe(true);
  });
});

describe('the scan of a supplement taken at the counter is stored only for whoever may take it', () => {
  async function sendSupplement(c: Client, dossierId: string, bytes: Uint8Array) {
    const form = new FormData();
    form.set('_csrf', await c.csrf('/tiepnhan'));
    form.set('action', 'supplement_received');
    form.set('supplementScan', pdfFile(bytes, 'bo-sung.pdf'));
    return c.request('POST', `/tiepnhan/ho-so/${dossierId}/xu-ly`, form, { origin: c.origin });
  }

  it('another department, a dossier that does not exist, or one not waiting for a supplement: refused, nothing stored', async () => {
    const id = await dossierAt('reception');
    const clerk = await actorFor(t.database, sctClerkUsername());
    await actOnDossier(t.database.db, clerk, id, { action: 'handover' });
    const expertName = who('sct-qltm', 'Chuyên viên');
    const expert = await loggedIn(expertName);
    // Not waiting for a supplement yet: the action is not offered.
    const early = uniquePdf();
    expect((await sendSupplement(expert, id, early.bytes)).status).toBe(409);
    expect(await hasBlob(early.sha256)).toBe(false);
    await actOnDossier(t.database.db, await actorFor(t.database, expertName), id, {
      action: 'request_supplement',
      note: 'Thiếu bản sao',
      items: 'Bản sao',
    });
    const outsider = await loggedIn(otherUnit());
    for (const target of [id, RANDOM_ID]) {
      const refused = uniquePdf();
      expect((await sendSupplement(outsider, target, refused.bytes)).status).toBe(404);
      expect(await hasBlob(refused.sha256)).toBe(false);
    }
    const file = uniquePdf();
    expect((await sendSupplement(expert, id, file.bytes)).status).toBe(303);
    expect(await hasBlob(file.sha256)).toBe(true);
  });
});
