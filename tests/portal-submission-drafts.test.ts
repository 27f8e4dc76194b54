/**
 * Nộp hồ sơ's draft under an attacker's review: a double tap of one form makes one dossier and leaves no draft behind
 * (its files neither counted against the quota nor shown again on the next form), and a tab older than the draft
 * cannot silently erase what another tab saved (409, the draft shown as it now is, the stale form's files named).
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dossierDrafts, dossiers } from '../src/db/schema/index.js';
import { usageOf } from '../src/personal-files/files.js';
import { citizenActor } from '../src/shared/context.js';
import { DraftChangedError, draftVersionOf, loadDraft, saveDraft, submitOnline, typedDraftFields } from '../src/portal/submit-dossier.js';
import type { Db } from '../src/db/client.js';
import { currentProcedure, useDemoApp } from './support/fixtures.js';
import type { Client } from './support/app.js';
import { loggedInCitizen, SUBMISSION_FORM, sendSubmission, shownDraftVersion, submissionForm } from './support/portal-citizen.js';

const t = useDemoApp();
const CHANGED =
  'Bản nháp đã được thay đổi ở một cửa sổ khác; biểu mẫu đã được tải lại với nội dung mới nhất. Vui lòng kiểm tra và lưu lại.';

const pdf = (name: string) =>
  new File([Buffer.from(`%PDF-1.4\n% ${name} ${crypto.randomUUID()}\n%%EOF\n`)], name, { type: 'application/pdf' });
/** A phone photo's worth (6 MB): its request is slower to store than a small one's. */
const big = (name: string) =>
  new File([Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(6 * 1024 * 1024), Buffer.from('\n%%EOF\n')])], name, {
    type: 'application/pdf',
  });

const draftsOf = (citizenId: string) => t.database.db.select().from(dossierDrafts).where(eq(dossierDrafts.citizenId, citizenId));
const dossiersOf = (citizenId: string) => t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, citizenId));
const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

async function citizenAtForm() {
  const a = await loggedInCitizen(t.database.db, t.app);
  const proc = await currentProcedure(t.database, '2.000633');
  const csrf = await a.client.csrf(`${SUBMISSION_FORM}?thutuc=${proc.p.id}`);
  return { a, procedureId: proc.p.id, csrf };
}

describe('Nộp hồ sơ: a double tap of one form', () => {
  // PGlite: the two requests interleave so that the second saves its draft after the first consumed it.
  it('makes one dossier and leaves no draft behind (no files counted against the quota, nothing pre-filled)', async () => {
    const { a, procedureId, csrf } = await citizenAtForm();
    const fields = { do: 'submit', phone: '0912345678', address: 'Số 1', submissionKey: crypto.randomUUID() };
    const form = () => submissionForm(csrf, procedureId, fields, { doc0: pdf('a.pdf'), doc1: pdf('b.pdf'), doc2: pdf('c.pdf') });
    const [r1, r2] = await Promise.all([sendSubmission(a.client, procedureId, form()), sendSubmission(a.client, procedureId, form())]);
    expect([r1.status, r2.status]).toEqual([303, 303]);
    const made = await dossiersOf(a.id);
    expect(made).toHaveLength(1);
    // Both taps end on the dossier's page, as a double submit should.
    expect([r1.location, r2.location]).toEqual([`/ca-nhan/ho-so/${made[0]!.id}?tb=da-nop`, `/ca-nhan/ho-so/${made[0]!.id}?tb=da-nop`]);
    const usage = await usageOf(t.database.db, a.id);
    expect({ drafts: (await draftsOf(a.id)).length, draftFiles: usage.draftFiles }).toEqual({ drafts: 0, draftFiles: 0 });
    // The next form is empty: nothing of what was submitted comes back.
    const next = await a.client.get(`${SUBMISSION_FORM}?thutuc=${procedureId}`);
    expect(next.text).not.toContain('Đã có tệp');
    expect(hidden(next.text, 'draftVersion')).toBe('');
  });

  // PostgreSQL: the second tap's body is larger, so it passes the route's "this key already made a dossier" check while
  // the first is submitting, and reaches its save once the first consumed the draft (or in between).
  it.each([0, 20])('the second tap, with larger photos, %i ms later: one dossier, no phantom draft of 18 MB', async (delay) => {
    const { a, procedureId, csrf } = await citizenAtForm();
    const fields = { do: 'submit', phone: '0912345678', address: 'Số 1', submissionKey: crypto.randomUUID() };
    const shown = (await shownDraftVersion(a.client, procedureId)) ?? '';
    const tap = (files: Record<string, File>) =>
      sendSubmission(a.client, procedureId, submissionForm(csrf, procedureId, { ...fields, draftVersion: shown }, files));
    const r1 = tap({ doc0: pdf('a.pdf'), doc1: pdf('b.pdf'), doc2: pdf('c.pdf') });
    await new Promise((r) => setTimeout(r, delay));
    const r2 = tap({ doc0: big('a.pdf'), doc1: big('b.pdf'), doc2: big('c.pdf') });
    expect([(await r1).status, (await r2).status]).toEqual([303, 303]);
    expect(await dossiersOf(a.id)).toHaveLength(1);
    expect(await draftsOf(a.id)).toHaveLength(0);
    const usage = await usageOf(t.database.db, a.id);
    expect({ draftFiles: usage.draftFiles, draftBytes: usage.draftBytes }).toEqual({ draftFiles: 0, draftBytes: 0 });
  });

  it('a Lưu nháp sent again from the same page (its answer lost) is that form again, not a stale one', async () => {
    const { a, procedureId, csrf } = await citizenAtForm();
    const fields = { do: 'save', phone: '0912345678', address: 'Số 1', submissionKey: crypto.randomUUID(), draftVersion: '' };
    expect((await sendSubmission(a.client, procedureId, submissionForm(csrf, procedureId, fields))).status).toBe(200);
    const again = await sendSubmission(a.client, procedureId, submissionForm(csrf, procedureId, { ...fields, address: 'Số 2' }));
    expect(again.status).toBe(200);
    expect((await draftsOf(a.id))[0]!.fields).toMatchObject({ address: 'Số 2' });
  });
});

