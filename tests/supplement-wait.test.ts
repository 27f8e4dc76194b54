/**
 * A dossier waiting for the applicant's supplement, on the officials' side. Its clock is stopped (its due date moves
 * on by the pause when it resumes), so its badge is "Tạm dừng tính hạn" — on its page, in the inbox's Chờ bổ sung
 * tab and in Theo dõi — never "Sắp đến hạn" or "Quá hạn". And when the applicant brings the documents to the
 * counter, Đã nhận hồ sơ bổ sung takes their scan with the action (both or neither). The lists' Hạn xử lý filter
 * agrees: such a dossier is only under Tạm dừng tính hạn.
 */
import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dossierFiles, dossiers } from '../src/db/schema/index.js';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';

const t = useDemoApp();
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;

describe('the due-date badge', () => {
  it('says Tạm dừng tính hạn while a dossier waits for a supplement, and the due state again once it resumes', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expertName = who('sct-qltm', 'Chuyên viên');
    const expert = await actorFor(t.database, expertName);
    const procedureId = (await currentProcedure(t.database, '2.000633')).p.id;
    // Received long ago: its due date has passed, and it would say Quá hạn.
    const d = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId, channel: '1', fullName: 'Lò Văn Chờ' },
      new Date('2026-01-05T02:00:00Z'),
    );
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, new Date('2026-01-05T03:00:00Z'));
    const web = new Client(t.app);
    expect((await web.login(expertName, TEST_PASSWORD)).status).toBe(303);
    expect((await web.get(`/tiepnhan/ho-so/${d.id}`)).text).toContain('<span class="badge warn">Quá hạn</span>');
    await actOnDossier(t.database.db, expert, d.id, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao' });
    const page = (await web.get(`/tiepnhan/ho-so/${d.id}`)).text;
    expect(page).toContain('<span class="badge paused">Tạm dừng tính hạn</span>');
    expect(page).not.toContain('Quá hạn</span>');
    const tab = (await web.get('/tiepnhan/ho-so?tab=bo-sung')).text;
    expect(tab).toContain(d.code);
    expect(tab).toContain('<span class="badge paused">Tạm dừng tính hạn</span>');
  });
});

