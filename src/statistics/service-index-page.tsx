/**
 * Chỉ số phục vụ (QĐ 766/QĐ-TTg) as a leader reads it: the points of the unit's subtree, what costs the most, each
 * indicator with its formula, threshold and numbers, and the units of the subtree ranked by the points they lose.
 * Every number that costs points opens the list of its dossiers (the situation report's drill-down).
 */
import type { FieldErrors } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { FieldError, Flash } from '../web/layout.js';
import { formatCount, formatRate } from './format.js';
import { PERIOD_KINDS, type PeriodKind } from './periods.js';
import type { UnitChoice } from './readable-units.js';
import { REPORT_PATH } from './report-query.js';
import { SERVICE_GROUPS, type IndexScore, type Indicator, type ServiceIndex, type Term } from './service-index.js';

export const SERVICE_INDEX_PATH = '/tiepnhan/thong-ke/chi-so-phuc-vu';

const POINTS = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
/** Points with two decimals ("6,67"); "—" when the indicator has nothing to measure. */
const points = (n: number | null) => (n === null ? '—' : POINTS.format(n));
const percent = formatRate;
const count = formatCount;
const lostOf = (s: IndexScore) => s.measuredMax - s.points;

/** The drill-down of a cell for a report row (absent: the whole subtree), with the period as days. */
function drillHref(term: Term, base: Record<string, string>, group?: string): string | null {
  if (!term.cell || term.n <= 0) return null;
  const q = new URLSearchParams({ ...base, groupBy: 'unit', cell: term.cell });
  if (group) q.set('group', group);
  return `${REPORT_PATH}/ho-so?${q}`;
}

function TermLink(p: { term: Term; base: Record<string, string>; group?: string }) {
  const href = drillHref(p.term, p.base, p.group);
  return href ? (
    <a href={href} title={`Xem danh sách hồ sơ: ${p.term.label}`}>
      {count(p.term.n)}
    </a>
  ) : (
    count(p.term.n)
  );
}

function IndicatorRow(p: { i: Indicator; base: Record<string, string> }) {
  const i = p.i;
  return (
    <tr id={`chi-so-${i.key}`}>
      <th scope="row">
        {i.name}
        <br />
        <small class="muted">Cách tính: {i.formula}</small>
        {i.note ? (
          <>
            <br />
            <small>{i.note}</small>
          </>
        ) : null}
      </th>
      <td>
        {i.numerator.label}: <TermLink term={i.numerator} base={p.base} />
        <br />
        {i.denominator.label}: <TermLink term={i.denominator} base={p.base} />
        {i.second ? (
          <>
            <br />
            {i.second.numerator.label}: {count(i.second.numerator.n)}
            <br />
            {i.second.denominator.label}: {count(i.second.denominator.n)}
          </>
        ) : null}
      </td>
      <td class="num">{percent(i.rate)}</td>
      <td class="num">{i.threshold === 1 ? 'Theo tỷ lệ' : `≥ ${percent(i.threshold)}`}</td>
      <td class="num">{points(i.maxPoints)}</td>
      <td class="num">
        <strong>{points(i.points)}</strong>
      </td>
      <td>
        {i.causing.map((t) => (
          <>
            {t.label}: <TermLink term={t} base={p.base} />
            <br />
          </>
        ))}
      </td>
    </tr>
  );
}

