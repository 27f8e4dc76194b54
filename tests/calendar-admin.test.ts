import { describe, expect, it } from 'vitest';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, useDemoApp } from './support/fixtures.js';
import { setCalendarDay } from '../src/calendar/set-calendar-day.js';
import { loadCalendar } from '../src/calendar/load.js';
import { dueAt } from '../src/calendar/deadlines.js';
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
  });

  it('shows the year with its lunar holidays', async () => {
    const c = new Client(t.app);
    await c.login('quantri1', TEST_PASSWORD);
    const page = await c.get('/tiepnhan/quan-tri/lich-lam-viec?nam=2027');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Tết Nguyên Đán');
    expect(page.text).toContain('16/04/2027');
    const res = await c.post('/tiepnhan/quan-tri/lich-lam-viec?nam=2027', { date: '10/02/2027', kind: 'working_day', note: 'x' }, { csrfFrom: '/tiepnhan/quan-tri/lich-lam-viec' });
    expect(res.status).toBe(200);
    expect(res.text).toContain('Đã lưu ngày 10/02/2027');
  });
});
