import { describe, expect, it } from 'vitest';
import { asc, eq } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { demoOfficials } from '../src/demo/officials.js';
import { dossierEvents, dossiers, procedures } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { actOnDossier } from '../src/dossiers/act-on-dossier.js';
import { loadCalendar } from '../src/calendar/load.js';
import type { AppError } from '../src/shared/errors.js';
import { DOSSIER_STATUSES } from '../src/db/schema/index.js';
import { recordSignedResult } from './support/results.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const applicant = { fullName: 'Trần Thị Thử', phone: '0912000111' };

async function received(at = vn('2026-11-23T09:00')) {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  return receiveAtCounter(
    t.database.db,
    await actorFor(t.database, sctClerkUsername()),
    { procedureId: p!.id, channel: '1', ...applicant },
    at,
  );
}
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: AppError) => e.code,
  );

describe('internal workflow', () => {
  it('moves a dossier through every step to Đã trả kết quả, with a supplement on the way, writing history each time', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const d = await received();
    const act = (a: typeof clerk, action: string, at: string, extra: Record<string, string> = {}) =>
      actOnDossier(t.database.db, a, d.id, { action, ...extra }, vn(at));

    let x = await act(clerk, 'handover', '2026-11-23T10:00');
    expect(x).toMatchObject({ status: 'processing', currentStep: 1, currentRole: 'processing' });
    x = await act(expert, 'request_supplement', '2026-11-24T10:00', {
      note: 'Thiếu hợp đồng thuê',
      items: 'Bản sao hợp đồng thuê địa điểm\nSơ đồ cửa hàng',
    });
    expect(x.status).toBe('supplement');
    expect(x.clockStoppedAt).not.toBeNull();
    const dueBefore = x.dueAt;
    // The applicant comes back a week later: the week does not count.
    x = await act(expert, 'supplement_received', '2026-12-01T10:00');
    expect(x.status).toBe('processing');
    expect(x.clockStoppedAt).toBeNull();
    const cal = await loadCalendar(t.database.db, vn('2026-11-23T00:00'));
    expect(cal.workingMinutesBetween(vn('2026-12-01T10:00'), x.dueAt)).toBe(cal.workingMinutesBetween(vn('2026-11-24T10:00'), dueBefore));
    x = await act(expert, 'handover', '2026-12-02T09:00');
    expect(x).toMatchObject({ currentStep: 2, currentRole: 'approval' });
    x = await act(director, 'return', '2026-12-02T10:00', { note: 'Bổ sung ý kiến thẩm định' });
    expect(x.currentStep).toBe(1);
    await recordSignedResult(t.database.db, expert, d.id, vn('2026-12-02T10:30'));
    x = await act(expert, 'handover', '2026-12-02T11:00');
    x = await act(director, 'approve', '2026-12-03T09:00');
    expect(x).toMatchObject({ status: 'done', currentRole: 'result' });
    x = await act(clerk, 'return_result', '2026-12-03T14:00', { returnChannel: '1' });
    expect(x.status).toBe('returned');
    expect(DOSSIER_STATUSES[x.status]).toBe(10);
    const history = await t.database.db
      .select()
      .from(dossierEvents)
      .where(eq(dossierEvents.dossierId, d.id))
      .orderBy(asc(dossierEvents.id));
    expect(history.map((h) => h.action)).toEqual([
      'receive',
      'handover',
      'request_supplement',
      'supplement_received',
      'handover',
      'return',
      'attach_result',
      'record_result',
      'handover',
      'approve',
      'return_result',
    ]);
    expect(history.every((h) => h.actorLabel && h.at)).toBe(true);
  });

  it('refuses an official acting outside their steps, as if the dossier did not exist', async () => {
    const d = await received();
    expect(await code(actOnDossier(t.database.db, await actorFor(t.database, 'admin.snv'), d.id, { action: 'handover' }))).toBe(
      'not_found',
    );
    // The approver of the same department cannot act at the reception step either.
    expect(
      await code(actOnDossier(t.database.db, await actorFor(t.database, who('sct-ld', 'Giám đốc')), d.id, { action: 'refuse', note: 'x' })),
    ).toBe('not_found');
    const [still] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(still!.status).toBe('received');
  });

  it('a double submit moves the dossier once', async () => {
    const d = await received();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const results = await Promise.all([1, 2].map(() => code(actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    const events = await t.database.db.select().from(dossierEvents).where(eq(dossierEvents.dossierId, d.id));
    expect(events).toHaveLength(2);
  });

  it('extension needs a reason and a later working day; refusal and stop need a reason', async () => {
    const d = await received();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
    const noReason = await actOnDossier(t.database.db, expert, d.id, { action: 'extend', newDueDate: '30/12/2026' }).catch(
      (e: AppError) => e,
    );
    expect((noReason as AppError).fields?.note).toBeTruthy();
    const earlier = await actOnDossier(t.database.db, expert, d.id, {
      action: 'extend',
      note: 'Cần xác minh',
      newDueDate: '24/11/2026',
    }).catch((e: AppError) => e);
    expect((earlier as AppError).fields?.newDueDate).toContain('sau ngày hẹn hiện tại');
    const sunday = await actOnDossier(t.database.db, expert, d.id, {
      action: 'extend',
      note: 'Cần xác minh',
      newDueDate: '27/12/2026',
    }).catch((e: AppError) => e);
    expect((sunday as AppError).fields?.newDueDate).toContain('ngày làm việc');
    // No end: 31/12/9999 would keep it from ever being late. At most a year past the current due date (07/12/2026,
    // received 23/11 with 10 working days): 07/12/2027.
    const at = vn('2026-12-04T09:00');
    for (const newDueDate of ['31/12/9999', '08/12/2027']) {
      const far = await actOnDossier(t.database.db, expert, d.id, { action: 'extend', note: 'Cần xác minh', newDueDate }, at).catch(
        (e: AppError) => e,
      );
      expect((far as AppError).fields?.newDueDate, newDueDate).toBe(
        'Ngày hẹn trả mới không được sau ngày 07/12/2027 (gia hạn tối đa một năm so với ngày hẹn hiện tại).',
      );
    }
    const ok = await actOnDossier(t.database.db, expert, d.id, { action: 'extend', note: 'Cần xác minh', newDueDate: '30/12/2026' }, at);
    expect(ok.dueAt.toISOString()).toBe(vn('2026-12-30T17:00').toISOString());
    const stop = await actOnDossier(t.database.db, expert, d.id, { action: 'stop', note: 'Người nộp đề nghị dừng' });
    expect(stop.status).toBe('stopped');
    expect(await code(actOnDossier(t.database.db, expert, d.id, { action: 'handover' }))).toBe('invalid_transition');
  });
});

describe('result documents', () => {
  it('officials of the processing step attach files checked by content', async () => {
    const { attachResult, readResultFile } = await import('../src/dossiers/attach-result.js');
    const d = await received();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const pdf = new TextEncoder().encode('%PDF-1.4\n% result\n');
    expect(await code(attachResult(t.database.db, clerk, d.id, { name: 'a.pdf', bytes: pdf }, new Date()))).toBe('invalid_transition');
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
    const fake = await attachResult(
      t.database.db,
      expert,
      d.id,
      {
        name: 'giay-phep.pdf',
        bytes: new TextEncoder().encode('<html>not a pdf</html>'),
      },
      new Date(),
    ).catch((e: AppError) => e);
    expect((fake as AppError).fields?.file).toContain('PDF');
    const id = await attachResult(t.database.db, expert, d.id, { name: 'Giấy phép.pdf', bytes: pdf }, new Date());
    const f = await readResultFile(t.database.db, clerk, d.id, id, new Date());
    expect(f.mime).toBe('application/pdf');
    const { buffer } = await import('node:stream/consumers');
    expect((await buffer(await f.open())).toString()).toContain('%PDF-1.4');
    expect(await code(readResultFile(t.database.db, await actorFor(t.database, 'admin.snv'), d.id, id, new Date()))).toBe('not_found');
  });
});

describe('online dossiers', () => {
  it('wait in the reception queue as Mới đăng ký; the desk accepts them and the clock starts then', async () => {
    const { listInbox } = await import('../src/dossiers/inbox.js');
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerk = await actorFor(t.database, sctClerkUsername());
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p!.id, channel: '2', ...applicant }, vn('2026-11-21T20:00'));
    expect(d).toMatchObject({ status: 'submitted', channel: 2 });
    expect(DOSSIER_STATUSES[d.status]).toBe(1);
    const queue = await listInbox(t.database.db, clerk, { tab: 'cho-tiep-nhan' }, vn('2026-11-23T08:00'), vn('2026-11-24T08:00'));
    expect(queue.rows.map((r) => r.id)).toEqual([d.id]);
    expect(queue.counts['cho-tiep-nhan']).toBe(1);
    // A supplement asked before acceptance returns it to the queue.
    await actOnDossier(
      t.database.db,
      clerk,
      d.id,
      { action: 'request_supplement', note: 'Ảnh chụp mờ', items: 'Ảnh chụp rõ CCCD' },
      vn('2026-11-23T08:30'),
    );
    const back = await actOnDossier(t.database.db, clerk, d.id, { action: 'supplement_received' }, vn('2026-11-23T09:00'));
    expect(back.status).toBe('submitted');
    const accepted = await actOnDossier(t.database.db, clerk, d.id, { action: 'accept' }, vn('2026-11-23T09:30'));
    expect(accepted.status).toBe('received');
    expect(accepted.receivedAt.toISOString()).toBe(vn('2026-11-23T09:30').toISOString());
    expect(accepted.dueAt.toISOString()).toBe(vn('2026-12-07T17:00').toISOString());
  });

  it('the official who accepts one at the desk is its receiving official: Hồ sơ đã tiếp nhận lists it', async () => {
    const { listTracking } = await import('../src/dossiers/tracking.js');
    const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
    const clerk = await actorFor(t.database, sctClerkUsername());
    // Registered as the national portal's pull does (the system actor): nobody has received it yet.
    const d = await receiveAtCounter(t.database.db, clerk, { procedureId: p!.id, channel: '2', ...applicant }, vn('2026-11-21T20:00'));
    const accepted = await actOnDossier(t.database.db, clerk, d.id, { action: 'accept' }, vn('2026-11-23T09:00'));
    expect(accepted.receivedBy).toBe(clerk.accountId);
    const list = await listTracking(t.database.db, clerk, 'da-tiep-nhan', {}, vn('2026-11-23T10:00'), vn('2026-11-24T10:00'));
    expect(list.rows.map((r) => r.id)).toEqual([d.id]);
  });

  it('the procedure may narrow the actions of a step', async () => {
    const d = await received();
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' });
    await recordSignedResult(t.database.db, expert, d.id);
    await actOnDossier(t.database.db, expert, d.id, { action: 'handover' });
    // The demo approval step lists approve, return and refuse — not extend or stop.
    expect(await code(actOnDossier(t.database.db, director, d.id, { action: 'stop', note: 'x' }))).toBe('invalid_transition');
    expect(await code(actOnDossier(t.database.db, director, d.id, { action: 'approve' }))).toBe('ok');
  });
});
