/**
 * Báo cáo tình hình giải quyết TTHC as a page: the form, then Biểu số 06/VPCP/KSTT (the merged header of the form,
 * one row per unit, sector or procedure, Tổng cộng) where every figure that is not zero opens its dossiers, the
 * downloads, and the charts. Aggregates only: no applicant is named here.
 */
import { raw } from 'hono/html';
import type { Option } from '../onestop/page-parts.js';
import type { FieldErrors } from '../shared/errors.js';
import { formatDate } from '../shared/dates.js';
import { Flash } from '../web/layout.js';
import type { Chart } from './charts.js';
import { formatCount, formatRate } from './format.js';
import type { UnitChoice } from './readable-units.js';
import { REPORT_PATH } from './report-query.js';
import { GROUP_BY, type DrillCell, type SituationFigures, type SituationReport } from './report-types.js';
import { ReportForm } from './report-form.js';
import { SERVICE_INDEX_PATH } from './service-index-page.js';

/** The cells of a row, in the table's order: the figure and the list it opens (none for the supplement requests). */
function cells(f: SituationFigures): Array<[number, DrillCell | null]> {
  return [
    [f.received.total, 'received_total'],
    [f.received.online, 'received_online'],
    [f.received.direct, 'received_direct'],
    [f.received.carriedOver, 'carried_over'],
    [f.settled.total, 'settled'],
    [f.settled.early, 'settled_early'],
    [f.settled.onTime, 'settled_on_time'],
    [f.settled.late, 'settled_late'],
    [f.inProgress.total, 'in_progress'],
    [f.inProgress.withinDeadline, 'in_progress_within'],
    [f.inProgress.late, 'in_progress_late'],
    [f.inProgress.paused, 'in_progress_paused'],
    [f.withdrawn, 'withdrawn'],
    [f.stopped, 'stopped'],
    [f.refused, 'refused'],
    // Requests, not dossiers (a dossier may be asked twice): no list has this many rows.
    [f.supplementRequests, null],
  ];
}

/** What Tạm dừng tính hạn counts, under the table (the exports say it in their column note). */
const PAUSED_NOTE =
  'Số hồ sơ đang giải quyết = Trong hạn + Quá hạn + Tạm dừng tính hạn. Tạm dừng tính hạn: hồ sơ đang chờ công dân bổ sung, hoàn thiện — thời gian chờ không tính vào thời hạn giải quyết, nên hồ sơ không được tính là trong hạn hay quá hạn (như Hạn xử lý trong danh sách hồ sơ); với kỳ đã kết thúc, là hồ sơ vẫn đang chờ bổ sung từ trước ngày cuối kỳ, hoặc đã chờ từ trước ngày cuối kỳ rồi bị dừng xử lý hay rút khi vẫn đang chờ.';

/** The address of one cell's dossiers: the report's query, the cell and the row (none for Tổng cộng). */
const drillHref = (params: Record<string, string>, cell: DrillCell, group?: string) =>
  `${REPORT_PATH}/ho-so?${new URLSearchParams({ ...params, cell, ...(group === undefined ? {} : { group }) })}`;

function Figures(p: { figures: SituationFigures; params: Record<string, string>; group?: string }) {
  return (
    <>
      {cells(p.figures).map(([n, cell]) => (
        <td class="num">{n !== 0 && cell ? <a href={drillHref(p.params, cell, p.group)}>{formatCount(n)}</a> : formatCount(n)}</td>
      ))}
      <td class="num">{formatRate(p.figures.onTimeRate)}</td>
    </>
  );
}

