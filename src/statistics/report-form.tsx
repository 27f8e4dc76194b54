/**
 * The form of Báo cáo tình hình giải quyết TTHC (GET, no script): the unit among those the official reads, as an
 * indented tree; the grouping; the period as a preset (tháng, quý, 6 tháng, năm with its year and number) or từ ngày –
 * đến ngày; an optional sector and procedure. Each value that cannot be read is named under its field.
 */
import type { Option } from '../onestop/page-parts.js';
import { OptionSelect } from '../onestop/page-parts.js';
import type { FieldErrors } from '../shared/errors.js';
import { FieldError } from '../web/layout.js';
import { PERIOD_KINDS } from './periods.js';
import type { UnitChoice } from './readable-units.js';
import { REPORT_PATH } from './report-query.js';
import { GROUP_BY } from './report-types.js';

const invalid = (errors: FieldErrors | undefined, name: string) =>
  errors?.[name] ? { 'aria-invalid': 'true' as const, 'aria-describedby': `err-${name}` } : {};

export function ReportForm(p: {
  units: UnitChoice[];
  /** The values shown: what was typed, or what the report was read with. */
  values: Record<string, string>;
  sectors: Option[];
  procedures: Option[];
  errors?: FieldErrors | undefined;
}) {
  const v = p.values;
  const e = p.errors;
  return (
    <form method="get" action={REPORT_PATH} class="filters stats-form" novalidate>
      <label>
        Đơn vị
        <select name="unit" {...invalid(e, 'unit')}>
          {p.units.map((u) => (
            <option value={u.id} selected={u.id === v.unit}>
              {`${'\u00a0\u00a0'.repeat(u.depth)}${u.depth ? '└ ' : ''}${u.name}`}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="unit" />
      </label>
      <label>
        Báo cáo theo
        <select name="groupBy" {...invalid(e, 'groupBy')}>
          {Object.entries(GROUP_BY).map(([key, label]) => (
            <option value={key} selected={key === (v.groupBy ?? 'unit')}>
              {label}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="groupBy" />
      </label>
      <label>
        Kỳ báo cáo
        <select name="period" {...invalid(e, 'period')}>
          {Object.entries(PERIOD_KINDS).map(([key, label]) => (
            <option value={key} selected={key === (v.period ?? 'month')}>
              {label}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="period" />
      </label>
      <label>
        Số (tháng, quý, 6 tháng)
        <input name="n" value={v.n ?? ''} inputmode="numeric" maxlength={2} size={3} {...invalid(e, 'n')} />
        <FieldError errors={e} name="n" />
      </label>
      <label>
        Năm
        <input name="year" value={v.year ?? ''} inputmode="numeric" maxlength={4} size={5} {...invalid(e, 'year')} />
        <FieldError errors={e} name="year" />
      </label>
      <label>
        Từ ngày
        <input name="from" value={v.from ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" maxlength={20} {...invalid(e, 'from')} />
        <FieldError errors={e} name="from" />
      </label>
      <label>
        Đến ngày
        <input name="to" value={v.to ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" maxlength={20} {...invalid(e, 'to')} />
        <FieldError errors={e} name="to" />
      </label>
      <label>
        Lĩnh vực
        <OptionSelect name="sector" blank="Tất cả" options={p.sectors} selected={v.sector} />
        <FieldError errors={e} name="sector" />
      </label>
      <label>
        Thủ tục
        <OptionSelect name="procedure" blank="Tất cả" options={p.procedures} selected={v.procedure} />
        <FieldError errors={e} name="procedure" />
      </label>
      <button type="submit">Xem báo cáo</button>
      <p class="muted form-note">Từ ngày – đến ngày chỉ dùng khi Kỳ báo cáo là “Từ ngày – đến ngày”.</p>
    </form>
  );
}
