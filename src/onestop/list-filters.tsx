/**
 * The filters of the officials' lists of dossiers (Hồ sơ cần xử lý, Hồ sơ đã tiếp nhận, Theo dõi, Tất cả hồ sơ)
 * and of the register (Mẫu 07): one schema of the form's Vietnamese names, built from shared/validate.ts's
 * `param` and `periodInOrder` as the API's InboxQuery is. A value that cannot be read is said next to its field,
 * on the page itself (400), with what was typed kept in the box and no list under it: a list that ignored the
 * filter would read as its answer.
 */
import { z } from 'zod';
import { AppError, type FieldErrors } from '../shared/errors.js';
import { param, periodInOrder } from '../shared/validate.js';
import { atLocal } from '../calendar/working-time.js';
import { queryOf } from '../web/params.js';
import { actorOf, type Ctx } from '../web/http.js';
import { leadsAnywhere } from '../dossiers/access.js';
import { DUE_STATES } from '../dossiers/list-query.js';
import { FieldError, Flash } from '../web/layout.js';
import { OptionSelect, type Option } from './page-parts.js';

/** Hạn xử lý's choices, as the due badge words them (page-parts.tsx DueBadge). */
const DUE_STATE_LABELS: Record<(typeof DUE_STATES)[number], string> = {
  'con-han': 'Còn hạn',
  'sap-den-han': 'Sắp đến hạn',
  'qua-han': 'Quá hạn',
  'tam-dung': 'Tạm dừng tính hạn',
};

/** The wording of a day that cannot be read and of a period out of order, on every officials' page (Nhật ký hệ thống too). */
export const dateMessage = (which: string) =>
  `${which} không hợp lệ. Vui lòng nhập một ngày có thật theo dạng dd/mm/yyyy, ví dụ 05/11/2026.`;
export const PERIOD_MESSAGE = 'Đến ngày phải cùng ngày hoặc sau từ ngày.';

/** The fields every list shares (the page adds its own: the inbox's tab, a delegation's number). */
const LIST_FILTER_FIELDS = {
  q: param.text(100, 'Từ khóa tìm kiếm tối đa 100 ký tự.'),
  linhvuc: param.id('Lĩnh vực không hợp lệ: vui lòng chọn lại trong danh sách.'),
  thutuc: param.id('Thủ tục không hợp lệ: vui lòng chọn lại trong danh sách.'),
  han: param.oneOf(DUE_STATES, 'Hạn xử lý không hợp lệ: vui lòng chọn lại trong danh sách.'),
  tu: param.date(dateMessage('Từ ngày')),
  den: param.date(dateMessage('Đến ngày')),
  after: param.text(80, 'Vị trí trang không hợp lệ.'),
};

/** The filters' schema with a page's own fields; đến ngày before từ ngày is refused at đến ngày. */
export const listFilterQuery = <T extends z.ZodRawShape>(extra: T) =>
  periodInOrder(z.object({ ...LIST_FILTER_FIELDS, ...extra }), 'tu', 'den', PERIOD_MESSAGE);

/** Mẫu 07's period: both days required, in order (the register's PDF route reads the same rules). */
export const RegisterQuery = periodInOrder(
  z.object({
    donvi: param.id('Cơ quan không hợp lệ: vui lòng chọn lại trong danh sách.'),
    tu: param.date(dateMessage('Từ ngày')),
    den: param.date(dateMessage('Đến ngày')),
  }),
  'tu',
  'den',
  PERIOD_MESSAGE,
);

/** The query through the schema, or the message of each field that cannot be read. */
export function readFilters<S extends z.ZodType>(c: Ctx, schema: S): { ok: true; q: z.output<S> } | { ok: false; fields: FieldErrors } {
  try {
    return { ok: true, q: queryOf(c, schema) };
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_query' && err.fields) return { ok: false, fields: err.fields };
    throw err;
  }
}

/** What was typed, as typed, for the boxes (only the named fields, empty ones dropped). */
export function typed(c: Ctx, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.query()).filter(([k, v]) => names.includes(k) && v !== ''));
}

export const FILTER_NAMES = ['q', 'linhvuc', 'thutuc', 'han', 'tu', 'den'];

/** Từ ngày / đến ngày (ISO days) as the instants of the reception-date filter, in Vietnam time, đến ngày included. */
export function receptionPeriod(tu: string | undefined, den: string | undefined) {
  return {
    from: tu ? atLocal(tu, 0) : undefined,
    to: den ? new Date(atLocal(den, 0).getTime() + 86_400_000) : undefined,
  };
}

/** A field's accessibility attributes when its value was refused: marked invalid, described by its message. */
export const invalid = (errors: FieldErrors | undefined, name: string) =>
  errors?.[name] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `err-${name}` } : {};

/** The messages of fields the form does not show (a tab, a page position): said above the form. */
function otherErrors(errors: FieldErrors | undefined): string[] {
  return Object.entries(errors ?? {})
    .filter(([k]) => !FILTER_NAMES.includes(k))
    .map(([, m]) => m);
}

