import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, useDemoApp } from './support/fixtures.js';
import { setCalendarDay } from '../src/calendar/set-calendar-day.js';
import { setOfficeHours } from '../src/calendar/set-office-hours.js';
import { loadCalendar, loadOfficeHours, OFFICE_HOURS_KEY } from '../src/calendar/load.js';
import { DEFAULT_OFFICE_HOURS } from '../src/calendar/working-time.js';
import { dueAt } from '../src/calendar/deadlines.js';
import { auditLog, settings } from '../src/db/schema/index.js';
import { AppError } from '../src/shared/errors.js';

const t = useDemoApp();
const vn = (s: string) => new Date(`${s}+07:00`);

describe('the working calendar administered', () => {
  it('the province administrator enters swaps, and due dates follow them', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const before = await loadCalendar(t.database.db, vn('2026-11-20T00:00'));
    expect(before.isWorkingDay('2026-11-27')).toBe(true);
    await setCalendarDay(t.database.db, root, { date: '27/11/2026', kind: 'day_off', note: 'Thông báo số 1/TB-UBND' });
    await setCalendarDay(t.database.db, root, { date: '28/11/2026', kind: 'working_day', note: 'Làm bù' });
    const cal = await loadCalendar(t.database.db, vn('2026-11-20T00:00'));
    expect(cal.isWorkingDay('2026-11-27')).toBe(false);
    expect(cal.isWorkingDay('2026-11-28')).toBe(true);
    const due = dueAt(cal, vn('2026-11-25T09:00'), { workingDays: 2 });
    expect(due.toISOString()).toBe(vn('2026-11-28T17:00').toISOString());
    await setCalendarDay(t.database.db, root, { date: '27/11/2026', kind: 'default' });
    expect((await loadCalendar(t.database.db, vn('2026-11-20T00:00'))).isWorkingDay('2026-11-27')).toBe(true);
  });

  it('refuses other administrators and bad dates', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    const err = await setCalendarDay(t.database.db, sct, { date: '27/11/2026', kind: 'day_off' }).catch((e: AppError) => e);
    expect((err as AppError).status).toBe(403);
    const root = await actorFor(t.database, 'quantri1');
    const bad = await setCalendarDay(t.database.db, root, { date: '30/02/2026', kind: 'day_off' }).catch((e: AppError) => e);
    expect((bad as AppError).fields?.date).toContain('dd/mm/yyyy');
    // Years the page neither shows nor confirms (and which would load the lunar rules' library): refused.
    for (const date of ['31/12/9999', '01/01/0100', '31/12/1999', '01/01/2101']) {
      const far = await setCalendarDay(t.database.db, root, { date, kind: 'day_off' }).catch((e: AppError) => e);
      expect((far as AppError).fields?.date).toBe('Ngày phải thuộc các năm từ 2000 đến 2100.');
    }
    expect((await setCalendarDay(t.database.db, root, { date: '01/01/2100', kind: 'working_day' })).date).toBe('2100-01-01');
  });

  it('shows the year with its lunar holidays', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const page = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2027');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tết Nguyên Đán');
    expect(page.text).toContain('16/04/2027');
    const res = await c.post(
      '/tiepnhan/quan-tri/lich-lam-viec?nam=2027',
      { date: '10/02/2027', kind: 'working_day', note: 'x' },
      { csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec' },
    );
    // Post/Redirect/Get: the save lands on its year's page, whose reload reads again.
    expect(res.status).toBe(303);
    const to = res.headers.get('location') ?? '';
    expect(to).toBe('/tiepnhan/quan-tri/lich-lam-viec?nam=2027&tb=ngay&ngay=2027-02-10');
    expect((await c.get(to)).text).toContain('Đã lưu ngày 10/02/2027');
    // The notice rides on the save's once-read receipt: a reload, or the same address typed or sent by hand, says
    // nothing — nor does any odd value, and none is an error.
    expect((await c.get(to)).text).not.toContain('Đã lưu ngày');
    const odd = [
      'tb=ngay&ngay=2027-02-10',
      'tb=ngay&ngay=2027-02-31',
      'tb=ngay&ngay=2027-13-01',
      'tb=ngay&ngay=9999-99-99',
      'tb=ngay',
      'tb=gio',
      'tb=ngay-le&ngay-le=13-45',
      'tb=constructor',
      'tb=xac-nhan',
      'tb=xac-nhan&tinh-lai=9999999',
    ];
    for (const q of odd) {
      const page = await c.get(`/tiepnhan/quan-tri/lich-lam-viec?nam=2027&${q}`);
      expect(page.status, q).toBe(200);
      expect(page.text, q).not.toMatch(/Đã lưu|Đã xác nhận lịch làm việc năm 2027;|tính lại hạn/);
    }
  });

  it('a yearly holiday lands on its notice once, read back from the calendar', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const res = await c.post(
      '/tiepnhan/quan-tri/lich-lam-viec/ngay-le?nam=2027',
      { day: '24/11', name: 'Ngày Văn hóa Việt Nam', fromYear: '2027' },
      { csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec?nam=2027' },
    );
    expect(res.status).toBe(303);
    const to = res.headers.get('location') ?? '';
    expect(to).toBe('/tiepnhan/quan-tri/lich-lam-viec?nam=2027&tb=ngay-le&ngay-le=11-24');
    expect((await c.get(to)).text).toContain('Đã lưu ngày nghỉ lễ hằng năm: Ngày Văn hóa Việt Nam từ năm 2027.');
    expect((await c.get(to)).text).not.toContain('Đã lưu ngày nghỉ lễ');
    // Another administrator's browser, given the address: no notice.
    const other = new Client(t.app);
    await other.login('quantri1', TEST_PASSWORD);
    expect((await other.get(to)).text).not.toContain('Đã lưu ngày nghỉ lễ');
  });
});

