/**
 * A year not on record is provisional until the province administrator confirms it; confirming (or adding a yearly
 * holiday) recomputes the due dates of the open dossiers the change moves, with a history row each.
 */
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { and, eq } from 'drizzle-orm';
import { buildApp, Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, sctClerkUsername, useDemoApp } from './support/fixtures.js';
import { auditLog, calendarDays, dossierEvents, dossiers, procedures, settings } from '../src/db/schema/index.js';
import { receiveAtCounter } from './support/reception.js';
import { confirmCalendarYear } from '../src/calendar/confirm-calendar-year.js';
import { recomputeDueDates } from '../src/dossiers/recompute-due-dates.js';
import { addRecurringHoliday } from '../src/calendar/add-recurring-holiday.js';
import { setCalendarDay } from '../src/calendar/set-calendar-day.js';
import { remindCalendarConfirmation } from '../src/calendar/confirmation-reminder.js';
import { loadCalendar } from '../src/calendar/load.js';
import { jobHandlers } from '../src/jobs/handlers.js';
import { eventLabel } from '../src/dossiers/transitions.js';
import { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);
const silent = pino({ level: 'silent' });
const applicant = { fullName: 'Lê Văn Thử', cccd: '070085000999', phone: '0912000999', email: 'thu@example.invalid', address: 'Đồng Xoài' };

/** A hypothetical 2027 announcement (test data): Mon 4/1 swapped off for Sat 9/1, Tết Thu 4/2 – Wed 10/2. */
const CONFIRMED_2027 = {
  year: '2027',
  daysOff: [
    '01/01/2027 Tết Dương lịch',
    '04/01/2027 Nghỉ hoán đổi (làm bù thứ Bảy 09/01/2027)',
    '04/02/2027 Tết Nguyên Đán',
    '05/02/2027 Tết Nguyên Đán',
    '08/02/2027 Tết Nguyên Đán',
    '09/02/2027 Tết Nguyên Đán',
    '10/02/2027 Tết Nguyên Đán',
    '16/04/2027 Giỗ Tổ Hùng Vương',
    '30/04/2027',
    '03/05/2027 Nghỉ bù 1/5',
    '02/09/2027 Quốc khánh',
    '03/09/2027 Nghỉ lễ Quốc khánh',
  ].join('\n'),
  workedWeekendDays: '09/01/2027 Làm bù cho ngày 04/01/2027',
};

async function receive10DayDossier(now: Date) {
  const clerk = await actorFor(t.database, sctClerkUsername());
  const [p] = await t.database.db.select().from(procedures).where(eq(procedures.code, '2.000633')); // 10 working days
  return receiveAtCounter(t.database.db, clerk, { procedureId: p!.id, channel: '1', ...applicant }, now);
}

const recomputeEvents = (dossierId: string) =>
  t.database.db
    .select()
    .from(dossierEvents)
    .where(and(eq(dossierEvents.dossierId, dossierId), eq(dossierEvents.action, 'calendar_recompute')));
const auditRows = (action: string) => t.database.db.select().from(auditLog).where(eq(auditLog.action, action));
const refusal = (p: Promise<unknown>) => p.then(() => null).catch((e: unknown) => e as AppError);
/** The fingerprint a Lịch làm việc page carries in its confirmation form (hidden `shown`). */
const shownOn = (html: string) => /<input type="hidden" name="shown" value="([^"]*)"/.exec(html)?.[1] ?? '';
/** A textarea's text as the page drew it. */
const textareaOn = (html: string, name: string) =>
  new RegExp(`<textarea[^>]* name="${name}"[^>]*>([^<]*)</textarea>`).exec(html)?.[1]?.trim() ?? '';