/** The filter fields, each with its message under it when it cannot be read. */
function FilterFields(p: { query: Record<string, string>; sectors: Option[]; procedures: Option[]; errors?: FieldErrors | undefined }) {
  const e = p.errors;
  return (
    <>
      <label>
        Tìm kiếm
        <input name="q" value={p.query.q ?? ''} placeholder="Mã hồ sơ, tên người nộp" maxlength={100} {...invalid(e, 'q')} />
        <FieldError errors={e} name="q" />
      </label>
      <label>
        Lĩnh vực
        <OptionSelect name="linhvuc" blank="Tất cả" options={p.sectors} selected={p.query.linhvuc} />
        <FieldError errors={e} name="linhvuc" />
      </label>
      <label>
        Thủ tục
        <OptionSelect name="thutuc" blank="Tất cả" options={p.procedures} selected={p.query.thutuc} />
        <FieldError errors={e} name="thutuc" />
      </label>
      <label>
        Hạn xử lý
        <select name="han" {...invalid(e, 'han')}>
          <option value="">Tất cả</option>
          {DUE_STATES.map((state) => (
            <option value={state} selected={p.query.han === state}>
              {DUE_STATE_LABELS[state]}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="han" />
      </label>
      <DayField name="tu" label="Tiếp nhận từ ngày" value={p.query.tu} errors={e} />
      <DayField name="den" label="đến ngày" value={p.query.den} errors={e} />
    </>
  );
}

/** One end of a filter's period (tu, den) as the officials' filter forms write it: a day typed dd/mm/yyyy. */
export function DayField(p: { name: 'tu' | 'den'; label: string; value: string | undefined; errors: FieldErrors | undefined }) {
  return (
    <label>
      {p.label}
      <input
        name={p.name}
        value={p.value ?? ''}
        placeholder="dd/mm/yyyy"
        inputmode="numeric"
        maxlength={20}
        {...invalid(p.errors, p.name)}
      />
      <FieldError errors={p.errors} name={p.name} />
    </label>
  );
}

/** Above a list's form when a filter cannot be read: what to do, and the messages no field of the form shows. */
export function FilterErrors(p: { errors?: FieldErrors | undefined }) {
  if (!p.errors) return null;
  const others = otherErrors(p.errors);
  return (
    <Flash kind="error">Bộ lọc chưa hợp lệ: vui lòng sửa ô được đánh dấu rồi bấm Lọc.{others.length ? ` ${others.join(' ')}` : ''}</Flash>
  );
}

/** A list's filter form (GET to `action`): the page's own fields kept as hidden ones, the filter fields, Lọc. */
export function FilterForm(p: {
  action: string;
  hidden?: Record<string, string> | undefined;
  query: Record<string, string>;
  sectors: Option[];
  procedures: Option[];
  errors?: FieldErrors | undefined;
}) {
  return (
    <form method="get" action={p.action} class="filters" novalidate>
      {Object.entries(p.hidden ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <FilterFields query={p.query} sectors={p.sectors} procedures={p.procedures} errors={p.errors} />
      <button type="submit">Lọc</button>
    </form>
  );
}

/** "Trang sau →" under a list, when another page follows and the filters were read. */
export function NextPage(p: { href: string | null; errors?: FieldErrors | undefined }) {
  return p.href && !p.errors ? (
    <p>
      <a href={p.href}>Trang sau →</a>
    </p>
  ) : null;
}

/** The lists of dossiers an official has, as links: Hồ sơ cần xử lý and the lists beside it. */
export function ListsNav(p: { current: 'can-xu-ly' | 'da-tiep-nhan' | 'theo-doi' | 'tat-ca'; receives: boolean; leads: boolean }) {
  const links = [
    { key: 'can-xu-ly', href: '/tiepnhan/ho-so', label: 'Hồ sơ cần xử lý', show: true },
    { key: 'da-tiep-nhan', href: '/tiepnhan/ho-so-da-tiep-nhan', label: 'Hồ sơ đã tiếp nhận', show: p.receives },
    { key: 'theo-doi', href: '/tiepnhan/theo-doi', label: 'Theo dõi', show: true },
    { key: 'tat-ca', href: '/tiepnhan/tat-ca-ho-so', label: 'Tất cả hồ sơ', show: p.leads },
  ].filter((l) => l.show);
  return (
    <nav class="tabs" aria-label="Danh sách hồ sơ">
      {links.map((l) => (
        <a href={l.href} aria-current={l.key === p.current ? 'page' : undefined} class={l.key === p.current ? 'tab current' : 'tab'}>
          {l.label}
        </a>
      ))}
    </nav>
  );
}

/** Whether the official leads somewhere (page chrome, cached: Tất cả hồ sơ checks again and its SQL narrows to the units led). */
export function leadsOf(c: Ctx): Promise<boolean> {
  const { db, displayCache } = c.get('deps');
  const actor = actorOf(c);
  return displayCache.get(`leads:${actor.accountId}`, () => leadsAnywhere(db, actor));
}
