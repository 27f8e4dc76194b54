/**
 * "Trong ngày làm việc": a procedure whose result is due at the close of the reception day (procedures/time-limit.ts).
 * Before, the import read it as 8 working hours — a dossier received at 09:00 due at 09:30 the next working day — and
 * the procedure screen could not say it at all (it refused a limit of 0).
 */
import { describe, expect, it } from 'vitest';
import { Client, TEST_PASSWORD } from './support/app.js';
import { actorFor, currentProcedure, useDemoApp } from './support/fixtures.js';
import { receiveAtCounter } from './support/reception.js';
import { procedureForm } from './support/procedure-form.js';
import { saveProcedure } from '../src/procedures/save-procedure.js';
import { procedureFormValues } from '../src/procedures/procedure-form.js';
import { parseTimeLimit } from '../src/procedures/import-catalog-columns.js';
import { stepDueAt } from '../src/dossiers/steps.js';
import { loadCalendar } from '../src/calendar/load.js';
import { setCalendarDay } from '../src/calendar/set-calendar-day.js';
import { dossiers } from '../src/db/schema/index.js';
import { eq } from 'drizzle-orm';
import { demoOfficials } from '../src/demo/officials.js';
import type { AppError } from '../src/shared/errors.js';

const t = useDemoApp();

/** The demo's Chứng thực bản sao: received and processed at UBND xã Minh Hưng, due the same day. */
const CODE = '2.000884';
const communeClerk = () =>
  demoOfficials().find((o) => o.unitKey === 'bd-minhhung' && o.position === 'Công chức Tư pháp - Hộ tịch')!.username;
/** A Vietnam local time. */
const vn = (s: string) => new Date(`${s}+07:00`);

