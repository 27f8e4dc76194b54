/**
 * Nộp hồ sơ refused because the procedure got a new version since the draft was saved (submitOnline's
 * procedure_changed): the form shows the current version and the draft is brought to it in the same step, so that the
 * form shown is submitted when sent again — left at its old version, the draft had it refused once more. Files of a
 * document the new version no longer has are named on the form, not kept anywhere unseen.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { dossierDrafts, dossierFiles, dossiers, type ProcedureDocument, personalFiles } from '../src/db/schema/index.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { usageOf } from '../src/personal-files/files.js';
import { uploadPersonalFile } from '../src/personal-files/upload-personal-file.js';
import { ProcedureChangedError, submitOnline } from '../src/portal/submit-dossier.js';
import { citizenActor } from '../src/shared/context.js';
import { forEachReferencedBlob } from '../src/storage/gc.js';
import { hasBlob } from '../src/storage/index.js';
import { actorFor, currentProcedure, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen, SUBMISSION_FORM, sendSubmission, submissionForm } from './support/portal-citizen.js';
import { procedureForm } from './support/procedure-form.js';

const t = useDemoApp();
const FORM = SUBMISSION_FORM;
const CODE = '2.000633';
const CHANGED = 'Thủ tục vừa được cập nhật: thành phần hồ sơ có thể đã thay đổi. Vui lòng kiểm tra lại giấy tờ và nộp lại.';
const QUOTA = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 500 * 1024 * 1024 };

const pdfBytes = (name: string) => Buffer.from(`%PDF-1.4\n% ${name}\n%%EOF\n`);
const pdf = (name: string) => new File([pdfBytes(name)], name, { type: 'application/pdf' });
const sha = (name: string) => crypto.createHash('sha256').update(pdfBytes(name)).digest('hex');

/** A hidden field of the form a page shows. */
const hidden = (html: string, name: string) => new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"/>`).exec(html)?.[1];

const draftsOf = (citizenId: string) => t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, citizenId));
const dossiersOf = (citizenId: string) => t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, citizenId));
const filedOf = async (dossierId: string) =>
  Object.fromEntries(
    (await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, dossierId))).map((f) => [f.documentLabel, f.name]),
  );
/** A draft's files by the name of the document they are under, in `docs` (its version's). */
const named = (files: Record<string, { name: string }>, docs: { name: string }[]) =>
  Object.fromEntries(Object.entries(files).map(([i, f]) => [docs[Number(i)]!.name, f.name]));

/** The administrator saves a new version of the procedure with the documents `change` makes of the current ones. */
async function newVersion(procedureId: string, change: (docs: ProcedureDocument[]) => ProcedureDocument[]) {
  const { p, v } = await currentProcedure(t.database, CODE);
  const admin = await actorFor(t.database, 'admin.sct');
  await saveProcedure(t.database.db, admin, procedureId, procedureForm(p.code, v, {}, change));
  return (await currentProcedure(t.database, CODE)).v;
}

/**
 * The one way to reach submitOnline's refusal through the form: a new version saved while the submission is on its
 * way, after its draft was saved and before it is submitted. `v2` is made now and `v1` left current; the next write of
 * a draft makes `v2` current in the same transaction (a trigger), as an administrator's Lưu at that moment would.
 * Returns the undoing of it.
 */
async function newVersionDuringNextSubmission(procedureId: string, change: (docs: ProcedureDocument[]) => ProcedureDocument[]) {
  const v1 = (await currentProcedure(t.database, CODE)).v;
  const v2 = await newVersion(procedureId, change);
  const db = t.database.db;
  await db.execute(sql`update procedure_versions set current = false where id = ${v2.id}`);
  await db.execute(sql`update procedure_versions set current = true where id = ${v1.id}`);
  await db.execute(
    sql.raw(`create or replace function test_publish_v2() returns trigger language plpgsql as $$ begin
      update procedure_versions set current = false where procedure_id = '${procedureId}' and id <> '${v2.id}' and current;
      update procedure_versions set current = true where id = '${v2.id}' and not current;
      return null; end $$`),
  );
  await db.execute(
    sql.raw(
      'create trigger test_publish_v2 after insert or update on dossier_drafts for each statement execute function test_publish_v2()',
    ),
  );
  const undo = async () => {
    await db.execute(sql.raw('drop trigger if exists test_publish_v2 on dossier_drafts'));
    await db.execute(sql.raw('drop function if exists test_publish_v2()'));
  };
  return { v1, v2, undo };
}