/** The form: the unit (the units the official reads, indented) and the period, as the situation report takes them. */
function IndexForm(p: { units: UnitChoice[]; query: Record<string, string>; errors?: FieldErrors | undefined }) {
  const q = p.query;
  const e = p.errors;
  return (
    <form method="get" action={SERVICE_INDEX_PATH} class="filters" novalidate>
      <label>
        Đơn vị
        <select name="unit">
          {p.units.map((u) => (
            <option value={u.id} selected={q.unit === u.id}>
              {`${'— '.repeat(u.depth)}${u.name}`}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="unit" />
      </label>
      <label>
        Kỳ
        <select name="period">
          {(Object.keys(PERIOD_KINDS) as PeriodKind[]).map((k) => (
            <option value={k} selected={q.period === k}>
              {PERIOD_KINDS[k]}
            </option>
          ))}
        </select>
        <FieldError errors={e} name="period" />
      </label>
      <label>
        Số thứ tự kỳ
        <input name="n" value={q.n ?? ''} inputmode="numeric" maxlength={2} />
        <FieldError errors={e} name="n" />
      </label>
      <label>
        Năm
        <input name="year" value={q.year ?? ''} inputmode="numeric" maxlength={4} />
        <FieldError errors={e} name="year" />
      </label>
      <label>
        Từ ngày
        <input name="from" value={q.from ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" maxlength={20} />
        <FieldError errors={e} name="from" />
      </label>
      <label>
        đến ngày
        <input name="to" value={q.to ?? ''} placeholder="dd/mm/yyyy" inputmode="numeric" maxlength={20} />
        <FieldError errors={e} name="to" />
      </label>
      <button type="submit">Xem</button>
    </form>
  );
}

/** The units of the subtree, the most points lost first, each with its points per indicator. */
function UnitTable(p: { index: ServiceIndex; base: Record<string, string> }) {
  const rows = [...p.index.rows].sort((a, b) => lostOf(b.score) - lostOf(a.score) || a.label.localeCompare(b.label, 'vi'));
  const heads = p.index.total.indicators;
  return (
    <table class="list" id="chi-so-don-vi">
      <caption>Điểm theo đơn vị (đơn vị mất nhiều điểm nhất ở trên)</caption>
      <thead>
        <tr>
          <th scope="col">Đơn vị</th>
          {heads.map((i) => (
            <th scope="col" title={i.name}>
              {SERVICE_GROUPS[i.group].name}
              <br />
              <small>{i.name}</small>
            </th>
          ))}
          <th scope="col">Tổng điểm đo được</th>
          <th scope="col">Điểm bị mất</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <th scope="row">
              {r.key === p.index.unit.id ? (
                r.label
              ) : (
                <a href={`${SERVICE_INDEX_PATH}?${new URLSearchParams({ unit: r.key, from: p.index.period.from, to: p.index.period.to })}`}>
                  {r.label}
                </a>
              )}
            </th>
            {r.score.indicators.map((i) => (
              <td class="num">
                {points(i.points)}
                {/* The row's dossiers that cost this indicator points, one link per list (satisfaction has two). */}
                {i.causing.map((t) => {
                  const href = drillHref(t, p.base, r.key);
                  return href ? (
                    <>
                      <br />
                      <small>
                        <a href={href} title={t.label}>
                          {count(t.n)} hồ sơ
                        </a>
                      </small>
                    </>
                  ) : null;
                })}
              </td>
            ))}
            <td class="num">
              {points(r.score.points)} / {points(r.score.measuredMax)}
            </td>
            <td class="num">{points(lostOf(r.score))}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ServiceIndexPage(p: {
  index: ServiceIndex | null;
  units: UnitChoice[];
  query: Record<string, string>;
  /** The resolved query the drill-down links carry (unit, from, to as days). */
  base: Record<string, string>;
  errors?: FieldErrors | undefined;
}) {
  const x = p.index;
  return (
    <section>
      <h1>CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP</h1>
      <p class="muted">
        Theo Quyết định 766/QĐ-TTg: năm nhóm chỉ số, tính từ số liệu thống kê của hệ thống. Dưới ngưỡng, điểm = tỷ lệ × điểm tối đa ÷
        ngưỡng. Xem thêm <a href={REPORT_PATH}>Báo cáo tình hình giải quyết TTHC</a>.
      </p>
      {p.errors ? <Flash kind="error">Điều kiện xem chưa hợp lệ: vui lòng sửa ô được đánh dấu rồi bấm Xem.</Flash> : null}
      <IndexForm units={p.units} query={p.query} errors={p.errors} />
      {x ? (
        <>
          <h2>
            {x.unit.name}: {points(x.total.points)} / {points(x.total.measuredMax)} điểm đo được
          </h2>
          <p>
            Kỳ: từ ngày {formatDate(x.period.from)} đến ngày {formatDate(x.period.to)}. Số liệu tính đến ngày {formatDate(x.asOf)}.
          </p>
          {x.losses.length ? (
            <>
              <h3>Chỉ số làm mất điểm nhiều nhất</h3>
              <ol id="mat-diem">
                {x.losses.map((l) => (
                  <li>
                    <a href={`#chi-so-${l.key}`}>{l.name}</a>: mất {points(l.lost)} điểm
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          <table class="list" id="chi-so">
            <caption>Các chỉ số đo được</caption>
            <thead>
              <tr>
                <th scope="col">Chỉ số và cách tính</th>
                <th scope="col">Số liệu</th>
                <th scope="col">Tỷ lệ</th>
                <th scope="col">Ngưỡng đạt tối đa</th>
                <th scope="col">Điểm tối đa</th>
                <th scope="col">Điểm</th>
                <th scope="col">Hồ sơ làm mất điểm</th>
              </tr>
            </thead>
            {(Object.keys(SERVICE_GROUPS) as Array<keyof typeof SERVICE_GROUPS>).map((g) => {
              const own = x.total.indicators.filter((i) => i.group === g);
              const unmeasured = x.unmeasured.find((u) => u.group === g);
              return (
                <tbody>
                  <tr>
                    <th scope="rowgroup" colspan={7}>
                      {SERVICE_GROUPS[g].name} ({SERVICE_GROUPS[g].points} điểm)
                    </th>
                  </tr>
                  {own.map((i) => (
                    <IndicatorRow i={i} base={p.base} />
                  ))}
                  {unmeasured ? (
                    <tr id={`chi-so-${g}`}>
                      <td colspan={7}>{unmeasured.reason}</td>
                    </tr>
                  ) : null}
                </tbody>
              );
            })}
          </table>
          <UnitTable index={x} base={p.base} />
        </>
      ) : null}
    </section>
  );
}
