import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../web/env.js';
import { CsrfField, FieldError, Flash, Layout } from '../web/layout.js';
import { actorOf, formData, pageProps, requireLogin, type Ctx } from '../web/http.js';
import { queryOf } from '../web/params.js';
import { param } from '../shared/validate.js';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { formatDate, todayInVietnam } from '../shared/dates.js';
import { isProvinceAdministrator, requireAdministrator } from '../accounts/policies.js';
import { weekday } from './vietnam-holidays.js';
import { setCalendarDay } from './set-calendar-day.js';
import { loadCalendarSettings, loadOfficeHours } from './load.js';
import { confirmationForm } from './confirmation-form.js';
import type { YearStatus } from './year-schedule.js';
import { confirmCalendarYear } from './confirm-calendar-year.js';
import { addRecurringHoliday } from './add-recurring-holiday.js';
import { yearAwaitingConfirmation } from './confirmation-reminder.js';
import { clock, durationText, sessionsText, setOfficeHours } from './set-office-hours.js';
import { sendHtml } from '../web/send-html.js';
import { postAnswerAddress } from '../web/post-answer.js';
import { giveReceipt, takeReceipt } from '../admin/save-receipt.js';

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
  /** The confirmation form as typed, and its messages, when it was refused. */
  confirm?: { values: Record<string, string>; shown: string; errors?: FieldErrors | undefined };
  recurring?: { values: Record<string, string>; errors?: FieldErrors | undefined };
};

