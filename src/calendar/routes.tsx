import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { CsrfField, FieldError, Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { isProvinceAdministrator, requireAdministrator } from '../accounts/policies.js';
import { statutoryHolidays, weekday } from './vietnam-holidays.js';
import { setCalendarDay } from './set-calendar-day.js';
import { calendarDaysOf, loadOfficeHours } from './load.js';
import { clock, durationText, sessionsText, setOfficeHours } from './set-office-hours.js';

const WEEKDAYS = ['Chủ nhật', 'Thứ Hai', 'Thứ Ba', 'Thứ Tư', 'Thứ Năm', 'Thứ Sáu', 'Thứ Bảy'];

const HOURS_FIELDS = [
  ['morningStart', 'Buổi sáng: bắt đầu'],
  ['morningEnd', 'Buổi sáng: kết thúc'],
  ['afternoonStart', 'Buổi chiều: bắt đầu'],
  ['afternoonEnd', 'Buổi chiều: kết thúc'],
] as const;

type State = {
  notice?: string;
  error?: string;
  /** The office-hours form as typed, and its messages, when it was refused. */
  hours?: { values: Record<string, string>; errors?: FieldErrors | undefined };
};

/** Lịch làm việc: the year's days off, the administrator's swaps, and the office hours. */
export const calendarRoutes = new Hono<AppEnv>();
calendarRoutes.use('*', requireLogin);
calendarRoutes.use('*', async (c, next) => {
  await requireAdministrator(c.get('deps').db, actorOf(c));
  await next();
});

async function render(c: Ctx, year: number, s: State = {}, status: 200 | 400 | 403 = 200) {
  const { db } = c.get('deps');
  const props = await pageProps(c);
  const canEdit = await isProvinceAdministrator(db, actorOf(c));
  const overrides = await calendarDaysOf(db, year);
  const statutory = statutoryHolidays(year);
  const officeHours = await loadOfficeHours(db);
  const perDay = officeHours.reduce((n, [from, to]) => n + (to - from), 0);
  const hoursValues =
    s.hours?.values ??
    (officeHours.length === 2
      ? {
          morningStart: clock(officeHours[0]![0]),
          morningEnd: clock(officeHours[0]![1]),
          afternoonStart: clock(officeHours[1]![0]),
          afternoonEnd: clock(officeHours[1]![1]),
        }
      : {});
  const hoursErrors = s.hours?.errors;
  return c.html(
    <Layout title="Lịch làm việc" section="admin" {...props}>
      <section class="narrow wide-ok">
        <h1>LỊCH LÀM VIỆC NĂM {year}</h1>
        <p>
          <a href={`?nam=${year - 1}`}>← {year - 1}</a> · <a href={`?nam=${year + 1}`}>{year + 1} →</a>
        </p>
        {s.notice ? <Flash kind="ok">{s.notice}</Flash> : null}
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        <h2>Ngày nghỉ lễ, Tết theo luật (kể cả nghỉ bù khi trùng ngày nghỉ hằng tuần)</h2>
        <table class="list" id="statutory">
          <tbody>
            {statutory.map((h) => (
              <tr>
                <td>{WEEKDAYS[weekday(h.date)]}</td>
                <td>{formatDate(h.date)}</td>
                <td>{h.name}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <h2>Điều chỉnh theo thông báo của Chính phủ, UBND tỉnh</h2>
        <table class="list" id="overrides">
          <tbody>
            {overrides.map((o) => (
              <tr>
                <td>{WEEKDAYS[weekday(o.date)]}</td>
                <td>{formatDate(o.date)}</td>
                <td>{o.kind === 'day_off' ? 'Ngày nghỉ' : 'Ngày làm việc (làm bù)'}</td>
                <td>{o.note}</td>
              </tr>
            ))}
            {overrides.length === 0 ? (
              <tr>
                <td class="muted">Chưa có điều chỉnh.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {canEdit ? (
          <form method="post" action={`/tiepnhan/quan-tri/lich-lam-viec?nam=${year}`} class="stack">
            <CsrfField token={props.csrfToken} />
            <label for="cal-date">Ngày</label>
            <input id="cal-date" name="date" placeholder="dd/mm/yyyy" inputmode="numeric" required />
            <label for="cal-kind">Loại</label>
            <select id="cal-kind" name="kind">
              <option value="day_off">Ngày nghỉ (nghỉ bù, hoán đổi)</option>
              <option value="working_day">Ngày làm việc (làm bù vào thứ Bảy, Chủ nhật)</option>
              <option value="default">Trở lại mặc định</option>
            </select>
            <label for="cal-note">Ghi chú (số văn bản thông báo)</label>
            <input id="cal-note" name="note" />
            <button type="submit" class="primary">
              Lưu
            </button>
          </form>
        ) : (
          <p class="muted">Chỉ quản trị cấp tỉnh được điều chỉnh lịch làm việc.</p>
        )}
        <h2 id="gio-lam-viec">Giờ làm việc</h2>
        <p id="office-hours">
          {officeHours.length === 2 ? (
            <>
              Buổi sáng <strong>{sessionsText(officeHours)[0]}</strong>, buổi chiều <strong>{sessionsText(officeHours)[1]}</strong>
            </>
          ) : (
            <strong>{sessionsText(officeHours).join(', ')}</strong>
          )}{' '}
          ({durationText(perDay)} mỗi ngày làm việc).
        </p>
        <p class="muted">
          Giờ làm việc mới áp dụng cho thời hạn giải quyết được tính từ khi lưu trở đi; hồ sơ đã tiếp nhận giữ nguyên ngày hẹn trả kết quả.
        </p>
        {canEdit ? (
          <form method="post" action={`/tiepnhan/quan-tri/lich-lam-viec/gio-lam-viec?nam=${year}`} class="stack" id="office-hours-form">
            <CsrfField token={props.csrfToken} />
            {HOURS_FIELDS.map(([name, label]) => (
              <>
                <label for={`hours-${name}`}>{label}</label>
                <input
                  id={`hours-${name}`}
                  name={name}
                  value={hoursValues[name] ?? ''}
                  placeholder="HH:MM"
                  inputmode="numeric"
                  required
                  aria-invalid={hoursErrors?.[name] ? 'true' : undefined}
                  aria-describedby={hoursErrors?.[name] ? `err-${name}` : undefined}
                />
                <FieldError errors={hoursErrors} name={name} />
              </>
            ))}
            <FieldError errors={hoursErrors} name="_" />
            <button type="submit" class="primary">
              Lưu giờ làm việc
            </button>
          </form>
        ) : (
          <p class="muted">Chỉ quản trị cấp tỉnh được thay đổi giờ làm việc.</p>
        )}
      </section>
    </Layout>,
    status,
  );
}

/** ?nam= the year shown (2000–2100); this year when absent. */
const YearQuery = z.object({ nam: param.int(2000, 2100, 'Năm phải là số từ 2000 đến 2100.') });

const yearOf = (c: Ctx) => queryOf(c, YearQuery).nam ?? Number(new Date().toISOString().slice(0, 4));

calendarRoutes.get('/', (c) => render(c, yearOf(c)));

calendarRoutes.post('/', async (c) => {
  const form = await formData(c);
  try {
    const r = await setCalendarDay(c.get('deps').db, actorOf(c), form);
    return render(c, Number(r.date.slice(0, 4)), { notice: `Đã lưu ngày ${formatDate(r.date)}.` });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return render(c, yearOf(c), { error: err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message }, err.status as 400);
  }
});

calendarRoutes.post('/gio-lam-viec', async (c) => {
  const form = await formData(c);
  try {
    const hours = await setOfficeHours(c.get('deps').db, actorOf(c), form);
    return render(c, yearOf(c), { notice: `Đã lưu giờ làm việc: ${sessionsText(hours).join(' và ')}.` });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const values = Object.fromEntries(HOURS_FIELDS.map(([name]) => [name, form[name] ?? '']));
    const error = err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message;
    return render(c, yearOf(c), { error, hours: { values, errors: err.fields } }, err.status as 400);
  }
});