describe('Nộp hồ sơ refused for a new version of the procedure: the form shown is submitted', () => {
  it('draft under v1, v2 saved during the submission: 409 with the v2 form and the draft under v2; that form sent again makes the dossier', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, CODE);
    const v1 = proc.v;
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const fields = { phone: '0912345678', address: 'Số 1 đường Thử' };
    const files = Object.fromEntries(v1.documents.map((_, i) => [`doc${i}`, pdf(`v1-doc${i}.pdf`)]));
    const saved = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, do: 'save', version: String(v1.version), submissionKey: crypto.randomUUID() }, files),
    );
    expect(saved.status).toBe(200);
    const race = await newVersionDuringNextSubmission(proc.p.id, (docs) => docs.reverse());
    let refused: Awaited<ReturnType<typeof sendSubmission>>;
    try {
      refused = await sendSubmission(
        client,
        proc.p.id,
        submissionForm(csrf, proc.p.id, { ...fields, do: 'submit', version: String(v1.version), submissionKey: crypto.randomUUID() }),
      );
    } finally {
      await race.undo();
    }
    const v2 = (await currentProcedure(t.database, CODE)).v;
    expect(v2.id).toBe(race.v2.id);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(CHANGED);
    expect(hidden(refused.text, 'version')).toBe(String(v2.version));
    const last = v2.documents.length - 1;
    expect(refused.text).toMatch(new RegExp(`id="tp-${last}">[\\s\\S]*?Đã có tệp: v1-doc0\\.pdf`));
    expect(await dossiersOf(id)).toEqual([]);
    // The draft is of v2 now, each file under its own document.
    const [draft] = await draftsOf(id);
    expect(draft!.procedureVersionId).toBe(v2.id);
    const byName = Object.fromEntries(v1.documents.map((d, i) => [d.name, `v1-doc${i}.pdf`]));
    expect(named(draft!.files, v2.documents)).toEqual(byName);
    // The form shown, sent as it is (its key, its version): the dossier, each file under its own document.
    const ok = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(hidden(refused.text, '_csrf') ?? csrf, proc.p.id, {
        ...fields,
        do: 'submit',
        version: hidden(refused.text, 'version')!,
        submissionKey: hidden(refused.text, 'submissionKey')!,
      }),
    );
    expect(ok.status).toBe(303);
    const [d] = await dossiersOf(id);
    expect(d!.procedureVersionId).toBe(v2.id);
    expect(await filedOf(d!.id)).toEqual(byName);
    expect(await draftsOf(id)).toEqual([]);
  });

  it('the refusal twice at once moves the draft once; another citizen’s draft of the procedure is not touched', async () => {
    const a = await loggedInCitizen(t.database.db, t.app);
    const b = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, CODE);
    const v1 = proc.v;
    const fields = { phone: '0912345678', address: 'Số 1 đường Thử' };
    for (const who of [a, b]) {
      const csrf = await who.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
      const files = Object.fromEntries(v1.documents.map((_, i) => [`doc${i}`, pdf(`${who.id}-doc${i}.pdf`)]));
      const res = await sendSubmission(
        who.client,
        proc.p.id,
        submissionForm(csrf, proc.p.id, { ...fields, do: 'save', version: String(v1.version), submissionKey: crypto.randomUUID() }, files),
      );
      expect(res.status).toBe(200);
    }
    const [before] = await draftsOf(b.id);
    const v2 = await newVersion(proc.p.id, (docs) => docs.reverse());
    // A double tap (the same key) and another tab (another key), all at once. The draft is moved once (moved twice,
    // reversed twice, each file would be back under the other end's document); a call that reads it once moved may
    // submit it (the form's own check, its version, is the route's: the next test), never under wrong documents.
    const actor = citizenActor(a.id, { ip: null, requestId: null });
    const key = crypto.randomUUID();
    const now = new Date();
    const answers = await Promise.allSettled([
      submitOnline(t.database.db, actor, proc.p.id, key, now),
      submitOnline(t.database.db, actor, proc.p.id, key, now),
      submitOnline(t.database.db, actor, proc.p.id, crypto.randomUUID(), now),
    ]);
    const refusals = answers.flatMap((r) => (r.status === 'rejected' ? [r.reason as ProcedureChangedError] : []));
    expect(refusals.length).toBeGreaterThan(0);
    for (const err of refusals) {
      expect([err.code, err.status]).toEqual(err instanceof ProcedureChangedError ? ['procedure_changed', 409] : ['draft_submitted', 409]);
    }
    const first = refusals.find((e) => e instanceof ProcedureChangedError)!;
    expect([first.message, first.dropped]).toEqual([CHANGED, []]);
    const byName = Object.fromEntries(v1.documents.map((d, i) => [d.name, `${a.id}-doc${i}.pdf`]));
    const made = await dossiersOf(a.id);
    expect(made.length).toBeLessThanOrEqual(1);
    if (!made.length) {
      const [draft] = await draftsOf(a.id);
      expect([draft!.procedureVersionId, named(draft!.files, v2.documents)]).toEqual([v2.id, byName]);
      // The other citizen's draft is as it was.
      expect(await draftsOf(b.id)).toEqual([before]);
      // Submitted again: the dossier.
      await submitOnline(t.database.db, actor, proc.p.id, key, new Date());
    }
    const [d] = await dossiersOf(a.id);
    expect(await filedOf(d!.id)).toEqual(byName);
    expect(await draftsOf(b.id)).toEqual([before]);
    // And a refusal alone, one call: the draft is of v2 at once, the next call submits it.
    const c = await loggedInCitizen(t.database.db, t.app);
    const csrf = await c.client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const files = Object.fromEntries(v2.documents.map((_, i) => [`doc${i}`, pdf(`c-doc${i}.pdf`)]));
    await sendSubmission(
      c.client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, { ...fields, do: 'save', version: String(v2.version) }, files),
    );
    const v3 = await newVersion(proc.p.id, (docs) => docs.reverse());
    const cActor = citizenActor(c.id, { ip: null, requestId: null });
    const err = (await submitOnline(t.database.db, cActor, proc.p.id, crypto.randomUUID(), new Date()).catch(
      (e) => e,
    )) as ProcedureChangedError;
    expect([err.code, err.status, err.message]).toEqual(['procedure_changed', 409, CHANGED]);
    expect((await draftsOf(c.id))[0]!.procedureVersionId).toBe(v3.id);
    const cd = await submitOnline(t.database.db, cActor, proc.p.id, crypto.randomUUID(), new Date());
    expect(await filedOf(cd.id)).toEqual(Object.fromEntries(v2.documents.map((doc, i) => [doc.name, `c-doc${i}.pdf`])));
    expect(await draftsOf(b.id)).toEqual([before]);
  });

  it('the stale form sent twice at once: both refused with the v2 form, then that form makes one dossier', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, CODE);
    const v1 = proc.v;
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const v2 = await newVersion(proc.p.id, (docs) => docs.reverse());
    const fields = { phone: '0912345678', address: 'Số 1 đường Thử', do: 'submit', version: String(v1.version) };
    const key = crypto.randomUUID();
    const form = () =>
      submissionForm(
        csrf,
        proc.p.id,
        { ...fields, submissionKey: key },
        Object.fromEntries(v1.documents.map((_, i) => [`doc${i}`, pdf(`v1-doc${i}.pdf`)])),
      );
    const [one, two] = await Promise.all([sendSubmission(client, proc.p.id, form()), sendSubmission(client, proc.p.id, form())]);
    for (const res of [one!, two!]) {
      expect(res.status).toBe(409);
      expect(res.text).toContain(CHANGED);
      expect(hidden(res.text, 'version')).toBe(String(v2.version));
    }
    expect(await dossiersOf(id)).toEqual([]);
    const [draft] = await draftsOf(id);
    const byName = Object.fromEntries(v1.documents.map((d, i) => [d.name, `v1-doc${i}.pdf`]));
    expect([draft!.procedureVersionId, named(draft!.files, v2.documents)]).toEqual([v2.id, byName]);
    const shown = two!.text;
    const again = () =>
      sendSubmission(
        client,
        proc.p.id,
        submissionForm(csrf, proc.p.id, {
          ...fields,
          version: hidden(shown, 'version')!,
          submissionKey: hidden(shown, 'submissionKey')!,
        }),
      );
    const [first, second] = await Promise.all([again(), again()]);
    expect([first!.status, second!.status]).toEqual([303, 303]);
    expect(first!.location).toBe(second!.location);
    const made = await dossiersOf(id);
    expect(made).toHaveLength(1);
    expect(await filedOf(made[0]!.id)).toEqual(byName);
  });
});