function ReportTable(p: { report: SituationReport; params: Record<string, string> }) {
  const r = p.report;
  return (
    <table class="list stats-table" id="bao-cao">
      <caption class="visually-hidden">Biểu số 06/VPCP/KSTT — tình hình, kết quả giải quyết thủ tục hành chính</caption>
      <thead>
        <tr>
          <th scope="col" rowspan={3}>
            STT
          </th>
          <th scope="col" rowspan={3}>
            {GROUP_BY[r.groupBy]}
          </th>
          <th scope="colgroup" colspan={4}>
            Số hồ sơ nhận giải quyết
          </th>
          <th scope="colgroup" colspan={4}>
            Số hồ sơ đã giải quyết
          </th>
          <th scope="colgroup" colspan={4}>
            Số hồ sơ đang giải quyết
          </th>
          <th scope="col" rowspan={3}>
            Rút hồ sơ
          </th>
          <th scope="col" rowspan={3}>
            Dừng xử lý
          </th>
          <th scope="col" rowspan={3}>
            Từ chối
          </th>
          <th scope="col" rowspan={3}>
            Yêu cầu bổ sung
          </th>
          <th scope="col" rowspan={3}>
            Tỷ lệ đúng hạn (%)
          </th>
        </tr>
        <tr>
          <th scope="col" rowspan={2}>
            Tổng số
          </th>
          <th scope="colgroup" colspan={2}>
            Trong kỳ
          </th>
          <th scope="col" rowspan={2}>
            Từ kỳ trước
          </th>
          {['Tổng số', 'Trước hạn', 'Đúng hạn', 'Quá hạn', 'Tổng số', 'Trong hạn', 'Quá hạn', 'Tạm dừng tính hạn'].map((h) => (
            <th scope="col" rowspan={2}>
              {h}
            </th>
          ))}
        </tr>
        <tr>
          <th scope="col">Trực tuyến</th>
          <th scope="col">Trực tiếp, bưu chính</th>
        </tr>
      </thead>
      <tbody>
        {r.rows.map((row, i) => (
          <tr>
            <td class="num">{i + 1}</td>
            <th scope="row">{row.label}</th>
            <Figures figures={row.figures} params={p.params} group={row.key} />
          </tr>
        ))}
        {r.rows.length === 0 ? (
          <tr>
            <td colspan={19} class="muted">
              Không có hồ sơ trong kỳ.
            </td>
          </tr>
        ) : null}
      </tbody>
      <tfoot>
        <tr class="total">
          <td></td>
          <th scope="row">Tổng cộng</th>
          <Figures figures={r.total} params={p.params} />
        </tr>
      </tfoot>
    </table>
  );
}

/** A chart with its title, drawn as SVG, and its numbers as a table one click away (read aloud as a table). */
function ChartFigure(p: { chart: Chart }) {
  const c = p.chart;
  return (
    <figure class="chart" id={c.id}>
      <figcaption>{c.title}</figcaption>
      <div role="img" aria-label={`${c.title}. Số liệu trong bảng ngay sau biểu đồ.`}>
        {raw(c.svg)}
      </div>
      <details>
        <summary>Số liệu của biểu đồ</summary>
        <table class="list">
          <thead>
            <tr>
              {c.table.head.map((h) => (
                <th scope="col">{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {c.table.rows.map((row) => (
              <tr>{row.map((cell, i) => (i === 0 ? <th scope="row">{cell}</th> : <td class="num">{cell}</td>))}</tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function ReportPage(p: {
  units: UnitChoice[];
  values: Record<string, string>;
  sectors: Option[];
  procedures: Option[];
  errors?: FieldErrors | undefined;
  /** Absent when the form could not be read. */
  report?: SituationReport | undefined;
  /** The report's query as its links carry it (report-query.ts reportParams). */
  params?: Record<string, string> | undefined;
  charts?: Chart[] | undefined;
}) {
  const r = p.report;
  const query = p.params ? new URLSearchParams(p.params).toString() : '';
  return (
    <section class="stats-report">
      <h1>BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH</h1>
      <p class="muted no-print">
        Biểu số 06/VPCP/KSTT (Thông tư 01/2020/TT-VPCP). Bấm vào một số liệu để xem danh sách hồ sơ của số liệu đó.
      </p>
      {p.errors ? <Flash kind="error">Chưa thể lập báo cáo: vui lòng sửa ô được đánh dấu rồi bấm Xem báo cáo.</Flash> : null}
      <ReportForm units={p.units} values={p.values} sectors={p.sectors} procedures={p.procedures} errors={p.errors} />
      {r && p.params ? (
        <>
          <p class="report-head">
            Đơn vị: <strong>{r.unit.name}</strong>. Kỳ báo cáo: từ ngày {formatDate(r.period.from)} đến ngày {formatDate(r.period.to)}. Số
            liệu tính đến ngày {formatDate(r.asOf)}.
          </p>
          <p class="toolbar no-print">
            <a class="button" href={`${REPORT_PATH}.xlsx?${query}`}>
              Tải về Excel (XLSX)
            </a>
            <a class="button" href={`${REPORT_PATH}.pdf?${query}`}>
              Tải về PDF
            </a>
            <a href={`${SERVICE_INDEX_PATH}?${new URLSearchParams({ unit: r.unit.id, from: r.period.from, to: r.period.to })}`}>
              Chỉ số phục vụ người dân, doanh nghiệp (QĐ 766) của kỳ này
            </a>
          </p>
          <ReportTable report={r} params={p.params} />
          <p class="muted">{PAUSED_NOTE}</p>
          <div class="charts">
            {(p.charts ?? []).map((c) => (
              <ChartFigure chart={c} />
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
