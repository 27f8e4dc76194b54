import { describe, expect, it } from 'vitest';
import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { recordSignedResult } from './support/results.js';
import { demoOfficials } from '../src/demo/officials.js';
import { notifications, procedureVersions, procedures, units } from '../src/db/schema/index.js';
import { actOnDossier, applyAction, TransitionInput } from '../src/dossiers/act-on-dossier.js';
import { loadCalendar } from '../src/calendar/load.js';
import { sendDailyReminders } from '../src/notify/daily-reminders.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const who = (unitKey: string, position: string) => demoOfficials().find((o) => o.unitKey === unitKey && o.position === position)!.username;
const applicant = { fullName: 'Trần Thị Thử', phone: '0912000111' };

async function procedure() {
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633'));
  return p!;
}
async function received(at = vn('2026-11-23T09:00'), channel = '1') {
  const clerk = await actorFor(t.database, sctClerkUsername());
  return receiveAtCounter(t.database.db, clerk, { procedureId: (await procedure()).id, channel, ...applicant }, at);
}
const rows = (where: SQL | undefined) => t.database.db.select().from(notifications).where(where);
const ofDossier = (dossierId: string, event: string) => rows(and(eq(notifications.dossierId, dossierId), eq(notifications.event, event)));
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: AppError) => e.code,
  );