describe('Nộp hồ sơ: a new version without some of the documents a file was given for', () => {
  it('the form names the documents removed and their files; nothing of them is kept in the draft, the dossier or storage', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const actor = citizenActor(id, { ip: null, requestId: null });
    const proc = await currentProcedure(t.database, CODE);
    const v1 = proc.v;
    expect(v1.documents.length).toBeGreaterThanOrEqual(3);
    // A file of Quản lý tập tin cá nhân for the first document, uploads for the others.
    const mine = await uploadPersonalFile(
      t.database.db,
      actor,
      { file: { name: 'thu-vien.pdf', bytes: pdfBytes('thu-vien.pdf') } },
      QUOTA,
      new Date(),
    );
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const fields = { phone: '0912345678', address: 'Số 1 đường Thử' };
    const saved = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(
        csrf,
        proc.p.id,
        { ...fields, do: 'save', version: String(v1.version), submissionKey: crypto.randomUUID(), pick0: mine.id },
        { doc1: pdf('bo-di.pdf'), doc2: pdf('giu-lai.pdf') },
      ),
    );
    expect(saved.status).toBe(200);
    const usedBefore = await usageOf(t.database.db, id);
    // v2 keeps only the third document (first in it); the first two are removed.
    const [gone0, gone1, kept] = v1.documents;
    const race = await newVersionDuringNextSubmission(proc.p.id, (docs) => [docs[2]!]);
    let refused: Awaited<ReturnType<typeof sendSubmission>>;
    try {
      refused = await sendSubmission(
        client,
        proc.p.id,
        submissionForm(csrf, proc.p.id, { ...fields, do: 'submit', version: String(v1.version), submissionKey: crypto.randomUUID() }),
      );
    } finally {
      await race.undo();
    }
    expect(refused.status).toBe(409);
    expect(refused.text).toContain(CHANGED);
    // Said beside the documents: which were removed, and that their files were not carried over.
    const notice = /<div class="flash flash-info" role="status" id="giay-to-da-bo">([\s\S]*?)<\/div>/.exec(refused.text)?.[1] ?? '';
    expect(notice).toContain('không còn trong thủ tục');
    expect(notice).toContain('không được chuyển sang hồ sơ này');
    expect(notice).toContain(`${gone0!.name}: tệp thu-vien.pdf`);
    expect(notice).toContain(`${gone1!.name}: tệp bo-di.pdf`);
    expect(notice).not.toContain(kept!.name);
    // The draft keeps only the document the new version has.
    const [draft] = await draftsOf(id);
    expect(draft!.procedureVersionId).toBe(race.v2.id);
    expect(named(draft!.files, [kept!])).toEqual({ [kept!.name]: 'giu-lai.pdf' });
    // The upload of the removed document is named by no row (storage.gc collects it as any unused upload) and no
    // longer counts against the quota; the personal file is still in the library with its content.
    const referenced = new Set<string>();
    await forEachReferencedBlob(t.database.db, async (hashes) => {
      for (const h of hashes) referenced.add(h);
    });
    expect([referenced.has(sha('bo-di.pdf')), referenced.has(sha('giu-lai.pdf')), referenced.has(sha('thu-vien.pdf'))]).toEqual([
      false,
      true,
      true,
    ]);
    const usedAfter = await usageOf(t.database.db, id);
    expect(usedAfter.draftFiles).toBe(usedBefore.draftFiles - 1);
    const [library] = await t.database.db.select().from(personalFiles).where(eq(personalFiles.id, mine.id));
    expect([library!.deletedAt, await hasBlob(library!.sha256)]).toEqual([null, true]);
    // The form shown, sent again: the dossier holds the one document of v2, nothing of the removed ones.
    const ok = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(csrf, proc.p.id, {
        ...fields,
        do: 'submit',
        version: hidden(refused.text, 'version')!,
        submissionKey: hidden(refused.text, 'submissionKey')!,
      }),
    );
    expect(ok.status).toBe(303);
    const [d] = await dossiersOf(id);
    expect(await filedOf(d!.id)).toEqual({ [kept!.name]: 'giu-lai.pdf' });
  });

  it('a stale form with a file for a removed document: refused, the file named on the form and not kept', async () => {
    const { id, client } = await loggedInCitizen(t.database.db, t.app);
    const proc = await currentProcedure(t.database, CODE);
    const v1 = proc.v;
    const csrf = await client.csrf(`${FORM}?thutuc=${proc.p.id}`);
    const v2 = await newVersion(proc.p.id, (docs) => docs.slice(1));
    const res = await sendSubmission(
      client,
      proc.p.id,
      submissionForm(
        csrf,
        proc.p.id,
        { phone: '0912345678', address: 'Số 1 đường Thử', do: 'submit', version: String(v1.version), submissionKey: crypto.randomUUID() },
        Object.fromEntries(v1.documents.map((_, i) => [`doc${i}`, pdf(`cu-doc${i}.pdf`)])),
      ),
    );
    expect(res.status).toBe(409);
    expect(res.text).toContain(`${v1.documents[0]!.name}: tệp cu-doc0.pdf`);
    const [draft] = await draftsOf(id);
    expect(named(draft!.files, v2.documents)).toEqual(Object.fromEntries(v2.documents.map((d, i) => [d.name, `cu-doc${i + 1}.pdf`])));
    expect(Object.values(draft!.files).some((f) => f.sha256 === sha('cu-doc0.pdf'))).toBe(false);
    expect(await dossiersOf(id)).toEqual([]);
  });
});