describe('confirming a provisional year', () => {
  it('is reminded from 1 September, stores the year, and recomputes an open dossier with its history', async () => {
    const now = vn('2026-12-21T09:00'); // a Monday
    expect(await remindCalendarConfirmation(t.database.db, silent, vn('2026-08-31T09:00'))).toBeNull();
    // The weekly job, through its registered handler and the application's clock.
    const handlers = jobHandlers({
      db: t.database.db,
      logger: silent,
      sessionPolicy: { idleMs: 60_000, absoluteMs: 3_600_000 },
      now: () => now,
    });
    await handlers['calendar.confirm_reminder']({}, { id: 'test', retryCount: 0 });
    expect(await auditRows('calendar.confirm_reminder')).toMatchObject([{ targetType: 'calendar_year', targetId: '2027' }]);

    const app = buildApp(t.database, {}, { now: () => now });
    const c = new Client(app);
    await c.login('quantri1', TEST_PASSWORD);
    const page = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2026');
    expect(page.text).toContain('Lịch làm việc năm 2027 chưa được xác nhận');
    const provisional = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2027');
    expect(provisional.text).toContain('Chưa xác nhận');
    expect(provisional.text).toContain('Xác nhận lịch năm 2027');

    // Received Mon 21/12/2026, 10 working days on the provisional 2027: 22, 23, 24, 25 (4), 28, 29, 30, 31 (8),
    // Fri 1/1 off, Mon 4/1 (9), Tue 5/1 (10) → Tue 5/1/2027 17:00.
    const d = await receive10DayDossier(now);
    expect(d.dueAt.toISOString()).toBe(vn('2027-01-05T17:00').toISOString());
    const form2027 = { ...CONFIRMED_2027, shown: shownOn(provisional.text) };
    const res = await c.post('/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=2027', form2027, {
      csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec?nam=2027',
    });
    expect(res.status).toBe(303);
    const landed = await c.get(res.headers.get('location') ?? '');
    expect(landed.text).toContain('Đã xác nhận lịch làm việc năm 2027; tính lại hạn giải quyết của 1 hồ sơ.');
    expect(landed.text).toContain('Đã xác nhận');
    expect(landed.text).not.toContain('Lịch làm việc năm 2027 chưa được xác nhận');
    // Confirmed again as it stands (the same page submitted twice): nothing changes, and the landing says so.
    const twice = await c.post('/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=2027', form2027, {
      csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec?nam=2027',
    });
    expect((await c.get(twice.headers.get('location') ?? '')).text).toContain(
      'Lịch năm 2027 đã được xác nhận như trên; không có gì thay đổi.',
    );
    // The same address again (a reload, or a link sent by someone): no notice, the receipt was read once.
    expect((await c.get(twice.headers.get('location') ?? '')).text).not.toContain('không có gì thay đổi');

    // On the confirmed 2027: Mon 4/1 is swapped off, so (9) is Tue 5/1 and (10) Wed 6/1/2027 17:00.
    const [after] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(after!.dueAt.toISOString()).toBe(vn('2027-01-06T17:00').toISOString());
    const events = await recomputeEvents(d.id);
    expect(events).toHaveLength(1);
    expect(eventLabel(events[0]!.action)).toBe('Tính lại hạn giải quyết');
    expect(events[0]).toMatchObject({
      actorLabel: 'quantri1',
      fromStatus: 'received',
      toStatus: 'received',
      note: 'Hạn giải quyết được tính lại do thay đổi lịch làm việc: 05/01/2027 17:00 → 06/01/2027 17:00',
    });
    const cal = await loadCalendar(t.database.db, now);
    expect(cal.isWorkingDay('2027-01-04')).toBe(false);
    expect(cal.isWorkingDay('2027-01-09')).toBe(true);
    expect(cal.isWorkingDay('2027-02-10')).toBe(false);
    const [audit] = await auditRows('calendar.confirm_year');
    expect(audit).toMatchObject({ targetId: '2027', actorLabel: 'quantri1' });
    expect(audit!.data).toMatchObject({ old: null, recomputed: 1 });

    // Confirming the same again is idempotent: nothing written, no second history row or audit row.
    const again = await confirmCalendarYear(t.database.db, await actorFor(t.database, 'quantri1'), CONFIRMED_2027, now);
    expect(again).toEqual({ year: 2027, unchanged: true, recomputed: 0 });
    expect(await recomputeEvents(d.id)).toHaveLength(1);
    expect(await auditRows('calendar.confirm_year')).toHaveLength(1);
    // Confirmed: no more reminders.
    expect(await remindCalendarConfirmation(t.database.db, silent, now)).toBeNull();
  });

  it('refuses a unit administrator, forged or stray dates, and a year already on record', async () => {
    const now = vn('2026-12-21T09:00');
    const sct = await actorFor(t.database, 'admin.sct');
    const denied = await refusal(confirmCalendarYear(t.database.db, sct, CONFIRMED_2027, now));
    expect(denied).toBeInstanceOf(AppError);
    expect(denied!.status).toBe(403);
    const root = await actorFor(t.database, 'quantri1');
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ ...CONFIRMED_2027, daysOff: '30/02/2027 Tết' }, 'daysOff', 'Ngày "30/02/2027" không hợp lệ'],
      [{ ...CONFIRMED_2027, daysOff: '04/02/2028 Tết' }, 'daysOff', 'Ngày 04/02/2028 không thuộc năm 2027.'],
      [{ ...CONFIRMED_2027, daysOff: '06/02/2027 Tết' }, 'daysOff', 'Ngày 06/02/2027 là thứ Bảy hoặc Chủ nhật'],
      [{ ...CONFIRMED_2027, workedWeekendDays: '08/01/2027' }, 'workedWeekendDays', 'Ngày 08/01/2027 không phải thứ Bảy hoặc Chủ nhật.'],
      [{ ...CONFIRMED_2027, daysOff: '04/02/2027\n04/02/2027' }, 'daysOff', 'Ngày 04/02/2027 được nhập hai lần.'],
      [{ ...CONFIRMED_2027, daysOff: '' }, 'daysOff', 'Vui lòng nhập các ngày nghỉ của năm.'],
      [{ ...CONFIRMED_2027, year: '2025' }, 'year', 'Năm 2025 đã có lịch làm việc theo thông báo của Chính phủ'],
      [{ ...CONFIRMED_2027, year: '20x7' }, 'year', 'Năm không hợp lệ.'],
    ];
    for (const [input, field, message] of cases) {
      const err = await refusal(confirmCalendarYear(t.database.db, root, input, now));
      expect(err, JSON.stringify(input)).toBeInstanceOf(AppError);
      expect(err!.status).toBe(400);
      expect(err!.fields?.[field], JSON.stringify([input, err!.fields])).toContain(message);
    }
    expect(await t.database.db.select().from(settings).where(eq(settings.key, 'calendar.year.2027'))).toEqual([]);
    expect(await auditRows('calendar.confirm_year')).toEqual([]);

    // Through the page: the unit administrator sees no form and is refused; a refused form keeps what was typed.
    const app = buildApp(t.database, {}, { now: () => now });
    const unit = new Client(app);
    await unit.login('admin.sct', TEST_PASSWORD);
    const page = await unit.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2027');
    expect(page.text).not.toContain('Xác nhận lịch năm 2027');
    expect(page.text).not.toContain('chưa được xác nhận');
    const post = await unit.post('/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=2027', CONFIRMED_2027, {
      csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec',
    });
    expect(post.status).toBe(403);
    const province = new Client(app);
    await province.login('quantri1', TEST_PASSWORD);
    const bad = await province.post(
      '/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=2027',
      { ...CONFIRMED_2027, daysOff: '31/02/2027 Tết' },
      { csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec?nam=2027' },
    );
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('31/02/2027 Tết');
    expect(bad.text).toContain('id="err-daysOff"');
  });
});

