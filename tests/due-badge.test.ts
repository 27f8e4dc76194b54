/**
 * The due-date badge of the officials' pages: a dossier waiting for the applicant's supplement has its clock
 * stopped (its due date moves on by the pause when it resumes), so it is "Tạm dừng tính hạn" — on its page, in the
 * inbox's Chờ bổ sung tab and in Theo dõi — never "Sắp đến hạn" or "Quá hạn".
 */
import { describe, expect, it } from 'vitest';
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
