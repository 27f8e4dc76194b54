/**
 * The applicant's notes on their own dossier: Rút hồ sơ's reason refused beside it on the dossier's page with what was
 * typed (it was the generic error page), and Bổ sung's note cut whole (it could halve an emoji). From an attacker review.
 */
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dossierEvents, dossiers } from '../src/db/schema/index.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { loggedInCitizen, SUBMISSION_FORM, sendSubmission, submissionForm } from './support/portal-citizen.js';

const t = useDemoApp();
const pdf = (name: string) =>
  new File([Buffer.from(`%PDF-1.4\n% ${name} ${crypto.randomUUID()}\n%%EOF\n`)], name, { type: 'application/pdf' });

async function submitted() {
  const a = await loggedInCitizen(t.database.db, t.app);
  const proc = await currentProcedure(t.database, '2.000633');
  const csrf = await a.client.csrf(`${SUBMISSION_FORM}?thutuc=${proc.p.id}`);
  const fields = { do: 'submit', phone: '0912345678', address: 'Số 1', submissionKey: crypto.randomUUID() };
  const res = await sendSubmission(
    a.client,
    proc.p.id,
    submissionForm(csrf, proc.p.id, fields, { doc0: pdf('a.pdf'), doc1: pdf('b.pdf'), doc2: pdf('c.pdf') }),
  );
  expect(res.status).toBe(303);
  const [d] = await t.database.db.select().from(dossiers).where(eq(dossiers.citizenId, a.id));
  return { a, d: d! };
}

describe('notes on the applicant’s own dossier', () => {
  it('Rút hồ sơ with a reason past 2000 characters says so beside the reason on the dossier’s page, the reason kept', async () => {
    const { a, d } = await submitted();
    const p = `/ca-nhan/ho-so/${d.id}`;
    // The reason's input has no maxlength: a long pasted explanation is an ordinary citizen's mistake.
    const res = await a.client.post(`${p}/rut`, { note: `Lý do: ${'x'.repeat(2100)}`, 'xac-nhan': '1' }, { csrfFrom: p });
    expect(res.status).toBe(400);
    // Today: the generic error page "Thông báo" says "Vui lòng kiểm tra các ô được đánh dấu." with no field marked,
    // no dossier, no form, and the typed reason lost.
    expect(res.text).toContain('<span class="field-error" id="err-withdrawNote">Nội dung tối đa 2000 ký tự.</span>');
    expect(res.text).toContain(`action="${p}/rut"`);
    expect(res.text).toContain(`value="Lý do: ${'x'.repeat(2100)}"`);
    // A control character: the same place, its own message; the dossier is not withdrawn.
    const nul = await a.client.post(`${p}/rut`, { note: 'Lý do\u0000', 'xac-nhan': '1' }, { csrfFrom: p });
    expect(nul.status).toBe(400);
    expect(nul.text).toContain('id="err-withdrawNote"');
    const [after] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(after!.status).toBe(d.status);
  });

  it('Bổ sung’s note cut at 2000 characters never halves an emoji into U+FFFD', async () => {
    const { a, d } = await submitted();
    const clerk = await actorFor(t.database, sctClerkUsername());
    await actOnDossier(t.database.db, clerk, d.id, { action: 'accept' });
    await actOnDossier(t.database.db, clerk, d.id, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao giấy phép' });
    const p = `/ca-nhan/ho-so/${d.id}`;
    const form = new FormData();
    form.set('_csrf', await a.client.csrf(p));
    form.set('file', pdf('bo-sung.pdf'));
    form.set('note', `${'a'.repeat(1999)}😀`);
    const res = await a.client.request('POST', `${p}/bo-sung`, form, { origin: a.client.origin });
    expect(res.status).toBe(303);
    const events = await t.database.db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id));
    const note = events.find((e) => e.action === 'supplement_received')!.note ?? '';
    expect(note).not.toContain('\uFFFD');
  });
});
