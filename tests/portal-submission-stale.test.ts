/**
 * Nộp hồ sơ under an attacker's review: text no draft can keep (a NUL, half an emoji left by a cut) is refused or cut
 * whole instead of a server error; a form or draft of an older version of the procedure never files a document under
 * another's name; the same form sent again after it made its dossier writes nothing.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { citizenUploadVolume, dossierDrafts, dossierFiles, dossiers, sessions } from '../src/db/schema/index.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { usageOf } from '../src/personal-files/files.js';
import { CONTROL_CHARS_MESSAGE } from '../src/shared/text.js';
import { MAX_ANSWER_LENGTH } from '../src/procedures/declaration-form.js';
import { actorFor, currentProcedure, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen, SUBMISSION_FORM, sendSubmission, submissionForm } from './support/portal-citizen.js';
import { procedureForm } from './support/procedure-form.js';

const t = useDemoApp();
const FORM = SUBMISSION_FORM;
const CHANGED = 'Thủ tục vừa được cập nhật: thành phần hồ sơ có thể đã thay đổi. Vui lòng kiểm tra lại giấy tờ và nộp lại.';

const pdf = (name: string) => new File([Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`)], name, { type: 'application/pdf' });

const draftsOf = (citizenId: string) => t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, citizenId));
const dossiersOf = (citizenId: string) => t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, citizenId));
const volumeOf = (citizenId: string) =>
  t.database.db.select().from(citizenUploadVolume).where(eq(citizenUploadVolume.citizenId, citizenId));

/** The administrator saves a new version of the procedure with its documents in the reverse order. */
async function reverseDocuments(procedureId: string) {
  const { p, v } = await currentProcedure(t.database, '2.000633');
  const admin = await actorFor(t.database, 'admin.sct');
  await saveProcedure(
    t.database.db,
    admin,
    procedureId,
    procedureForm(p.code, v, {}, (docs) => docs.reverse()),
  );
  return (await currentProcedure(t.database, '2.000633')).v;
}

describe('Nộp hồ sơ: text a draft cannot keep', () => {
  it('a NUL in any field is refused beside it with what was typed shown again, nothing written; a cut never halves an emoji', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, '2.000633');
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const at = `${FORM}?thutuc=${proc.p.id}`;
    const save = await client.post(at, { procedureId: proc.p.id, do: 'save', address: 'Số 1\u0000 đường' }, { csrf });
    expect(save.status).toBe(400);
    expect(save.text).toContain(`<span class="field-error" id="err-address">${CONTROL_CHARS_MESSAGE}</span>`);
    expect(save.text).toContain('Số 1');
    for (const field of ['note', 'principalName', 'unitId']) {
      const res = await client.post(at, { procedureId: proc.p.id, do: 'save', phone: '0912345678', [field]: 'x\u0000y' }, { csrf });
      expect([field, res.status, res.text.includes(`id="err-${field}">${CONTROL_CHARS_MESSAGE}`)]).toEqual([field, 400, true]);
    }
    // Nộp hồ sơ with a file: refused before the file is stored, so neither kept nor counted against the budget.
    const submit = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(
        csrf,
        proc.p.id,
        { do: 'submit', submissionKey: crypto.randomUUID(), phone: '0912345678', address: 'Số 1\u0000' },
        {
          doc0: pdf('don.pdf'),
        },
      ),
    );
    expect(submit.status).toBe(400);
    expect(submit.text).toContain('tệp vừa chọn chưa được lưu, vui lòng chọn lại');
    expect([await draftsOf(id), await dossiersOf(id), await volumeOf(id)]).toEqual([[], [], []]);
    // 999 letters and an emoji in a 1000-character field: the emoji is kept whole (a cut inside it answered 500).
    const long = `${'a'.repeat(999)}😀`;
    const cut = await client.post(at, { procedureId: proc.p.id, do: 'save', address: long, note: long }, { csrf });
    expect(cut.status).toBe(200);
    const [draft] = await draftsOf(id);
    expect([draft!.fields.address, draft!.fields.note]).toEqual([long, long]);
    // A lapsed session's save with a NUL: back to Đăng nhập, the draft as it was.
    await t.database.db
      .update(sessions)
      .set({ lastSeenAt: new Date(Date.now() - 31 * 60_000) })
      .where(eq(sessions.citizenId, id));
    const lapsed = await client.post(at, { procedureId: proc.p.id, do: 'save', phone: '0912345678\u0000' }, { csrf });
    expect(lapsed.status).toBe(303);
    expect(lapsed.location).toContain('/dang-nhap?tiep=');
    const [after] = await draftsOf(id);
    expect(after!.fields).toEqual(draft!.fields);
  });

  it('a tờ khai answer with a NUL is refused beside it; one cut at its limit keeps a final emoji whole', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, '1.001193');
    const at = `${FORM}?thutuc=${proc.p.id}`;
    const csrf = await client.csrf(at);
    const res = await client.post(at, { procedureId: proc.p.id, do: 'save', tk_ho_ten_tre: 'Khang\u0000' }, { csrf });
    expect(res.status).toBe(400);
    expect(res.text).toContain(`id="err-tk_ho_ten_tre">${CONTROL_CHARS_MESSAGE}`);
    expect(await draftsOf(id)).toEqual([]);
    const long = `${'a'.repeat(MAX_ANSWER_LENGTH)}😀`;
    const saved = await client.post(at, { procedureId: proc.p.id, do: 'save', tk_ghi_chu: long }, { csrf });
    expect(saved.status).toBe(200);
    const [draft] = await draftsOf(id);
    // Cut just past the limit on a code-point boundary: still over-long, so still refused on submission.
    expect(draft!.fields.tk_ghi_chu).toBe(long);
  });
});