const STATUS_TEXT: Record<YearStatus, string> = {
  announced: 'Theo thông báo của Chính phủ (đã xác nhận)',
  confirmed: 'Đã xác nhận',
  provisional: 'Chưa xác nhận',
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
  const form = await confirmationForm(db, year);
  const { entries: overrides, settings: calSettings, schedule } = form;
  const awaiting = canEdit ? yearAwaitingConfirmation(calSettings, c.get('deps').now()) : null;
  // A refused form is shown as typed, with the fingerprint of the page it was typed on: still stale if it was.
  const confirmValues = s.confirm?.values ?? form.values;
  const shown = s.confirm ? s.confirm.shown : form.shown;
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
  return sendHtml(
    c,
    <Layout title="Lịch làm việc" section="admin" {...props} address={postAnswerAddress(c, `/tiepnhan/quan-tri/lich-lam-viec?nam=${year}`)}>
      <section class="narrow wide-ok">
        <h1>LỊCH LÀM VIỆC NĂM {year}</h1>
        <p>
          <a href={`?nam=${year - 1}`}>← {year - 1}</a> · <a href={`?nam=${year + 1}`}>{year + 1} →</a>
        </p>
        {s.notice ? <Flash kind="ok">{s.notice}</Flash> : null}
        {s.error ? <Flash kind="error">{s.error}</Flash> : null}
        {awaiting ? (
          <Flash kind="error">
            Lịch làm việc năm {awaiting} chưa được xác nhận. Vui lòng <a href={`?nam=${awaiting}#xac-nhan`}>xác nhận</a> ngày nghỉ Tết
            Nguyên Đán và các ngày hoán đổi theo thông báo của Thủ tướng Chính phủ.
          </Flash>
        ) : null}
        <p id="year-status">
          Lịch năm {year}: <strong>{STATUS_TEXT[schedule.status]}</strong>
          {schedule.status === 'provisional'
            ? '. Các ngày nghỉ dưới đây được tính theo quy tắc (âm lịch, nghỉ bù) cho đến khi quản trị cấp tỉnh xác nhận theo thông báo của Chính phủ.'
            : null}
        </p>
        <h2>Ngày nghỉ lễ, Tết và ngày làm bù của năm</h2>
        <table class="list" id="statutory">
          <tbody>
            {[
              ...schedule.daysOff.map((h) => ({ ...h, text: h.name })),
              ...schedule.workedWeekendDays.map((h) => ({ ...h, text: `Ngày làm việc: ${h.name}` })),
            ]
              .sort((a, b) => a.date.localeCompare(b.date))
              .map((h) => (
                <tr>
                  <td>{WEEKDAYS[weekday(h.date)]}</td>
                  <td>{formatDate(h.date)}</td>
                  <td>{h.text}</td>
                </tr>
              ))}
          </tbody>
        </table>
        {canEdit && schedule.status !== 'announced' ? (
          <form method="post" action={`/tiepnhan/quan-tri/lich-lam-viec/xac-nhan?nam=${year}`} class="stack" id="xac-nhan">
            <h2>Xác nhận lịch năm {year}</h2>
            <p class="muted">
              Mỗi dòng một ngày: dd/mm/yyyy rồi tên ngày. Khi xác nhận, hạn giải quyết của hồ sơ đang xử lý bị ảnh hưởng được tính lại.
            </p>
            <CsrfField token={props.csrfToken} />
            <input type="hidden" name="year" value={String(year)} />
            <input type="hidden" name="shown" value={shown} />
            <label for="confirm-days-off">Ngày nghỉ (thứ Hai – thứ Sáu)</label>
            <textarea
              id="confirm-days-off"
              name="daysOff"
              rows={8}
              aria-invalid={s.confirm?.errors?.daysOff ? 'true' : undefined}
              aria-describedby={s.confirm?.errors?.daysOff ? 'err-daysOff' : undefined}
            >
              {confirmValues.daysOff}
            </textarea>
            <FieldError errors={s.confirm?.errors} name="daysOff" />
            <label for="confirm-worked">Thứ Bảy, Chủ nhật làm việc (làm bù)</label>
            <textarea
              id="confirm-worked"
              name="workedWeekendDays"
              rows={3}
              aria-invalid={s.confirm?.errors?.workedWeekendDays ? 'true' : undefined}
              aria-describedby={s.confirm?.errors?.workedWeekendDays ? 'err-workedWeekendDays' : undefined}
            >
              {confirmValues.workedWeekendDays}
            </textarea>
            <FieldError errors={s.confirm?.errors} name="workedWeekendDays" />
            <FieldError errors={s.confirm?.errors} name="year" />
            <button type="submit" class="primary">
              Xác nhận lịch năm {year}
            </button>
          </form>
        ) : null}
        <h2>Ngày nghỉ lễ hằng năm do quản trị bổ sung</h2>
        <table class="list" id="recurring">
          <tbody>
            {calSettings.recurring.map((r) => (
              <tr>
                <td>{`${r.day.slice(3)}/${r.day.slice(0, 2)}`}</td>
                <td>{r.name}</td>
                <td>từ năm {r.fromYear}</td>
              </tr>
            ))}
            {calSettings.recurring.length === 0 ? (
              <tr>
                <td class="muted">Chưa có ngày lễ bổ sung.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
        {canEdit ? (
          <form method="post" action={`/tiepnhan/quan-tri/lich-lam-viec/ngay-le?nam=${year}`} class="stack" id="recurring-form">
            <CsrfField token={props.csrfToken} />
            {(
              [
                ['day', 'Ngày, tháng (dd/mm)', '24/11'],
                ['name', 'Tên ngày lễ', 'Ngày Văn hóa Việt Nam'],
                ['fromYear', 'Nghỉ từ năm', String(year)],
              ] as const
            ).map(([name, label, placeholder]) => (
              <>
                <label for={`recurring-${name}`}>{label}</label>
                <input
                  id={`recurring-${name}`}
                  name={name}
                  value={s.recurring?.values[name] ?? ''}
                  placeholder={placeholder}
                  required
                  aria-invalid={s.recurring?.errors?.[name] ? 'true' : undefined}
                  aria-describedby={s.recurring?.errors?.[name] ? `err-${name}` : undefined}
                />
                <FieldError errors={s.recurring?.errors} name={name} />
              </>
            ))}
            <button type="submit" class="primary">
              Thêm ngày nghỉ lễ hằng năm
            </button>
          </form>
        ) : null}
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

// This year in Vietnam (its 1 January starts at 17:00 UTC on 31 December), by the one clock.
const yearOf = (c: Ctx) => queryOf(c, YearQuery).nam ?? Number(todayInVietnam(c.get('deps').now()).slice(0, 4));

/**
 * Every post of this page answers with a redirect to the year it changed (Post/Redirect/Get): a reload reads the
 * page again and never posts a second time. `tb` names what was done and on what; the notice shows only with the
 * write's sealed, once-read receipt (admin/save-receipt.ts: this administrator, this session, this day or year), which
 * also carries what only the write knew — how many dossiers' due dates were recomputed. What it says of the calendar
 * is read from the calendar as it now is. An address typed or sent by hand shows no notice at all.
 */
const landing = (year: number, tb: string, more: Record<string, string> = {}) =>
  `/tiepnhan/quan-tri/lich-lam-viec?${new URLSearchParams({ nam: String(year), tb, ...more })}`;

const isIsoDate = (v: string | undefined): v is string => {
  if (v === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const at = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === v;
};

async function landingNotice(c: Ctx, year: number): Promise<string | undefined> {
  const { db } = c.get('deps');
  const q = c.req.query();
  switch (q.tb) {
    case 'ngay':
      return isIsoDate(q.ngay) && takeReceipt(c, 'calendar-day', q.ngay) ? `Đã lưu ngày ${formatDate(q.ngay)}.` : undefined;
    case 'gio':
      return takeReceipt(c, 'calendar-hours', 'office-hours')
        ? `Đã lưu giờ làm việc: ${sessionsText(await loadOfficeHours(db)).join(' và ')}.`
        : undefined;
    case 'xac-nhan': {
      const done = takeReceipt(c, 'calendar-year', String(year))?.value;
      if (done === 'unchanged') return `Lịch năm ${year} đã được xác nhận như trên; không có gì thay đổi.`;
      return done ? `Đã xác nhận lịch làm việc năm ${year}; tính lại hạn giải quyết của ${Number(done)} hồ sơ.` : undefined;
    }
    case 'ngay-le': {
      const day = q['ngay-le'] ?? '';
      const done = takeReceipt(c, 'calendar-holiday', day)?.value;
      const held = done ? (await loadCalendarSettings(db)).recurring.find((r) => r.day === day) : undefined;
      if (!held) return undefined;
      const redone = Number(done) ? `; tính lại hạn giải quyết của ${Number(done)} hồ sơ` : '';
      return `Đã lưu ngày nghỉ lễ hằng năm: ${held.name} từ năm ${held.fromYear}${redone}.`;
    }
    default:
      return undefined;
  }
}

calendarRoutes.get('/', async (c) => {
  const year = yearOf(c);
  return render(c, year, { notice: await landingNotice(c, year) });
});

calendarRoutes.post('/', async (c) => {
  const form = await formData(c);
  try {
    const r = await setCalendarDay(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    giveReceipt(c, 'calendar-day', r.date);
    return c.redirect(landing(Number(r.date.slice(0, 4)), 'ngay', { ngay: r.date }), 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return render(c, yearOf(c), { error: err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message }, err.status as 400);
  }
});

calendarRoutes.post('/gio-lam-viec', async (c) => {
  const form = await formData(c);
  try {
    await setOfficeHours(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    giveReceipt(c, 'calendar-hours', 'office-hours');
    return c.redirect(landing(yearOf(c), 'gio'), 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const values = Object.fromEntries(HOURS_FIELDS.map(([name]) => [name, form[name] ?? '']));
    const error = err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message;
    return render(c, yearOf(c), { error, hours: { values, errors: err.fields } }, err.status as 400);
  }
});

calendarRoutes.post('/xac-nhan', async (c) => {
  const form = await formData(c);
  try {
    const r = await confirmCalendarYear(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    giveReceipt(c, 'calendar-year', String(r.year), r.unchanged ? 'unchanged' : String(r.recomputed));
    return c.redirect(landing(r.year, 'xac-nhan'), 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const values = { daysOff: form.daysOff ?? '', workedWeekendDays: form.workedWeekendDays ?? '' };
    const error = err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message;
    return render(c, yearOf(c), { error, confirm: { values, shown: form.shown ?? '', errors: err.fields } }, err.status as 400);
  }
});

calendarRoutes.post('/ngay-le', async (c) => {
  const form = await formData(c);
  try {
    const r = await addRecurringHoliday(c.get('deps').db, actorOf(c), form, c.get('deps').now());
    giveReceipt(c, 'calendar-holiday', r.day, String(r.recomputed));
    return c.redirect(landing(yearOf(c), 'ngay-le', { 'ngay-le': r.day }), 303);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const values = { day: form.day ?? '', name: form.name ?? '', fromYear: form.fromYear ?? '' };
    const error = err.fields ? (Object.values(err.fields)[0] ?? err.message) : err.message;
    return render(c, yearOf(c), { error, recurring: { values, errors: err.fields } }, err.status as 400);
  }
});