describe('the Hạn xử lý filter', () => {
  /** The dossier codes of a list's table (not "Giao cho tôi" above it). */
  const codesIn = (html: string, tableId: string) => {
    const table = html.slice(html.indexOf(`id="${tableId}"`), html.indexOf('</table>', html.indexOf(`id="${tableId}"`)));
    return [...table.matchAll(/<a href="\/tiepnhan\/ho-so\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!).sort();
  };
  /** A tab's count as its link says it: "Chờ xử lý (3)". */
  const tabCount = (html: string, label: string) => Number(new RegExp(`${label} \\((\\d+)\\)`).exec(html)?.[1]);

  it('lists a paused dossier only under Tạm dừng tính hạn, whatever its due date: the inbox, its counts, the API, Theo dõi', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expertName = who('sct-qltm', 'Chuyên viên');
    const expert = await actorFor(t.database, expertName);
    const procedureId = (await currentProcedure(t.database, '2.000633')).p.id;
    // Past, within the next working day (the pages' "soon" ends a whole working day from now), weeks away.
    const now = Date.now();
    const dues = { past: new Date(now - 2 * 86_400_000), soon: new Date(now + 10 * 60_000), later: new Date(now + 60 * 86_400_000) };
    const code: Record<string, string> = {};
    for (const status of ['processing', 'supplement'] as const) {
      for (const [when, dueAt] of Object.entries(dues)) {
        const d = await receiveAtCounter(t.database.db, clerk, { procedureId, channel: '1', fullName: `Hạn ${status} ${when}` });
        await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
        if (status === 'supplement')
          await actOnDossier(t.database.db, expert, d.id, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao' });
        await t.database.db.update(dossiers).set({ dueAt }).where(eq(dossiers.id, d.id));
        code[`${status} ${when}`] = d.code;
      }
    }
    const codes = (...keys: string[]) => keys.map((k) => code[k]!).sort();
    const expected = {
      '': {
        processing: codes('processing past', 'processing soon', 'processing later'),
        supplement: codes('supplement past', 'supplement soon', 'supplement later'),
      },
      'qua-han': { processing: codes('processing past'), supplement: [] },
      'sap-den-han': { processing: codes('processing soon'), supplement: [] },
      'con-han': { processing: codes('processing later'), supplement: [] },
      'tam-dung': { processing: [], supplement: codes('supplement past', 'supplement soon', 'supplement later') },
    };
    const web = new Client(t.app);
    expect((await web.login(expertName, TEST_PASSWORD)).status).toBe(303);
    const filterForm = (await web.get('/tiepnhan/ho-so')).text;
    expect(filterForm).toContain('<option value="tam-dung">Tạm dừng tính hạn</option>');
    const json = { accept: 'application/json' };
    for (const [han, want] of Object.entries(expected)) {
      const query = han ? `&han=${han}` : '';
      const waiting = await web.get(`/tiepnhan/ho-so?tab=cho-xu-ly${query}`);
      const paused = await web.get(`/tiepnhan/ho-so?tab=bo-sung${query}`);
      expect(waiting.status, han).toBe(200);
      expect(codesIn(waiting.text, 'inbox'), han).toEqual(want.processing);
      expect(codesIn(paused.text, 'inbox'), han).toEqual(want.supplement);
      // The tabs' counts are those of the lists under the same filter.
      for (const page of [waiting.text, paused.text]) {
        expect(tabCount(page, 'Chờ xử lý'), han).toBe(want.processing.length);
        expect(tabCount(page, 'Chờ bổ sung'), han).toBe(want.supplement.length);
      }
      if (han) expect(paused.text, han).toContain(`<option value="${han}" selected="">`);
      // The API answers the same filter by the same key.
      const dueState = han ? `&dueState=${han}` : '';
      for (const [tab, list] of [
        ['cho-xu-ly', want.processing],
        ['bo-sung', want.supplement],
      ] as const) {
        const res = await web.request('GET', `/api/v1/dossiers?tab=${tab}${dueState}`, undefined, json);
        expect(res.status, `${tab} ${han}`).toBe(200);
        const page = JSON.parse(res.text) as { items: Array<{ code: string }>; counts: Record<string, number> };
        expect(page.items.map((i) => i.code).sort(), `${tab} ${han}`).toEqual(list);
        expect(page.counts, `${tab} ${han}`).toMatchObject({ 'cho-xu-ly': want.processing.length, 'bo-sung': want.supplement.length });
      }
      // Theo dõi (the dossiers of the expert's desk) filters the same way.
      const tracked = await web.get(`/tiepnhan/theo-doi${han ? `?han=${han}` : ''}`);
      expect(codesIn(tracked.text, 'tracking'), han).toEqual([...want.processing, ...want.supplement].sort());
    }
    const wrong = await web.request('GET', '/api/v1/dossiers?dueState=paused', undefined, json);
    expect(wrong.status).toBe(400);
    expect((JSON.parse(wrong.text) as { error: { fields: Record<string, string> } }).error.fields.dueState).toContain('tam-dung');
  });
});

describe('Đã nhận hồ sơ bổ sung at the counter', () => {
  const pdf = (text: string) => new Blob([Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`)], { type: 'application/pdf' });

  it('takes the scan of what the applicant brought with the action: joined to the dossier as its supplement, or neither', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expertName = who('sct-qltm', 'Chuyên viên');
    const expert = await actorFor(t.database, expertName);
    const procedureId = (await currentProcedure(t.database, '2.000633')).p.id;
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId, channel: '1', fullName: 'Hà Thị Bổ Sung' });
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
    await actOnDossier(t.database.db, expert, d.id, { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao GCN' });
    const web = new Client(t.app);
    expect((await web.login(expertName, TEST_PASSWORD)).status).toBe(303);
    const page = (await web.get(`/tiepnhan/ho-so/${d.id}`)).text;
    expect(page).toMatch(
      /<form method="post" action="\/tiepnhan\/ho-so\/[^"]+\/xu-ly" class="action-form" data-action="supplement_received" id="xu-ly-supplement_received" enctype="multipart\/form-data">/,
    );
    const send = async (file: Blob | null, name: string) => {
      const form = new FormData();
      form.set('_csrf', await web.csrf(`/tiepnhan/ho-so/${d.id}`));
      form.set('action', 'supplement_received');
      form.set('note', 'Đã nhận bản sao');
      if (file) form.set('supplementScan', file, name);
      return web.request('POST', `/tiepnhan/ho-so/${d.id}/xu-ly`, form, { origin: web.origin });
    };
    // A program named .pdf: refused beside the field, the dossier still waits for its supplement.
    const bad = await send(new Blob([Buffer.from('MZ\x90\x00 not a scan')], { type: 'application/pdf' }), 'ban-sao.pdf');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="err-supplementScan-supplement_received"');
    const still = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(still[0]!.status).toBe('supplement');
    const ok = await send(pdf('ban-sao-gcn'), 'ban-sao-gcn.pdf');
    expect(ok.status).toBe(303);
    const files = await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, d.id));
    expect(files.filter((f) => f.kind === 'supplement')).toMatchObject([
      { name: 'ban-sao-gcn.pdf', documentLabel: 'Hồ sơ bổ sung', uploadedBy: expert.accountId },
    ]);
    expect((await web.get(`/tiepnhan/ho-so/${d.id}`)).text).toContain('Bổ sung: <a href=');
    // With another action, a scan is refused and nothing happens.
    const other = new FormData();
    other.set('_csrf', await web.csrf(`/tiepnhan/ho-so/${d.id}`));
    other.set('action', 'handover');
    other.set('supplementScan', pdf('lac-cho'), 'lac-cho.pdf');
    const wrong = await web.request('POST', `/tiepnhan/ho-so/${d.id}/xu-ly`, other, { origin: web.origin });
    expect(wrong.status).toBe(400);
    expect((await t.database.db.select().from(dossierFiles).where(eq(dossierFiles.dossierId, d.id))).length).toBe(files.length);
  });
});

describe('a supplement on the reception day', () => {
  const vn = (s: string) => new Date(`${s}+07:00`);
  const show = (d: Date) => new Date(d.getTime() + 7 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

  it('moves nothing when the pause ends before the working days start counting (the day after reception)', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const procedureId = (await currentProcedure(t.database, '2.000633')).p.id; // 10 working days
    const d = await receiveAtCounter(
      t.database.db,
      clerk,
      { procedureId, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' },
      vn('2026-11-23T09:00'), // Monday
    );
    expect(show(d.dueAt)).toBe('2026-12-07 17:00');
    // The clerk notices a missing paper right away; the applicant brings it back within the hour. Counting starts
    // Tue 24/11: none of the limit was used, so the due date stays (it was 08/12 08:25, the rest of Monday credited).
    const note = { action: 'request_supplement', note: 'Thiếu bản sao', items: 'Bản sao GCN ĐKDN' };
    await actOnDossier(t.database.db, clerk, d.id, note, vn('2026-11-23T09:05'));
    const after = await actOnDossier(t.database.db, clerk, d.id, { action: 'supplement_received' }, vn('2026-11-23T10:00'));
    expect(show(after.dueAt)).toBe('2026-12-07 17:00');
    // A second pause the next day holds back exactly what it covered: Tue 24/11 09:00–10:00.
    await actOnDossier(t.database.db, clerk, d.id, note, vn('2026-11-24T09:00'));
    const again = await actOnDossier(t.database.db, clerk, d.id, { action: 'supplement_received' }, vn('2026-11-24T10:00'));
    expect(show(again.dueAt)).toBe('2026-12-08 08:30');
  });
});