describe('Nộp hồ sơ: two tabs of one draft', () => {
  /** Tab B saves the contact; tab A was opened before, on `seenByA` (its page's draftVersion). */
  async function tabBSaves(client: Client, procedureId: string, csrf: string) {
    const saved = await sendSubmission(
      client,
      procedureId,
      submissionForm(
        csrf,
        procedureId,
        { do: 'save', phone: '0912345678', address: 'Số 9 đường Mới', note: 'Ghi chú từ thẻ B', submissionKey: crypto.randomUUID() },
        { doc0: pdf('don-tu-the-b.pdf') },
      ),
    );
    expect(saved.status).toBe(200);
    return saved;
  }

  it('Lưu nháp from a tab opened before any draft is refused (409), the newer draft shown, nothing written', async () => {
    const { a, procedureId, csrf } = await citizenAtForm();
    // What tab A's page carries: no draft yet.
    const seenByA = (await shownDraftVersion(a.client, procedureId)) ?? '';
    await tabBSaves(a.client, procedureId, csrf);
    const [before] = await draftsOf(a.id);
    // Tab A, still showing the empty form it was opened with, presses Lưu nháp with a file of its own.
    const stale = await sendSubmission(
      a.client,
      procedureId,
      submissionForm(
        csrf,
        procedureId,
        { do: 'save', phone: '', address: '', note: '', submissionKey: crypto.randomUUID(), draftVersion: seenByA },
        { doc1: pdf('anh-tu-the-a.pdf') },
      ),
    );
    expect(stale.status).toBe(409);
    expect(stale.text).toContain(CHANGED);
    expect(stale.text.normalize('NFC')).toBe(stale.text);
    // The page is the draft as it now is, with its version: tab B's values and file.
    expect(stale.text).toContain('value="Số 9 đường Mới"');
    expect(stale.text).toContain('Đã có tệp: don-tu-the-b.pdf');
    expect(hidden(stale.text, 'draftVersion')).toBe(String(before!.updatedAt.getTime()));
    // The stale form's upload is named, never dropped unseen.
    expect(stale.text).toMatch(/<ul id="tep-chua-luu">\s*<li>[^<]*: tệp anh-tu-the-a\.pdf<\/li>/);
    // Nothing written: the draft is tab B's, to the millisecond.
    const [after] = await draftsOf(a.id);
    expect(after).toEqual(before);
    expect(await usageOf(t.database.db, a.id)).toMatchObject({ draftFiles: 1 });
  });

  it('Lưu nháp or Nộp hồ sơ from a tab showing an older version of the draft is refused; the page sent again is saved', async () => {
    const { a, procedureId, csrf } = await citizenAtForm();
    const key = crypto.randomUUID();
    const first = await sendSubmission(
      a.client,
      procedureId,
      submissionForm(csrf, procedureId, { do: 'save', phone: '0912345678', address: 'Số 1', submissionKey: key }),
    );
    const seenByA = hidden(first.text, 'draftVersion') ?? '';
    await tabBSaves(a.client, procedureId, csrf);
    const [before] = await draftsOf(a.id);
    for (const act of ['save', 'submit']) {
      const stale = await sendSubmission(
        a.client,
        procedureId,
        submissionForm(csrf, procedureId, { do: act, phone: '0912345678', address: 'Số 1', submissionKey: key, draftVersion: seenByA }),
      );
      expect([act, stale.status, stale.text.includes(CHANGED)]).toEqual([act, 409, true]);
      expect(await draftsOf(a.id)).toEqual([before]);
    }
    expect(await dossiersOf(a.id)).toHaveLength(0);
    // A form with no version at all (a page from before forms carried one) is stale too while a draft exists.
    const bare = submissionForm(csrf, procedureId, { do: 'save', address: 'Số 1', submissionKey: crypto.randomUUID() });
    const noVersion = await a.client.request('POST', `${SUBMISSION_FORM}?thutuc=${procedureId}`, bare, { origin: a.client.origin });
    expect(noVersion.status).toBe(409);
    expect(await draftsOf(a.id)).toEqual([before]);
    // The page the refusal showed, checked and saved again, is accepted.
    const refreshed = await a.client.get(`${SUBMISSION_FORM}?thutuc=${procedureId}`);
    const ok = await sendSubmission(
      a.client,
      procedureId,
      submissionForm(csrf, procedureId, {
        do: 'save',
        phone: '0912345678',
        address: 'Số 9 đường Mới',
        note: 'Đã xem lại',
        submissionKey: hidden(refreshed.text, 'submissionKey') ?? '',
        draftVersion: hidden(refreshed.text, 'draftVersion') ?? '',
      }),
    );
    expect(ok.status).toBe(200);
    expect((await draftsOf(a.id))[0]!.fields).toMatchObject({ note: 'Đã xem lại' });
  });

  it('a Lưu nháp landing while Nộp hồ sơ is under way (after it read the draft) is not consumed unseen: nothing submitted, the newer draft kept (a review’s case)', async () => {
    const { a, procedureId, csrf } = await citizenAtForm();
    const first = await sendSubmission(
      a.client,
      procedureId,
      submissionForm(
        csrf,
        procedureId,
        { do: 'save', phone: '0912345678', address: 'Địa chỉ cũ', submissionKey: crypto.randomUUID() },
        Object.fromEntries(
          (await currentProcedure(t.database, '2.000633')).v.documents.map((_, i) => [`doc${i}`, pdf(`tai-lieu-${i}.pdf`)]),
        ),
      ),
    );
    expect(first.status).toBe(200);
    const actor = citizenActor(a.id, { ip: null, requestId: null });
    const db = t.database.db;
    let tabB: 'saved' | null = null;
    // Tab B's save lands just after tab A's Nộp hồ sơ read the draft, before its transaction.
    const racing = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === 'transaction' && tabB === null) {
          return async (...args: unknown[]) => {
            const draft = await loadDraft(db, actor, procedureId);
            const quota = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 100 * 1024 * 1024 };
            await saveDraft(
              db,
              actor,
              procedureId,
              { ...typedDraftFields(draft!.fields), address: 'Địa chỉ mới (thẻ B)' },
              [],
              [],
              new Date(),
              quota,
              {
                key: crypto.randomUUID(),
                seen: draftVersionOf(draft),
              },
            );
            tabB = 'saved';
            return (target.transaction as (...x: unknown[]) => unknown).apply(target, args);
          };
        }
        return Reflect.get(target, prop, receiver);
      },
    }) as Db;
    const refused = await submitOnline(racing, actor, procedureId, crypto.randomUUID(), new Date()).catch((e: unknown) => e);
    expect(tabB).toBe('saved');
    expect(refused).toBeInstanceOf(DraftChangedError);
    expect(await dossiersOf(a.id)).toEqual([]);
    const [kept] = await draftsOf(a.id);
    expect(kept!.fields.address).toBe('Địa chỉ mới (thẻ B)');
    // Sent again, now from the draft as it is: submitted.
    const d = await submitOnline(db, actor, procedureId, crypto.randomUUID(), new Date());
    expect(d.applicant.address).toBe('Địa chỉ mới (thẻ B)');
  });

  it('Nộp hồ sơ submits the draft its own request saved: another tab’s save landing between the two is not submitted unseen (a review’s case)', async () => {
    const { a, procedureId } = await citizenAtForm();
    const actor = citizenActor(a.id, { ip: null, requestId: null });
    const db = t.database.db;
    const quota = { quotaBytes: 50 * 1024 * 1024, quotaFiles: 200, uploadDailyBytes: 100 * 1024 * 1024 };
    const version = (await currentProcedure(t.database, '2.000633')).v;
    const docs = version.documents.map((_, i) => ({
      index: i,
      stored: { sha256: `${i}`.repeat(64).slice(0, 64), name: `a${i}.pdf`, mime: 'application/pdf', size: 10 },
    }));
    // Tab A's Nộp hồ sơ saves first, as the route does…
    const keyA = crypto.randomUUID();
    const typedA = { phone: '0912345678', address: 'Địa chỉ của thẻ A', unitId: version.unitIds[0]! };
    const savedA = await saveDraft(db, actor, procedureId, typedA, docs, [], new Date(), quota, { key: keyA, seen: '' });
    if (savedA.submitted) throw new Error('not submitted yet');
    // …tab B saves another address…
    const now = await loadDraft(db, actor, procedureId);
    await saveDraft(db, actor, procedureId, { ...typedDraftFields(now!.fields), address: 'Địa chỉ của thẻ B' }, [], [], new Date(), quota, {
      key: crypto.randomUUID(),
      seen: draftVersionOf(now),
    });
    // …and tab A's request goes on to submit what it saved: refused, nothing made, B's draft kept.
    const refused = await submitOnline(db, actor, procedureId, keyA, new Date(), savedA.draft.updatedAt).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DraftChangedError);
    expect(await dossiersOf(a.id)).toEqual([]);
    expect((await draftsOf(a.id))[0]!.fields.address).toBe('Địa chỉ của thẻ B');
  });
});