describe('Nộp hồ sơ: a form or draft of an older version of the procedure', () => {
  it('a form opened before a new version is not submitted: its files go to the same documents by name, and the form says why', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, '2.000633');
    const v1 = proc.v;
    const opened = await client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(opened.text).toContain(`<input type="hidden" name="version" value="${v1.version}"/>`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(opened.text)![1]!;
    const v2 = await reverseDocuments(proc.p.id);
    expect(v2.documents.map((d) => d.name)).toEqual([...v1.documents].reverse().map((d) => d.name));
    const files = Object.fromEntries(v1.documents.map((_, i) => [`doc${i}`, pdf(`v1-doc${i}.pdf`)]));
    const fields = { do: 'submit', phone: '0912345678', address: 'Số 1 đường Thử', version: String(v1.version) };
    const res = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, submissionKey: crypto.randomUUID() }, files),
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain(CHANGED);
    expect(res.text).toContain(`<input type="hidden" name="version" value="${v2.version}"/>`);
    expect(res.text).toContain('Số 1 đường Thử');
    expect(await dossiersOf(id)).toEqual([]);
    // Each file kept under its own document, wherever the new version puts it.
    const [draft] = await draftsOf(id);
    const named = (files: Record<string, { name: string }>, docs: { name: string }[]) =>
      Object.fromEntries(Object.entries(files).map(([i, f]) => [docs[Number(i)]!.name, f.name]));
    expect(named(draft!.files, v2.documents)).toEqual(Object.fromEntries(v1.documents.map((d, i) => [d.name, `v1-doc${i}.pdf`])));
    // Seen the form as it is now, the citizen sends it: filed under the right documents.
    const ok = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, version: String(v2.version), submissionKey: crypto.randomUUID() }),
    );
    expect(ok.status).toBe(303);
    const [d] = await dossiersOf(id);
    const filed = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, d!.id));
    expect(Object.fromEntries(filed.map((f) => [f.documentLabel, f.name]))).toEqual(
      Object.fromEntries(v1.documents.map((doc, i) => [doc.name, `v1-doc${i}.pdf`])),
    );
  });

  it('a draft saved under an older version is not submitted as it is: the form shows it under the new documents and says why', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, '2.000633');
    const v1 = proc.v;
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const files = Object.fromEntries(v1.documents.map((_, i) => [`doc${i}`, pdf(`v1-doc${i}.pdf`)]));
    const fields = { phone: '0912345678', address: 'Số 1 đường Thử' };
    const saved = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, do: 'save', version: String(v1.version), submissionKey: crypto.randomUUID() }, files),
    );
    expect(saved.status).toBe(200);
    const v2 = await reverseDocuments(proc.p.id);
    // (The use case's own refusal, which also brings the draft to the new version: portal-submission-new-version.test.ts.)
    // The form shows each file under its own document, and why the form changed.
    const page = await client.get(`${FORM}?thutuc=${proc.p.id}`);
    expect(page.text).toContain(CHANGED);
    const last = v2.documents.length - 1;
    expect(page.text).toMatch(new RegExp(`id="tp-${last}">[\\s\\S]*?Đã có tệp: v1-doc0\\.pdf`));
    // A page without the version (opened before this rule) is not submitted either while the draft is of another.
    const old = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, do: 'submit', submissionKey: crypto.randomUUID() }),
    );
    expect(old.status).toBe(409);
    expect(old.text).toContain(CHANGED);
    expect(await dossiersOf(id)).toEqual([]);
    // Once seen, it goes through, each file under its own document.
    const ok = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, do: 'submit', submissionKey: crypto.randomUUID() }),
    );
    expect(ok.status).toBe(303);
    const [d] = await dossiersOf(id);
    const filed = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, d!.id));
    expect(Object.fromEntries(filed.map((f) => [f.documentLabel, f.name]))).toEqual(
      Object.fromEntries(v1.documents.map((doc, i) => [doc.name, `v1-doc${i}.pdf`])),
    );
  });
});

describe('Nộp hồ sơ: the same form sent again', () => {
  it('a form whose key already made a dossier goes to it and writes nothing: no draft, no file stored or counted', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, '2.000633');
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const key = crypto.randomUUID();
    const form = () =>
      submissionForm(
        csrf,
        proc.p.id,
        { do: 'submit', submissionKey: key, phone: '0912345678', address: 'Số 1 đường Thử', version: String(proc.v.version) },
        { doc0: pdf('a.pdf'), doc1: pdf('b.pdf'), doc2: pdf('c.pdf') },
      );
    const first = await sendSubmission(client, proc.p.id, form());
    expect(first.status).toBe(303);
    const counted = (await volumeOf(id)).length;
    const again = await sendSubmission(client, proc.p.id, form());
    expect([again.status, again.location]).toEqual([303, first.location]);
    expect(await draftsOf(id)).toEqual([]);
    expect(await usageOf(t.database.db, id)).toMatchObject({ draftFiles: 0, draftBytes: 0 });
    expect((await volumeOf(id)).length).toBe(counted);
    expect(await dossiersOf(id)).toHaveLength(1);
    // The next visit shows an empty form, no ghost files.
    expect((await client.get(`${FORM}?thutuc=${proc.p.id}`)).text).not.toContain('Đã có tệp');
  });
});