describe('confirming a year from a page drawn before another change of it', () => {
  it('is refused (409), nothing written, while a day off entered meanwhile stays; the page reloaded confirms it', async () => {
    const now = vn('2026-12-06T10:00');
    const c = new Client(buildApp(t.database, {}, { now: () => now }));
    await c.login('quantri1', TEST_PASSWORD);
    // The confirmation form of 2027 as drawn now: the rule's days, no entries yet.
    const stale = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2027');
    const staleForm = {
      year: '2027',
      daysOff: textareaOn(stale.text, 'daysOff'),
      workedWeekendDays: textareaOn(stale.text, 'workedWeekendDays'),
      shown: shownOn(stale.text),
    };
    expect(staleForm.shown).not.toBe('');
    expect(staleForm.daysOff).toContain('16/04/2027');
    // Meanwhile (another province administrator, another tab): Wed 10/03/2027 declared a day off.
    const admin = await actorFor(t.database, 'quantri1');
    await setCalendarDay(t.database.db, admin, { date: '10/03/2027', kind: 'day_off', note: 'Thông báo số 5/TB-UBND' }, now);
    // The older page is confirmed: refused, said on the page with what was typed; the entry and the year untouched.
    const res = await c.post('/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=2027', staleForm, {
      csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec?nam=2027',
    });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Lịch năm đã được thay đổi sau khi trang được mở; vui lòng tải lại trang.');
    expect(textareaOn(res.text, 'daysOff')).toBe(staleForm.daysOff);
    // The refused form still carries the old page's fingerprint: sending it again is refused again.
    expect(shownOn(res.text)).toBe(staleForm.shown);
    const direct = await refusal(confirmCalendarYear(t.database.db, admin, staleForm, now));
    expect(direct).toMatchObject({ code: 'calendar_changed_meanwhile', status: 409 });
    // A form without the fingerprint (a page drawn before it existed) is as stale.
    const { shown: _shown, ...withoutShown } = staleForm;
    expect(await refusal(confirmCalendarYear(t.database.db, admin, withoutShown, now))).toMatchObject({ status: 409 });
    expect((await loadCalendar(t.database.db, now)).isWorkingDay('2027-03-10')).toBe(false);
    expect(await t.database.db.select().from(calendarDays).where(eq(calendarDays.date, '2027-03-10'))).toHaveLength(1);
    expect(await t.database.db.select().from(settings).where(eq(settings.key, 'calendar.year.2027'))).toEqual([]);
    expect(await auditRows('calendar.confirm_year')).toEqual([]);
    // Reloaded, the form shows the day off; confirming it keeps it, folded into the year.
    const fresh = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2027');
    expect(shownOn(fresh.text)).not.toBe(staleForm.shown);
    const freshForm = {
      year: '2027',
      daysOff: textareaOn(fresh.text, 'daysOff'),
      workedWeekendDays: textareaOn(fresh.text, 'workedWeekendDays'),
      shown: shownOn(fresh.text),
    };
    expect(freshForm.daysOff).toContain('10/03/2027 Thông báo số 5/TB-UBND');
    const ok = await c.post('/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=2027', freshForm, {
      csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec?nam=2027',
    });
    expect(ok.status).toBe(303);
    expect((await loadCalendar(t.database.db, now)).isWorkingDay('2027-03-10')).toBe(false);
    expect(await t.database.db.select().from(calendarDays).where(eq(calendarDays.date, '2027-03-10'))).toEqual([]);
  });
});

