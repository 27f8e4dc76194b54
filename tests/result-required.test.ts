import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { accountByUsername, actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { recordSignedResult } from './support/results.js';
import { demoOfficials } from '../src/demo/officials.js';
import { auditLog, dossierEvents, dossierResults, dossiers, procedureVersions } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { attachResult } from '../src/dossiers/attach-result.js';
import { recordResult } from '../src/dossiers/record-result.js';
import { issueApiClient } from '../src/api/issue-api-client.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const vn = (s: string) => new Date(`${s}+07:00`);
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: AppError) => e,
  );
const pdf = new TextEncoder().encode('%PDF-1.4\n% giấy phép\n%%EOF\n');
const signed = { kind: 'document', number: '15/GP-SCT', signedOn: '01/12/2026', summary: 'Cấp giấy phép bán lẻ sản phẩm rượu' };

/** A dossier of 2.000633 at the approval step (Sở Công Thương: clerk → Quản lý Thương mại → Giám đốc). */
async function atApproval() {
  const { p } = await currentProcedure(t.database, '2.000633');
  const clerk = await actorFor(t.database, sctClerkUsername());
  const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
  const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
  const d = await receiveAtCounter(
    t.database.db,
    clerk,
    { procedureId: p.id, channel: '1', fullName: 'Lê Văn Kết' },
    vn('2026-11-30T09:00'),
  );
  await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, vn('2026-11-30T10:00'));
  await actOnDossier(t.database.db, expert, d.id, { action: 'handover' }, vn('2026-12-01T10:00'));
  return { d, clerk, expert, director };
}

const now = vn('2026-12-02T09:00');