describe('the applicant is told, in the transaction of the change', () => {
  it('supplement, extension, arrival at each step, result ready — with the values formatted', async () => {
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    const director = await actorFor(t.database, who('sct-ld', 'Giám đốc'));
    const d = await received();
    const act = (a: typeof clerk, action: string, at: string, extra: Record<string, string> = {}) =>
      actOnDossier(t.database.db, a, d.id, { action, ...extra }, vn(at));

    await act(clerk, 'handover', '2026-11-23T10:00');
    const arrived = await ofDossier(d.id, 'official.dossier_arrived');
    expect(arrived.filter((r) => r.channel === 'inapp').map((r) => r.accountId)).toContain(expert.accountId);
    expect(arrived.every((r) => r.accountId !== clerk.accountId)).toBe(true);
    expect(arrived[0]?.data.han_buoc).toMatch(/^\d{2}\/\d{2}\/2026$/);

    await act(expert, 'request_supplement', '2026-11-24T10:00', {
      note: 'Thiếu hợp đồng thuê',
      items: 'Bản sao hợp đồng thuê\nSơ đồ cửa hàng',
    });
    const [supp] = await ofDossier(d.id, 'dossier.supplement_requested');
    expect(supp).toMatchObject({ channel: 'sms', address: '0912000111', recipientKind: 'applicant' });
    expect(supp?.data.noi_dung).toBe('Bản sao hợp đồng thuê; Sơ đồ cửa hàng; Thiếu hợp đồng thuê');
    await act(expert, 'supplement_received', '2026-12-01T10:00');
    await act(expert, 'extend', '2026-12-01T11:00', { note: 'Cần xác minh', newDueDate: '30/12/2026' });
    const [ext] = await ofDossier(d.id, 'dossier.extended');
    expect(ext?.data).toMatchObject({ ngay_hen_moi: '30/12/2026', ly_do: 'Cần xác minh', ma_ho_so: d.code });

    await recordSignedResult(t.database.db, expert, d.id, vn('2026-12-02T08:30'));
    await act(expert, 'handover', '2026-12-02T09:00');
    expect((await ofDossier(d.id, 'official.dossier_arrived')).some((r) => r.accountId === director.accountId)).toBe(true);
    await act(director, 'approve', '2026-12-03T09:00');
    const ready = await ofDossier(d.id, 'dossier.result_ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]?.data.noi_nhan).toContain('Bộ phận Một cửa');
  });

  it('an action that fails records nothing: refused, or rolled back after the change', async () => {
    const d = await received();
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    // Not at the expert's step: refused before anything is written.
    expect(await code(actOnDossier(t.database.db, expert, d.id, { action: 'stop', note: 'x' }))).toBe('not_found');
    const clerk = await actorFor(t.database, sctClerkUsername());
    const calendar = await loadCalendar(t.database.db, vn('2026-11-23T10:00'));
    const input = TransitionInput.parse({ action: 'refuse', note: 'Không thuộc thẩm quyền' });
    const failed = t.database.db.transaction(async (tx) => {
      await applyAction(tx, clerk, d.id, input, calendar, vn('2026-11-23T10:00'));
      expect(await tx.select().from(notifications).where(eq(notifications.event, 'dossier.refused'))).toHaveLength(1);
      throw new Error('the rest of the request failed');
    });
    await expect(failed).rejects.toThrow('the rest of the request failed');
    expect(await ofDossier(d.id, 'dossier.refused')).toHaveLength(0);
    await actOnDossier(t.database.db, clerk, d.id, { action: 'refuse', note: 'Không thuộc thẩm quyền' }, vn('2026-11-23T10:00'));
    const [refused] = await ofDossier(d.id, 'dossier.refused');
    expect(refused?.data.ly_do).toBe('Không thuộc thẩm quyền');
  });

  it('an online dossier is told of its reception once, at acceptance, with the fee then due', async () => {
    const p = await procedure();
    await t.database.db.update(procedureVersions).set({ fee: 150000 }).where(eq(procedureVersions.procedureId, p.id));
    const clerk = await actorFor(t.database, sctClerkUsername());
    const d = await received(vn('2026-11-21T20:00'), '2');
    expect(await ofDossier(d.id, 'dossier.received')).toHaveLength(0);
    const results = await Promise.all(
      [1, 2].map(() => code(actOnDossier(t.database.db, clerk, d.id, { action: 'accept' }, vn('2026-11-23T09:30')))),
    );
    expect(results.sort()).toEqual(['invalid_transition', 'ok']);
    const got = await ofDossier(d.id, 'dossier.received');
    expect(got.map((r) => r.channel)).toEqual(['sms']);
    expect(got[0]?.data).toMatchObject({ ma_ho_so: d.code, ma_tra_cuu: d.lookupCode, ngay_hen_tra: '07/12/2026' });
    const fee = await ofDossier(d.id, 'dossier.fee_due');
    expect(fee.map((r) => r.data.so_tien)).toEqual(['150.000']);
  });

  it('a double-submitted handover notifies the next step once', async () => {
    const d = await received();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const results = await Promise.all([1, 2].map(() => code(actOnDossier(t.database.db, clerk, d.id, { action: 'handover', seen: '1' }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    const arrived = (await ofDossier(d.id, 'official.dossier_arrived')).filter((r) => r.channel === 'inapp');
    expect(new Set(arrived.map((r) => r.accountId)).size).toBe(arrived.length);
    expect(arrived.length).toBeGreaterThan(0);
  });

  it('a handover to a chosen official tells them alone', async () => {
    const d = await received();
    const clerk = await actorFor(t.database, sctClerkUsername());
    const expert = await actorFor(t.database, who('sct-qltm', 'Chuyên viên'));
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover', assignee: expert.accountId });
    const arrived = await ofDossier(d.id, 'official.dossier_arrived');
    expect(new Set(arrived.map((r) => r.accountId))).toEqual(new Set([expert.accountId]));
  });
});

describe('the daily reminders', () => {
  it('due tomorrow, overdue and the leaders digest; a second run the same day records nothing', async () => {
    const d = await received(vn('2026-11-23T09:00')); // due 07/12/2026 17:00 (a Monday)
    const clerk = await actorFor(t.database, sctClerkUsername());
    await actOnDossier(t.database.db, clerk, d.id, { action: 'handover' }, vn('2026-11-23T10:00'));
    // Friday 04/12: the next working day is Monday 07/12.
    const friday = vn('2026-12-04T07:30');
    const first = await sendDailyReminders(t.database.db, friday);
    expect(first).toMatchObject({ dueTomorrow: 1, overdue: 0 });
    const due = await ofDossier(d.id, 'official.due_tomorrow');
    expect(due.length).toBeGreaterThan(0);
    expect(due[0]?.data.ngay_hen_tra).toBe('07/12/2026');
    await sendDailyReminders(t.database.db, friday);
    expect(await ofDossier(d.id, 'official.due_tomorrow')).toHaveLength(due.length);

    // Wednesday 09/12: two working days late.
    const wednesday = vn('2026-12-09T07:30');
    const late = await sendDailyReminders(t.database.db, wednesday);
    expect(late).toMatchObject({ overdue: 1, digests: 1 });
    const overdue = await ofDossier(d.id, 'official.overdue');
    expect(overdue[0]?.data.so_ngay_qua_han).toBe('2');
    const digest = await rows(eq(notifications.event, 'official.overdue_digest'));
    expect(digest.length).toBeGreaterThan(0);
    expect(digest.every((r) => r.data.danh_sach?.includes(d.code))).toBe(true);
    await sendDailyReminders(t.database.db, wednesday);
    expect(await ofDossier(d.id, 'official.overdue')).toHaveLength(overdue.length);
    expect(await rows(eq(notifications.event, 'official.overdue_digest'))).toHaveLength(digest.length);
    // The next day is another day: told again.
    await sendDailyReminders(t.database.db, vn('2026-12-10T07:30'));
    expect((await ofDossier(d.id, 'official.overdue')).length).toBe(overdue.length * 2);
  });

  it('unbound officials are reminded 30, 7 and 1 days before the cutoff, once per threshold', async () => {
    await t.database.db.update(units).set({ passwordCutoff: '2027-01-31' }).where(isNull(units.parentId));
    const count = async () =>
      (await rows(eq(notifications.event, 'official.vneid_cutoff_reminder'))).filter((r) => r.channel === 'inapp').length;
    await sendDailyReminders(t.database.db, vn('2027-01-02T07:30')); // 29 days before: nothing
    expect(await count()).toBe(0);
    const r30 = await sendDailyReminders(t.database.db, vn('2027-01-01T07:30'));
    expect(r30.cutoffReminders).toBeGreaterThan(0);
    const after30 = await count();
    expect(after30).toBe(r30.cutoffReminders);
    await sendDailyReminders(t.database.db, vn('2027-01-01T18:00'));
    expect(await count()).toBe(after30);
    const [one] = (await rows(eq(notifications.event, 'official.vneid_cutoff_reminder'))).filter((r) => r.channel === 'inapp');
    expect(one?.data).toMatchObject({ ngay_chi_vneid: '31/01/2027', con_lai: '30' });
    await sendDailyReminders(t.database.db, vn('2027-01-24T07:30'));
    await sendDailyReminders(t.database.db, vn('2027-01-30T07:30'));
    expect(await count()).toBe(after30 * 3);
  });
});