describe('office hours administered', () => {
  const PAGE = '/tiepnhan/quan-tri/lich-lam-viec';
  const POST = `${PAGE}/gio-lam-viec`;
  const hours = (morningStart: string, morningEnd: string, afternoonStart: string, afternoonEnd: string) => ({
    morningStart,
    morningEnd,
    afternoonStart,
    afternoonEnd,
  });
  const refusal = (p: Promise<unknown>) => p.then(() => null).catch((e: unknown) => e as AppError);
  const auditRows = () => t.database.db.select().from(auditLog).where(eq(auditLog.action, 'calendar.office_hours'));

  it('the province administrator changes the hours, and due dates computed afterwards follow them', async () => {
    const root = await actorFor(t.database, 'quantri1');
    const receivedAt = vn('2026-11-25T10:00'); // a Wednesday
    const before = await loadCalendar(t.database.db, receivedAt);
    expect(before.officeHours).toEqual(DEFAULT_OFFICE_HOURS);
    expect(dueAt(before, receivedAt, { workingHours: 4 }).toISOString()).toBe(vn('2026-11-25T16:00').toISOString());

    await setOfficeHours(t.database.db, root, hours('08:00', '12:00', '13:00', '16:30'), new Date());

    const cal = await loadCalendar(t.database.db, receivedAt);
    expect(cal.officeHours).toEqual([
      [480, 720],
      [780, 990],
    ]);
    // 10:00–12:00 then 13:00–15:00
    expect(dueAt(cal, receivedAt, { workingHours: 4 }).toISOString()).toBe(vn('2026-11-25T15:00').toISOString());
    // working days end at the new closing time; before the new opening counts from the opening
    expect(dueAt(cal, receivedAt, { workingDays: 1 }).toISOString()).toBe(vn('2026-11-26T16:30').toISOString());
    expect(dueAt(cal, vn('2026-11-25T07:45'), { workingHours: 1 }).toISOString()).toBe(vn('2026-11-25T09:00').toISOString());

    const [row] = await auditRows();
    expect(row).toMatchObject({ targetType: 'setting', targetId: OFFICE_HOURS_KEY, actorLabel: 'quantri1' });
    expect(row!.data).toEqual({ old: ['07:30–11:30', '13:30–17:00'], new: ['08:00–12:00', '13:00–16:30'] });
  });

  it('accepts H:MM and records the previous hours in the next audit row', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setOfficeHours(t.database.db, root, hours('7:00', '11:00', '13:00', '17:00'), new Date());
    await setOfficeHours(t.database.db, root, hours(' 07:30 ', '11:30', '13:30', '17:00'), new Date());
    expect(await loadOfficeHours(t.database.db)).toEqual(DEFAULT_OFFICE_HOURS);
    const rows = await auditRows();
    expect(rows.map((r) => r.data)).toEqual([
      { old: ['07:30–11:30', '13:30–17:00'], new: ['07:00–11:00', '13:00–17:00'] },
      { old: ['07:00–11:00', '13:00–17:00'], new: ['07:30–11:30', '13:30–17:00'] },
    ]);
  });

  it('refuses administrators other than the province administrator', async () => {
    const sct = await actorFor(t.database, 'admin.sct');
    const err = await refusal(setOfficeHours(t.database.db, sct, hours('08:00', '12:00', '13:00', '17:00'), new Date()));
    expect(err).toBeInstanceOf(AppError);
    expect(err!.status).toBe(403);
    expect(await t.database.db.select().from(settings).where(eq(settings.key, OFFICE_HOURS_KEY))).toEqual([]);
    expect(await auditRows()).toEqual([]);

    const c = new Client(t.app);
    await c.login('admin.sct', TEST_PASSWORD);
    const page = await c.get(PAGE);
    expect(page.status).toBe(200);
    expect(page.text).toContain('07:30–11:30');
    expect(page.text).not.toContain('office-hours-form');
    expect(page.text).toContain('Chỉ quản trị cấp tỉnh được thay đổi giờ làm việc.');
    const res = await c.post(POST, hours('08:00', '12:00', '13:00', '17:00'), { csrfFrom: PAGE });
    expect(res.status).toBe(403);
    expect(await loadOfficeHours(t.database.db)).toEqual(DEFAULT_OFFICE_HOURS);
  });

  it('refuses bad input with Vietnamese messages and leaves the setting unchanged', async () => {
    const root = await actorFor(t.database, 'quantri1');
    await setOfficeHours(t.database.db, root, hours('08:00', '12:00', '13:00', '17:00'), new Date());
    const saved = await loadOfficeHours(t.database.db);
    const cases: Array<[Record<string, string | undefined>, string, string]> = [
      [hours('11:30', '07:30', '13:30', '17:00'), 'morningEnd', 'Giờ kết thúc buổi sáng phải sau giờ bắt đầu buổi sáng.'],
      [hours('07:30', '11:30', '17:00', '13:30'), 'afternoonEnd', 'Giờ kết thúc buổi chiều phải sau giờ bắt đầu buổi chiều.'],
      [
        hours('7h30', '11:30', '13:30', '17:00'),
        'morningStart',
        'Giờ bắt đầu buổi sáng không hợp lệ. Vui lòng nhập theo dạng HH:MM (ví dụ 07:30).',
      ],
      [hours('07:30', '11:60', '13:30', '17:00'), 'morningEnd', 'Giờ kết thúc buổi sáng không hợp lệ'],
      [hours('07:30', '11:30', '13:30', '24:00'), 'afternoonEnd', 'Giờ kết thúc buổi chiều không hợp lệ'],
      [hours('07:30', '11:30', '', '17:00'), 'afternoonStart', 'Vui lòng nhập giờ bắt đầu buổi chiều.'],
      [
        { ...hours('07:30', '11:30', '13:30', '17:00'), afternoonStart: undefined },
        'afternoonStart',
        'Vui lòng nhập giờ bắt đầu buổi chiều.',
      ],
      [hours('07:30', '12:00', '11:00', '17:00'), 'afternoonStart', 'Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc (sau 12:00).'],
      [hours('08:00', '10:00', '14:00', '15:30'), '_', 'Tổng thời gian làm việc trong ngày phải từ 4 giờ trở lên (đang là 3 giờ 30 phút).'],
    ];
    for (const [input, field, message] of cases) {
      const err = await refusal(setOfficeHours(t.database.db, root, input, new Date()));
      expect(err, JSON.stringify(input)).toBeInstanceOf(AppError);
      expect(err!.status).toBe(400);
      expect(err!.fields?.[field]).toContain(message);
      expect(err!.fields?.[field]).toBe(err!.fields?.[field]?.normalize('NFC'));
    }
    // exactly four hours is enough
    await setOfficeHours(t.database.db, root, hours('08:00', '10:00', '14:00', '16:00'), new Date());
    await setOfficeHours(t.database.db, root, hours('08:00', '12:00', '13:00', '17:00'), new Date());
    expect(await loadOfficeHours(t.database.db)).toEqual(saved);
    expect(await auditRows()).toHaveLength(3);
  });

  it('shows the hours and saves them from the page, keeping what was typed when refused', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const page = await c.get(`${PAGE}?nam=2027`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Giờ làm việc');
    expect(page.text).toContain('07:30–11:30');
    expect(page.text).toContain('13:30–17:00');
    expect(page.text).toContain('7 giờ 30 phút mỗi ngày làm việc');
    expect(page.text).toContain('hồ sơ đã tiếp nhận giữ nguyên ngày hẹn trả');
    expect(page.text).toMatch(
      /<form[^>]*action="\/tiepnhan\/quan-tri\/lich-lam-viec\/gio-lam-viec\?nam=2027"[^>]*>\s*<input type="hidden" name="_csrf"/,
    );

    const bad = await c.post(`${POST}?nam=2027`, hours('08:00', '07:00', '13:00', '17:00'), { csrfFrom: PAGE });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Giờ kết thúc buổi sáng phải sau giờ bắt đầu buổi sáng.');
    expect(bad.text).toContain('value="07:00"');
    expect(bad.text).toContain('LỊCH LÀM VIỆC NĂM 2027');
    // The refusal names the year's page, where a GET shows it again (post-answer.ts); the GET names none.
    expect(bad.text).toContain('<meta name="motcua-address" content="/tiepnhan/quan-tri/lich-lam-viec?nam=2027"');
    expect(page.text).not.toContain('motcua-address');
    expect(await loadOfficeHours(t.database.db)).toEqual(DEFAULT_OFFICE_HOURS);

    const noToken = await c.post(POST, hours('08:00', '12:00', '13:00', '17:00'), { csrf: null });
    expect(noToken.status).toBe(403);
    expect(await loadOfficeHours(t.database.db)).toEqual(DEFAULT_OFFICE_HOURS);

    const ok = await c.post(`${POST}?nam=2027`, hours('08:00', '12:00', '13:00', '17:00'), { csrfFrom: PAGE });
    expect(ok.status).toBe(303);
    const landed = await c.get(ok.headers.get('location') ?? '');
    expect(landed.text).toContain('Đã lưu giờ làm việc: 08:00–12:00 và 13:00–17:00.');
    expect(landed.text).toContain('8 giờ mỗi ngày làm việc');
    expect(landed.text).toContain('LỊCH LÀM VIỆC NĂM 2027');
    expect(await loadOfficeHours(t.database.db)).toEqual([
      [480, 720],
      [780, 1020],
    ]);
  });
});