describe('a dossier is approved and returned only with its result', () => {
  it('approval needs the recorded result and its file; it freezes the result; Trả kết quả follows', async () => {
    const { d, clerk, director } = await atApproval();
    const db = t.database.db;
    const none = await failure(actOnDossier(db, director, d.id, { action: 'approve' }, now));
    expect(none).toMatchObject({ code: 'result_required', status: 409 });
    expect(none!.message).toContain('Giấy phép bán lẻ sản phẩm rượu');
    expect(none!.fields?.result).toBeTruthy();
    // Recorded without its file: the file is named.
    await recordResult(db, director, d.id, signed, now);
    const noFile = await failure(actOnDossier(db, director, d.id, { action: 'approve' }, now));
    expect(noFile).toMatchObject({ code: 'result_required', status: 409 });
    expect(noFile!.fields?.file).toContain('tệp kết quả');
    await attachResult(db, director, d.id, { name: 'giay-phep.pdf', bytes: pdf }, now);
    const approved = await actOnDossier(db, director, d.id, { action: 'approve' }, now);
    expect(approved.status).toBe('done');
    const [r] = await db.select().from(dossierResults).where(eq(dossierResults.dossierId, d.id));
    expect(r).toMatchObject({ kind: 'document', number: '15/GP-SCT', signedOn: '2026-12-01', approvedAt: now });
    // Frozen: neither a new record nor a new file.
    const later = vn('2026-12-02T10:00');
    expect(await failure(recordResult(db, director, d.id, { ...signed, number: '16/GP-SCT' }, later))).toMatchObject({
      code: 'not_found',
    });
    expect((await failure(attachResult(db, director, d.id, { name: 'khac.pdf', bytes: pdf }, later)))?.code).toBe('not_found');
    const returned = await actOnDossier(db, clerk, d.id, { action: 'return_result', returnChannel: '1' }, later);
    expect(returned.status).toBe('returned');
    const actions = (await db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id))).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['record_result', 'attach_result', 'approve', 'return_result']));
  });

  it('recording after approval is refused as frozen to an official still at the dossier', async () => {
    const { d, expert, director } = await atApproval();
    const db = t.database.db;
    await recordSignedResult(db, director, d.id, now);
    await actOnDossier(db, director, d.id, { action: 'approve' }, now);
    // The approval's history row keeps which result was approved.
    const [ev] = await db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'approve')));
    expect(ev!.data).toMatchObject({ result: 'document', resultNumber: '15/GP-SCT' });
    // Turn the dossier back to processing at the approval step by hand: the frozen result still refuses a change.
    await db.update(dossiers).set({ status: 'processing', currentStep: 2 }).where(eq(dossiers.id, d.id));
    const e = await failure(recordResult(db, director, d.id, { ...signed, number: '99/GP-SCT' }, now));
    expect(e).toMatchObject({ code: 'result_frozen', status: 409 });
    expect((await failure(recordResult(db, expert, d.id, signed, now)))?.code).toBe('not_found');
  });

  it('Trả kết quả of a dossier done without an approved result is refused', async () => {
    const { d, clerk } = await atApproval();
    // A dossier put at the result step without going through Phê duyệt (as data written by hand would be).
    await t.database.db.update(dossiers).set({ status: 'done', currentStep: 3, currentRole: 'result' }).where(eq(dossiers.id, d.id));
    const e = await failure(actOnDossier(t.database.db, clerk, d.id, { action: 'return_result', returnChannel: '1' }, now));
    expect(e).toMatchObject({ code: 'result_required', status: 409 });
    expect(e!.fields?.result).toContain('phê duyệt');
  });

  it('checks số, ngày ký (a real date, not in the future) and trích yếu; "không có văn bản" only where the procedure allows', async () => {
    const { d, director } = await atApproval();
    const db = t.database.db;
    const empty = await failure(recordResult(db, director, d.id, { kind: 'document' }, now));
    expect(Object.keys(empty!.fields ?? {}).sort()).toEqual(['number', 'signedOn', 'summary']);
    const bad = await failure(recordResult(db, director, d.id, { ...signed, signedOn: '31/02/2026' }, now));
    expect(bad!.fields?.signedOn).toContain('dd/mm/yyyy');
    const future = await failure(recordResult(db, director, d.id, { ...signed, signedOn: '03/12/2026' }, now));
    expect(future!.fields?.signedOn).toContain('sau ngày hôm nay');
    // Before the dossier came in (received 30/11/2026), down to year 100: refused; the day of reception is the first.
    for (const signedOn of ['01/01/0100', '29/11/2026']) {
      const early = await failure(recordResult(db, director, d.id, { ...signed, signedOn }, now));
      expect(early!.fields?.signedOn, signedOn).toBe('Ngày ký không được trước ngày tiếp nhận hồ sơ (30/11/2026).');
    }
    expect(await db.select().from(dossierResults)).toEqual([]);
    expect((await recordResult(db, director, d.id, { ...signed, signedOn: '30/11/2026' }, now)).signedOn).toBe('2026-11-30');
    await db.delete(dossierResults).where(eq(dossierResults.dossierId, d.id));
    const none = await failure(recordResult(db, director, d.id, { kind: 'none', noDocumentReason: 'Ghi vào sổ' }, now));
    expect(none!.fields?.kind).toContain('văn bản');
    expect(await db.select().from(dossierResults)).toEqual([]);

    // A procedure whose result may be an entry in a register: a reason is needed, no file.
    await db
      .update(procedureVersions)
      .set({ resultWithoutDocument: 'Kết quả là việc ghi vào sổ đăng ký' })
      .where(eq(procedureVersions.id, d.procedureVersionId));
    const noReason = await failure(recordResult(db, director, d.id, { kind: 'none' }, now));
    expect(noReason!.fields?.noDocumentReason).toBeTruthy();
    await recordResult(db, director, d.id, { kind: 'none', noDocumentReason: 'Đã ghi vào sổ đăng ký số 12' }, now);
    expect((await actOnDossier(db, director, d.id, { action: 'approve' }, now)).status).toBe('done');
  });

  it('refuses an official of another unit, a forged id, and writes one row and one audit row for a double submit', async () => {
    const { d, director } = await atApproval();
    const db = t.database.db;
    const other = await actorFor(t.database, who('skhdt', 'Phó Giám đốc'));
    expect((await failure(recordResult(db, other, d.id, signed, now)))?.code).toBe('not_found');
    expect((await failure(recordResult(db, director, 'not-a-uuid', signed, now)))?.code).toBe('not_found');
    expect((await failure(recordResult(db, director, '00000000-0000-4000-8000-000000000000', signed, now)))?.code).toBe('not_found');
    // A clerk of the same agency does not hold the approval step.
    expect((await failure(recordResult(db, await actorFor(t.database, sctClerkUsername()), d.id, signed, now)))?.code).toBe('not_found');
    await Promise.all([recordResult(db, director, d.id, signed, now), recordResult(db, director, d.id, signed, now)]);
    expect(await db.select().from(dossierResults).where(eq(dossierResults.dossierId, d.id))).toHaveLength(1);
    const events = await db
      .select()
      .from(dossierEvents)
      .where(and(eq(dossierEvents.dossierId, d.id), eq(dossierEvents.action, 'record_result')));
    expect(events).toHaveLength(1);
    const audits = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, d.id), eq(auditLog.action, 'dossier.record_result')));
    expect(audits).toHaveLength(1);
    // A correction before approval is a second row of history and audit, with the old value.
    await recordResult(db, director, d.id, { ...signed, number: '15A/GP-SCT' }, now);
    const [again] = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.targetId, d.id), eq(auditLog.action, 'dossier.record_result')))
      .orderBy(auditLog.id)
      .offset(1);
    expect(again!.data).toMatchObject({ old: { number: '15/GP-SCT' }, new: { number: '15A/GP-SCT' } });
  });

  it('the JSON API approves through the same rule', async () => {
    const { d, director } = await atApproval();
    const admin = await actorFor(t.database, 'admin.sct');
    const account = (await accountByUsername(t.database, who('sct-ld', 'Giám đốc')))!;
    const { token } = await issueApiClient(t.database.db, admin, account.id, { name: 'Phần mềm quản lý văn bản' });
    const headers = { authorization: `Bearer ${token}` };
    // As a client does: the dossier's latest history row (`seen`, required), then the action.
    const approve = async () => {
      const { seen } = (await (await t.app.request(`http://localhost/api/v1/dossiers/${d.id}`, { headers })).json()) as { seen: number };
      return t.app.request(`http://localhost/api/v1/dossiers/${d.id}/transitions`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'approve', seen }),
      });
    };
    const refused = await approve();
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'result_required' } });
    await recordSignedResult(t.database.db, director, d.id);
    const ok = await approve();
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: d.id });
  });

  it('every demo procedure names its result', async () => {
    const versions = await t.database.db.select().from(procedureVersions).where(eq(procedureVersions.current, true));
    expect(versions.length).toBeGreaterThan(20);
    expect(versions.filter((v) => !v.resultName)).toEqual([]);
    expect(versions.filter((v) => v.resultWithoutDocument).length).toBeGreaterThan(0);
  });
});

