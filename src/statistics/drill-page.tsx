/**
 * The dossiers of one figure of the report (list-cell-dossiers.ts), 50 a page, newest received first, each opening
 * its dossier page. When the official may not open every dossier of the figure, the page says the list holds only
 * those they may — without saying how many are left out.
 */
import { STATUS_LABELS } from '../db/schema/index.js';
import { formatDate, formatDateTime } from '../shared/dates.js';
import { Flash } from '../web/layout.js';
import type { CellList } from './list-cell-dossiers.js';
import { REPORT_PATH } from './report-query.js';
import { DRILL_CELLS } from './report-types.js';

export function DrillPage(p: { list: CellList; params: Record<string, string>; next: string | null }) {
  const l = p.list;
  const back = `${REPORT_PATH}?${new URLSearchParams(p.params)}`;
  return (
    <section>
      <h1>DANH SÁCH HỒ SƠ: {DRILL_CELLS[l.cell].toUpperCase()}</h1>
      <p>
        {l.groupLabel} — {l.unit.name}. Kỳ báo cáo: từ ngày {formatDate(l.period.from)} đến ngày {formatDate(l.period.to)}.
      </p>
      <p class="no-print">
        <a href={back}>← Quay lại báo cáo</a>
      </p>
      {l.partial ? (
        <Flash kind="info">Danh sách chỉ gồm hồ sơ bạn được xem: số liệu của báo cáo có thể gồm cả hồ sơ bạn không được mở.</Flash>
      ) : null}
      <table class="list" id="ho-so-so-lieu">
        <thead>
          <tr>
            <th scope="col">Mã hồ sơ</th>
            <th scope="col">Thủ tục</th>
            <th scope="col">Người nộp</th>
            <th scope="col">Ngày tiếp nhận</th>
            <th scope="col">Hạn xử lý</th>
            <th scope="col">Ngày kết thúc</th>
            <th scope="col">Trạng thái</th>
          </tr>
        </thead>
        <tbody>
          {l.rows.map((r) => (
            <tr>
              <td class="nowrap">
                <a href={`/tiepnhan/ho-so/${r.id}`}>{r.code}</a>
              </td>
              <td>{r.procedureName}</td>
              <td>{r.applicantName}</td>
              <td>{formatDateTime(r.receivedAt)}</td>
              <td>{formatDateTime(r.dueAt)}</td>
              <td>{formatDateTime(r.finishedAt)}</td>
              <td>{STATUS_LABELS[r.status]}</td>
            </tr>
          ))}
          {l.rows.length === 0 ? (
            <tr>
              <td colspan={7} class="muted">
                Không có hồ sơ bạn được xem.
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      {p.next ? (
        <p>
          <a href={p.next}>Trang sau →</a>
        </p>
      ) : null}
    </section>
  );
}