describe('trong ngày làm việc', () => {
  it('the import reads "Trong ngày làm việc" as a same-day limit, not 8 hours', () => {
    expect(parseTimeLimit('Trong ngày làm việc; trường hợp nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo')).toEqual({
      kind: 'same_day',
      limit: 0,
      after1500: true,
    });
    expect(parseTimeLimit('04 giờ làm việc')).toEqual({ kind: 'hours', limit: 4, after1500: false });
    // Whichever is stated first (a review's cases): Nghị định 23/2015's wording with its bulk-copy extension, and the
    // cut-off "trước 15 giờ" that is not a limit of 15 hours.
    const decree =
      'Trong ngày cơ quan, tổ chức tiếp nhận yêu cầu hoặc trong ngày làm việc tiếp theo, nếu tiếp nhận yêu cầu sau 15 giờ. ' +
      'Trường hợp yêu cầu số lượng nhiều bản sao thì thời hạn chứng thực được kéo dài thêm không quá 02 ngày làm việc.';
    expect(parseTimeLimit(decree)).toEqual({ kind: 'same_day', limit: 0, after1500: true });
    const cutoff =
      'Trong ngày làm việc đối với hồ sơ nhận trước 15 giờ; hồ sơ nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo';
    expect(parseTimeLimit(cutoff)).toEqual({ kind: 'same_day', limit: 0, after1500: true });
    expect(parseTimeLimit('05 ngày làm việc; trường hợp khẩn cấp trả trong ngày')).toEqual({ kind: 'days', limit: 5, after1500: false });
  });

  it('a dossier received at 09:00 is due at the close of that day; its first step in working hours', async () => {
    const { p, v } = await currentProcedure(t.database, CODE);
    expect(v).toMatchObject({ workingDays: 0, workingHours: null, after1500NextDay: true });
    const clerk = await actorFor(t.database, communeClerk());
    const input = { procedureId: p.id, channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' };
    const morning = await receiveAtCounter(t.database.db, clerk, input, vn('2026-11-23T09:00'));
    expect(morning.dueAt.toISOString()).toBe(vn('2026-11-23T17:00').toISOString());
    // The reception step's share is half an hour (src/demo/procedures.ts), not half a working day.
    expect(morning.stepDueAt?.toISOString()).toBe(vn('2026-11-23T09:30').toISOString());
    const late = await receiveAtCounter(t.database.db, clerk, input, vn('2026-11-23T15:20'));
    expect(late.dueAt.toISOString()).toBe(vn('2026-11-24T17:00').toISOString());
    // A step is never due after its same-day dossier: the processing step (2.5 hours) begun at 16:00 is due at the
    // close, 17:00, not at 09:00 the next day; begun at 09:00, at 11:30.
    const cal = await loadCalendar(t.database.db);
    expect(stepDueAt(cal, v, 1, vn('2026-11-23T16:00'), vn('2026-11-23T17:00')).toISOString()).toBe(vn('2026-11-23T17:00').toISOString());
    expect(stepDueAt(cal, v, 1, vn('2026-11-23T09:00'), vn('2026-11-23T17:00')).toISOString()).toBe(vn('2026-11-23T11:30').toISOString());
  });

  it('a reception day declared a day off afterwards (a storm closure) moves the same-day and the hours due dates to the next working day', async () => {
    const { p } = await currentProcedure(t.database, CODE);
    const hours = await currentProcedure(t.database, '2.000908'); // Chứng thực chữ ký: 4 working hours, same commune
    const clerk = await actorFor(t.database, communeClerk());
    const input = { channel: '1', fullName: 'Trần Thị Thử', phone: '0912000111' };
    const sameDay = await receiveAtCounter(t.database.db, clerk, { ...input, procedureId: p.id }, vn('2026-11-23T09:00'));
    const inHours = await receiveAtCounter(t.database.db, clerk, { ...input, procedureId: hours.p.id }, vn('2026-11-23T10:00'));
    expect(inHours.dueAt.toISOString()).toBe(vn('2026-11-23T16:00').toISOString());
    const root = await actorFor(t.database, 'quantri1');
    await setCalendarDay(t.database.db, root, { date: '23/11/2026', kind: 'day_off', note: 'Nghỉ tránh bão' }, vn('2026-11-23T10:30'));
    const due = async (id: string) => (await t.database.db.select().from(dossiers).where(eq(dossiers.id, id)))[0]!;
    expect((await due(sameDay.id)).dueAt.toISOString()).toBe(vn('2026-11-24T17:00').toISOString());
    // The four hours count from the next opening, not the working time the old calendar had left on the day.
    expect((await due(inHours.id)).dueAt.toISOString()).toBe(vn('2026-11-24T11:30').toISOString());
    expect((await due(sameDay.id)).stepDueAt!.getTime()).toBeLessThanOrEqual(vn('2026-11-24T17:00').getTime());
  });

  it('the procedure form says it and saves it back unchanged; a number typed beside it is ignored', async () => {
    const { p, v } = await currentProcedure(t.database, CODE);
    expect(procedureFormValues(CODE, v)).toMatchObject({ limitKind: 'same_day', limit: '' });
    const admin = await actorFor(t.database, 'quantri1');
    const saved = await saveProcedure(t.database.db, admin, p.id, procedureForm(CODE, v, { limit: '3' }));
    expect(saved).toMatchObject({ workingDays: 0, workingHours: null, version: v.version + 1 });
  });

  it('refuses, beside their fields, a limit in days or hours without a number or with a part of a day, and steps of more than 8 hours', async () => {
    const { p, v } = await currentProcedure(t.database, CODE);
    const admin = await actorFor(t.database, 'quantri1');
    const save = (over: Record<string, unknown>) =>
      saveProcedure(t.database.db, admin, p.id, procedureForm(CODE, v, over)).catch((e: AppError) => e);
    expect(await save({ limitKind: 'days', limit: '' })).toMatchObject({
      status: 400,
      fields: { limit: 'Vui lòng nhập thời hạn giải quyết (một số).' },
    });
    expect(await save({ limitKind: 'days', limit: '2.5' })).toMatchObject({
      status: 400,
      fields: { limit: 'Số ngày làm việc phải là số nguyên.' },
    });
    expect(await save({ limitKind: 'hours', limit: '0' })).toMatchObject({ status: 400, fields: { limit: 'Thời hạn phải lớn hơn 0.' } });
    // A limit that is not a number shows beside another field's mistake, in the same answer.
    expect(await save({ limitKind: 'days', limit: 'mười', name: 'x' })).toMatchObject({
      status: 400,
      fields: { limit: 'Thời hạn phải là số.', name: 'Tên thủ tục quá ngắn.' },
    });
    const form = procedureForm(CODE, v);
    const long = form.steps.map((s) => (s.role === 'processing' ? { ...s, share: '7' } : s));
    expect(await saveProcedure(t.database.db, admin, p.id, { ...form, steps: long }).catch((e: AppError) => e)).toMatchObject({
      status: 400,
      fields: { steps: 'Tổng thời gian các bước (8.5 giờ) vượt 8 giờ làm việc của thủ tục giải quyết trong ngày.' },
    });
    // Counted in days, the same shares fit a limit of 9 working days.
    expect(await saveProcedure(t.database.db, admin, p.id, { ...form, steps: long, limitKind: 'days', limit: '9' })).toMatchObject({
      workingDays: 9,
    });
    expect((await currentProcedure(t.database, CODE)).v.workingDays).toBe(9);
  });

  it('reads "Trong ngày làm việc" in the catalog, on the counter page and in the administrators’ list', async () => {
    const { p } = await currentProcedure(t.database, CODE);
    const catalog = await t.app.request(`/thu-tuc/${p.id}`);
    const html = await catalog.text();
    expect(catalog.status).toBe(200);
    expect(html).toContain('Trong ngày làm việc (hồ sơ nhận sau 15 giờ được tính từ ngày làm việc tiếp theo)');
    expect(html).toContain('(0,5 giờ làm việc)');
    const clerk = new Client(t.app);
    await clerk.login(communeClerk(), TEST_PASSWORD);
    const counter = await clerk.get(`/tiepnhan/tiep-nhan?procedureId=${p.id}`);
    expect(counter.text).toMatch(/<dt>Thời hạn giải quyết<\/dt>\s*<dd>Trong ngày làm việc<\/dd>/);
    const admin = new Client(t.app);
    await admin.login('quantri1', TEST_PASSWORD);
    const list = await admin.get('/tiepnhan/quan-tri/thu-tuc?q=chung+thuc+ban+sao');
    expect(list.text).toContain('<td>Trong ngày làm việc</td>');
    const page = await admin.get(`/tiepnhan/quan-tri/thu-tuc/${p.id}`);
    expect(page.text).toMatch(/<option value="same_day" selected="?"?>\s*trong ngày làm việc/);
  });
});