describe('recomputation in batches', () => {
  it('goes through every open dossier batch by batch and leaves finished ones alone', async () => {
    const now = vn('2026-11-23T09:15');
    const ds = [await receive10DayDossier(now), await receive10DayDossier(now), await receive10DayDossier(now)];
    await t.database.db.update(dossiers).set({ status: 'returned' }).where(eq(dossiers.id, ds[2]!.id));
    const oldCal = await loadCalendar(t.database.db, now);
    const root = await actorFor(t.database, 'quantri1');
    // A hypothetical extra day off on Wed 2/12/2026 (entered here in the transaction, as setCalendarDay does): the
    // due date Mon 7/12 becomes Tue 8/12. One dossier a batch: three batches, the last one empty.
    const moved = await t.database.db.transaction(async (tx) => {
      await tx.insert(calendarDays).values({ date: '2026-12-02', kind: 'day_off', note: 'Thông báo thử' });
      return recomputeDueDates(tx, root, { oldCal, newCal: await loadCalendar(tx, now), changedFrom: '2026-12-02', now, batchSize: 1 });
    });
    expect(moved).toBe(2);
    const rows = await t.database.db.select().from(dossiers);
    const due = (id: string) => rows.find((r) => r.id === id)!.dueAt.toISOString();
    expect(due(ds[0]!.id)).toBe(vn('2026-12-08T17:00').toISOString());
    expect(due(ds[1]!.id)).toBe(vn('2026-12-08T17:00').toISOString());
    expect(due(ds[2]!.id)).toBe(vn('2026-12-07T17:00').toISOString());
    expect(await recomputeEvents(ds[2]!.id)).toEqual([]);
  });
});