describe('the result section of the dossier page', () => {
  async function loggedIn(username: string) {
    const c = new Client(t.app);
    expect((await c.login(username, TEST_PASSWORD)).status).toBe(303);
    return c;
  }
  async function upload(c: Client, id: string, name: string, bytes: Uint8Array, type = 'application/pdf') {
    const form = new FormData();
    form.set('_csrf', await c.csrf(`/tiepnhan/ho-so/${id}`));
    form.set('file', new File([new Uint8Array(bytes)], name, { type }));
    return c.request('POST', `/tiepnhan/ho-so/${id}/ket-qua`, form, { origin: c.origin });
  }

  it('puts each upload message next to the file input, naming the file and the limit', async () => {
    const { d } = await atApproval();
    const c = await loggedIn(who('sct-ld', 'Giám đốc'));
    const empty = await upload(c, d.id, 'giay-phep-rong.pdf', new Uint8Array());
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('Tệp “giay-phep-rong.pdf” rỗng (0 byte). Vui lòng chọn lại tệp.');
    expect(empty.text).not.toContain('Vui lòng chọn tệp kết quả');
    // The message is tied to the input and shown beside it, inside the result section.
    expect(empty.text).toMatch(/id="result-file"[^>]*aria-invalid="true"[^>]*aria-describedby="err-file"/);
    const section = empty.text.slice(empty.text.indexOf('id="result-section"'));
    expect(section.indexOf('id="err-file"')).toBeGreaterThan(section.indexOf('id="result-file"'));
    expect(section.indexOf('id="err-file"')).toBeLessThan(section.indexOf('</form>'));
    const wrong = await upload(c, d.id, 'ket-qua.exe', new TextEncoder().encode('MZ not a document'), 'application/octet-stream');
    expect(wrong.status).toBe(415);
    expect(wrong.text).toContain('Tệp “ket-qua.exe” không đúng định dạng');
    expect(wrong.text).toContain('tối đa 10 MB');
    const big = new Uint8Array(10 * 1024 * 1024 + 16);
    big.set(new TextEncoder().encode('%PDF-1.4\n'));
    const tooBig = await upload(c, d.id, 'ban-scan.pdf', big);
    expect(tooBig.status).toBe(413);
    expect(tooBig.text).toContain('Tệp “ban-scan.pdf” lớn hơn giới hạn 10 MB');
    const form = new FormData();
    form.set('_csrf', await c.csrf(`/tiepnhan/ho-so/${d.id}`));
    const none = await c.request('POST', `/tiepnhan/ho-so/${d.id}/ket-qua`, form, { origin: c.origin });
    expect(none.status).toBe(400);
    expect(none.text).toMatch(/id="err-file"[^>]*>Vui lòng chọn tệp kết quả để đính kèm\./);
    expect(await t.database.db.select().from(dossierEvents).where(eq(dossierEvents.action, 'attach_result'))).toEqual([]);
  });

  it('records the result from the page, keeps typed values on a refusal and shows an approval refusal at the field', async () => {
    const { d } = await atApproval();
    const c = await loggedIn(who('sct-ld', 'Giám đốc'));
    const page = await c.get(`/tiepnhan/ho-so/${d.id}`);
    expect(page.text).toContain('Kết quả của thủ tục: <strong>Giấy phép bán lẻ sản phẩm rượu</strong>');
    const approve = await c.post(`/tiepnhan/ho-so/${d.id}/xu-ly`, { action: 'approve' }, { csrfFrom: `/tiepnhan/ho-so/${d.id}` });
    expect(approve.status).toBe(409);
    expect(approve.text).toMatch(/id="err-result"[^>]*>Chưa ghi nhận kết quả giải quyết/);
    const future = await c.post(
      `/tiepnhan/ho-so/${d.id}/ket-qua/ghi-nhan`,
      { ...signed, signedOn: '24/12/2099' },
      { csrfFrom: `/tiepnhan/ho-so/${d.id}` },
    );
    expect(future.status).toBe(400);
    expect(future.text).toMatch(/id="result-signedOn"[^>]*value="24\/12\/2099"[^>]*aria-invalid="true"/);
    expect(future.text).toMatch(/id="err-signedOn"[^>]*>Ngày ký không được sau ngày hôm nay\./);
    expect(future.text).toContain('value="15/GP-SCT"');
    const ok = await c.post(`/tiepnhan/ho-so/${d.id}/ket-qua/ghi-nhan`, signed, { csrfFrom: `/tiepnhan/ho-so/${d.id}` });
    expect(ok.status).toBe(303);
    const after = await c.get(ok.location!);
    expect(after.text).toContain('Đã ghi nhận kết quả giải quyết.');
    expect(after.text).toContain('Cấp giấy phép bán lẻ sản phẩm rượu');
    expect(after.text).toContain('chờ phê duyệt');
    expect(after.text).toContain('Ghi nhận kết quả');
  });
});