describe('a yearly holiday added on Lịch làm việc', () => {
  it('24/11 from 2026 is a day off every year from then, and moves an open dossier due after it', async () => {
    const now = vn('2026-11-23T09:15'); // a Monday
    // 10 working days: 24, 25, 26, 27 (4), 30/11, 1, 2, 3, 4/12 (9), Mon 7/12 (10).
    const d = await receive10DayDossier(now);
    expect(d.dueAt.toISOString()).toBe(vn('2026-12-07T17:00').toISOString());
    const root = await actorFor(t.database, 'quantri1');
    const entry = { day: '24/11', name: 'Ngày Văn hóa Việt Nam', fromYear: '2026' };
    const r = await addRecurringHoliday(t.database.db, root, entry, now);
    expect(r).toMatchObject({ day: '11-24', fromYear: 2026, unchanged: false, recomputed: 1 });
    const cal = await loadCalendar(t.database.db, now);
    expect(cal.isWorkingDay('2026-11-24')).toBe(false);
    expect(cal.isWorkingDay('2027-11-24')).toBe(false);
    expect(cal.isWorkingDay('2025-11-24')).toBe(true);
    // Tue 24/11 off: (10) is Tue 8/12.
    const [after] = await t.database.db.select().from(dossiers).where(eq(dossiers.id, d.id));
    expect(after!.dueAt.toISOString()).toBe(vn('2026-12-08T17:00').toISOString());
    expect((await recomputeEvents(d.id))[0]!.note).toBe(
      'Hạn giải quyết được tính lại do thay đổi lịch làm việc: 07/12/2026 17:00 → 08/12/2026 17:00',
    );
    // The same entry again (a double submit) changes nothing.
    expect(await addRecurringHoliday(t.database.db, root, entry, now)).toMatchObject({ unchanged: true, recomputed: 0 });
    expect(await recomputeEvents(d.id)).toHaveLength(1);
    expect(await auditRows('calendar.recurring_holiday')).toHaveLength(1);

    const sct = await actorFor(t.database, 'admin.sct');
    expect((await refusal(addRecurringHoliday(t.database.db, sct, { ...entry, day: '25/11' }, now)))!.status).toBe(403);
    const bad = await refusal(addRecurringHoliday(t.database.db, root, { ...entry, day: '31/11' }, now));
    expect(bad!.fields?.day).toContain('dd/mm');

    const c = new Client(buildApp(t.database, {}, { now: () => now }));
    await c.login('quantri1', TEST_PASSWORD);
    const page = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2026');
    expect(page.text).toContain('Ngày Văn hóa Việt Nam');
    expect(page.text).toContain('từ năm 2026');
  });
});
